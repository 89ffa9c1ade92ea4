import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, encodeControl, encodeMessage, FRAME_VERSION, FrameKind, rawFrame, Reassembler, type Incoming } from '../src/frame.ts';

function feed(r: Reassembler, frames: Uint8Array[]): Incoming[] {
  return frames.map((f) => r.push(f)).filter((x) => x.kind !== 'partial');
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe('framing', () => {
  it('chunks to at most 16 KiB and reassembles byte for byte', () => {
    for (const size of [0, 1, CHUNK_SIZE - 6, CHUNK_SIZE - 5, 3 * CHUNK_SIZE + 17, 1024 * 1024]) {
      const msg = bytes(size);
      const frames = [...encodeMessage(msg)];
      expect(frames.every((f) => f.byteLength <= CHUNK_SIZE && f[0] === FRAME_VERSION)).toBe(true);
      const out = feed(new Reassembler(64 * 1024 * 1024), frames);
      expect(out).toHaveLength(1);
      expect(out[0].kind === 'message' && Buffer.from(out[0].data).equals(msg)).toBe(true); // toEqual is slow on MiBs
    }
  });

  it('reassembles byte for byte whatever the frame size, tiny frames included', () => {
    const msg = bytes(200_000);
    for (const chunkSize of [8, 100, 64 * 1024, 256 * 1024]) {
      const out = feed(new Reassembler(1024 * 1024), [...encodeMessage(msg, chunkSize), ...encodeMessage(bytes(5), chunkSize)]);
      expect(out).toHaveLength(2);
      expect(out[0].kind === 'message' && Buffer.from(out[0].data).equals(msg)).toBe(true);
      expect(out[1]).toEqual({ kind: 'message', data: bytes(5) });
    }
  });

  it('frames a message given in parts (empty ones included) exactly as the same message whole, in a scratch buffer too', () => {
    const msg = bytes(100_000);
    const parts = [msg.subarray(0, 0), msg.subarray(0, 3), msg.subarray(3, 16_380), msg.subarray(16_380, 16_380), msg.subarray(16_380)];
    const whole = [...encodeMessage(msg, 16 * 1024)].map((f) => Buffer.from(f).toString('hex'));
    expect([...encodeMessage(parts, 16 * 1024)].map((f) => Buffer.from(f).toString('hex'))).toEqual(whole);
    // a scratch frame is valid until the next is made: read each as it comes
    const scratch = new Uint8Array(16 * 1024);
    expect(Array.from(encodeMessage(parts, 16 * 1024, scratch), (f) => Buffer.from(f).toString('hex'))).toEqual(whole);
  });

  it('rejects a message over the maximum, skips its chunks, and keeps going', () => {
    const r = new Reassembler(40_000);
    const out = feed(r, [...encodeMessage(bytes(100_000)), ...encodeMessage(bytes(5))]);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ kind: 'reject', reason: 'message of 100000 bytes exceeds the maximum of 40000' });
    expect(out[1]).toEqual({ kind: 'message', data: bytes(5) });
  });

  it('rejects malformed frames with a reason and never delivers a corrupted message', () => {
    const r = new Reassembler(1 << 20);
    const [start, more] = [...encodeMessage(bytes(20_000))];
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([1]), /too short/],
      [rawFrame(2, FrameKind.Start, new Uint8Array(8)), /unknown frame version 2/],
      [rawFrame(FRAME_VERSION, 99), /unknown frame kind 99/],
      [rawFrame(FRAME_VERSION, FrameKind.More, bytes(10)), /continuation frame without a message start/],
      [rawFrame(FRAME_VERSION, FrameKind.Start, new Uint8Array(2)), /shorter than its header/],
      [rawFrame(FRAME_VERSION, FrameKind.Start, Uint8Array.of(0, 0, 0, 1, 9, 9)), /more than its declared/],
      [rawFrame(FRAME_VERSION, FrameKind.Control, new TextEncoder().encode('{nope')), /not UTF-8 JSON/],
      [rawFrame(FRAME_VERSION, FrameKind.Control, new TextEncoder().encode('{"t":"launch"}')), /unknown control message/],
      [rawFrame(FRAME_VERSION, FrameKind.Control, new TextEncoder().encode('{"t":"hello"}')), /hello without a valid nonce/],
    ];
    for (const [frame, reason] of cases) {
      const got = r.push(frame);
      expect(got.kind).toBe('reject');
      expect(got.kind === 'reject' && got.reason).toMatch(reason);
    }
    // A message cut short by a new start, or overrun by an extra chunk, is dropped, not delivered.
    expect(r.push(start).kind).toBe('partial');
    expect(r.push([...encodeMessage(bytes(3))][0])).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/before the previous one was complete/) });
    expect(r.push(start).kind).toBe('partial');
    expect(r.push(more)).toEqual({ kind: 'message', data: bytes(20_000) });
    expect(r.push(more)).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/without a message start/) });
    expect(r.push(encodeControl({ t: 'bye', reason: 'done' }))).toEqual({ kind: 'control', control: { t: 'bye', reason: 'done' } });
  });

  it('a frame declaring 64 MiB with 10 bytes allocates nothing large: memory stays flat over 1,000 of them', () => {
    const r = new Reassembler(64 * 1024 * 1024);
    const lie = rawFrame(FRAME_VERSION, FrameKind.Start, Uint8Array.of(4, 0, 0, 0, ...bytes(10))); // declares 64 MiB
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const kinds = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      kinds.add(r.push(lie).kind);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }
    expect([...kinds].sort()).toEqual(['partial', 'reject']); // every second one interrupts the first
    expect(peak).toBeLessThan(4 * 1024 * 1024);
    // the claim is still honoured when the bytes do arrive
    const msg = bytes(200_000);
    const out = feed(r, [...encodeMessage(msg)]);
    expect(out).toHaveLength(1);
    expect(out[0].kind === 'message' && Buffer.from(out[0].data).equals(msg)).toBe(true);
  });
});
