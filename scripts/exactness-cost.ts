/**
 * What exact int8/numeric cost: the point workloads of bench/engine.bench.ts on the engine as it
 * was at BEFORE (default: the commit before exact values) and as it is now, bundled alike and
 * interleaved round by round (rotating which goes first) in one process, so machine load falls on both alike.
 *   npx tsx scripts/exactness-cost.ts            (ROUNDS=n, default 5; BEFORE=<git rev>)
 * The old engine cannot store int8 past 2^53 (nor find rows by bigint parameters), so the shared
 * int8 workload uses keys from 10^9 passed as numbers; "now, keys ≥ 2^53" adds the bigint case.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const BEFORE = process.env.BEFORE ?? '80f0716';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = 10_000;
const repo = new URL('..', import.meta.url).pathname;

mkdirSync(join(repo, 'node_modules/.cache'), { recursive: true });
const dir = mkdtempSync(join(repo, 'node_modules/.cache/walrtc-exactness-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
execSync(`git archive ${BEFORE} packages/engine/src | tar -x -C ${dir}`, { cwd: repo });

type OpenNode = typeof import('../packages/engine/src/index.ts').openNode;
async function load(entry: string, name: string): Promise<OpenNode> {
  const outfile = join(dir, `${name}.mjs`);
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'warning' });
  return ((await import(pathToFileURL(outfile).href)) as { openNode: OpenNode }).openNode;
}
const engines = {
  before: await load(join(dir, 'packages/engine/src/index.ts'), 'before'),
  now: await load(join(repo, 'packages/engine/src/index.ts'), 'now'),
};

const name = (i: number) => `name-${String(i).padStart(8, '0')}-${'x'.repeat(40)}`.slice(0, 50);
type Node = Awaited<ReturnType<OpenNode>>;
type Key = (i: number) => number | bigint;
const intKey: Key = (i) => i;
const safeKey: Key = (i) => 1_000_000_000 + i;
const bigKey: Key = (i) => 2n ** 53n + BigInt(i);

const workloads: { label: string; table: string; run(db: Node, key: Key): Promise<void> }[] = [
  { label: 'INSERT (int key, int)', table: 'p', run: async (db) => { for (let i = 1; i <= N; i++) await db.query('INSERT INTO p (id, name, n) VALUES ($1, $2, $3)', [i, name(i), i]); } },
  { label: 'SELECT by int key', table: 'p', run: async (db) => { for (let i = 1; i <= N; i++) await db.query('SELECT id, name, n FROM p WHERE id = $1', [i]); } },
  { label: 'UPDATE int by int key', table: 'p', run: async (db) => { for (let i = 1; i <= N; i++) await db.query('UPDATE p SET n = $1 WHERE id = $2', [i + 1, i]); } },
  { label: 'INSERT (bigint key, numeric(12,2))', table: 'x', run: async (db, key) => { for (let i = 1; i <= N; i++) await db.query('INSERT INTO x (id, name, amount) VALUES ($1, $2, $3)', [key(i), name(i), `${i}.25`]); } },
  { label: 'SELECT by bigint key', table: 'x', run: async (db, key) => { for (let i = 1; i <= N; i++) await db.query('SELECT id, name, amount FROM x WHERE id = $1', [key(i)]); } },
  { label: 'UPDATE numeric by bigint key', table: 'x', run: async (db, key) => { for (let i = 1; i <= N; i++) await db.query('UPDATE x SET amount = amount + $1 WHERE id = $2', ['0.10', key(i)]); } },
];

const variants: { label: string; open: OpenNode; key: Key }[] = [
  { label: 'before (doubles)', open: engines.before, key: safeKey },
  { label: 'now (exact)', open: engines.now, key: safeKey },
  { label: 'now, keys ≥ 2^53', open: engines.now, key: bigKey },
];
const times = variants.map(() => workloads.map(() => [] as number[]));
for (let round = 0; round < ROUNDS; round++) {
  // rotate which variant goes first, so JIT warm-up and load drift do not favour one
  for (let k = 0; k < variants.length; k++) {
    const v = (k + round) % variants.length, variant = variants[v]!;
    const db = await variant.open({ cluster: `exact-${round}-${v}`, nodeId: 'bench', storage: 'memory', log: () => {} });
    await db.exec('CREATE TABLE p (id int PRIMARY KEY, name text, n int); CREATE TABLE x (id bigint PRIMARY KEY, name text, amount numeric(12,2));');
    for (const [w, workload] of workloads.entries()) {
      const t0 = performance.now();
      await workload.run(db, workload.table === 'p' ? intKey : variant.key);
      times[v]![w]!.push(performance.now() - t0);
    }
    // the old engine silently found nothing by bigint parameters; make sure every variant did the work
    const r = await db.query('SELECT count(*) AS n FROM x WHERE amount = $1', [`${N}.35`]);
    if (Number((r.rows[0] as { n: unknown }).n) !== 1) throw new Error(`${variant.label}: the UPDATE workload did not update`);
    await db.close();
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ops = (v: number, w: number) => N / (median(times[v]![w]!) / 1000);
console.log(`\nmedians of ${ROUNDS} interleaved rounds, ${N.toLocaleString('en-US')} ops each, ops/s; Node ${process.version}\n`);
console.log(`| workload | ${variants.map((v) => v.label).join(' | ')} | now / before |`);
console.log(`|---|${variants.map(() => '---:').join('|')}|---:|`);
for (const [w, workload] of workloads.entries()) {
  const cells = variants.map((_, v) => Math.round(ops(v, w)).toLocaleString('en-US'));
  console.log(`| ${workload.label} | ${cells.join(' | ')} | ${(ops(1, w) / ops(0, w)).toFixed(2)}× |`);
}
