// PostgreSQL → walrtc bridge benchmark, against a throwaway PostgreSQL 15+ (wal_level = logical,
// started here on 127.0.0.1 like the tests' server; needs the postgresql package's binaries).
// Run: node --expose-gc --conditions=walrtc-source --import tsx bench/bridge.bench.ts   (part of `npm run bench`)
// COMMITS=n (default 500) latency samples; COPY_ROWS=n (default 100,000) rows for the copy;
// FANOUT=n (default 50) standbys for the fan-out (0 skips it).
//
//  - lag: single-row autocommit INSERTs in PostgreSQL, one at a time; per commit, the time from
//    sending the INSERT until the row is visible to a query on a walrtc standby that streams from
//    the bridge node over real WebRTC (node-datachannel, ICE on 127.0.0.1). The bridge node keeps
//    its WAL in the file storage (fsync'd; synchronousCommit 'on').
//  - fan-out: FANOUT standbys through cascades on the in-process network (no WebRTC: 50 nodes
//    in one process would mean 1,225 data channels): the bridge feeds 5 relay standbys, each
//    relay feeds a fifth of the rest (upstream: relay). Per PostgreSQL commit, the median and the
//    worst time until a standby sees the row, over all standbys; 100 commits.
//  - copy: the bridge's initial copy of COPY_ROWS rows (int, text, bigint, numeric, timestamptz(3))
//    into a walrtc node on file storage, from startBridge to streaming; next to PostgreSQL's own
//    `COPY t TO '/dev/null'` and `INSERT INTO t2 SELECT * FROM t` on the same server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import { broadcastSignaling, memoryNetwork, webrtcTransport, type Transport } from '../packages/transport/src/index.ts';
import { fileStorage, startBridge } from '../packages/node/src/index.ts';
import { startPostgres } from '../packages/node/test/support/postgres.ts';
import { bounded, lsnNumber, median, pct } from './stats.ts';

const COMMITS = Number(process.env.COMMITS ?? 500);
const COPY_ROWS = Number(process.env.COPY_ROWS ?? 100_000);
const FANOUT = Number(process.env.FANOUT ?? 50);
const KEY = 'walrtc-key-v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const pg = await startPostgres();
const dir = await mkdtemp(join(tmpdir(), 'walrtc-bench-bridge-'));
const closers: (() => Promise<void>)[] = [];
try {
  const results: string[] = [];

  // ── copy ──
  await pg.sql(`create table t(id int primary key, v text, n bigint, amount numeric(12,2), at timestamptz(3));
    insert into t select g, 'row ' || g, g::bigint * 1000003, g / 7.0, timestamptz '2024-01-01' + g * interval '1 second' from generate_series(1, ${COPY_ROWS}) g;
    create table t2 (like t including all); create publication copypub for table t;`);
  await pg.sql('vacuum analyze t');
  let t0 = performance.now();
  await pg.sql(`copy t to '/dev/null'`);
  const copyOut = performance.now() - t0;
  t0 = performance.now();
  await pg.sql('insert into t2 select * from t');
  const insertSelect = performance.now() - t0;
  const copyNode = await openNode({ cluster: 'bench-copy', nodeId: 'bridge', storage: await fileStorage(join(dir, 'copy')), log: () => {} });
  t0 = performance.now();
  const copier = await startBridge({ postgres: pg.url, node: copyNode, publication: 'copypub', slot: 'copy' });
  const bridgeCopy = performance.now() - t0;
  await copier.stop();
  const copied = (await copyNode.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n;
  if (copied !== COPY_ROWS) throw new Error(`copied ${copied} rows, expected ${COPY_ROWS}`);
  await copyNode.close();
  const rate = (ms: number) => Math.round(COPY_ROWS / (ms / 1000)).toLocaleString('en-US');
  results.push(
    `| initial copy, ${COPY_ROWS.toLocaleString('en-US')} rows | bridge → walrtc (file storage) | ${rate(bridgeCopy)} rows/s (${Math.round(bridgeCopy)} ms) |`,
    `| | PostgreSQL \`COPY t TO '/dev/null'\` | ${rate(copyOut)} rows/s (${Math.round(copyOut)} ms) |`,
    `| | PostgreSQL \`INSERT INTO t2 SELECT * FROM t\` | ${rate(insertSelect)} rows/s (${Math.round(insertSelect)} ms) |`,
  );

  // ── lag over WebRTC ──
  await pg.sql(`create table lag(id int primary key, v text); create publication lagpub for table lag`);
  const room = `bench-bridge-${process.pid}`;
  const transport = (nodeId: string): Transport => webrtcTransport({ cluster: room, nodeId, key: KEY, signaling: broadcastSignaling(room), loopbackOnly: true, log: () => {} });
  const tp = transport('bridge');
  const bridgeNode = await openNode({ cluster: room, nodeId: 'bridge', storage: await fileStorage(join(dir, 'lag')), transport: tp, log: () => {} });
  closers.push(async () => { await bridgeNode.close(); await tp.close(); });
  const bridge = await startBridge({ postgres: pg.url, node: bridgeNode, publication: 'lagpub', slot: 'lag', statusIntervalMs: 1000 });
  closers.unshift(() => bridge.stop());
  const ts = transport('standby');
  const standby: Node = await openNode({ cluster: room, nodeId: 'standby', storage: 'memory', role: 'standby', transport: ts, log: () => {} });
  closers.unshift(async () => { await standby.close(); await ts.close(); });
  await bounded('the standby to stream', 30_000, async () => {
    while (!(await standby.status()).systemId || lsnNumber((await standby.status()).lsn.replay) < lsnNumber((await bridgeNode.status()).lsn.flush)) await yieldLoop();
  });
  const client = await pg.client();
  closers.unshift(() => client.end());
  const samples: number[] = [];
  for (let i = 1; i <= COMMITS; i++) {
    const start = performance.now();
    await client.query('insert into lag values ($1, $2)', [i, `v${i}`]);
    await bounded(`row ${i} on the standby`, 10_000, async () => {
      while (!(await standby.query('select 1 from lag where id = $1', [i])).rows.length) await yieldLoop();
    });
    samples.push(performance.now() - start);
  }
  results.unshift(`| PostgreSQL commit → visible on a walrtc standby over WebRTC, ${COMMITS} commits | p50 ${median(samples).toFixed(2)} ms, p99 ${pct(samples, 99).toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms | |`);
  for (const close of closers.splice(0)) await close();

  // ── fan-out through cascades ──
  if (FANOUT > 0) {
    await pg.sql(`create table fan(id int primary key); create publication fanpub for table fan`);
    const net = memoryNetwork({ log: () => {} });
    const quiet = { log: () => {}, keepaliveMs: 100 };
    const root = await openNode({ cluster: 'fan', nodeId: 'bridge', storage: await fileStorage(join(dir, 'fan')), transport: net.transport('bridge'), ...quiet });
    const all: Node[] = [root];
    closers.push(async () => { for (const n of all.reverse()) await n.close(); });
    const fan = await startBridge({ postgres: pg.url, node: root, publication: 'fanpub', slot: 'fan', statusIntervalMs: 1000 });
    closers.unshift(() => fan.stop());
    const relays = Math.min(5, FANOUT);
    const standbys: Node[] = [];
    for (let i = 0; i < FANOUT; i++) {
      const id = `s${i}`;
      const upstream = i < relays ? undefined : `s${i % relays}`;
      const n = await openNode({ cluster: 'fan', nodeId: id, storage: 'memory', role: 'standby', upstream, transport: net.transport(id), ...quiet });
      all.push(n);
      standbys.push(n);
    }
    await bounded('every standby to stream', 120_000, async () => {
      for (;;) {
        const target = lsnNumber((await root.status()).lsn.flush);
        const behind = await Promise.all(standbys.map(async (n) => lsnNumber((await n.status()).lsn.replay) < target));
        if (!behind.some(Boolean)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    const c2 = await pg.client();
    closers.unshift(() => c2.end());
    const medians: number[] = [];
    const worst: number[] = [];
    for (let i = 1; i <= 100; i++) {
      const start = performance.now();
      await c2.query('insert into fan values ($1)', [i]);
      const seen = await Promise.all(standbys.map((n) => bounded(`row ${i} on ${n.nodeId}`, 20_000, async () => {
        while (!(await n.query('select 1 from fan where id = $1', [i])).rows.length) await yieldLoop();
        return performance.now() - start;
      })));
      medians.push(median(seen));
      worst.push(Math.max(...seen));
    }
    results.splice(1, 0, `| PostgreSQL commit → visible on ${FANOUT} standbys through cascades (5 relays, in-process network), 100 commits | median over standbys: p50 ${median(medians).toFixed(2)} ms; worst standby: p50 ${median(worst).toFixed(2)} ms, p99 ${pct(worst, 99).toFixed(2)} ms | |`);
  }
  console.log(['| what | measured | |', '| --- | --- | --- |', ...results].join('\n'));
} finally {
  for (const close of closers) await close().catch(() => {});
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
