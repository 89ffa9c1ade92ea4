import { afterEach, describe, expect, it } from 'vitest';
import { broadcastSignaling, generateClusterKey, manualSignaling, type Transport } from '../src/index.ts';
import { rawFrame, FrameKind, FRAME_VERSION } from '../src/frame.ts';
import { closeAll, connections, make, sha256, uniqueRoom, until } from './helpers.ts';

afterEach(closeAll);

/** Wait until every transport sees exactly the others as peers. */
async function mesh(ts: Transport[]): Promise<void> {
  const ids = ts.map((t) => t.nodeId).sort();
  await until('full mesh', () => ts.every((t) => JSON.stringify(t.peers()) === JSON.stringify(ids.filter((id) => id !== t.nodeId))), 20_000);
}

describe('webrtcTransport over real data channels (node-datachannel, loopback only)', () => {
  it('three peers form a full mesh over broadcastSignaling, one connection per pair', async () => {
    const room = uniqueRoom();
    const seen: string[] = [];
    const nodes = ['a', 'b', 'c'].map((id) => make(id, broadcastSignaling(room)).t);
    for (const t of nodes) t.on('peer', (id) => seen.push(`${t.nodeId}->${id}`));
    await mesh(nodes);
    expect(seen.sort()).toEqual(['a->b', 'a->c', 'b->a', 'b->c', 'c->a', 'c->b']);
    for (const t of nodes) expect(connections(t)).toHaveLength(2);
    // every pair can talk both ways
    const got: string[] = [];
    for (const t of nodes) t.on('message', (from, m) => got.push(`${from}->${t.nodeId}:${new TextDecoder().decode(m)}`));
    for (const t of nodes) for (const p of t.peers()) await t.send(p, new TextEncoder().encode('hi'));
    await until('six messages', () => got.length === 6);
    expect(got.sort()).toEqual(['a->b:hi', 'a->c:hi', 'b->a:hi', 'b->c:hi', 'c->a:hi', 'c->b:hi']);
  });

  it('delivers a 10 MiB message intact (hash compared) and 10,000 small messages in order', async () => {
    const room = uniqueRoom();
    const a = make('a', broadcastSignaling(room)).t;
    const b = make('b', broadcastSignaling(room)).t;
    await mesh([a, b]);
    const big = new Uint8Array(10 * 1024 * 1024);
    for (let off = 0; off < big.byteLength; off += 65536) crypto.getRandomValues(big.subarray(off, off + 65536));
    const received: Uint8Array[] = [];
    b.on('message', (_from, m) => received.push(m));
    await a.send('b', big);
    await until('10 MiB message', () => received.length === 1, 20_000);
    expect(received[0].byteLength).toBe(big.byteLength);
    expect(await sha256(received[0] as Uint8Array<ArrayBuffer>)).toBe(await sha256(big));

    received.length = 0;
    const n = 10_000;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const m = new Uint8Array(64);
      new DataView(m.buffer).setUint32(0, i);
      sends.push(a.send('b', m)); // not awaited one by one: concurrent sends must still stay in order
    }
    await Promise.all(sends);
    await until('10,000 messages', () => received.length === n, 20_000);
    const order = received.map((m) => new DataView(m.buffer, m.byteOffset).getUint32(0));
    expect(order).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('in Node puts 64 KiB frames on a channel whose remote accepts them: a 1 MiB message sent in parts is 17 frames, not 65', async () => {
    const room = uniqueRoom();
    const a = make('a', broadcastSignaling(room)).t;
    const b = make('b', broadcastSignaling(room)).t;
    await mesh([a, b]);
    const frames = () => b.stats!().peers.find((p) => p.peer === 'a')!.framesReceived;
    const received: Uint8Array[] = [];
    b.on('message', (_from, m) => received.push(m));
    const before = frames();
    const msg = new Uint8Array(1024 * 1024);
    for (let off = 0; off < msg.byteLength; off += 65536) crypto.getRandomValues(msg.subarray(off, off + 65536));
    // in parts, as a base backup sends its stored chunks
    await a.sendParts!('b', [msg.subarray(0, 10), msg.subarray(10, 100_000), msg.subarray(100_000)]);
    await until('the 1 MiB message', () => received.length === 1, 20_000);
    expect(await sha256(received[0] as Uint8Array<ArrayBuffer>)).toBe(await sha256(msg));
    // heartbeats may add a ping frame or two
    expect(frames() - before).toBeGreaterThanOrEqual(17);
    expect(frames() - before).toBeLessThan(20);
  });

  it('refuses a node with the wrong key on both sides, with a reason and no peer event', async () => {
    const room = uniqueRoom();
    const a = make('a', broadcastSignaling(room));
    const b = make('b', broadcastSignaling(room), { key: 'a guess' });
    const refused: string[] = [];
    const peers: string[] = [];
    for (const { t } of [a, b]) {
      t.on('refused', (id, reason) => refused.push(`${t.nodeId} refused ${id}: ${reason}`));
      t.on('peer', (id) => peers.push(id));
    }
    await until('both sides refuse', () => refused.length >= 2);
    await new Promise((r) => setTimeout(r, 300)); // time for any connection that should not happen
    expect(refused.sort()).toEqual([
      'a refused b: signaling message failed authentication (the nodes hold different cluster keys)',
      'b refused a: signaling message failed authentication (the nodes hold different cluster keys)',
    ]);
    expect(peers).toEqual([]);
    expect(a.t.peers()).toEqual([]);
    expect(connections(a.t)).toHaveLength(0);
    expect(a.logs.join('\n')).toMatch(/refused b/);
  });

  it('a rolling key rotation: each step connects to the step before it', async () => {
    const room = uniqueRoom();
    const [oldKey, newKey] = [generateClusterKey(), generateClusterKey()];
    const a = make('a', broadcastSignaling(room), { key: [oldKey] }).t; // not yet touched
    const refusedByA: string[] = [];
    a.on('refused', (id) => refusedByA.push(id));
    const b = make('b', broadcastSignaling(room), { key: [oldKey, newKey] }).t; // step 1: accepts the new key
    const c = make('c', broadcastSignaling(room), { key: [newKey, oldKey] }).t; // step 2: signs with the new key
    // each side of a connection reports its peer on its own, so wait for all three views
    await until('b meets both, a and c meet b, a refuses c', () => b.peers().length === 2 && a.peers().length >= 1 && c.peers().length >= 1 && refusedByA.includes('c'), 20_000);
    expect(b.peers()).toEqual(['a', 'c']);
    expect(c.peers()).toEqual(['b']); // a (old key only) cannot verify c: why step 1 must finish before step 2
    expect(a.peers()).toEqual(['b']);
  });

  it('a reload with the same id replaces the stale connection: exactly one remains', async () => {
    const room = uniqueRoom();
    const a = make('a', broadcastSignaling(room)).t;
    const b1 = make('b', broadcastSignaling(room)).t;
    await mesh([a, b1]);
    const events: string[] = [];
    a.on('peer', (id) => events.push(`peer ${id}`));
    a.on('peer-left', (id, reason) => events.push(`left ${id}: ${reason}`));
    // The old tab is not closed (a reload gives no goodbye): a new one with the same id appears.
    const b2 = make('b', broadcastSignaling(room)).t;
    await until('b2 connected', () => b2.peers().includes('a'));
    await until('old connection replaced', () => events.length === 2);
    expect(events).toEqual(['left b: b reconnected as a new session', 'peer b']);
    expect(a.peers()).toEqual(['b']);
    expect(connections(a)).toHaveLength(1);
    await until('stale tab dropped', () => b1.peers().length === 0);
    const atB1: Uint8Array[] = [];
    const atB2: Uint8Array[] = [];
    b1.on('message', (_f, m) => atB1.push(m));
    b2.on('message', (_f, m) => atB2.push(m));
    await a.send('b', Uint8Array.of(1));
    await until('message at the new session', () => atB2.length === 1);
    expect(atB1).toEqual([]);
  });

  it('a clean close is reported as peer-left at once', async () => {
    const room = uniqueRoom();
    // heartbeats time a peer out only after ten minutes: a peer-left within the wait below comes
    // from the close itself, however slow a loaded machine is (no timed assertion needed)
    const a = make('a', broadcastSignaling(room), { peerTimeoutMs: 600_000 }).t;
    const b = make('b', broadcastSignaling(room), { peerTimeoutMs: 600_000 }).t;
    await mesh([a, b]);
    let left = '';
    a.on('peer-left', (id, reason) => (left = `${id}: ${reason}`));
    await b.close();
    await until('peer-left', () => left !== '', 20_000);
    expect(left).toMatch(/^b: /);
    expect(a.peers()).toEqual([]);
    await expect(a.send('b', Uint8Array.of(1))).rejects.toMatchObject({ code: 'not-connected' });
  });

  it('rejects oversized and malformed frames with a logged reason and the connection survives', async () => {
    const room = uniqueRoom();
    const a = make('a', broadcastSignaling(room)).t;
    const b = make('b', broadcastSignaling(room), { maxMessageSize: 1024 * 1024 });
    await mesh([a, b.t]);
    const got: number[] = [];
    b.t.on('message', (_f, m) => got.push(m.byteLength));
    // b refuses to send what it would refuse to receive
    await expect(b.t.send('a', new Uint8Array(1024 * 1024 + 1))).rejects.toMatchObject({ code: 'too-large' });
    // a (64 MiB limit) sends 2 MiB to b (1 MiB limit): b rejects it, then takes the next message
    await a.send('b', new Uint8Array(2 * 1024 * 1024));
    await a.send('b', new Uint8Array(10));
    const link = connections(a)[0];
    link.sendRawFrame(rawFrame(7, FrameKind.Start, new Uint8Array(8)));
    link.sendRawFrame(rawFrame(FRAME_VERSION, FrameKind.More, new Uint8Array(100)));
    link.sendRawFrame(rawFrame(FRAME_VERSION, FrameKind.Control, new TextEncoder().encode('garbage')));
    await a.send('b', new Uint8Array(11));
    await until('two good messages', () => got.length === 2);
    expect(got).toEqual([10, 11]);
    const rejected = b.logs.filter((l) => l.includes('rejected'));
    expect(rejected).toEqual([
      'transport b: frame from a rejected: message of 2097152 bytes exceeds the maximum of 1048576',
      'transport b: frame from a rejected: unknown frame version 7',
      'transport b: frame from a rejected: continuation frame without a message start',
      'transport b: frame from a rejected: control frame is not UTF-8 JSON',
    ]);
    expect(b.t.peers()).toEqual(['a']);
  });

  it('accepts an explicit wrtc implementation (node-datachannel/polyfill)', async () => {
    const { RTCPeerConnection } = await import('node-datachannel/polyfill');
    const room = uniqueRoom();
    const wrtc = { RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection };
    const a = make('a', broadcastSignaling(room), { wrtc }).t;
    const b = make('b', broadcastSignaling(room), { wrtc }).t;
    await mesh([a, b]);
    const got = new Promise<Uint8Array>((r) => b.on('message', (_f, m) => r(m)));
    await a.send('b', new Uint8Array(100_000).fill(3));
    expect((await got).every((x) => x === 3)).toBe(true);
  });

  it('manualSignaling pairs two nodes with exactly one text each way, whichever id is lower', async () => {
    for (const [first, second] of [['b', 'a'], ['c', 'd']]) {
      const mf = manualSignaling();
      const ms = manualSignaling();
      const f = make(first, mf).t;
      const s = make(second, ms).t;
      const fromFirst: string[] = [];
      const fromSecond: string[] = [];
      mf.onText((text, checksum) => {
        expect(text.startsWith(`${checksum}-`)).toBe(true);
        fromFirst.push(text);
      });
      ms.onText((text) => fromSecond.push(text));
      mf.invite();
      await until('the first text', () => fromFirst.length === 1);
      expect(fromFirst[0]).toMatch(/^[0-9A-Z]{5}-[A-Za-z0-9_-]+$/);
      expect(await ms.paste(fromFirst[0])).toBe(fromFirst[0].slice(0, 5));
      await until('the answer text', () => fromSecond.length === 1);
      await mf.paste(fromSecond[0]);
      await mesh([f, s]);
      expect(fromFirst).toHaveLength(1);
      expect(fromSecond).toHaveLength(1);
      const got = new Promise<Uint8Array>((r) => s.on('message', (_from, m) => r(m)));
      await f.send(second, new Uint8Array([7]));
      expect([...(await got)]).toEqual([7]);
    }
  });

  it('manualSignaling: the responder does not connect ahead of the initiator, so an answer carried back late still pairs', async () => {
    // libdatachannel gives an offerer's ICE agent the answer's credentials just before it keeps the
    // answer's fingerprint: checks and a certificate already arriving from the responder then meet
    // no fingerprint and the DTLS handshake fails for good. So the responder must stay quiet until
    // the initiator's checks reach it, however long the person takes to carry the answer back.
    const { RTCPeerConnection } = await import('node-datachannel/polyfill');
    const responderPcs: RTCPeerConnection[] = [];
    const Recorded = class extends (RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection) {
      constructor(config?: RTCConfiguration) {
        super(config);
        responderPcs.push(this);
      }
    };
    const mf = manualSignaling();
    const ms = manualSignaling();
    const f = make('a', mf).t;
    const s = make('b', ms, { wrtc: { RTCPeerConnection: Recorded } }).t;
    const offers: string[] = [];
    const answers: string[] = [];
    mf.onText((text) => offers.push(text));
    ms.onText((text) => answers.push(text));
    mf.invite();
    await until('the offer text', () => offers.length === 1);
    await ms.paste(offers[0]);
    await until('the answer text', () => answers.length === 1);
    expect(responderPcs).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000)); // the person carrying the answer back; time for ICE that should not run
    expect(responderPcs[0].iceConnectionState).toBe('checking');
    expect(responderPcs[0].connectionState).toBe('connecting');
    await mf.paste(answers[0]);
    await mesh([f, s]);
    const got = new Promise<Uint8Array>((r) => s.on('message', (_from, m) => r(m)));
    await f.send('b', new Uint8Array([9]));
    expect([...(await got)]).toEqual([9]);
  });

  it('manualSignaling refuses a damaged text, a replayed text and one sealed with another key', async () => {
    const mb = manualSignaling();
    const b = make('b', mb);
    const refused: string[] = [];
    b.t.on('refused', (from, reason) => refused.push(`${from}: ${reason}`));
    const answers: string[] = [];
    mb.onText((text) => answers.push(text));

    const ma = manualSignaling();
    make('a', ma);
    const texts: string[] = [];
    ma.onText((text) => texts.push(text));
    ma.invite();
    await until('the pairing text', () => texts.length === 1);
    const text = texts[0];
    const i = text.length - 10;
    const damaged = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    await expect(mb.paste(damaged)).rejects.toThrow(/^pairing text [0-9A-Z]{5} is damaged \(its content hashes to [0-9A-Z]{5}\): copy the whole text again$/);
    await expect(mb.paste('walrtc1:eyJ9')).rejects.toThrow(/not a walrtc pairing text/);
    expect(answers).toEqual([]); // nothing reached the transport
    expect(b.logs).toEqual([]);

    await mb.paste(` ${text.slice(0, 40)}\n${text.slice(40)} `); // line breaks from copying are fine
    await until('the answer', () => answers.length === 1);
    await mb.paste(text); // the same text again: refused by the replay guard, no second answer
    await until('the replay refused', () => b.logs.some((l) => l.includes('ignored') && l.includes('from a')));
    expect(answers).toHaveLength(1);

    const mc = manualSignaling();
    make('c', mc, { key: 'another secret' });
    const foreign: string[] = [];
    mc.onText((t) => foreign.push(t));
    mc.invite();
    await until('the foreign text', () => foreign.length === 1);
    await mb.paste(foreign[0]); // the checksum is fine: the envelope inside fails authentication
    await until('the refusal', () => refused.length === 1);
    expect(refused).toEqual(['c: signaling message failed authentication (the nodes hold different cluster keys)']);
    expect(answers).toHaveLength(1);
    expect(connections(b.t).map((c) => c.remoteId)).toEqual(['a']);
  });
});
