// Manual signaling for two devices with no server: outgoing signaling is batched into one
// copyable text ("walrtc1:…"), and texts from the other device are pasted in. Nothing else.

import type { Signaling, SignalingChannel, SignalingHandlers } from './signaling.ts';

const PREFIX = 'walrtc1:';

export interface ManualSignaling extends Signaling {
  /** `fn` gets each text this node needs carried to the other device. */
  onText(fn: (text: string) => void): () => void;
  /** Feed a text produced by the other device. Throws on text that is not ours. */
  paste(text: string): void;
}

export interface ManualSignalingOptions {
  /** Outgoing messages are gathered until this long passes without a new one; default 200 ms. */
  batchMs?: number;
}

export function manualSignaling(options: ManualSignalingOptions = {}): ManualSignaling {
  const batchMs = options.batchMs ?? 200;
  const listeners = new Set<(text: string) => void>();
  let handlers: SignalingHandlers | null = null;
  const early: string[] = []; // pasted before join
  let pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const json = JSON.stringify(pending.splice(0));
    const text = PREFIX + btoa(String.fromCharCode(...new TextEncoder().encode(json)));
    for (const fn of listeners) fn(text);
  };

  return {
    onText(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    paste(text) {
      const trimmed = text.trim();
      if (!trimmed.startsWith(PREFIX)) throw new Error('not a walrtc signaling text');
      const bytes = Uint8Array.from(atob(trimmed.slice(PREFIX.length)), (c) => c.charCodeAt(0));
      const messages: unknown = JSON.parse(new TextDecoder().decode(bytes));
      if (!Array.isArray(messages)) throw new Error('not a walrtc signaling text');
      for (const m of messages) {
        if (typeof m !== 'string') continue;
        if (handlers) handlers.message(m);
        else early.push(m);
      }
    },
    join(_room: string, h: SignalingHandlers): SignalingChannel {
      handlers = h;
      queueMicrotask(() => {
        h.ready();
        for (const m of early.splice(0)) h.message(m);
      });
      return {
        send(text) {
          pending.push(text);
          clearTimeout(timer);
          timer = setTimeout(flush, batchMs);
        },
        close() {
          clearTimeout(timer);
          handlers = null;
          pending = [];
        },
      };
    },
  };
}
