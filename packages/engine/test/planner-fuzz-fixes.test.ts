/**
 * The wrong answers the planner fuzzer (planner-fuzz.test.ts) found, minimised, each with
 * PostgreSQL's answer (checked on PGlite and PostgreSQL 15).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeEach(async () => { node = await freshNode(); });
afterEach(async () => { await node.close(); });

const text = async (sql: string, params: unknown[] = []) =>
  (await node.query<string[]>(sql, params, { rowMode: 'array', parsers: { 16: (v: string) => v, 701: (v: string) => v, 23: (v: string) => v, 20: (v: string) => v } })).rows;

describe('float8 NaN in an index', () => {
  it('a unique index holds NaN once beside other values (NaN equals only NaN)', async () => {
    await node.exec(`create table t (id int primary key, f float8); create unique index on t (f);
      insert into t values (1, 2), (2, 'NaN'), (3, 'Infinity'), (4, '-Infinity')`);
    expect(await text('select id, f from t order by f')).toEqual([['4', '-Infinity'], ['1', '2'], ['3', 'Infinity'], ['2', 'NaN']]);
    expect((await sqlError(node.query("insert into t values (5, 'NaN')"))).code).toBe('23505');
  });

  it('an index range and walk place NaN above every number, below NULL', async () => {
    await node.exec(`create table t (id int primary key, f float8); create index on t (f);
      insert into t values (4, 1), (1, 'NaN'), (3, 'Infinity'), (6, 0), (2, 'NaN'), (5, null)`);
    expect(await text('select id from t where f >= 1 order by f, id')).toEqual([['4'], ['3'], ['1'], ['2']]);
    expect(await text("select id from t where f = 'NaN' order by id")).toEqual([['1'], ['2']]);
    expect(await text('select f from t order by f desc nulls last limit 2')).toEqual([['NaN'], ['NaN']]);
    expect(await text('select max(f), min(f) from t')).toEqual([['NaN', '0']]);
  });

  it('rows whose indexed float is NaN can be updated and deleted (sorted-btree found NaN !== NaN)', async () => {
    await node.exec(`create table t (id int primary key, f float8); create index on t (f);
      insert into t values (1, 'NaN'), (2, 2), (3, 'NaN')`);
    expect((await node.query("update t set f = null where f >= '-0'")).affectedRows).toBe(3);
    await node.exec("insert into t values (4, 'NaN')");
    expect((await node.query('delete from t where id = 4')).affectedRows).toBe(1);
    expect(await text('select id from t where f is null order by id')).toEqual([['1'], ['2'], ['3']]);
  });
});

describe('grouping and DISTINCT keys of non-finite floats', () => {
  it('GROUP BY two keys keeps Infinity, -Infinity, NaN and NULL apart', async () => {
    await node.exec(`create table t (f float8, o bool);
      insert into t values ('Infinity', true), (null, true), ('-Infinity', true), ('NaN', true), ('NaN', true)`);
    expect(await text('select f, o, count(*)::int from t group by f, o order by f')).toEqual([
      ['-Infinity', 't', '1'], ['Infinity', 't', '1'], ['NaN', 't', '2'], [null, 't', '1'],
    ] as never);
  });

  it('DISTINCT over two columns and a hash join on two keys tell Infinity from NULL', async () => {
    await node.exec(`create table a (f float8, i int); create table b (f float8, i int);
      insert into a values ('-Infinity', 1), (null, 1), ('NaN', 1); insert into b values ('Infinity', 1), ('NaN', 1)`);
    expect(await text('select distinct f, i from a order by f')).toEqual([['-Infinity', '1'], ['NaN', '1'], [null, '1']] as never);
    expect(await text('select a.f from a join b on a.f = b.f and a.i = b.i')).toEqual([['NaN']]);
  });
});

describe('a partial index on a table whose WHERE holds a sub-select', () => {
  it('EXISTS, NOT EXISTS and IN (select …) plan (they failed with 42P01 naming the sub-select\'s table)', async () => {
    await node.exec(`create table t0 (id int, n numeric); create table t1 (id int primary key, i int, n numeric, s text);
      create index on t1 (s) where i is not null; insert into t1 values (1, 1, 1, 'a'), (2, null, 2, 'b'); insert into t0 values (7, 2)`);
    expect(await text('select a.id from t1 a where not exists (select 1 from t0 b where b.n = a.n)')).toEqual([['1']]);
    expect(await text('select a.id from t1 a where a.n in (select b.n from t0 b)')).toEqual([['2']]);
    expect(await text("select id from t1 where i is not null and s = (select 'a')")).toEqual([['1']]);
  });
});

describe('a JS number bound to an integer parameter is read as its text, as PGlite sends it', () => {
  it('2.5 for an int4 or int8 parameter fails with 22P02 instead of being rounded', async () => {
    await node.exec('create table t (id int primary key, b int8); insert into t values (1, 1), (2, 2), (3, 3)');
    const e = await sqlError(node.query('select id from t where id <= $1', [2.5]));
    expect([e.code, e.message]).toEqual(['22P02', 'invalid input syntax for type integer: "2.5"']);
    expect((await sqlError(node.query('select id from t where b = $1', [1.5]))).message).toBe('invalid input syntax for type bigint: "1.5"');
    expect((await sqlError(node.query('select $1::int', [2.5]))).code).toBe('22P02');
    const range = await sqlError(node.query('select id from t where id = $1', [3000000000]));
    expect([range.code, range.message]).toEqual(['22003', 'value "3000000000" is out of range for type integer']);
    expect(await text('select id from t where id <= $1 order by id', [2])).toEqual([['1'], ['2']]);
  });
});

describe('parameters are converted before any row, as PostgreSQL converts them at bind time', () => {
  it('a bad value fails even where no row reaches its comparison', async () => {
    await node.exec('create table t (id int primary key, s text); insert into t values (1, \'a\')');
    expect((await sqlError(node.query('select id from t where id is null and (id / 2) >= $1', [3000000000]))).code).toBe('22003');
    expect((await sqlError(node.query('select id from t where false and id >= $1', ['x']))).code).toBe('22P02');
    expect((await sqlError(node.query('select case when id > 5 then $1 + 1 else 0 end from t', [3000000000]))).code).toBe('22003');
    expect(await text('select id from t where s = $1 and false', [5])).toEqual([]);
    expect(await text('select id from t where id <= $1', [2])).toEqual([['1']]);
  });
});
