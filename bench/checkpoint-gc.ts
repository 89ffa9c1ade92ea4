// What a checkpoint and a base backup cost the garbage collector, counted rather than timed (the
// machine is shared, so wall-clock gaps are noisy): one node on memory storage fills ROWS rows
// (default 1,000,000) of the scale table, then runs its first full checkpoint and BACKUPS (default
// 3) base backups' sealed bytes (produced in slices, not sent), each after a forced collection and
// a pause (so the fill's garbage is not charged to them). For each: the bytes allocated on the V8
// heap (the sampling heap profiler, counting objects collected meanwhile too; array buffers'
// contents live outside it), the collections that ran (count by kind, summed and longest pause,
// from a PerformanceObserver) and its time. SAMPLE=0 leaves the profiler off (it slows collections).
// Run: node --expose-gc --max-old-space-size=6144 --import tsx bench/checkpoint-gc.ts
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { packBackup } from '../packages/engine/src/checkpoint/backup-stream.ts';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import type { DbState } from '../packages/engine/src/state/state.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { SCALE_SCHEMA, scaleInserts } from './scale-rows.ts';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const BACKUPS = Number(process.env.BACKUPS ?? 3);
/** SAMPLE=0: no heap profiler (it makes collections slower), only the collections and times. */
const SAMPLE = process.env.SAMPLE !== '0';
const MAJOR = new Set([constants.NODE_PERFORMANCE_GC_MAJOR, constants.NODE_PERFORMANCE_GC_INCREMENTAL]);

interface Sample { selfSize: number; children: Sample[] }
const total = (n: Sample): number => n.selfSize + n.children.reduce((a, c) => a + total(c), 0);

const session = new Session();
session.connect();

async function measured(name: string, job: () => Promise<unknown>): Promise<string> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const pauses: { major: boolean; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ major: MAJOR.has((e as unknown as { detail: { kind: number } }).detail.kind), ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  if (SAMPLE) await session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  const allocated = SAMPLE ? `${(total((await session.post('HeapProfiler.stopSampling')).profile.head as unknown as Sample) / 1e6).toFixed(1)} MB` : '—';
  // gc entries are delivered asynchronously
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  const sum = pauses.reduce((a, p) => a + p.ms, 0);
  const max = Math.max(0, ...pauses.map((p) => p.ms));
  const majors = pauses.filter((p) => p.major).length;
  return `| ${name} | ${ms.toFixed(0)} ms | ${allocated} | ${pauses.length - majors} / ${majors} | ${sum.toFixed(0)} ms | ${max.toFixed(1)} ms |`;
}

const node: Node = await openNode({ cluster: 'gc', nodeId: 'n1', storage: memoryStorage(), log: () => {}, maxWalSize: 1 << 30 });
for (const sql of SCALE_SCHEMA) await node.exec(sql);
for (const sql of scaleInserts(ROWS)) await node.exec(sql);
const state = (node as unknown as { core: { db: { latest(): DbState } } }).core.db.latest();
const lines = [`| ${ROWS.toLocaleString('en')} rows | time | V8 heap allocated | collections minor / major | summed pauses | longest pause |`, '|---|---:|---:|---:|---:|---:|'];
lines.push(await measured('first (full) checkpoint', () => node.checkpoint()));
for (let i = 1; i <= BACKUPS; i++) lines.push(await measured(`base backup ${i}`, () => packBackup(state)));
console.log(lines.join('\n'));
session.disconnect();
process.exit(0);
