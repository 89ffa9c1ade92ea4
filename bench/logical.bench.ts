// Logical replication benchmark, next to physical replication in the same run, both on the
// in-process network (memoryNetwork: no WebRTC cost, so the figures compare the replication
// paths themselves). Prints a markdown table of medians over ROUNDS rounds (fresh clusters each).
// Run: node --expose-gc --conditions=walrtc-source --import tsx bench/logical.bench.ts   (part of `npm run bench`)
// ROUNDS=n (default 3), COMMITS=n (default 2,000), COPY_ROWS=n (default 100,000).
//
//  - commit → visible: single-row autocommit INSERTs, one at a time; per commit, the time from the
//    start of `await primary.query(INSERT)` until `select 1 from t where id = $1` finds the row on
//    the physical standby / on the logical subscriber (polled in a setImmediate loop).
//  - initial copy: a publisher holding COPY_ROWS rows; time from CREATE SUBSCRIPTION to the table's
//    pg_subscription_rel state 'r' with every row on the subscriber; next to a physical base backup
//    of the same table (openNode of a fresh standby → replay LSN at the primary's flush LSN).

import { setImmediate as yieldLoop } from 'node:timers/promises';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import { memoryNetwork } from '../packages/transport/src/index.ts';
import { bounded, lsnNumber, median, pct } from './stats.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const COMMITS = Number(process.env.COMMITS ?? 2_000);
const COPY_ROWS = Number(process.env.COPY_ROWS ?? 100_000);
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Setup {
  primary: Node;
  /** Where the primary's commits become visible: the physical standby or the logical subscriber. */
  reader: Node;
  close(): Promise<void>;
}

let rounds = 0;

async function physical(rows = 0): Promise<Setup & { backupMs: number }> {
  const net = memoryNetwork({ log: () => {} });
  const name = `phys-${++rounds}`;
  const primary = await openNode({ cluster: name, nodeId: 'p', storage: 'memory', transport: net.transport('p'), keepaliveMs: 100, log: () => {} });
  await primary.exec('create table t(id int primary key, v text)');
  await fill(primary, rows);
  const started = performance.now();
  const reader = await openNode({ cluster: name, nodeId: 's', storage: 'memory', transport: net.transport('s'), role: 'standby', keepaliveMs: 100, log: () => {} });
  const target = lsnNumber((await primary.status()).lsn.flush);
  await bounded('base backup', 300_000, async () => {
    while (lsnNumber((await reader.status()).lsn.replay) < target) await yieldLoop();
  });
  const backupMs = performance.now() - started;
  return { primary, reader, backupMs, close: async () => { await reader.close(); await primary.close(); } };
}

async function logical(rows = 0): Promise<Setup & { copyMs: number }> {
  const pubNet = memoryNetwork({ log: () => {} });
  const subNet = memoryNetwork({ log: () => {} });
  const n = ++rounds;
  const primary = await openNode({ cluster: `pub-${n}`, nodeId: 'p', storage: 'memory', transport: pubNet.transport('p'), keepaliveMs: 100, log: () => {} });
  await primary.exec('create table t(id int primary key, v text); create publication pub for table t');
  await fill(primary, rows);
  const reader = await openNode({
    cluster: `sub-${n}`, nodeId: 's', storage: 'memory', transport: subNet.transport('s'), keepaliveMs: 100, log: () => {},
    subscriptionTransport: (_conninfo, peerId) => pubNet.transport(peerId),
  });
  await reader.exec('create table t(id int primary key, v text)');
  const started = performance.now();
  await reader.query(`create subscription sub connection 'cluster=pub-${n}' publication pub`);
  await bounded('initial copy', 300_000, async () => {
    while ((await reader.query('select srsubstate from pg_subscription_rel')).rows[0]?.srsubstate !== 'r') await yieldLoop();
  });
  const copyMs = performance.now() - started;
  if (Number((await reader.query('select count(*) as n from t')).rows[0]!.n) !== rows) throw new Error('the copy is incomplete');
  return { primary, reader, copyMs, close: async () => { await reader.close(); await primary.close(); } };
}

async function fill(node: Node, rows: number): Promise<void> {
  for (let i = 0; i < rows; i += 1000) {
    const values = Array.from({ length: Math.min(1000, rows - i) }, (_, j) => `(${-(i + j + 1)}, 'copied row ${i + j}')`).join(', ');
    await node.query(`insert into t values ${values}`);
  }
}

async function commitToVisible(s: Setup): Promise<number[]> {
  const times: number[] = [];
  for (let i = 1; i <= COMMITS; i++) {
    const t0 = performance.now();
    await s.primary.query('insert into t values ($1, $2)', [i, 'x'.repeat(40)]);
    await bounded(`row ${i} to be visible`, 30_000, async () => {
      while (!(await s.reader.query('select 1 from t where id = $1', [i])).rows.length) await yieldLoop();
    });
    times.push(performance.now() - t0);
  }
  return times;
}

const results: Record<string, number[]> = { physP50: [], physP99: [], logP50: [], logP99: [], backup: [], copy: [] };
for (let r = 0; r < ROUNDS; r++) {
  const p = await physical();
  const pt = await commitToVisible(p);
  await p.close();
  results.physP50!.push(median(pt));
  results.physP99!.push(pct(pt, 99));
  const l = await logical();
  const lt = await commitToVisible(l);
  await l.close();
  results.logP50!.push(median(lt));
  results.logP99!.push(pct(lt, 99));
  const pb = await physical(COPY_ROWS);
  await pb.close();
  results.backup!.push(COPY_ROWS / (pb.backupMs / 1000));
  const lc = await logical(COPY_ROWS);
  await lc.close();
  results.copy!.push(COPY_ROWS / (lc.copyMs / 1000));
}

console.log(`\n| measure (in-process network, medians of ${ROUNDS} rounds) | physical (primary → standby) | logical (publisher → subscriber) |`);
console.log('|---|---:|---:|');
console.log(`| commit → visible, p50 (${fmt(COMMITS)} single-row commits) | ${fmt(median(results.physP50!), 3)} ms | ${fmt(median(results.logP50!), 3)} ms |`);
console.log(`| commit → visible, p99 | ${fmt(median(results.physP99!), 3)} ms | ${fmt(median(results.logP99!), 3)} ms |`);
console.log(`| ${fmt(COPY_ROWS)}-row table to a new node: base backup / initial copy (rows/s) | ${fmt(median(results.backup!))} | ${fmt(median(results.copy!))} |`);
process.exit(0);
