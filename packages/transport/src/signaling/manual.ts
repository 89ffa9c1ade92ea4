// Manual signaling for two devices with no server: one text each way. `invite()` makes this
// node's text (its signed announcement with a complete, non-trickle offer); pasting it on the
// other device makes that device's answer text. A text is "CHECK-payload": the payload is the
// signaling envelope, deflate-raw compressed and base64url encoded, and CHECK is a short hash of
// the payload, so a person can tell texts apart and a damaged copy is refused before anything
// reaches the transport. The envelope inside is authenticated like any other (envelope.ts).

import type { Signaling, SignalingChannel, SignalingHandlers } from './signaling.ts';

const TEXT = /^([0-9A-HJKMNP-TV-Z]{5})-([A-Za-z0-9_-]+)$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // no I, L, O, U: easy to read aloud and compare
const MAX_TEXT = 64 * 1024;

export interface ManualSignaling extends Signaling {
  /** `fn` gets each text this node needs carried to the other device, with its checksum. */
  onText(fn: (text: string, checksum: string) => void): () => void;
  /** Make this node's pairing text (announcement + complete offer); it arrives through onText. */
  invite(): void;
  /**
   * Feed a text produced by the other device; resolves to its checksum. Rejects, delivering
   * nothing, on a text that is not a pairing text or whose checksum does not match.
   */
  paste(text: string): Promise<string>;
}

export class PairingTextError extends Error {
  override name = 'PairingTextError';
}

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
}

async function transform(bytes: Uint8Array<ArrayBuffer>, stream: CompressionStream | DecompressionStream): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** Five Crockford base32 characters (25 bits) of SHA-256 over the payload. */
export async function pairingChecksum(payload: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(payload)));
  const bits = (h[0] << 17) | (h[1] << 9) | (h[2] << 1) | (h[3] >> 7);
  let out = '';
  for (let i = 4; i >= 0; i--) out += CROCKFORD[(bits >> (i * 5)) & 31];
  return out;
}

export async function encodePairingText(envelope: string): Promise<{ text: string; checksum: string }> {
  const payload = base64url(await transform(new TextEncoder().encode(envelope), new CompressionStream('deflate-raw')));
  const checksum = await pairingChecksum(payload);
  return { text: `${checksum}-${payload}`, checksum };
}

export async function decodePairingText(text: string): Promise<{ envelope: string; checksum: string }> {
  const compact = text.replace(/\s+/g, ''); // line breaks picked up while copying
  const m = compact.length <= MAX_TEXT ? TEXT.exec(compact) : null;
  if (!m) throw new PairingTextError('not a walrtc pairing text (expected CHECK-… as copied from the other device)');
  const [, checksum, payload] = m;
  const actual = await pairingChecksum(payload);
  if (actual !== checksum) throw new PairingTextError(`pairing text ${checksum} is damaged (its content hashes to ${actual}): copy the whole text again`);
  try {
    return { envelope: new TextDecoder('utf-8', { fatal: true }).decode(await transform(fromBase64url(payload), new DecompressionStream('deflate-raw'))), checksum };
  } catch {
    throw new PairingTextError(`pairing text ${checksum} does not decompress: copy the whole text again`);
  }
}

export function manualSignaling(): ManualSignaling {
  const listeners = new Set<(text: string, checksum: string) => void>();
  let handlers: SignalingHandlers | null = null;
  let inviteWanted = false; // invite() before the transport joined
  const early: string[] = []; // pasted before join
  let out: Promise<void> = Promise.resolve(); // texts are encoded asynchronously but emitted in order

  return {
    onText(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    invite() {
      if (handlers) handlers.invite();
      else inviteWanted = true;
    },
    async paste(text) {
      const { envelope, checksum } = await decodePairingText(text);
      if (handlers) handlers.message(envelope);
      else early.push(envelope);
      return checksum;
    },
    join(_room: string, h: SignalingHandlers): SignalingChannel {
      handlers = h;
      queueMicrotask(() => {
        if (handlers !== h) return;
        for (const m of early.splice(0)) h.message(m);
        if (inviteWanted) h.invite();
        inviteWanted = false;
      });
      return {
        // Only pairing envelopes are carried: the person pasting is the whole network.
        send() {},
        sendByHand(envelope) {
          out = out
            .then(() => encodePairingText(envelope))
            .then(({ text, checksum }) => {
              for (const fn of listeners) fn(text, checksum);
            });
        },
        close() {
          if (handlers === h) handlers = null;
        },
      };
    },
  };
}
