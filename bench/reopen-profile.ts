// Reopen profile: one node on memory storage (sealed chunks, as IndexedDB stores them) fills ROWS rows (default 1,000,000) of the scale
// table, checkpoints, changes 99 rows (WAL after the checkpoint) and closes; then N nodes
// (default 3) open the same storage one after another, each timed (wall and this process's CPU
// time, which a shared machine disturbs less), and open number P (default 0, the cold one) runs
// under the V8 sampling profiler, written to PROFILE (default /tmp/walrtc-reopen.cpuprofile;
// open it in Chrome DevTools' Performance panel). After each open: the first query answered (a point
// SELECT by primary key) and the first query through the `n` index (which builds it: indexes other
// than the primary key are built on first use).
// Run: node --expose-gc --max-old-space-size=6144 --import tsx bench/reopen-profile.ts
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openNode } from '../packages/engine/src/index.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { SCALE_SCHEMA, scaleInserts } from './scale-rows.ts';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const N = Number(process.env.N ?? 3);
const P = Number(process.env.P ?? 0);
const PROFILE = process.env.PROFILE ?? '/tmp/walrtc-reopen.cpuprofile';
const options = { cluster: 'reopen', nodeId: 'n1', log: () => {}, maxWalSize: 1 << 30 };

const storage = memoryStorage({ deferChunks: false });
// in a function: the filled node's rows must not stay reachable while the opens are measured
await (async () => {
  const node = await openNode({ ...options, storage });
  for (const sql of SCALE_SCHEMA) await node.exec(sql);
  for (const sql of scaleInserts(ROWS)) await node.exec(sql);
  await node.checkpoint();
  await node.query('update t set n = 5 where id < 100');
  await node.close();
})();

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
for (let i = 0; i < N; i++) {
  (globalThis as { gc?: () => void }).gc?.();
  if (i === P) await session.post('Profiler.start');
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  const reopened = await openNode({ ...options, storage });
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  if (i === P) writeFileSync(PROFILE, JSON.stringify((await session.post('Profiler.stop')).profile));
  await reopened.query('select v from t where id = $1', [ROWS >> 1]);
  const first = performance.now() - t0;
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  await reopened.query('select id from t where n = $1 limit 1', [7]);
  const byIndex = performance.now() - t1;
  const usedByIndex = process.cpuUsage(cpu1);
  console.log(`reopen ${i + 1} of ${ROWS.toLocaleString('en')} rows: ${wall.toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms), first query answered at ${first.toFixed(0)} ms; first query through t_n ${byIndex.toFixed(0)} ms (CPU ${((usedByIndex.user + usedByIndex.system) / 1000).toFixed(0)} ms)`);
  await reopened.close();
}
session.disconnect();
