// Replication benchmark: primary → standby over real WebRTC data channels (node-datachannel,
// ICE bound to 127.0.0.1, BroadcastChannel signaling), next to the raw data channel measured in
// the same run. Prints a markdown table of medians over ROUNDS rounds (fresh clusters each).
// Run: node --expose-gc --import tsx bench/replication.bench.ts   (part of `npm run bench`)
// ROUNDS=n changes the rounds (default 3); ONLY=raw,lag,catchup,backup,idb runs a subset.
//
//  - lag: 10,000 single-row autocommit INSERTs, one at a time; per commit, the time from the
//    start of `await primary.query(INSERT)` until the standby's replay LSN reaches the primary's
//    flush LSN after that commit (then the commit is visible to queries on the standby). The
//    standby is polled with `status()` in a setImmediate loop, so the event loop — and with it the
//    data channel — keeps running while we wait.
//  - catch-up: the standby (memory storage kept in a Storage object) is closed, the primary runs
//    100,000 single-row autocommit INSERTs (= 200,000 WAL records: insert + commit each; the
//    loop yields with setImmediate every 100 commits so timers and signaling keep running), the
//    standby is reopened on the same storage; records/s = WAL records / (reopen → replay LSN at
//    the primary's flush LSN).
//  - base backup: a primary holding 100,000 rows; a fresh memory standby; time from openNode to
//    systemId set and replay LSN at the primary's flush LSN.
//  - raw: two simple-peers wired directly, 10,000 × 1 KiB with the transport's 64 KiB
//    bufferedAmount budget (as in bench/transport.bench.ts), and 200 ping round trips.

import 'fake-indexeddb/auto';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import Peer from '@thaunknown/simple-peer/lite.js';
import { openNode, type Node, type NodeOptions } from '../packages/engine/src/index.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import type { Storage } from '../packages/engine/src/storage/storage.ts';
import { decodeRecords } from '../packages/engine/src/wal/codec.ts';
import { broadcastSignaling, webrtcTransport, type Transport } from '../packages/transport/src/index.ts';
import { createPeer, destroyPeer, loopbackSignal } from '../packages/transport/src/rtc.ts';
import { pct, median, lsnNumber, log, bounded } from './stats.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ONLY = new Set((process.env.ONLY ?? 'raw,lag,catchup,backup,idb').split(','));
const LAG_COMMITS = Number(process.env.LAG_COMMITS ?? 10_000);
const CATCHUP_COMMITS = Number(process.env.CATCHUP_COMMITS ?? 100_000);
const BACKUP_ROWS = Number(process.env.BACKUP_ROWS ?? 100_000);
const IDB_COMMITS = 1_000;
const RAW_N = 10_000;
const RAW_SIZE = 1024;
const PINGS = 200;
const HIGH_WATER = 64 * 1024;
const NAME = 'x'.repeat(40);

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mibps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);


/** Spin on the standby's replay LSN, yielding to the event loop (setImmediate) between checks. */
async function replayReaches(standby: Node, target: number, ms: number): Promise<void> {
  const end = performance.now() + ms;
  for (;;) {
    if (lsnNumber((await standby.status()).lsn.replay) >= target) return;
    if (performance.now() > end) throw new Error(`timed out waiting for standby replay to reach ${target}`);
    await yieldLoop();
  }
}

// ── raw data channel ─────────────────────────────────────────────────────────────

async function rawChannel(): Promise<{ bulkMs: number; rttMs: number }> {
  const rtc = { iceServers: [], loopbackOnly: true };
  const a = createPeer(true, rtc);
  const b = createPeer(false, rtc);
  try {
    a.on('signal', (d) => { const s = loopbackSignal(d); if (s) b.signal(s); });
    b.on('signal', (d) => { const s = loopbackSignal(d); if (s) a.signal(s); });
    await bounded('raw peers to connect', 10_000, () => Promise.all([new Promise<void>((r) => a.once('connect', r)), new Promise<void>((r) => b.once('connect', r))]));
    const channel = a._channel!;
    channel.bufferedAmountLowThreshold = 32 * 1024;
    const drained = () => new Promise<void>((r) => channel.addEventListener('bufferedamountlow', () => r(), { once: true }));
    let onData: (d: Uint8Array) => void = () => {};
    b.on('data', (d) => onData(d));
    let onPong: () => void = () => {};
    a.on('data', () => onPong());
    const bulk = async (n: number) => {
      let got = 0;
      const done = new Promise<void>((r) => (onData = () => { if (++got === n) r(); }));
      const msg = new Uint8Array(RAW_SIZE);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        while (channel.bufferedAmount > 0 && channel.bufferedAmount + RAW_SIZE > HIGH_WATER) await drained();
        a.send(msg);
      }
      await done;
      return performance.now() - t0;
    };
    await bounded('raw warm-up', 30_000, () => bulk(1000));
    const bulkMs = await bounded('raw bulk', 60_000, () => bulk(RAW_N));
    onData = (d) => b.send(d);
    const rtts: number[] = [];
    await bounded('raw pings', 30_000, async () => {
      for (let i = 0; i < PINGS; i++) {
        const t0 = performance.now();
        await new Promise<void>((r) => { onPong = r; a.send(Uint8Array.of(i & 0xff)); });
        rtts.push(performance.now() - t0);
      }
    });
    return { bulkMs, rttMs: median(rtts) };
  } finally {
    for (const p of [a, b] as Peer[]) destroyPeer(p);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ── clusters ─────────────────────────────────────────────────────────────────────

let clusters = 0;

interface Member { node: Node; transport: Transport; connectedAt: Promise<number> }

function benchCluster() {
  const name = `walrtc-repl-bench-${process.pid}-${++clusters}`;
  const live = new Set<Member>();
  return {
    async open(nodeId: string, options: Partial<NodeOptions> = {}): Promise<Member> {
      const transport = webrtcTransport({ cluster: name, nodeId, key: 'bench cluster key', signaling: broadcastSignaling(name), loopbackOnly: true, log: (m) => log(`transport: ${m}`) });
      const connectedAt = new Promise<number>((r) => transport.on('peer', (id) => { log(`${nodeId}: peer ${id}`); r(performance.now()); }));
      const node = await openNode({ cluster: name, nodeId, storage: 'memory', transport, log: (_l, m) => log(`${nodeId}: ${m}`), ...options });
      const m = { node, transport, connectedAt };
      live.add(m);
      return m;
    },
    async close(m: Member): Promise<void> {
      live.delete(m);
      await m.node.close();
      await m.transport.close();
    },
    async closeAll(): Promise<void> {
      const all = [...live];
      live.clear();
      await Promise.all(all.map(async (m) => { await m.node.close().catch(() => {}); await m.transport.close(); }));
    },
  };
}

async function flushLsn(node: Node): Promise<number> {
  return lsnNumber((await node.status()).lsn.flush);
}

async function createTable(primary: Node): Promise<void> {
  await primary.query('CREATE TABLE t (id int PRIMARY KEY, name text, n int)');
}

// ── lag ──────────────────────────────────────────────────────────────────────────

interface LagResult { p50: number; p90: number; p99: number; mean: number; max: number; commitP50: number; commitsPerS: number }

async function lag(commits: number, storage: 'memory' | 'indexeddb' = 'memory'): Promise<LagResult> {
  const c = benchCluster();
  try {
    const p = await c.open('primary', { storage });
    await createTable(p.node);
    const s = await c.open('standby', { role: 'standby', storage });
    await replayReaches(s.node, await flushLsn(p.node), 30_000);
    const lags: number[] = [];
    const commitTimes: number[] = [];
    const warm = Math.min(500, commits / 10);
    const t0 = performance.now();
    for (let i = 0; i < warm + commits; i++) {
      const start = performance.now();
      await p.node.query('INSERT INTO t VALUES ($1, $2, $3)', [i, NAME, i]);
      const committed = performance.now();
      await replayReaches(s.node, await flushLsn(p.node), 10_000);
      if (i >= warm) {
        lags.push(performance.now() - start);
        if (process.env.VERBOSE && performance.now() - start > 2) log(`slow commit ${i}: ${(performance.now() - start).toFixed(2)} ms (commit ${(committed - start).toFixed(2)} ms)`);
        commitTimes.push(committed - start);
      }
    }
    const total = performance.now() - t0;
    return { p50: pct(lags, 50), p90: pct(lags, 90), p99: pct(lags, 99), mean: lags.reduce((a, b) => a + b, 0) / lags.length, max: Math.max(...lags), commitP50: pct(commitTimes, 50), commitsPerS: (warm + commits) / (total / 1000) };
  } finally {
    await c.closeAll();
  }
}

// ── catch-up ─────────────────────────────────────────────────────────────────────

interface CatchupResult { records: number; bytes: number; totalMs: number; connectMs: number; streamMs: number }

async function countRecords(storage: Storage, from: number, to: number): Promise<{ records: number; bytes: number }> {
  let records = 0;
  let bytes = 0;
  for (const chunk of await storage.readWal(from)) {
    if (chunk.lsn < from || chunk.end > to) continue;
    const decoded = decodeRecords(chunk.bytes, chunk.lsn);
    if (decoded.invalid) throw new Error(decoded.invalid.reason);
    records += decoded.records.length;
    bytes += chunk.bytes.length;
  }
  return { records, bytes };
}

async function catchup(commits: number): Promise<CatchupResult> {
  const c = benchCluster();
  try {
    const primaryStorage = memoryStorage();
    const standbyStorage = memoryStorage();
    const p = await c.open('primary', { storage: primaryStorage });
    await createTable(p.node);
    let s = await c.open('standby', { role: 'standby', storage: standbyStorage });
    await replayReaches(s.node, await flushLsn(p.node), 30_000);
    await c.close(s);
    const from = await flushLsn(p.node);
    await bounded('primary commits', 300_000, async () => {
      for (let i = 0; i < commits; i++) {
        await p.node.query('INSERT INTO t VALUES ($1, $2, $3)', [i, NAME, i]);
        if (i % 100 === 99) await yieldLoop();
      }
    });
    const to = await flushLsn(p.node);
    const { records, bytes } = await countRecords(primaryStorage, from, to);
    let firstWal = 0;
    const t0 = performance.now();
    log('reopening the standby');
    s = await c.open('standby', {
      role: 'standby',
      storage: standbyStorage,
      onProgress: (pr) => { if (!firstWal && pr.phase !== 'backup') firstWal = performance.now(); },
    });
    await replayReaches(s.node, to, 120_000);
    const t1 = performance.now();
    if ((await s.node.status()).receiver?.status !== 'streaming') throw new Error('standby is not streaming after catch-up');
    return { records, bytes, totalMs: t1 - t0, connectMs: (await s.connectedAt) - t0, streamMs: t1 - firstWal };
  } finally {
    await c.closeAll();
  }
}

// ── base backup ──────────────────────────────────────────────────────────────────

interface BackupResult { totalMs: number; connectMs: number; transferMs: number; bytes: number }

async function baseBackup(rows: number): Promise<BackupResult> {
  const c = benchCluster();
  try {
    const p = await c.open('primary');
    await createTable(p.node);
    await p.node.transaction(async (tx) => {
      for (let i = 0; i < rows; i++) await tx.query('INSERT INTO t VALUES ($1, $2, $3)', [i, NAME, i]);
    });
    await p.node.checkpoint();
    const target = await flushLsn(p.node);
    let backupStart = 0;
    let backupEnd = 0;
    let bytes = 0;
    const t0 = performance.now();
    log('opening the standby');
    const s = await c.open('standby', {
      role: 'standby',
      onProgress: (pr) => {
        if (pr.phase !== 'backup') return;
        if (!backupStart) backupStart = performance.now();
        if (pr.done === pr.total) { backupEnd = performance.now(); bytes = pr.total; }
      },
    });
    await bounded('base backup', 120_000, async () => {
      while (!(await s.node.status()).systemId) await new Promise((r) => setTimeout(r, 1));
    });
    await replayReaches(s.node, target, 120_000);
    const t1 = performance.now();
    const rowsOnStandby = (await s.node.query<{ n: number }>('SELECT count(*) AS n FROM t')).rows[0]!.n;
    if (Number(rowsOnStandby) !== rows) throw new Error(`standby has ${rowsOnStandby} rows after the base backup, expected ${rows}`);
    return { totalMs: t1 - t0, connectMs: (await s.connectedAt) - t0, transferMs: backupEnd - backupStart, bytes };
  } finally {
    await c.closeAll();
  }
}

// ── run ──────────────────────────────────────────────────────────────────────────

const raws: { bulkMs: number; rttMs: number }[] = [];
const lags: LagResult[] = [];
const idbLags: LagResult[] = [];
const catchups: CatchupResult[] = [];
const backups: BackupResult[] = [];

for (let round = 0; round < ROUNDS; round++) {
  if (ONLY.has('raw')) raws.push(await rawChannel());
  if (ONLY.has('lag')) lags.push(await lag(LAG_COMMITS));
  if (ONLY.has('idb')) idbLags.push(await lag(IDB_COMMITS, 'indexeddb'));
  if (ONLY.has('catchup')) catchups.push(await catchup(CATCHUP_COMMITS));
  if (ONLY.has('backup')) backups.push(await baseBackup(BACKUP_ROWS));
  log(`round ${round + 1} done`);
}

const m = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
const rows: string[] = [];
if (raws.length) {
  const bulk = m(raws, (r) => r.bulkMs);
  rows.push(`| raw data channel, ${fmt(RAW_N)} × 1 KiB | ${fmt(bulk)} ms = ${fmt(RAW_N / (bulk / 1000))} msg/s (${mibps(RAW_N * RAW_SIZE, bulk).toFixed(1)} MiB/s) | — |`);
  rows.push(`| raw data channel, ${PINGS} pings, median RTT | ${m(raws, (r) => r.rttMs).toFixed(3)} ms (one way ≈ ${(m(raws, (r) => r.rttMs) / 2).toFixed(3)} ms) | — |`);
}
if (lags.length) {
  rows.push(`| lag, ${fmt(LAG_COMMITS)} single-row commits, p50 | ${m(lags, (r) => r.p50).toFixed(3)} ms | ≤ 3 ms ${m(lags, (r) => r.p50) <= 3 ? '✓' : '✗'} |`);
  rows.push(`| lag, p99 | ${m(lags, (r) => r.p99).toFixed(3)} ms | — |`);
  rows.push(`| lag, p90 / mean / max | ${m(lags, (r) => r.p90).toFixed(3)} / ${m(lags, (r) => r.mean).toFixed(3)} / ${m(lags, (r) => r.max).toFixed(1)} ms | — |`);
  rows.push(`| of which commit on the primary, p50 | ${m(lags, (r) => r.commitP50).toFixed(3)} ms | — |`);
  rows.push(`| commit-and-wait-for-standby loop | ${fmt(m(lags, (r) => r.commitsPerS))} commits/s | — |`);
}
if (idbLags.length) {
  rows.push(`| lag, fake-indexeddb on both nodes (Node, not a browser), ${fmt(IDB_COMMITS)} commits, p50 / p99 | ${m(idbLags, (r) => r.p50).toFixed(3)} / ${m(idbLags, (r) => r.p99).toFixed(3)} ms | — |`);
}
if (catchups.length) {
  const c0 = catchups[0]!;
  const rate = m(catchups, (r) => r.records / (r.totalMs / 1000));
  rows.push(`| catch-up after ${fmt(CATCHUP_COMMITS)} commits (${fmt(c0.records)} WAL records, ${(c0.bytes / 1024 / 1024).toFixed(1)} MiB), reopen → caught up | ${fmt(m(catchups, (r) => r.totalMs))} ms = ${fmt(rate)} records/s (${fmt(m(catchups, (r) => CATCHUP_COMMITS / (r.totalMs / 1000)))} commits/s) | ≥ 100,000 records/s ${rate >= 100_000 ? '✓' : '✗'} |`);
  rows.push(`| of which: reopen → peer connected | ${fmt(m(catchups, (r) => r.connectMs))} ms | — |`);
  rows.push(`| of which: first WAL → caught up | ${fmt(m(catchups, (r) => r.streamMs))} ms = ${fmt(m(catchups, (r) => r.records / (r.streamMs / 1000)))} records/s (${m(catchups, (r) => mibps(r.bytes, r.streamMs)).toFixed(1)} MiB/s) | — |`);
}
if (backups.length) {
  const b0 = backups[0]!;
  rows.push(`| base backup, ${fmt(BACKUP_ROWS)} rows (${(b0.bytes / 1024 / 1024).toFixed(1)} MiB snapshot), openNode → caught up | ${fmt(m(backups, (r) => r.totalMs))} ms | — |`);
  rows.push(`| of which: openNode → peer connected | ${fmt(m(backups, (r) => r.connectMs))} ms | — |`);
  rows.push(`| of which: snapshot transfer | ${fmt(m(backups, (r) => r.transferMs))} ms (${m(backups, (r) => mibps(r.bytes, r.transferMs)).toFixed(1)} MiB/s) | — |`);
}

console.log(`
Replication primary → standby over WebRTC (node-datachannel, 127.0.0.1), memory storage unless
noted, medians of ${ROUNDS} round(s), Node ${process.version}

| measure | result | target |
|---|---|---|
${rows.join('\n')}`);
