// Where the longest commit gap of a full checkpoint in Node comes from: the scale table filled to
// ROWS rows on memory storage with sealed chunks, a full checkpoint under the scale bench's commit
// loop, and the gaps over 15 ms listed with the GC pauses (perf_hooks 'gc' entries) and checkpoint
// steps (marked by a wrapped storage) that overlap them. Run with --cpu-prof to see the rest.
// Run: ROWS=1000000 node --max-old-space-size=6144 --import tsx bench/checkpoint-gap.ts
import { PerformanceObserver } from 'node:perf_hooks';
import { openNode } from '../packages/engine/src/index.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import type { Storage } from '../packages/engine/src/storage/storage.ts';
import { commitLoop, SCALE_SCHEMA, scaleInserts } from './scale-rows.ts';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const gcs: { start: number; ms: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
}).observe({ entryTypes: ['gc'] });

const steps: { at: number; what: string }[] = [];
const mark = (what: string) => steps.push({ at: performance.now(), what });
function traced(storage: Storage): Storage {
  const wrap = <T extends object>(o: T, name: string): T => new Proxy(o, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        mark(`${name}.${String(key)} start`);
        const r = v.apply(target, args);
        if (r instanceof Promise) return r.finally(() => mark(`${name}.${String(key)} end`));
        mark(`${name}.${String(key)} end`);
        return r;
      };
    },
  });
  const s = wrap(storage, 'storage');
  return storage.chunks ? Object.assign(Object.create(s) as Storage, { chunks: wrap(storage.chunks, 'chunks') }) : s;
}

const storage = memoryStorage({ deferChunks: false });
const node = await openNode({ cluster: 'gap', nodeId: 'n1', storage: traced(storage), log: () => {}, maxWalSize: 1 << 30 });
for (const sql of SCALE_SCHEMA) await node.exec(sql);
for (const sql of scaleInserts(ROWS)) await node.exec(sql);
// WARM=1: the commit loop's UPDATE run once first, so its first commit does not parse and plan it inside the measured gap
if (process.env.WARM === '1') await node.query('update t set n = n + 1 where id = $1', [1]);
for (let round = 0; round < ROUNDS; round++) {
  gcs.length = 0;
  steps.length = 0;
  const gaps: { end: number; ms: number }[] = [];
  const loop = commitLoop(node, ROWS, (ms, end) => void (ms > 15 && gaps.push({ end, ms })));
  const t0 = performance.now();
  mark('checkpoint start');
  // a later round rewrites every chunk: the updates touched rows all over the table
  await node.checkpoint();
  mark('checkpoint end');
  const took = performance.now() - t0;
  await loop.stop();
  const during = gcs.filter((c) => c.start >= t0 && c.start <= t0 + took);
  const kinds = new Map<number, { n: number; ms: number; max: number }>();
  for (const c of during) {
    const k = kinds.get(c.kind) ?? { n: 0, ms: 0, max: 0 };
    kinds.set(c.kind, { n: k.n + 1, ms: k.ms + c.ms, max: Math.max(k.max, c.ms) });
  }
  // perf_hooks' kinds: 1 scavenge, 2 mark-compact, 4 incremental marking step, 8 weak callbacks
  const gcLine = [...kinds].sort((a, b) => a[0] - b[0]).map(([k, v]) => `kind ${k}: ${v.n} (${v.ms.toFixed(0)} ms, longest ${v.max.toFixed(1)})`).join('; ');
  console.log(`round ${round + 1}: checkpoint ${took.toFixed(0)} ms, longest gap ${Math.max(0, ...gaps.map((g) => g.ms)).toFixed(1)} ms, gaps over 15 ms: ${gaps.length}; GC during it: ${gcLine}; array buffers now ${(process.memoryUsage().arrayBuffers / 2 ** 20).toFixed(0)} MiB`);
  for (const g of gaps.sort((a, b) => b.ms - a.ms).slice(0, 5)) {
    const start = g.end - g.ms;
    const inGap = gcs.filter((c) => c.start + c.ms > start && c.start < g.end).map((c) => `gc kind ${c.kind} ${c.ms.toFixed(1)} ms`);
    const around = steps.filter((s) => s.at > start - 1 && s.at < g.end + 1).map((s) => `${s.what} @${(s.at - start).toFixed(1)}`);
    console.log(`  gap ${g.ms.toFixed(1)} ms at +${(start - t0).toFixed(0)} ms (${start.toFixed(0)}): ${inGap.join(', ') || 'no gc'}; ${around.slice(0, 8).join(', ')}`);
  }
}
await node.close();
process.exit(0);
