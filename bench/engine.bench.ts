// Engine benchmark: the same workload on walrtc (in-memory node) and on PGlite (in-memory, Node),
// in one run. Prints a markdown table of medians over ROUNDS repetitions (fresh databases each).
// Run: node --expose-gc --import tsx bench/engine.bench.ts   (or npx tsx bench/engine.bench.ts); the engine is
// bundled with esbuild first, as an application would ship it.
// ROUNDS=n changes the number of repetitions (default 5). For profiling: ONLY=walrtc skips PGlite,
// NO_MEM=1 skips the memory measurement. KEY_BASE=n moves the bigint-key workloads' keys (default 2^53),
// KEYS=number passes them as numbers.

import { PGlite } from '@electric-sql/pglite';
import { bundledEngine } from './bundle.ts';

// walrtc runs as applications ship it (bench/bundle.ts)
const { openNode } = await bundledEngine();

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ONLY = process.env.ONLY;
const N = 10_000;
const BULK = 100_000;
const MEM_ROWS = 100_000;
const TEXT50 = 'x'.repeat(40);

interface Db {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  exec(sql: string): Promise<unknown>;
  transaction(fn: (tx: { query(sql: string, params?: unknown[]): Promise<unknown> }) => Promise<void>): Promise<void>;
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

interface Engine {
  name: string;
  open(): Promise<Db>;
}

const allEngines: Engine[] = [
  {
    name: 'walrtc',
    open: async () => {
      const node = await openNode({ cluster: 'bench', nodeId: 'bench', storage: 'memory', log: () => {} });
      return {
        query: (sql, params) => node.query(sql, params as never),
        exec: (sql) => node.exec(sql),
        transaction: async (fn) => { await node.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params as never) })); },
        checkpoint: () => node.checkpoint(),
        close: () => node.close(),
      };
    },
  },
  {
    name: 'PGlite',
    open: async () => {
      const pg = await PGlite.create();
      return {
        query: (sql, params) => pg.query(sql, params),
        exec: (sql) => pg.exec(sql),
        transaction: async (fn) => { await pg.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params) })); },
        checkpoint: async () => { await pg.exec('CHECKPOINT'); },
        close: () => pg.close(),
      };
    },
  },
];
const engines = allEngines.filter((e) => !ONLY || e.name === ONLY);

// int8 keys start at 2^53 (beyond a double's exact integers) unless KEY_BASE says otherwise
const KEY_BASE = BigInt(process.env.KEY_BASE ?? 2 ** 53);
// KEYS=number passes them as JS numbers (only exact below 2^53): the engine before exact int8
// ignored bigint parameters in key lookups, so a before/after comparison needs this
const bigKey = process.env.KEYS === 'number' ? (i: number) => Number(KEY_BASE + BigInt(i)) : (i: number) => KEY_BASE + BigInt(i);
const name = (i: number) => `name-${String(i).padStart(8, '0')}-${TEXT50}`.slice(0, 50);

interface Workload {
  label: string;
  ops: number;
  run(db: Db): Promise<void>;
}

const BLOCK = 10;

/** Statements 1..N in transaction blocks of BLOCK, each BEGIN and COMMIT its own call, as an ORM or node-postgres client sends them. */
async function blocks(db: Db, statement: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 1; i <= N; i += BLOCK) {
    await db.query('BEGIN');
    for (let j = i; j < i + BLOCK && j <= N; j++) await statement(j);
    await db.query('COMMIT');
  }
}

// Workloads run in this order on one fresh database per round; later ones read what earlier ones wrote.
const workloads: Workload[] = [
  {
    label: `INSERT, autocommit, $n params (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query('INSERT INTO p (id, name, n) VALUES ($1, $2, $3)', [i, name(i), i]);
    },
  },
  {
    label: `SELECT by primary key, $n params (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query('SELECT id, name, n FROM p WHERE id = $1', [i]);
    },
  },
  {
    label: `UPDATE by key, $n params (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query('UPDATE p SET n = $1 WHERE id = $2', [i + 1, i]);
    },
  },
  {
    label: `INSERT, autocommit, literal SQL (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query(`INSERT INTO l (id, name, n) VALUES (${i}, '${name(i)}', ${i})`);
    },
  },
  {
    label: `SELECT by primary key, literal SQL (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query(`SELECT id, name, n FROM l WHERE id = ${i}`);
    },
  },
  {
    label: `UPDATE by key, literal SQL (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query(`UPDATE l SET n = ${i + 1} WHERE id = ${i}`);
    },
  },
  // exact types: int8 keys past 2^53 (bigint parameters, BigInt arithmetic in the engine) and numeric(12,2) amounts as text
  {
    label: `INSERT bigint key + numeric, $n params (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query('INSERT INTO x (id, name, amount) VALUES ($1, $2, $3)', [bigKey(i), name(i), `${i}.25`]);
    },
  },
  {
    label: `SELECT by bigint key, $n params (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query('SELECT id, name, amount FROM x WHERE id = $1', [bigKey(i)]);
    },
  },
  {
    label: `UPDATE numeric by bigint key, $n params (${N / 1000}k)`,
    ops: N,
    async run(db) {
      for (let i = 1; i <= N; i++) await db.query('UPDATE x SET amount = amount + $1 WHERE id = $2', ['0.10', bigKey(i)]);
    },
  },
  // the session path: BEGIN … COMMIT sent as separate calls, BLOCK statements per block
  {
    label: `INSERT, BEGIN…COMMIT across calls, ${BLOCK} per block (${N / 1000}k)`,
    ops: N,
    async run(db) {
      await blocks(db, (i) => db.query('INSERT INTO s (id, name, n) VALUES ($1, $2, $3)', [i, name(i), i]));
    },
  },
  {
    label: `SELECT by primary key, BEGIN…COMMIT across calls, ${BLOCK} per block (${N / 1000}k)`,
    ops: N,
    async run(db) {
      await blocks(db, (i) => db.query('SELECT id, name, n FROM s WHERE id = $1', [i]));
    },
  },
  {
    label: `UPDATE by key, BEGIN…COMMIT across calls, ${BLOCK} per block (${N / 1000}k)`,
    ops: N,
    async run(db) {
      await blocks(db, (i) => db.query('UPDATE s SET n = $1 WHERE id = $2', [i + 1, i]));
    },
  },
  {
    label: `${BULK / 1000}k-row INSERT in one transaction (rows/s)`,
    ops: BULK,
    async run(db) {
      await db.transaction(async (tx) => {
        for (let i = 1; i <= BULK; i++) await tx.query('INSERT INTO b (id, name, n) VALUES ($1, $2, $3)', [i, name(i), i]);
      });
    },
  },
];

const SCHEMA = [
  ...['p', 'l', 's', 'b'].map((t) => `CREATE TABLE ${t} (id int PRIMARY KEY, name text, n int);`),
  'CREATE TABLE x (id bigint PRIMARY KEY, name text, amount numeric(12,2));',
].join('\n');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const gc = (globalThis as { gc?: () => void }).gc;

async function heap(): Promise<number> {
  if (!gc) return process.memoryUsage().heapUsed + process.memoryUsage().external;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Bytes of JS heap + external memory per row for MEM_ROWS rows of (serial, text(50), int): right
 * after the inserting transaction commits, and again after a CHECKPOINT.
 */
async function memoryPerRow(engine: Engine): Promise<[number, number]> {
  const db = await engine.open();
  await db.exec('CREATE TABLE m (id serial PRIMARY KEY, s text, n int)');
  const before = await heap();
  await db.transaction(async (tx) => {
    for (let i = 1; i <= MEM_ROWS; i++) await tx.query('INSERT INTO m (s, n) VALUES ($1, $2)', [name(i), i]);
  });
  const committed = await heap();
  await db.checkpoint();
  const checkpointed = await heap();
  await db.close();
  return [(committed - before) / MEM_ROWS, (checkpointed - before) / MEM_ROWS];
}

async function main(): Promise<void> {
  const times = new Map<string, number[][]>(engines.map((e) => [e.name, workloads.map(() => [])]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const engine of engines) {
      const db = await engine.open();
      await db.exec(SCHEMA);
      for (const [w, workload] of workloads.entries()) {
        const t0 = performance.now();
        await workload.run(db);
        times.get(engine.name)![w]!.push(performance.now() - t0);
      }
      await db.close();
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }

  const opsPerSec = (engine: string, w: number) => workloads[w]!.ops / (median(times.get(engine)![w]!) / 1000);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const names = engines.map((e) => e.name);
  const both = names.includes('walrtc') && names.includes('PGlite');
  const lines: string[] = [];
  lines.push(`| workload | ${names.map((n) => `${n} ops/s`).join(' | ')}${both ? ' | walrtc/PGlite' : ''} |`);
  lines.push(`|---|${names.map(() => '---:').join('|')}${both ? '|---:' : ''}|`);
  for (const [w, workload] of workloads.entries()) {
    const cells = names.map((n) => fmt(opsPerSec(n, w)));
    const ratio = both ? ` | ${(opsPerSec('walrtc', w) / opsPerSec('PGlite', w)).toFixed(2)}×` : '';
    lines.push(`| ${workload.label} | ${cells.join(' | ')}${ratio} |`);
  }

  if (!process.env.NO_MEM) {
    const mem = new Map<string, [number, number]>();
    for (const engine of engines) mem.set(engine.name, await memoryPerRow(engine));
    const rows = `${MEM_ROWS / 1000}k rows (serial, text(50), int)${gc ? '' : ' (no --expose-gc)'}`;
    for (const [k, when] of ['after COMMIT', 'after CHECKPOINT'].entries()) {
      const memCells = names.map((n) => `${fmt(mem.get(n)![k]!)} B`);
      const ratio = both ? ` | ${(mem.get('walrtc')![k]! / mem.get('PGlite')![k]!).toFixed(2)}×` : '';
      lines.push(`| memory per row, ${rows}, ${when} | ${memCells.join(' | ')}${ratio} |`);
    }
  }

  console.log(`\nEngine: medians of ${ROUNDS} rounds, ${N.toLocaleString('en-US')} ops per small workload; Node ${process.version}\n`);
  console.log(lines.join('\n'));
}

await main();
