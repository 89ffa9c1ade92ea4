// PostgreSQL → walrtc bridge benchmark, against a throwaway PostgreSQL 15+ (wal_level = logical,
// started here on 127.0.0.1 like the tests' server; needs the postgresql package's binaries).
// Run: node --expose-gc --conditions=walrtc-source --import tsx bench/bridge.bench.ts   (part of `npm run bench`)
// COMMITS=n (default 500) latency samples; COPY_ROWS=n (default 100,000) rows for the copy.
//
//  - lag: single-row autocommit INSERTs in PostgreSQL, one at a time; per commit, the time from
//    sending the INSERT until the row is visible to a query on a walrtc standby that streams from
//    the bridge node over real WebRTC (node-datachannel, ICE on 127.0.0.1). The bridge node keeps
//    its WAL in the file storage (fsync'd; synchronousCommit 'on').
//  - copy: the bridge's initial copy of COPY_ROWS rows (int, text, bigint, numeric, timestamptz(3))
//    into a walrtc node on file storage, from startBridge to streaming; next to PostgreSQL's own
//    `COPY t TO '/dev/null'` and `INSERT INTO t2 SELECT * FROM t` on the same server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import { broadcastSignaling, webrtcTransport, type Transport } from '../packages/transport/src/index.ts';
import { fileStorage, startBridge } from '../packages/node/src/index.ts';
import { startPostgres } from '../packages/node/test/support/postgres.ts';
import { bounded, lsnNumber, median, pct } from './stats.ts';

const COMMITS = Number(process.env.COMMITS ?? 500);
const COPY_ROWS = Number(process.env.COPY_ROWS ?? 100_000);
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
  console.log(['| what | measured | |', '| --- | --- | --- |', ...results].join('\n'));
} finally {
  for (const close of closers) await close().catch(() => {});
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
