/**
 * The PostgreSQL → walrtc bridge against a real PostgreSQL (wal_level = logical) started for this
 * file: the initial copy and streamed inserts, updates, deletes and truncates reach walrtc
 * standbys; a bridge killed with SIGKILL mid-stream and restarted loses and doubles nothing; types
 * map exactly or are refused; a table without a primary key and a schema change stop it clearly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestCluster } from '../../../test/cluster.ts';
import { fileStorage, startBridge, type Bridge } from '../src/index.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

let pg: TestPostgres;
let dbs = 0;
const root = await mkdtemp(join(tmpdir(), 'walrtc-bridge-'));
beforeAll(async () => void (pg = await startPostgres()), 60_000);
afterAll(async () => {
  await pg?.stop();
  await rm(root, { recursive: true, force: true });
});

let cluster: TestCluster | undefined;
let bridges: Bridge[] = [];
afterEach(async () => {
  for (const b of bridges) await b.stop().catch(() => {});
  bridges = [];
  await cluster?.closeAll();
  cluster = undefined;
});

/** A fresh database on the server, with `setup` run in it; returns its URL and a query helper. */
async function database(setup: string): Promise<{ url: string; sql: (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> }> {
  const name = `db${++dbs}`;
  await pg.sql(`create database ${name}`);
  const url = pg.url.replace(/\/postgres$/, `/${name}`);
  const sql = async (text: string, params?: unknown[]) => {
    const c = new (await import('pg')).default.Client({ connectionString: url, options: '-c TimeZone=UTC' });
    await c.connect();
    try {
      return await c.query(text, params);
    } finally {
      await c.end();
    }
  };
  await sql(setup);
  return { url, sql };
}

async function start(url: string, node: Node, publication = 'pub', extra: Partial<Parameters<typeof startBridge>[0]> = {}): Promise<Bridge> {
  const b = await startBridge({ postgres: url, node, publication, statusIntervalMs: 100, ...extra });
  bridges.push(b);
  return b;
}

/** Both sides' rows as text, sorted by id. */
const pgRows = async (sql: (t: string) => Promise<{ rows: Record<string, unknown>[] }>, cols: string) => (await sql(`select ${cols} from t order by id`)).rows;
const walrtcRows = async (node: Node, cols: string) => (await node.query(`select ${cols} from t order by id`)).rows;

describe('PostgreSQL → walrtc bridge', () => {
  it('copies the published tables, then streams inserts, updates, deletes and truncates to the bridge node and its standbys', async () => {
    const { url, sql } = await database(`
      create table t(id int primary key, v text, n bigint);
      create table other(k text primary key, at timestamptz);
      insert into t select g, 'row ' || g, g * 1000000000000 from generate_series(1, 50) g;
      insert into other values ('a', '2024-01-02 03:04:05.678+00');
      create publication pub for table t, other;`);
    cluster = memoryCluster();
    const p = await cluster.open('bridge');
    const s1 = await cluster.open('s1', { role: 'standby' });
    const s2 = await cluster.open('s2', { role: 'standby', upstream: 's1' });
    await start(url, p.node);
    const cols = 'id::text, v, n::text';
    expect(await walrtcRows(p.node, cols)).toEqual(await pgRows(sql, cols));
    await sql(`insert into t values (51, 'new', 9223372036854775807)`);
    await sql(`update t set v = 'changed' where id <= 10`);
    await sql(`update t set id = 1000 where id = 20`); // a key change: the old key comes in the Delete/Update
    await sql(`delete from t where id between 30 and 39`);
    await sql(`begin; insert into t values (60, 'in a transaction', 1); delete from other; commit`);
    await until('the last transaction in walrtc', async () => (await p.node.query('select 1 from t where id = 60')).rows.length);
    for (const n of [p.node, s1.node, s2.node]) {
      if (n !== p.node) await caughtUp(p.node, n);
      expect(await walrtcRows(n, cols)).toEqual(await pgRows(sql, cols));
      expect((await n.query('select count(*)::int as n from other')).rows).toEqual([{ n: 0 }]);
    }
    expect((await s1.node.query('select n from t where id = 51')).rows).toEqual([{ n: 9223372036854775807n }]);
    await sql('truncate t');
    await until('the truncate on the cascaded standby', async () => (await s2.node.query('select count(*)::int as n from t')).rows[0]!.n === 0);
  });

  it('a bridge killed with SIGKILL mid-stream and restarted: nothing lost, nothing doubled (full contents compared)', async () => {
    const { url, sql } = await database(`
      create table t(id int primary key, v text, version int not null default 0);
      insert into t select g, 'seed ' || g from generate_series(1, 200) g;
      create publication pub for table t;`);
    const dir = join(root, 'crash');
    const children: ChildProcess[] = [];
    const run = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=walrtc-source', join(import.meta.dirname, 'fixtures', 'bridge-process.ts'), dir, url, 'pub'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const closed = new Promise((r) => child.once('close', r));
      const lines: string[] = [];
      let errors = '';
      child.stderr.on('data', (d: Buffer) => void (errors += d.toString()));
      child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
      const seen = (line: string) => until(`"${line}" from the bridge process${errors ? ` (stderr: ${errors})` : ''}`, () => lines.includes(line), 30_000);
      return { child, seen, closed };
    };
    try {
      const first = run();
      await first.seen('ready');
      // writes in flight while the process is killed: each a transaction of an insert, an update and a delete
      let done = 0;
      const written = (n: number) => until(`${n} transactions written`, () => done >= n);
      const writes = (from: number, to: number) => (async () => {
        for (let i = from; i < to; i++, done++) await sql(`begin; insert into t values (${1000 + i}, 'w${i}'); update t set version = version + 1, v = v || '+' where id = ${1 + (i % 200)}; delete from t where id = ${1000 + i - 5}; commit`);
      })();
      const during = writes(0, 120);
      await written(30);
      first.child.kill('SIGKILL');
      await during;
      await first.closed;
      await writes(120, 160);
      await sql(`insert into t values (-1, 'marker')`);
      const second = run();
      await second.seen('marker 1');
      second.child.kill('SIGTERM');
      await second.closed;
      const node = await openNode({ cluster: 'bridge-crash', nodeId: 'bridge', storage: await fileStorage(dir), log: () => {} });
      const cols = 'id::text, v, version::text';
      const here = await walrtcRows(node, cols);
      const there = await pgRows(sql, cols);
      expect(here.length).toBe(there.length);
      expect(here).toEqual(there);
      await node.close();
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  }, 90_000);

  it('maps int8, numeric, timestamptz, jsonb, uuid, bytea, arrays and the other types exactly, in the copy and in the stream', async () => {
    const { url, sql } = await database(`
      create table t(id bigint primary key, i2 smallint, i4 int, i8 bigint, num numeric, num2 numeric(20,5), f4 real, f8 double precision,
        b boolean, tx text, vc varchar(10), d date, ts timestamp(3), tz timestamptz(3), j json, jb jsonb, u uuid, by bytea,
        ai int[], at text[], an numeric(10,2)[], a8 bigint[], au uuid[], ad date[], ab boolean[]);
      create publication pub for table t;`);
    const row = (id: string) => `(${id}, -32768, 2147483647, -9223372036854775808, 123456789012345678901234567890.123456789, 1234.5, 3.25, 1.7976931348623157e308,
        true, 'text ''quoted''', 'varchar', '2024-02-29', '2024-02-29 23:59:59.999', '2024-02-29 23:59:59.999+05', '{"j": [1, "x"]}', '{"b": {"c": [true, null, 1.5]}}',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10',
        '{1,NULL,-2147483648}', '{"a b","x,y",NULL,"NULL",""}', '{1.50,2}', '{9223372036854775807}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{2024-02-29}', '{t,f,NULL}')`;
    await sql(`insert into t values ${row('9223372036854775807')}, (1, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)`);
    cluster = memoryCluster();
    const p = await cluster.open('bridge');
    const s = await cluster.open('s', { role: 'standby' });
    await start(url, p.node);
    await sql(`insert into t values ${row('2')}`);
    await until('the streamed row', async () => (await s.node.query('select 1 from t where id = 2')).rows.length);
    const text = 'id::text, i2::text, i4::text, i8::text, num::text, num2::text, f4::text, f8::text, b::text, tx, vc, d::text, ts::text, tz::text, u::text, by::text, ai::text, at::text, an::text, a8::text, au::text, ad::text, ab::text';
    expect(await walrtcRows(s.node, text)).toEqual(await pgRows(sql, text));
    const json = (await s.node.query<{ j: unknown; jb: unknown }>('select j, jb from t order by id')).rows;
    expect(json).toEqual((await pgRows(sql, 'j, jb')).map((r) => ({ j: r.j, jb: r.jb })));
    const values = (await s.node.query('select id, i8, num, tz from t where id = 9223372036854775807')).rows[0]!;
    expect(values).toEqual({ id: 9223372036854775807n, i8: -9223372036854775808n, num: '123456789012345678901234567890.123456789', tz: new Date('2024-02-29T18:59:59.999Z') });
  });

  it('refuses what walrtc cannot hold exactly (an array of jsonb, a table without a primary key) and never drops a walrtc table it did not make', async () => {
    cluster = memoryCluster();
    const p = await cluster.open('bridge');
    const arrays = await database(`create table t(id int primary key, docs jsonb[]); create publication pub for table t;`);
    await expect(start(arrays.url, p.node)).rejects.toMatchObject({ code: '0A000', message: 'column "docs" of table "t" has an array type (_jsonb) whose elements the bridge does not map exactly' });
    const nokey = await database(`create table t(id int, v text); create publication pub for table t;`);
    await expect(start(nokey.url, p.node)).rejects.toMatchObject({
      code: '55000',
      message: 'table "public.t" has no primary key: the walrtc bridge needs one to apply its updates and deletes',
    });
    await p.node.exec('create table mine(id int primary key, v text)');
    await p.node.query(`insert into mine values (1, 'walrtc data')`);
    const clash = await database(`create table mine(id int primary key); create publication pub for table mine;`);
    await expect(start(clash.url, p.node)).rejects.toMatchObject({ code: '42P07', message: 'relation "mine" already exists' });
    expect((await p.node.query('select v from mine')).rows).toEqual([{ v: 'walrtc data' }]);
    expect((await clash.sql('select count(*)::int as n from pg_replication_slots where database = current_database()')).rows).toEqual([{ n: 0 }]);
  });

  it('keeps the microseconds of timestamps, times, timetz and arrays of them, in the copy and in the stream', async () => {
    const { url, sql } = await database(`create table t(id int primary key, at timestamptz, ts timestamp(4), ats timestamptz[], tm time(5), tms time[], tz timetz); create publication pub for table t;`);
    await sql(`insert into t values (1, '2024-01-01 00:00:00.123456+00', '1999-12-31 23:59:59.99995', '{"2024-01-01 00:00:00.000001+00",NULL}', '23:59:59.999996', '{00:00:00.000001}', '12:00:00.000001-05:30')`);
    cluster = memoryCluster();
    const p = await cluster.open('bridge');
    await start(url, p.node);
    await sql(`insert into t values (2, '1960-01-01 00:00:00.000001+00', '2024-01-01 00:00:00.00005', '{}', '12:00:00.00001', null, null)`);
    await until('the streamed row', async () => (await p.node.query('select 1 from t where id = 2')).rows.length);
    const text = 'id, at::text, ts::text, ats::text, tm::text, tms::text, tz::text';
    expect(await walrtcRows(p.node, text)).toEqual(await pgRows(sql, text));
  });

  it('a schema change on the PostgreSQL side stops the bridge with a clear error, acknowledging nothing after it, and again on restart', async () => {
    const { url, sql } = await database(`create table t(id int primary key, v text); create publication pub for table t;`);
    cluster = memoryCluster();
    const p = await cluster.open('bridge');
    const logs: string[] = [];
    const b = await start(url, p.node, 'pub', { log: (_l, m) => void logs.push(m) });
    await sql(`insert into t values (1, 'before')`);
    await until('the first row', async () => (await p.node.query('select 1 from t')).rows.length);
    await sql(`alter table t add column extra int`);
    await sql(`insert into t values (2, 'after', 7)`);
    await expect(b.done).rejects.toMatchObject({ code: '55000', message: 'logical replication target relation "public.t" changed on the PostgreSQL side: its columns were (id 23(-1) key, v 25(-1)) and are now (id 23(-1) key, v 25(-1), extra 23(-1))' });
    expect(logs.some((l) => l.startsWith('ERROR:  logical replication target relation "public.t" changed'))).toBe(true);
    expect((await p.node.query('select id from t')).rows).toEqual([{ id: 1 }]);
    await expect(start(url, p.node)).rejects.toMatchObject({ code: '55000' });
  });

  it('a bridge stopped and started again resumes from the LSN stored in walrtc and applies nothing twice', async () => {
    const { url, sql } = await database(`create table t(id int primary key, n int not null); insert into t values (1, 0); create publication pub for table t;`);
    cluster = memoryCluster();
    const p = await cluster.open('bridge');
    let b = await start(url, p.node);
    for (let i = 0; i < 20; i++) await sql(`update t set n = n + 1`);
    await until('20 updates', async () => (await p.node.query<{ n: number }>('select n from t')).rows[0]!.n === 20);
    await b.stop();
    for (let i = 0; i < 5; i++) await sql(`update t set n = n + 1; insert into t values (${100 + i}, 0)`);
    b = await start(url, p.node);
    await until('25 updates', async () => (await p.node.query<{ n: number }>('select n from t where id = 1')).rows[0]!.n === 25);
    expect(await walrtcRows(p.node, 'id, n')).toEqual((await pgRows(sql, 'id, n')));
    expect(b.status().state).toBe('streaming');
  });
});
