/**
 * One transport, several ways to find peers: BroadcastChannel for the tabs of this browser, plus
 * whatever the devices panel adds later (a WebSocket relay, a pairing text carried each way). Every
 * outgoing text goes to every pipe; an incoming text seen on two pipes is handled once.
 */
import type { Signaling, SignalingChannel, SignalingHandlers } from '@walrtc/transport';

export interface MultiSignaling extends Signaling {
  /** Join one more pipe; returns the function that leaves it. */
  add(signaling: Signaling): () => void;
}

const REMEMBERED = 500;

export function multiSignaling(first: Signaling): MultiSignaling {
  const pipes: Signaling[] = [first];
  const channels = new Map<Signaling, SignalingChannel>();
  const seen = new Set<string>();
  let joined: { room: string; handlers: SignalingHandlers } | undefined;

  const handlers = (h: SignalingHandlers): SignalingHandlers => ({
    message(text) {
      if (seen.has(text)) return;
      if (seen.size >= REMEMBERED) seen.clear();
      seen.add(text);
      h.message(text);
    },
    ready: () => h.ready(),
    invite: () => h.invite(),
  });

  const join = (s: Signaling) => {
    if (joined) channels.set(s, s.join(joined.room, handlers(joined.handlers)));
  };

  return {
    join(room, h) {
      joined = { room, handlers: h };
      for (const s of pipes) join(s);
      return {
        send: (text) => {
          for (const c of channels.values()) c.send(text);
        },
        // A pairing text goes only to the pipes a person carries, never to the other tabs.
        sendByHand: (text) => {
          for (const c of channels.values()) c.sendByHand?.(text);
        },
        close: async () => {
          await Promise.all([...channels.values()].map((c) => c.close()));
          channels.clear();
          joined = undefined;
        },
      };
    },
    add(s) {
      pipes.push(s);
      join(s);
      return () => {
        pipes.splice(pipes.indexOf(s), 1);
        void channels.get(s)?.close();
        channels.delete(s);
      };
    },
  };
}
