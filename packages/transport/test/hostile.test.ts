// The transport read as an attacker would: replayed signaling, lying and garbage frames, floods.
import { afterEach, describe, expect, it } from 'vitest';
import { broadcastSignaling, generateClusterKey, type Transport } from '../src/index.ts';
import { FRAME_VERSION, FrameKind, rawFrame } from '../src/frame.ts';
import type { TransportStats } from '../src/limits.ts';
import { closeAll, connections, make, uniqueRoom, until } from './helpers.ts';

afterEach(closeAll);

const stats = (t: Transport): TransportStats => {
  if (!t.stats) throw new Error('no stats');
  return t.stats();
};
const peerStats = (t: Transport, id: string) => stats(t).peers.find((p) => p.peer === id);

/** Everything said on a BroadcastChannel room, and a way to say things there as a stranger would. */
function eavesdrop(room: string): { texts: string[]; inject(text: string): void; close(): void } {
  const channel = new BroadcastChannel(room);
  const texts: string[] = [];
  channel.onmessage = (e: MessageEvent) => texts.push(e.data as string);
  return { texts, inject: (text) => channel.postMessage(text), close: () => channel.close() };
}

async function pair(room: string, key: string, extraB = {}) {
  const a = make('a', broadcastSignaling(room), { key });
  const b = make('b', broadcastSignaling(room), { key, ...extraB });
  await until('a and b connected', () => a.t.peers().includes('b') && b.t.peers().includes('a'), 20_000);
  return { a, b };
}

describe('webrtcTransport under a hostile network', () => {
  it('a replayed envelope of an old session leaves the live connection up', async () => {
    const room = uniqueRoom();
    const key = generateClusterKey();
    const spy = eavesdrop(room);
    try {
      const a = make('a', broadcastSignaling(room), { key }).t;
      const b1 = make('b', broadcastSignaling(room), { key }).t;
      await until('b1 connected', () => a.peers().includes('b'), 20_000);
      const fromB = (texts: string[]) => texts.filter((t) => (JSON.parse(t) as { from: string; to: string; type: string }).from === 'b');
      const oldAnnounce = fromB(spy.texts).find((t) => (JSON.parse(t) as { to: string }).to === '');
      expect(oldAnnounce).toBeDefined();
      await b1.close();
      await until('b1 gone', () => a.peers().length === 0);
      const b2 = make('b', broadcastSignaling(room), { key }).t;
      await until('b2 connected', () => a.peers().includes('b') && b2.peers().includes('a'), 20_000);
      const events: string[] = [];
      a.on('peer-left', (id, reason) => events.push(`left ${id}: ${reason}`));
      const currentAnnounce = fromB(spy.texts).at(-1) as string;
      const rejectedBefore = stats(a).signalingRejected;
      spy.inject(oldAnnounce as string); // an old session of b: must not displace b2
      spy.inject(currentAnnounce); // b2's own envelope again: its counter has been used
      await until('both replays judged', () => stats(a).signalingRejected === rejectedBefore + 2);
      expect(events).toEqual([]);
      expect(a.peers()).toEqual(['b']);
      expect(connections(a)).toHaveLength(1);
      const got = new Promise<number>((r) => b2.on('message', (_f, m) => r(m[0])));
      await a.send('b', Uint8Array.of(42));
      expect(await got).toBe(42);
    } finally {
      spy.close();
    }
  });

  it('a flood of 10,000 forged signaling texts and an oversized one are refused; the live connection stays up', async () => {
    const room = uniqueRoom();
    const spy = eavesdrop(room);
    try {
      const { a } = await pair(room, generateClusterKey());
      const left: string[] = [];
      a.t.on('peer-left', (id) => left.push(id));
      const refused: string[] = [];
      a.t.on('refused', (_id, reason) => refused.push(reason));
      const before = stats(a.t).signalingRejected;
      spy.inject('x'.repeat(300 * 1024)); // dropped unread: not even parsed
      for (let i = 0; i < 10_000; i++) {
        spy.inject(JSON.stringify({ v: 2, type: 'announce', cluster: 'test', from: 'b', session: `s${i}`, born: Date.now() + 1000, seq: 1, ts: Date.now(), to: '', toSession: '', body: '', mac: 'AAAA' }));
      }
      await until('every text judged', () => stats(a.t).signalingRejected === before + 10_001, 30_000);
      expect(refused.some((r) => /not JSON/.test(r))).toBe(false);
      expect(refused.every((r) => /failed authentication/.test(r))).toBe(true);
      expect(left).toEqual([]);
      expect(a.t.peers()).toEqual(['b']);
    } finally {
      spy.close();
    }
  });

  it('with encryptSignaling a relay sees no node id, session or SDP, and peers still connect', async () => {
    const room = uniqueRoom();
    const spy = eavesdrop(room);
    try {
      await pair(room, generateClusterKey(), { encryptSignaling: true });
      // a signs in the clear, b encrypts: both forms are accepted, so encryption can be turned on node by node
      const fromB = spy.texts.filter((t) => 'sealed' in (JSON.parse(t) as object));
      expect(fromB.length).toBeGreaterThan(0);
      for (const t of fromB) {
        const { sealed, ...clear } = JSON.parse(t) as { sealed: string };
        expect(Object.keys(clear).sort()).toEqual(['cluster', 'v']);
        expect(JSON.stringify(clear)).not.toMatch(/"b"|sdp|candidate|fingerprint/);
        // the rest is ciphertext: base64 text, which may spell "sdp" by chance but carries no JSON
        expect(sealed).toMatch(/^[A-Za-z0-9+/_-]+=*$/);
      }
    } finally {
      spy.close();
    }
  });

  it('1,000 frames each declaring 64 MiB with 10 bytes: memory stays flat and the peer is disconnected and refused', async () => {
    const room = uniqueRoom();
    const key = generateClusterKey();
    const { a, b } = await pair(room, key);
    const left: string[] = [];
    b.t.on('peer-left', (id, reason) => left.push(`${id}: ${reason}`));
    const refusedAtA: string[] = [];
    a.t.on('refused', (id, reason) => refusedAtA.push(`${id}: ${reason}`));
    const lie = rawFrame(FRAME_VERSION, FrameKind.Start, Uint8Array.of(4, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 2);
    try {
      const link = connections(a.t)[0];
      for (let i = 0; i < 1000; i++) link.sendRawFrame(lie);
      await until('b disconnects a', () => left.length === 1);
    } finally {
      clearInterval(sample);
    }
    expect(left[0]).toBe('a: a disconnected: more than 32 rejected frames');
    expect(peak).toBeLessThan(16 * 1024 * 1024);
    const s = peerStats(b.t, 'a');
    expect(s).toMatchObject({ connected: false, framesRejected: 33, disconnectsForAbuse: 1 });
    expect(s?.refusedUntil).toBeGreaterThan(Date.now());
    // a is told why (an honest, misconfigured peer stops retrying)
    await until('a told', () => refusedAtA.length === 1);
    expect(refusedAtA[0]).toMatch(/^b: refused by b: a disconnected: more than 32 rejected frames/);
    // a reload of a is not let back in during the backoff
    await a.t.close();
    make('a', broadcastSignaling(room), { key });
    await until('the new session is ignored', () => b.logs.some((l) => /ignoring a until .* \(disconnected for abuse\)/.test(l)), 20_000);
    expect(b.t.peers()).toEqual([]);
  });

  it('a peer flooding 10,000 garbage messages is rate-limited and disconnected', async () => {
    const room = uniqueRoom();
    const { a, b } = await pair(room, generateClusterKey(), { limits: { framesPerSecond: 500, burstSeconds: 1 } });
    let delivered = 0;
    b.t.on('message', () => delivered++);
    const left: string[] = [];
    b.t.on('peer-left', (id, reason) => left.push(`${id}: ${reason}`));
    const garbage = crypto.getRandomValues(new Uint8Array(100));
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 10_000; i++) sends.push(a.t.send('b', garbage));
    await Promise.allSettled(sends);
    await until('b disconnects a', () => left.length === 1);
    expect(left[0]).toBe('a: a disconnected: rate limit exceeded (more than 500 frames per second)');
    expect(delivered).toBeLessThan(1000);
    expect(peerStats(b.t, 'a')).toMatchObject({ disconnectsForAbuse: 1, messagesReceived: delivered });
  });
});
