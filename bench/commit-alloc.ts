// What one autocommit point write costs, counted per operation: the bytes it allocates on the V8
// heap (the sampling heap profiler, objects collected meanwhile included) and the CPU time it takes
// (process.cpuUsage, less sensitive to a shared machine's load than wall time). The peers bench's
// point rows, driven the same way: one awaited `node.query` at a time with $n parameters on a
// memory node, INSERT of N rows (default 10,000) into `p (id int PRIMARY KEY, name text, n int)`,
// then an UPDATE by key of each.
// BASE=<commit> also bundles that commit's packages/engine/src (extracted into node_modules/.cache)
// and alternates the two engines in this one process, rounds rotating which runs first, so the
// ratios printed (this tree / base) come from the same load. TOP=n lists the n functions that
// allocate the most per operation (self bytes), for the tree under test.
// Run: BASE=3dfd5ed node --expose-gc --import tsx bench/commit-alloc.ts   (ROUNDS=n, N=n)
import { Session } from 'node:inspector/promises';
import { baseEngine, bundledEngine } from './bundle.ts';
import { median } from './stats.ts';

const N = Number(process.env.N ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const BASE = process.env.BASE;
const TOP = Number(process.env.TOP ?? 0);
/** Bundled into each engine: this tree patches sorted-btree's node class (state/btree-append.ts), which must not reach the base. */
const OWN = ['sorted-btree'];

type Engine = Awaited<ReturnType<typeof bundledEngine>>;
type Op = 'INSERT' | 'UPDATE';

interface Sample { selfSize: number; callFrame: { functionName: string; url: string; lineNumber: number }; children: Sample[] }

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const session = new Session();
session.connect();

/** One fresh node: run both point-write loops, each measured by `measure`. */
async function onNode<T>(engine: Engine, measure: (op: Op, loop: () => Promise<void>) => Promise<T>): Promise<Record<Op, T>> {
  const node = await engine.openNode({ cluster: 'alloc', nodeId: 'n1', storage: 'memory', log: () => {} });
  await node.exec('CREATE TABLE p (id int PRIMARY KEY, name text, n int)');
  // warm the plans and the JIT on another key range, as the peers bench's warm rounds do
  for (let i = 1; i <= 200; i++) await node.query('INSERT INTO p (id, name, n) VALUES ($1, $2, $3)', [-i, `warm-${i}`, i]);
  for (let i = 1; i <= 200; i++) await node.query('UPDATE p SET n = $1 WHERE id = $2', [i + 1, -i]);
  const insert = await measure('INSERT', async () => {
    for (let i = 1; i <= N; i++) await node.query('INSERT INTO p (id, name, n) VALUES ($1, $2, $3)', [i, `name-${String(i).padStart(8, '0')}`, i]);
  });
  const update = await measure('UPDATE', async () => {
    for (let i = 1; i <= N; i++) await node.query('UPDATE p SET n = $1 WHERE id = $2', [i + 1, i]);
  });
  await node.close();
  return { INSERT: insert, UPDATE: update };
}

/** CPU µs per operation. */
const cpu = (_op: Op, loop: () => Promise<void>): Promise<number> => {
  gc();
  const t0 = process.cpuUsage();
  return loop().then(() => {
    const t = process.cpuUsage(t0);
    return (t.user + t.system) / N;
  });
};

/** Bytes allocated per operation, and the heaviest allocating functions. */
async function allocation(op: Op, loop: () => Promise<void>): Promise<{ bytes: number; top: string[] }> {
  gc();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  await loop();
  const head = (await session.post('HeapProfiler.stopSampling')).profile.head as unknown as Sample;
  const bySite = new Map<string, number>();
  let bytes = 0;
  const walk = (s: Sample, caller: string): void => {
    bytes += s.selfSize;
    const f = s.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    // a built-in (Set, push, Promise) is charged to its caller too
    const site = f.url ? name : `${name} ← ${caller}`;
    if (s.selfSize) bySite.set(site, (bySite.get(site) ?? 0) + s.selfSize);
    for (const c of s.children) walk(c, f.url ? name : caller);
  };
  walk(head, '');
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([site, b]) => `  ${op} ${(b / N).toFixed(0).padStart(6)} B  ${site}`);
  return { bytes: bytes / N, top };
}

const engines: [string, Engine][] = [['this tree', await bundledEngine(undefined, BASE ? OWN : [])]];
if (BASE) engines.push([`base ${BASE}`, await baseEngine(BASE, OWN)]);

const times = new Map<string, Record<Op, number[]>>(engines.map(([name]) => [name, { INSERT: [], UPDATE: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < engines.length; k++) {
    const [name, engine] = engines[(r + k) % engines.length]!;
    const t = await onNode(engine, cpu);
    times.get(name)!.INSERT.push(t.INSERT);
    times.get(name)!.UPDATE.push(t.UPDATE);
  }
}
const allocated = new Map<string, Record<Op, { bytes: number; top: string[] }>>();
for (const [name, engine] of engines) allocated.set(name, await onNode(engine, allocation));

console.log(`${N.toLocaleString('en')} ops per loop, ${ROUNDS} rounds, medians of CPU time; allocation from one sampled run`);
console.log(`| engine | INSERT CPU | INSERT allocated | UPDATE CPU | UPDATE allocated |\n|---|---:|---:|---:|---:|`);
for (const [name] of engines) {
  const t = times.get(name)!, a = allocated.get(name)!;
  console.log(`| ${name} | ${median(t.INSERT).toFixed(1)} µs | ${(a.INSERT.bytes / 1024).toFixed(1)} KB | ${median(t.UPDATE).toFixed(1)} µs | ${(a.UPDATE.bytes / 1024).toFixed(1)} KB |`);
}
if (BASE) {
  // per round, this tree's time over the base's in the same round: the load moves both alike
  const [mine, base] = [times.get(engines[0]![0])!, times.get(engines[1]![0])!];
  const ratio = (op: Op) => median(mine[op].map((t, i) => t / base[op][i]!)).toFixed(3);
  console.log(`this tree / base, CPU time (median of per-round ratios): INSERT ${ratio('INSERT')}, UPDATE ${ratio('UPDATE')}`);
  for (const op of ['INSERT', 'UPDATE'] as const) console.log(`  ${op} per round (this tree / base, µs): ${mine[op].map((t, i) => `${t.toFixed(1)}/${base[op][i]!.toFixed(1)}`).join(' ')}`);
}
if (TOP) for (const op of ['INSERT', 'UPDATE'] as const) console.log(allocated.get(engines[0]![0])![op].top.join('\n'));
session.disconnect();
process.exit(0);
