// Queries through an index still being built, right after a reopen (sql/plan/build-fallback.ts):
// the scale table (ROWS rows, default 1,000,000, index t_n) filled, checkpointed and reopened with
// the background build held at its first step, then a plain LIMIT through t_n twice and an
// equality through t_n eight times, each timed (wall and this process's CPU): the scans read the
// rows in the index's place until they have cost about what the build does, then one finishes it.
// Run: node --max-old-space-size=6144 --import tsx bench/build-fallback.ts
import { openNode } from '../packages/engine/src/index.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { IndexBuilds } from '../packages/engine/src/state/index-builds.ts';
import { fillScale } from './scale-rows.ts';
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const options = { cluster: 'fb', nodeId: 'n1', log: () => {}, maxWalSize: 1 << 30 };
const storage = memoryStorage({ deferChunks: false });
await (async () => {
  const node = await openNode({ ...options, storage });
  await fillScale(node, ROWS);
  await node.checkpoint();
  await node.close();
})();
IndexBuilds.inBackground = false;
const node = await openNode({ ...options, storage });
let budget = 1;
(node as unknown as { indexBuilds: IndexBuilds }).indexBuilds.slice(() => budget-- <= 0);
const cpu = () => process.cpuUsage().user / 1000;
for (const [sql, params] of [
  ['select * from t where n > $1 limit 1', [5]],
  ['select * from t where n > $1 limit 1', [5]],
  ['select count(*) from t where n = $1', [7]],
  ['select count(*) from t where n = $1', [7]],
  ['select count(*) from t where n = $1', [7]],
  ['select count(*) from t where n = $1', [7]],
  ['select count(*) from t where n = $1', [7]],
  ['select count(*) from t where n = $1', [7]],
] as const) {
  const c0 = cpu(), t0 = performance.now();
  const r = await node.query(sql, [...params]);
  console.log(`${sql} [${params}]: ${(performance.now() - t0).toFixed(1)} ms wall, ${(cpu() - c0).toFixed(1)} ms CPU, ${r.rows.length} rows`);
}
await node.close();
