// Transport benchmark: raw @thaunknown/simple-peer (node-datachannel, loopback) next to
// webrtcTransport over the same stack, in one run. Prints a markdown table of medians.
// Run: npx tsx bench/transport.bench.ts   (ROUNDS=n to change the number of rounds, default 5)

import Peer from '@thaunknown/simple-peer/lite.js';
import { broadcastSignaling, webrtcTransport, type Transport } from '../packages/transport/src/index.ts';
import { createPeer, destroyPeer, loopbackSignal } from '../packages/transport/src/rtc.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = 10_000;
const SIZE = 1024;
const PINGS = 200;
const BIG = 10 * 1024 * 1024;
const HIGH_WATER = 64 * 1024; // same budget the transport keeps

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

interface Pair {
  bulk(n: number, size: number): Promise<number>;
  big(size: number): Promise<number>;
  ping(n: number): Promise<number>;
  close(): Promise<void>;
}

/** Raw baseline: two simple-peers wired directly, send() with the same 64 KiB bufferedAmount budget. */
async function rawPair(): Promise<Pair> {
  const rtc = { iceServers: [], loopbackOnly: true };
  const a = createPeer(true, rtc);
  const b = createPeer(false, rtc);
  a.on('signal', (d) => { const s = loopbackSignal(d); if (s) b.signal(s); });
  b.on('signal', (d) => { const s = loopbackSignal(d); if (s) a.signal(s); });
  await Promise.all([new Promise<void>((r) => a.once('connect', r)), new Promise<void>((r) => b.once('connect', r))]);
  const channel = a._channel!;
  channel.bufferedAmountLowThreshold = 32 * 1024;
  const drained = () => new Promise<void>((r) => channel.addEventListener('bufferedamountlow', () => r(), { once: true }));
  let onData: (d: Uint8Array) => void = () => {};
  b.on('data', (d) => onData(d));
  let onPong: (d: Uint8Array) => void = () => {};
  a.on('data', (d) => onPong(d));
  const sendChunks = async (msg: Uint8Array, chunk: number) => {
    for (let off = 0; off < msg.byteLength; off += chunk) {
      while (channel.bufferedAmount > 0 && channel.bufferedAmount + chunk > HIGH_WATER) await drained();
      a.send(msg.subarray(off, off + chunk));
    }
  };
  return {
    async bulk(n, size) {
      let got = 0;
      const done = new Promise<void>((r) => (onData = () => { if (++got === n) r(); }));
      const msg = new Uint8Array(size);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        while (channel.bufferedAmount > 0 && channel.bufferedAmount + size > HIGH_WATER) await drained();
        a.send(msg);
      }
      await done;
      return performance.now() - t0;
    },
    async big(size) {
      // The raw channel has no messages above 16 KiB in every browser: send 16 KiB chunks, count bytes.
      let bytes = 0;
      const done = new Promise<void>((r) => (onData = (d) => { bytes += d.byteLength; if (bytes === size) r(); }));
      const t0 = performance.now();
      await sendChunks(new Uint8Array(size), 16 * 1024);
      await done;
      return performance.now() - t0;
    },
    async ping(n) {
      onData = (d) => b.send(d);
      const rtts: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await new Promise<void>((r) => { onPong = () => r(); a.send(Uint8Array.of(i & 0xff)); });
        rtts.push(performance.now() - t0);
      }
      return median(rtts);
    },
    async close() {
      for (const p of [a, b] as Peer[]) destroyPeer(p);
      await new Promise((r) => setTimeout(r, 20));
    },
  };
}

let room = 0;
async function transportPair(): Promise<Pair> {
  const name = `walrtc-bench-${process.pid}-${++room}`;
  const mk = (id: string) => webrtcTransport({ cluster: 'bench', nodeId: id, key: 'k', signaling: broadcastSignaling(name), loopbackOnly: true });
  const a: Transport = mk('a');
  const b: Transport = mk('b');
  await new Promise<void>((r) => { let n = 0; const f = () => { if (++n === 2) r(); }; a.on('peer', f); b.on('peer', f); });
  let onData: (m: Uint8Array) => void = () => {};
  b.on('message', (_f, m) => onData(m));
  let onPong: () => void = () => {};
  a.on('message', () => onPong());
  return {
    async bulk(n, size) {
      let got = 0;
      const done = new Promise<void>((r) => (onData = () => { if (++got === n) r(); }));
      const msg = new Uint8Array(size);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await a.send('b', msg);
      await done;
      return performance.now() - t0;
    },
    async big(size) {
      const done = new Promise<void>((r) => (onData = (m) => { if (m.byteLength === size) r(); }));
      const t0 = performance.now();
      await a.send('b', new Uint8Array(size));
      await done;
      return performance.now() - t0;
    },
    async ping(n) {
      onData = (m) => void b.send('a', m);
      const rtts: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await new Promise<void>((r) => { onPong = r; void a.send('b', Uint8Array.of(i & 0xff)); });
        rtts.push(performance.now() - t0);
      }
      return median(rtts);
    },
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

interface Result { bulk: number[]; big: number[]; ping: number[] }

async function measure(make: () => Promise<Pair>, into: Result): Promise<void> {
  const pair = await make();
  await pair.bulk(1000, SIZE); // warm-up
  into.bulk.push(await pair.bulk(N, SIZE));
  into.big.push(await pair.big(BIG));
  into.ping.push(await pair.ping(PINGS));
  await pair.close();
}

const raw: Result = { bulk: [], big: [], ping: [] };
const ours: Result = { bulk: [], big: [], ping: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so neither side always runs on a warmer process.
  if (round % 2 === 0) { await measure(rawPair, raw); await measure(transportPair, ours); }
  else { await measure(transportPair, ours); await measure(rawPair, raw); }
}

const bulkRaw = mibps(N * SIZE, median(raw.bulk));
const bulkOurs = mibps(N * SIZE, median(ours.bulk));
const bigRaw = mibps(BIG, median(raw.big));
const bigOurs = mibps(BIG, median(ours.big));
const pingRaw = median(raw.ping);
const pingOurs = median(ours.ping);
const pct = (x: number, y: number) => `${((x / y) * 100).toFixed(0)} %`;
console.log(`
Transport vs raw simple-peer (node-datachannel, 127.0.0.1), medians of ${ROUNDS} rounds, Node ${process.version}

| measure | raw simple-peer | transport | transport / raw |
|---|---|---|---|
| ${N.toLocaleString('en')} × 1 KiB | ${median(raw.bulk).toFixed(0)} ms (${bulkRaw.toFixed(1)} MiB/s) | ${median(ours.bulk).toFixed(0)} ms (${bulkOurs.toFixed(1)} MiB/s) | ${pct(bulkOurs, bulkRaw)} throughput |
| one 10 MiB message | ${median(raw.big).toFixed(0)} ms (${bigRaw.toFixed(1)} MiB/s) | ${median(ours.big).toFixed(0)} ms (${bigOurs.toFixed(1)} MiB/s) | ${pct(bigOurs, bigRaw)} throughput |
| ${PINGS} pings, median RTT | ${pingRaw.toFixed(3)} ms | ${pingOurs.toFixed(3)} ms | ${pingOurs >= pingRaw ? '+' : '−'}${Math.abs(pingOurs - pingRaw).toFixed(3)} ms |

Targets: ≥ 80 % of raw throughput, ≤ 0.1 ms added median RTT.`);
