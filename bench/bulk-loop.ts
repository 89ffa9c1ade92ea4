// The peers bench's bulk INSERT alone: N rows (default 100,000) of `t (id int PRIMARY KEY, n int,
// s text)`, one awaited `tx.query('INSERT … VALUES ($1, $2, $3)', row)` per row inside one
// transaction() on a memory node, wall and CPU time per round. GUARD=1 opens the node with
// checkNestedCalls (the AsyncLocalStorage guard). BASE=<commit> bundles that commit's engine too
// and alternates the two in this process, rounds rotating which runs first (as commit-alloc.ts).
// Then one more round per engine under V8's sampling heap profiler: bytes allocated per INSERT.
// Run: BASE=4b2325f node --expose-gc --import tsx bench/bulk-loop.ts   (ROUNDS=n, N=n, GUARD=1)
import { Session } from 'node:inspector/promises';
import { baseEngine, bundledEngine } from './bundle.ts';
import { median } from './stats.ts';

const N = Number(process.env.N ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const BASE = process.env.BASE;
const GUARD = process.env.GUARD === '1';
const OWN = ['sorted-btree'];

type Engine = Awaited<ReturnType<typeof bundledEngine>>;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface Sample { selfSize: number; children: Sample[] }
const session = new Session();
session.connect();

/** One round on a fresh node; `sampled`: under the sampling heap profiler, with the bytes allocated per INSERT (the input rows excluded). */
async function round(engine: Engine, sampled = false): Promise<{ wall: number; cpu: number; bytes: number }> {
  const node = await engine.openNode({ cluster: 'bulk', nodeId: 'n1', storage: 'memory', log: () => {}, ...(GUARD ? { checkNestedCalls: true } : {}) });
  await node.exec('CREATE TABLE t (id int PRIMARY KEY, n int, s text)');
  const rows: unknown[][] = [];
  for (let i = 1; i <= N; i++) rows.push([i, (i * 7919 + 13) % N, `name-${String(i).padStart(8, '0')}`]);
  gc();
  if (sampled) await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  const t0 = performance.now(), c0 = process.cpuUsage();
  await node.transaction(async (tx) => {
    for (const r of rows) await tx.query('INSERT INTO t (id, n, s) VALUES ($1, $2, $3)', r as never);
  });
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  let bytes = 0;
  if (sampled) {
    const total = (s: Sample): number => s.children.reduce((sum, k) => sum + total(k), s.selfSize);
    bytes = total((await session.post('HeapProfiler.stopSampling')).profile.head as unknown as Sample) / N;
  }
  await node.close();
  return { wall, cpu: (c.user + c.system) / 1000, bytes };
}

const engines: [string, Engine][] = [['this tree', await bundledEngine(undefined, BASE ? OWN : [])]];
if (BASE) engines.push([`base ${BASE}`, await baseEngine(BASE, OWN)]);
const out = new Map<string, { wall: number[]; cpu: number[] }>(engines.map(([n]) => [n, { wall: [], cpu: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < engines.length; k++) {
    const [name, engine] = engines[(r + k) % engines.length]!;
    const t = await round(engine);
    out.get(name)!.wall.push(t.wall);
    out.get(name)!.cpu.push(t.cpu);
  }
}
console.log(`${N.toLocaleString('en')} INSERTs in one transaction()${GUARD ? ', checkNestedCalls' : ''}, ${ROUNDS} rounds, medians`);
for (const [name, engine] of engines) {
  const t = out.get(name)!;
  console.log(`${name}: wall ${median(t.wall).toFixed(0)} ms (${t.wall.map((x) => x.toFixed(0)).join(' ')}), CPU ${median(t.cpu).toFixed(0)} ms, ${(await round(engine, true)).bytes.toFixed(0)} B allocated per INSERT`);
}
if (BASE) {
  // per round, this tree over the base in the same round: the load moves both alike
  const [mine, base] = [out.get(engines[0]![0])!, out.get(engines[1]![0])!];
  console.log(`this tree / base, CPU time (median of per-round ratios): ${median(mine.cpu.map((t, i) => t / base.cpu[i]!)).toFixed(3)}`);
}
process.exit(0);
