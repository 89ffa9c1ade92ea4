// Offline-writes benchmark (issue 15). Prints a markdown table.
// Run: node --expose-gc --conditions=walrtc-source --import tsx bench/offline.bench.ts   (part of `npm run bench`)
// QUEUED=n changes the forwarding workload (default 10,000), WRITES=n the latency samples (default 300);
// ONLY=raw,latency,rtc,memory,overlay runs a subset.
//
//  - raw RTT: two simple-peers wired directly (node-datachannel, loopback), 200 one-byte pings: the
//    floor any confirmation over a data channel pays.
//  - write → confirmation over WebRTC: a standby with offlineWrites, one autocommit INSERT at a time;
//    from the call until its `pending.verdict` resolves (applied on the primary and replayed back
//    on the standby), p50/p99.
//  - forwarding: QUEUED single-row transactions queued on a standby cut off from the primary (its
//    transport in an empty room); the standby reopens on the same storage in the cluster's room;
//    transactions applied per second from the reopen until the queue is drained. Over WebRTC and
//    over the in-process network (partition/heal).
//  - overlay read cost: a point SELECT by primary key on a standby with 0, 100 and 10,000 pending
//    transactions (median of 2,000), and the rebase after one replayed primary commit.

import Peer from '@thaunknown/simple-peer/lite.js';
import { openNode, type Node, type NodeOptions } from '../packages/engine/src/index.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import type { Storage } from '../packages/engine/src/storage/storage.ts';
import { broadcastSignaling, memoryNetwork, webrtcTransport, type Transport } from '../packages/transport/src/index.ts';
import { createPeer, destroyPeer, loopbackSignal } from '../packages/transport/src/rtc.ts';
import { gate } from '../test/offline/support.ts';
import { bounded, lsnNumber, median, pct } from './stats.ts';

const QUEUED = Number(process.env.QUEUED ?? 10_000);
const WRITES = Number(process.env.WRITES ?? 300);
const PINGS = 200;
const READS = 2_000;
const ONLY = new Set((process.env.ONLY ?? 'raw,latency,rtc,memory,overlay').split(','));
const quiet = () => {};
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
let rooms = 0;

async function rawRtts(): Promise<number[]> {
  const rtc = { iceServers: [], loopbackOnly: true };
  const a = createPeer(true, rtc);
  const b = createPeer(false, rtc);
  a.on('signal', (d) => { const s = loopbackSignal(d); if (s) b.signal(s); });
  b.on('signal', (d) => { const s = loopbackSignal(d); if (s) a.signal(s); });
  await Promise.all([new Promise<void>((r) => a.once('connect', r)), new Promise<void>((r) => b.once('connect', r))]);
  b.on('data', (d: Uint8Array) => b.send(d));
  let onPong: () => void = () => {};
  a.on('data', () => onPong());
  const rtts: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => { onPong = r; a.send(Uint8Array.of(i & 0xff)); });
    rtts.push(performance.now() - t0);
  }
  for (const p of [a, b] as Peer[]) destroyPeer(p);
  return rtts;
}

function rtcTransport(room: string, nodeId: string): Transport {
  return webrtcTransport({ cluster: room, nodeId, key: 'bench cluster key', signaling: broadcastSignaling(room), loopbackOnly: true, log: quiet });
}

async function open(cluster: string, nodeId: string, transport: Transport, extra: Partial<NodeOptions> = {}): Promise<Node> {
  return openNode({ cluster, nodeId, storage: 'memory', transport, log: quiet, keepaliveMs: 100, ...extra });
}

async function caughtUp(p: Node, s: Node): Promise<void> {
  const target = lsnNumber((await p.status()).lsn.flush);
  await bounded('standby catch-up', 60_000, async () => {
    while (lsnNumber((await s.status()).lsn.replay) < target) await new Promise((r) => setTimeout(r, 2));
  });
}

async function drained(s: Node, ms: number): Promise<void> {
  await bounded('offline queue drained', ms, async () => {
    for (;;) {
      const o = (await s.status()).offline;
      if (o.queued + o.sent + o.applied === 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  });
}

/** Queue QUEUED transactions on a standby cut off from its primary, then reconnect it and time the drain. */
async function forwarding(kind: 'webrtc' | 'memory'): Promise<number> {
  const room = `offline-bench-${process.pid}-${++rooms}`;
  const net = memoryNetwork({ log: quiet });
  const transport = (r: string, id: string) => (kind === 'webrtc' ? rtcTransport(r, id) : net.transport(id));
  const cluster = room;
  const pt = transport(room, 'p');
  const p = await open(cluster, 'p', pt);
  await p.exec('create table log(id int primary key, v text)');
  const storage: Storage = memoryStorage();
  let st = transport(room, 's');
  let s = await open(cluster, 's', st, { role: 'standby', storage, offlineWrites: true });
  await caughtUp(p, s);
  if (kind === 'webrtc') {
    await s.close();
    await st.close();
    st = transport(`${room}-alone`, 's');
    s = await open(cluster, 's', st, { role: 'standby', storage, offlineWrites: true });
  } else net.partition(['s'], ['p']);
  for (let i = 0; i < QUEUED; i++) await s.query('insert into log values ($1, $2)', [i, 'queued offline']);
  const t0 = performance.now();
  if (kind === 'webrtc') {
    await s.close();
    await st.close();
    st = transport(room, 's');
    s = await open(cluster, 's', st, { role: 'standby', storage, offlineWrites: true });
  } else net.heal();
  await drained(s, 600_000);
  const ms = performance.now() - t0;
  const n = Number((await p.query('select count(*) as n from log')).rows[0]!.n);
  if (n !== QUEUED) throw new Error(`expected ${QUEUED} rows on the primary, found ${n}`);
  await s.close();
  await st.close();
  await p.close();
  await pt.close();
  return QUEUED / (ms / 1000);
}

async function confirmationLatency(): Promise<number[]> {
  const room = `offline-bench-${process.pid}-${++rooms}`;
  const pt = rtcTransport(room, 'p');
  const p = await open(room, 'p', pt);
  await p.exec('create table log(id int primary key, v text)');
  const st = rtcTransport(room, 's');
  const s = await open(room, 's', st, { role: 'standby', offlineWrites: true });
  await caughtUp(p, s);
  const out: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const t0 = performance.now();
    const r = await s.query('insert into log values ($1, $2)', [i, 'confirm me']);
    const v = await bounded('verdict', 30_000, () => r.pending!.verdict!);
    if (v.status !== 'applied') throw new Error(`write ${i} was rejected: ${v.status}`);
    out.push(performance.now() - t0);
  }
  await s.close();
  await st.close();
  await p.close();
  await pt.close();
  return out;
}

async function overlayCost(pending: number): Promise<{ read: number; rebase: number }> {
  const net = memoryNetwork({ log: quiet });
  const cluster = `offline-bench-${process.pid}-${++rooms}`;
  const p = await open(cluster, 'p', net.transport('p'));
  await p.exec('create table kv(k int primary key, v int not null)');
  await p.exec(`insert into kv values ${Array.from({ length: 1000 }, (_, i) => `(${i + 1}, ${i + 1})`).join(', ')}`);
  const s = await open(cluster, 's', gate(true).wrap(net.transport('s')), { role: 'standby', offlineWrites: true });
  await caughtUp(p, s);
  for (let i = 0; i < pending; i++) await s.query('insert into kv values ($1, $2)', [10_000 + i, i]);
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    await s.query('select v from kv where k = $1', [1 + (i % 1000)]);
    times.push(performance.now() - t0);
  }
  // one replayed commit: the view is rebuilt with every pending transaction on top of it
  await s.offline!.settled();
  const t0 = performance.now();
  await p.query('update kv set v = v + 1 where k = 1');
  await caughtUp(p, s);
  await s.offline!.settled();
  const rebase = performance.now() - t0;
  const o = (await s.status()).offline;
  if (o.queued + o.sent !== pending) throw new Error(`expected ${pending} pending, found ${JSON.stringify(o)}`);
  await s.close();
  await p.close();
  return { read: median(times), rebase };
}

const raw = ONLY.has('raw') ? await rawRtts() : undefined;
const latency = ONLY.has('latency') ? await confirmationLatency() : undefined;
const fwdRtc = ONLY.has('rtc') ? await forwarding('webrtc') : undefined;
const fwdMem = ONLY.has('memory') ? await forwarding('memory') : undefined;
const overlay = [];
if (ONLY.has('overlay')) for (const n of [0, 100, 10_000]) overlay.push({ n, ...(await overlayCost(n)) });

const rows = [
  raw && `| raw data channel RTT (${PINGS} pings), p50 / p99 | ${fmt(median(raw), 3)} / ${fmt(pct(raw, 99), 3)} ms |`,
  latency && `| standby write → confirmation over WebRTC (${WRITES} writes), p50 / p99 | ${fmt(median(latency), 2)} / ${fmt(pct(latency, 99), 2)} ms |`,
  fwdRtc && `| forwarding ${fmt(QUEUED)} queued, WebRTC (reopen → drained) | ${fmt(fwdRtc)} txn/s |`,
  fwdMem && `| forwarding ${fmt(QUEUED)} queued, in-process network (heal → drained) | ${fmt(fwdMem)} txn/s |`,
  ...overlay.map((o) => `| point SELECT on the standby, ${fmt(o.n)} pending (median of ${fmt(READS)}) | ${fmt(o.read * 1000, 1)} µs |`),
  ...overlay.map((o) => `| one replayed commit with ${fmt(o.n)} pending: replay + rebase of the view | ${fmt(o.rebase, 1)} ms |`),
];
console.log(`
| offline writes | result |
| --- | ---: |
${rows.filter(Boolean).join('\n')}
`);
process.exit(0);
