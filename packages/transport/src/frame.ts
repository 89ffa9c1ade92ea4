// The whole wire protocol of one data channel on one screen: frame layout, control messages,
// chunking of application messages into frames (16 KiB; 64 KiB between Node peers, connection.ts)
// and their validated reassembly.
// Every incoming frame is checked here before the connection acts on it.

/** Frame format version; a frame carrying any other value is rejected, never guessed at. */
export const FRAME_VERSION = 1;
/** The frame size every browser's data channel accepts; a connection may use larger ones where the remote accepts them (connection.ts's MAX_FRAME). */
export const CHUNK_SIZE = 16 * 1024;

/**
 * Byte 0 is the version, byte 1 the kind.
 * Start: u32 big-endian total length, then the first payload bytes (a small message is one Start).
 * More:  further payload bytes of the message begun by the last Start.
 * Control: UTF-8 JSON, one of `Control` below (handshake and goodbye).
 * Ping: no body; any frame proves liveness, Ping keeps an idle channel alive.
 */
export enum FrameKind {
  Start = 1,
  More = 2,
  Control = 3,
  Ping = 4,
}

const START_HEADER = 6;
const MORE_HEADER = 2;
/** Frames of one message held apart before they are joined: a message of full frames never reaches it. */
const MAX_PARTS = 64;

/** Control messages, all sent over the channel before (handshake) or instead of (bye) data. */
export type Control =
  | { t: 'hello'; nonce: string } // my challenge for you
  | { t: 'proof'; mac: string } // HMAC over both ids and both nonces (auth.ts)
  | { t: 'ok' } // your proof verified
  | { t: 'deny'; reason: string } // your proof failed; I am closing
  | { t: 'bye'; reason: string }; // clean close: report me left at once

/** What one incoming frame amounted to. */
export type Incoming =
  | { kind: 'message'; data: Uint8Array }
  | { kind: 'control'; control: Control }
  | { kind: 'ping' }
  | { kind: 'partial' } // a chunk of a message still being reassembled
  | { kind: 'reject'; reason: string };

/** True if `msg` travels as a single frame. */
export function fitsOneFrame(msg: Uint8Array | readonly Uint8Array[], chunkSize = CHUNK_SIZE): boolean {
  return byteLength(msg) <= chunkSize - START_HEADER;
}

/**
 * Split one application message (given whole, or as parts whose concatenation it is) into frames
 * of at most `chunkSize` bytes, lazily: a sender under back-pressure holds one frame at a time,
 * not a second copy of the whole message. `scratch` (at least `chunkSize` bytes): every frame is
 * made in it, valid until the next is asked for, for a sender whose channel copies a frame when it
 * is sent.
 */
export function* encodeMessage(msg: Uint8Array | readonly Uint8Array[], chunkSize = CHUNK_SIZE, scratch?: Uint8Array): Generator<Uint8Array> {
  const parts = msg instanceof Uint8Array ? [msg] : msg;
  const total = byteLength(msg);
  const frameOf = (n: number) => (scratch ? scratch.subarray(0, n) : new Uint8Array(n));
  // the next bytes to frame: parts[part] from `at`
  let part = 0;
  let at = 0;
  const fill = (frame: Uint8Array, from: number) => {
    for (let o = from; o < frame.length; ) {
      const p = parts[part]!;
      const n = Math.min(p.byteLength - at, frame.length - o);
      frame.set(p.subarray(at, at + n), o);
      o += n;
      at += n;
      if (at === p.byteLength) (part++, (at = 0));
    }
  };
  const firstLen = Math.min(total, chunkSize - START_HEADER);
  const first = frameOf(START_HEADER + firstLen);
  first[0] = FRAME_VERSION;
  first[1] = FrameKind.Start;
  new DataView(first.buffer, first.byteOffset).setUint32(2, total);
  fill(first, START_HEADER);
  yield first;
  for (let off = firstLen; off < total; off += chunkSize - MORE_HEADER) {
    const frame = frameOf(MORE_HEADER + Math.min(chunkSize - MORE_HEADER, total - off));
    frame[0] = FRAME_VERSION;
    frame[1] = FrameKind.More;
    fill(frame, MORE_HEADER);
    yield frame;
  }
}

/** The length of a message given whole or in parts. */
export function byteLength(msg: Uint8Array | readonly Uint8Array[]): number {
  if (msg instanceof Uint8Array) return msg.byteLength;
  let n = 0;
  for (const p of msg) n += p.byteLength;
  return n;
}

export function encodeControl(control: Control): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(control));
  const frame = new Uint8Array(MORE_HEADER + body.byteLength);
  frame[0] = FRAME_VERSION;
  frame[1] = FrameKind.Control;
  frame.set(body, MORE_HEADER);
  return frame;
}

export const PING_FRAME = Uint8Array.of(FRAME_VERSION, FrameKind.Ping);

/** Build a raw frame of any version/kind (tests use it to send malformed frames). */
export function rawFrame(version: number, kind: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const frame = new Uint8Array(2 + body.byteLength);
  frame[0] = version;
  frame[1] = kind;
  frame.set(body, 2);
  return frame;
}

function parseControl(body: Uint8Array): Control | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return 'control frame is not UTF-8 JSON';
  }
  if (typeof value !== 'object' || value === null) return 'control frame is not an object';
  const v = value as Record<string, unknown>;
  const str = (k: string, max: number) => typeof v[k] === 'string' && (v[k] as string).length <= max;
  switch (v.t) {
    case 'hello':
      return str('nonce', 64) ? { t: 'hello', nonce: v.nonce as string } : 'hello without a valid nonce';
    case 'proof':
      return str('mac', 128) ? { t: 'proof', mac: v.mac as string } : 'proof without a valid mac';
    case 'ok':
      return { t: 'ok' };
    case 'deny':
      return str('reason', 500) ? { t: 'deny', reason: v.reason as string } : 'deny without a reason';
    case 'bye':
      return str('reason', 500) ? { t: 'bye', reason: v.reason as string } : 'bye without a reason';
    default:
      return `unknown control message ${JSON.stringify(String(v.t)).slice(0, 40)}`;
  }
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Validates frames and reassembles messages. A rejected frame never yields a message and
 * leaves the reassembler ready for the next Start; the connection decides how many rejections
 * it tolerates (limits.ts). Memory held is bounded by the bytes received, never by a claimed length.
 */
export class Reassembler {
  #parts: Uint8Array[] | null = null; // payloads of the message being assembled, as received
  #total = 0;
  #filled = 0;
  #skip = 0; // bytes still to discard of an oversize message

  constructor(readonly maxMessageSize: number) {}

  push(frame: Uint8Array): Incoming {
    if (frame.byteLength < 2) return this.#reject(`frame of ${frame.byteLength} bytes is too short`);
    if (frame[0] !== FRAME_VERSION) return this.#reject(`unknown frame version ${frame[0]}`);
    switch (frame[1]) {
      case FrameKind.Start:
        return this.#start(frame);
      case FrameKind.More:
        return this.#more(frame.subarray(MORE_HEADER));
      case FrameKind.Control: {
        const control = parseControl(frame.subarray(MORE_HEADER));
        return typeof control === 'string' ? this.#reject(control) : { kind: 'control', control };
      }
      case FrameKind.Ping:
        return { kind: 'ping' };
      default:
        return this.#reject(`unknown frame kind ${frame[1]}`);
    }
  }

  #start(frame: Uint8Array): Incoming {
    if (frame.byteLength < START_HEADER) return this.#reject('start frame shorter than its header');
    const interrupted = this.#parts !== null || this.#skip > 0;
    this.#reset();
    if (interrupted) return this.#reject('new message started before the previous one was complete');
    const total = ((frame[2] << 24) | (frame[3] << 16) | (frame[4] << 8) | frame[5]) >>> 0;
    const payload = frame.subarray(START_HEADER);
    if (payload.byteLength > total) return this.#reject(`start frame carries more than its declared ${total} bytes`);
    if (total > this.maxMessageSize) {
      this.#skip = total - payload.byteLength;
      return { kind: 'reject', reason: `message of ${total} bytes exceeds the maximum of ${this.maxMessageSize}` };
    }
    // No copy: every frame arrives in its own buffer, which nothing else holds.
    if (payload.byteLength === total) return { kind: 'message', data: payload };
    // The declared length is only a claim: memory follows the bytes that actually arrive, held as
    // the frames' own payloads and copied once, into a buffer of exactly the message's size, at its end.
    this.#total = total;
    this.#parts = [payload];
    this.#filled = payload.byteLength;
    return { kind: 'partial' };
  }

  #more(payload: Uint8Array): Incoming {
    if (this.#skip > 0) {
      if (payload.byteLength > this.#skip) return this.#reject('chunk overruns the declared message length');
      this.#skip -= payload.byteLength;
      return { kind: 'partial' };
    }
    const parts = this.#parts;
    if (!parts) return this.#reject('continuation frame without a message start');
    const filled = this.#filled + payload.byteLength;
    if (filled > this.#total) return this.#reject('chunk overruns the declared message length');
    parts.push(payload);
    this.#filled = filled;
    if (filled < this.#total) {
      // a sender of tiny frames would make the parts' bookkeeping outgrow their bytes: join them now and then
      if (parts.length >= MAX_PARTS) this.#parts = [join(parts)];
      return { kind: 'partial' };
    }
    this.#reset();
    return { kind: 'message', data: join(parts) };
  }

  #reject(reason: string): Incoming {
    this.#reset(); // a half-built message after a bad frame can no longer be trusted
    return { kind: 'reject', reason };
  }

  #reset(): void {
    this.#parts = null;
    this.#total = 0;
    this.#filled = 0;
    this.#skip = 0;
  }
}
