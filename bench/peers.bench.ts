// Peers benchmark: walrtc (in-memory node, bundled as it ships) against the engines a user would
// pick instead — PGlite, sql.js and @sqlite.org/sqlite-wasm, all in memory — in one process, engines
// alternated (the order rotates every round), medians of ROUNDS rounds (default 5) on fresh databases.
// Run: node --expose-gc --import tsx bench/peers.bench.ts
// ROUNDS=n changes the rounds, ONLY=walrtc,sql.js picks engines, NO_MEM=1 skips the memory-per-row
// measurement (which runs each engine in a child process of its own, so WASM heaps start empty),
// WORKLOADS=regex runs only the workloads whose label matches (e.g. WORKLOADS='by key' for the
// point rows; a point SELECT or UPDATE needs the INSERT row before it). WALRTC_AT=<commit> runs that
// commit's engine as walrtc (bench/bundle.ts baseEngine): two trees compared under the same load.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { baseEngine, bundledEngine } from './bundle.ts';
import { median } from './stats.ts';

type Row = Record<string, unknown>;
type Params = unknown[];

/** The one shape every engine is driven through: a query, a batch of statements, a bulk load. */
interface Db {
  query(sql: string, params?: Params): Promise<Row[]>;
  exec(sql: string): Promise<void>;
  /** Insert `rows` into `table` in one transaction, each engine's ordinary way (parameters). */
  load(table: string, columns: string[], rows: Params[]): Promise<void>;
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

interface Engine {
  name: string;
  open(): Promise<Db>;
}

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const POINT = 10_000;
const BULK = 100_000;
const MID = 100_000;
const BIG = 1_000_000;
const CUSTOMERS = 100;
/** A read workload repeats its query until this much time has passed (and at least MIN_QUERIES times). */
const READ_MS = 400;
const MIN_QUERIES = 3;

async function walrtcEngine(): Promise<Engine> {
  // bundled as it ships (bench/bundle.ts)
  const at = process.env.WALRTC_AT;
  const { openNode } = await (at ? baseEngine(at) : bundledEngine());
  return {
    name: 'walrtc',
    open: async () => {
      const node = await openNode({ cluster: 'peers', nodeId: 'peers', storage: 'memory', log: () => {} });
      return {
        query: async (sql, params) => (await node.query(sql, params as never)).rows as Row[],
        exec: async (sql) => { await node.exec(sql); },
        load: async (table, columns, rows) => {
          const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
          await node.transaction(async (tx) => { for (const r of rows) await tx.query(sql, r as never); });
        },
        checkpoint: () => node.checkpoint(),
        close: () => node.close(),
      };
    },
  };
}

function pgliteEngine(): Engine {
  return {
    name: 'PGlite',
    open: async () => {
      const pg = await PGlite.create();
      return {
        query: async (sql, params) => (await pg.query<Row>(sql, params)).rows,
        exec: async (sql) => { await pg.exec(sql); },
        load: async (table, columns, rows) => {
          // 1,000 rows per statement: one parameterised INSERT per row would take minutes at 1M rows
          await pg.transaction(async (tx) => {
            for (let i = 0; i < rows.length; i += 1000) {
              const chunk = rows.slice(i, i + 1000);
              const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
              await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, chunk.flat());
            }
          });
        },
        checkpoint: async () => { await pg.exec('CHECKPOINT'); },
        close: () => pg.close(),
      };
    },
  };
}

/** The synchronous prepare/bind/step surface both SQLite builds offer, wrapped into a Db. */
interface SqliteStatement {
  run(params: Params): Row[];
  free(): void;
}

function sqliteDb(prepare: (sql: string) => SqliteStatement, execRaw: (sql: string) => void, close: () => void): Db {
  // statements prepared once per SQL text, as an application using SQLite would keep them
  const cache = new Map<string, SqliteStatement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = prepare(toSqlite(sql))));
    return s;
  };
  return {
    query: async (sql, params) => stmt(sql).run(params ?? []),
    exec: async (sql) => execRaw(sql),
    load: async (table, columns, rows) => {
      const s = stmt(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`);
      execRaw('BEGIN');
      for (const r of rows) s.run(r);
      execRaw('COMMIT');
    },
    checkpoint: async () => {},
    close: async () => {
      for (const s of cache.values()) s.free();
      close();
    },
  };
}

/** `$1` → `?1`: SQLite reads `$1` as a named parameter. */
const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, '?$1');

async function sqljsEngine(): Promise<Engine> {
  const require = createRequire(import.meta.url);
  const initSqlJs = require('sql.js') as (o: object) => Promise<{ Database: new () => SqlJsDatabase }>;
  const SQL = await initSqlJs({});
  interface SqlJsStatement { bind(p: Params): void; step(): boolean; getAsObject(): Row; reset(): void; free(): void }
  interface SqlJsDatabase { prepare(sql: string): SqlJsStatement; exec(sql: string): void; close(): void }
  return {
    name: 'sql.js',
    open: async () => {
      const db = new SQL.Database();
      return sqliteDb((sql) => {
        const s = db.prepare(sql);
        return {
          run: (params) => {
            const rows: Row[] = [];
            s.bind(params);
            while (s.step()) rows.push(s.getAsObject());
            s.reset();
            return rows;
          },
          free: () => s.free(),
        };
      }, (sql) => db.exec(sql), () => db.close());
    },
  };
}

async function sqliteWasmEngine(): Promise<Engine> {
  // 3.41's build targets browsers: it reads self.location at load; given those (and the wasm bytes,
  // so it does not fetch) it runs in Node with the in-memory VFS
  const g = globalThis as { self?: unknown; location?: unknown };
  g.self ??= globalThis;
  g.location ??= new URL('http://localhost/');
  const dir = fileURLToPath(new URL('../node_modules/@sqlite.org/sqlite-wasm/sqlite-wasm/jswasm/', import.meta.url));
  const init = (await import(pathToFileURL(join(dir, 'sqlite3.mjs')).href)).default as (o: object) => Promise<SqliteWasm>;
  interface OoStatement { bind(p: Params): OoStatement; step(): boolean; get(o: object): Row; reset(): void; finalize(): void }
  interface OoDb { prepare(sql: string): OoStatement; exec(sql: string): void; close(): void }
  interface SqliteWasm { oo1: { DB: new (name: string) => OoDb } }
  const sqlite3 = await init({ wasmBinary: readFileSync(join(dir, 'sqlite3.wasm')), print: () => {}, printErr: () => {} });
  return {
    name: 'sqlite-wasm',
    open: async () => {
      const db = new sqlite3.oo1.DB(':memory:');
      return sqliteDb((sql) => {
        const s = db.prepare(sql);
        return {
          run: (params) => {
            const rows: Row[] = [];
            if (params.length) s.bind(params);
            while (s.step()) rows.push(s.get({}));
            s.reset();
            return rows;
          },
          free: () => s.finalize(),
        };
      }, (sql) => db.exec(sql), () => db.close());
    },
  };
}

const text = (i: number) => `name-${String(i).padStart(8, '0')}`;
/** A deterministic scatter of 0 … m-1, so `n` is unrelated to the key order. */
const scatter = (i: number, m: number) => (i * 7919 + 13) % m;

interface Workload {
  label: string;
  /** 'ops' reports operations per second, 'ms' the median time of one query. */
  unit: 'ops/s' | 'q/s' | 'ms';
  /** Runs once and returns how many operations it did. */
  run(db: Db): Promise<number>;
}

/** Repeat `q` for READ_MS (at least MIN_QUERIES times) and return how many ran. */
async function repeat(q: (k: number) => Promise<unknown>): Promise<number> {
  await q(0); // warm-up: plan caches, JIT
  const t0 = performance.now();
  let k = 0;
  while (k < MIN_QUERIES || performance.now() - t0 < READ_MS) await q(++k);
  return k;
}

const workloads: Workload[] = [
  {
    label: `INSERT by key, autocommit, $n (${POINT / 1000}k)`,
    unit: 'ops/s',
    async run(db) {
      for (let i = 1; i <= POINT; i++) await db.query('INSERT INTO p (id, name, n) VALUES ($1, $2, $3)', [i, text(i), i]);
      return POINT;
    },
  },
  {
    label: `SELECT by key, $n (${POINT / 1000}k)`,
    unit: 'ops/s',
    async run(db) {
      for (let i = 1; i <= POINT; i++) await db.query('SELECT id, name, n FROM p WHERE id = $1', [i]);
      return POINT;
    },
  },
  {
    label: `UPDATE by key, autocommit, $n (${POINT / 1000}k)`,
    unit: 'ops/s',
    async run(db) {
      for (let i = 1; i <= POINT; i++) await db.query('UPDATE p SET n = $1 WHERE id = $2', [i + 1, i]);
      return POINT;
    },
  },
  {
    label: `bulk INSERT, ${BULK / 1000}k rows in one transaction (rows)`,
    unit: 'ops/s',
    async run(db) {
      const rows: Params[] = [];
      for (let i = 1; i <= BULK; i++) rows.push([i, scatter(i, MID), text(i)]);
      await db.load('t', ['id', 'n', 's'], rows);
      return BULK;
    },
  },
  {
    label: `\`where id > $1 order by id limit 10\` (${MID / 1000}k)`,
    unit: 'q/s',
    run: (db) => repeat((k) => db.query('SELECT id, n, s FROM t WHERE id > $1 ORDER BY id LIMIT 10', [scatter(k, MID)])),
  },
  {
    label: `\`order by n desc limit 10\`, no index (${MID / 1000}k)`,
    unit: 'q/s',
    run: (db) => repeat(() => db.query('SELECT id, n, s FROM t ORDER BY n DESC LIMIT 10')),
  },
  {
    label: `join ${MID / 1000}k orders × ${CUSTOMERS} customers + group by`,
    unit: 'q/s',
    run: (db) => repeat(() => db.query('SELECT c.name, count(*) AS orders, sum(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.name')),
  },
  {
    label: `count(*) over ${BIG / 1e6}M rows (ms)`,
    unit: 'ms',
    run: (db) => repeat(() => db.query('SELECT count(*) AS c FROM big')),
  },
  {
    label: `non-indexed \`where n = $1\` over ${BIG / 1e6}M rows (ms)`,
    unit: 'ms',
    run: (db) => repeat((k) => db.query('SELECT id, n, s FROM big WHERE n = $1', [scatter(k, BIG)])),
  },
];

const SCHEMA = `
  CREATE TABLE p (id int PRIMARY KEY, name text, n int);
  CREATE TABLE t (id int PRIMARY KEY, n int, s text);
  CREATE TABLE customers (id int PRIMARY KEY, name text);
  CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount int);
  CREATE TABLE big (id int PRIMARY KEY, n int, s text);`;

/** Data the read workloads need beyond what earlier workloads wrote (not timed). */
async function loadFixtures(db: Db): Promise<void> {
  const customers: Params[] = [];
  for (let i = 1; i <= CUSTOMERS; i++) customers.push([i, `customer ${i}`]);
  await db.load('customers', ['id', 'name'], customers);
  const orders: Params[] = [];
  for (let i = 1; i <= MID; i++) orders.push([i, 1 + scatter(i, CUSTOMERS), scatter(i, 1000)]);
  await db.load('orders', ['id', 'customer_id', 'amount'], orders);
  const big: Params[] = [];
  for (let i = 1; i <= BIG; i++) big.push([i, scatter(i, BIG), text(i)]);
  await db.load('big', ['id', 'n', 's'], big);
}

/** The workloads that need the fixtures run after them; the write workloads before (their own data). */
const FIXTURES_BEFORE = workloads.findIndex((w) => w.label.startsWith('join'));
const picked = process.env.WORKLOADS ? new RegExp(process.env.WORKLOADS) : undefined;
const selected = (w: Workload) => !picked || picked.test(w.label);
const needsFixtures = workloads.some((w, i) => i >= FIXTURES_BEFORE && selected(w));

async function engineList(): Promise<Engine[]> {
  const only = process.env.ONLY?.split(',');
  const all: Array<[string, () => Promise<Engine> | Engine]> = [
    ['walrtc', walrtcEngine], ['PGlite', pgliteEngine], ['sql.js', sqljsEngine], ['sqlite-wasm', sqliteWasmEngine],
  ];
  const picked = all.filter(([n]) => !only || only.includes(n));
  return Promise.all(picked.map(([, make]) => make()));
}

/** A ratio with two significant digits below 1 (0.0031×), two decimals above. */
const times = (r: number) => `${r >= 1 ? r.toFixed(2) : r.toPrecision(2)}×`;

const gc = (globalThis as { gc?: () => void }).gc;

/** Collect what is garbage now (needs --expose-gc). */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
}

async function heap(): Promise<{ heap: number; external: number }> {
  await collect();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external };
}

/** Bytes per row in all, and the JS heap's and external memory's parts (WASM heaps, walrtc's memory storage). */
interface PerRow {
  perRow: number;
  heap: number;
  external: number;
}

/** Child-process mode: bytes of JS heap + external memory (WASM heaps are external) per row at BIG rows. */
async function memoryChild(engineName: string): Promise<void> {
  const [engine] = (await engineList()).filter((e) => e.name === engineName);
  const db = await engine!.open();
  await db.exec('CREATE TABLE big (id int PRIMARY KEY, n int, s text)');
  // read before the input rows exist and after they are dropped: only what the engine keeps counts
  const before = await heap();
  const rows: Params[] = [];
  for (let i = 1; i <= BIG; i++) rows.push([i, scatter(i, BIG), text(i)]);
  await db.load('big', ['id', 'n', 's'], rows);
  await db.checkpoint();
  rows.length = 0;
  const after = await heap();
  const heapPart = (after.heap - before.heap) / BIG;
  const external = (after.external - before.external) / BIG;
  process.stdout.write(JSON.stringify({ perRow: heapPart + external, heap: heapPart, external } satisfies PerRow) + '\n');
  await db.close();
}

async function memoryPerRow(name: string): Promise<PerRow | undefined> {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self], { env: { ...process.env, PEERS_MEMORY: name }, encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PerRow;
  } catch {
    process.stderr.write(`memory measurement for ${name} failed: ${r.stderr}\n`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const engines = await engineList();
  // per engine, per workload: the rate (ops/s, q/s) or the time per query (ms) of each round
  const results = new Map<string, number[][]>(engines.map((e) => [e.name, workloads.map(() => [])]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = engines.map((_, i) => engines[(i + round) % engines.length]!);
    for (const engine of order) {
      const db = await engine.open();
      await db.exec(SCHEMA);
      for (const [w, workload] of workloads.entries()) {
        if (w === FIXTURES_BEFORE && needsFixtures) await loadFixtures(db);
        if (!selected(workload)) continue;
        // every engine starts each workload on a collected heap: otherwise whoever runs next pays
        // for the garbage the previous engine and the fixtures' input rows left (hundreds of MB)
        await collect();
        const t0 = performance.now();
        const ops = await workload.run(db);
        const ms = performance.now() - t0;
        results.get(engine.name)![w]!.push(workload.unit === 'ms' ? ms / ops : ops / (ms / 1000));
      }
      await db.close();
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${engine.name} done\n`);
    }
  }

  const names = engines.map((e) => e.name);
  const ref = names.includes('sqlite-wasm') && names.includes('walrtc');
  // two decimals below 10, so a slow row does not print as 0
  const num = (x: number) => (x < 0.1 ? x.toPrecision(2) : x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString('en-US'));
  const fmt = (x: number, unit: Workload['unit']) => (unit === 'ms' ? `${num(x)} ms` : num(x));
  const lines = [
    `| workload | ${names.join(' | ')}${ref ? ' | walrtc vs sqlite-wasm' : ''} |`,
    `|---|${names.map(() => '---:').join('|')}${ref ? '|---:' : ''}|`,
  ];
  for (const [w, workload] of workloads.entries()) {
    if (!selected(workload)) continue;
    const med = (n: string) => median(results.get(n)![w]!);
    const unit = workload.unit === 'ms' ? '' : ` ${workload.unit}`;
    const cells = names.map((n) => fmt(med(n), workload.unit) + unit);
    // higher is better for rates, lower for times: the ratio is always "how many times as fast"
    const ratio = ref ? ` | ${times(workload.unit === 'ms' ? med('sqlite-wasm') / med('walrtc') : med('walrtc') / med('sqlite-wasm'))}` : '';
    lines.push(`| ${workload.label} | ${cells.join(' | ')}${ratio} |`);
  }
  if (!process.env.NO_MEM) {
    const mem = new Map<string, PerRow | undefined>();
    for (const n of names) mem.set(n, await memoryPerRow(n));
    // the total, then its parts: a walrtc memory node's external bytes are its storage's sealed checkpoint
    const cell = (n: string) => {
      const m = mem.get(n);
      return m === undefined ? 'failed' : `${Math.round(m.perRow)} B (${Math.round(m.heap)} + ${Math.round(m.external)})`;
    };
    const w = mem.get('walrtc')?.perRow, s = mem.get('sqlite-wasm')?.perRow;
    const ratio = ref ? ` | ${w && s ? `${times(w / s)} the bytes` : '–'}` : '';
    lines.push(`| memory per row at ${BIG / 1e6}M rows (heap + external${gc ? '' : ', no --expose-gc'}) | ${names.map(cell).join(' | ')}${ratio} |`);
  }
  console.log(`\nPeers: medians of ${ROUNDS} rounds; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(lines.join('\n'));
}

if (process.env.PEERS_MEMORY) await memoryChild(process.env.PEERS_MEMORY);
else await main();
