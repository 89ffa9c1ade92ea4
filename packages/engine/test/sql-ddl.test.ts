/**
 * CREATE/ALTER/DROP TABLE and CREATE/DROP INDEX through the public Node API. Expected results,
 * names and messages were checked on PostgreSQL 15 (psql).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeEach(async () => { node = await freshNode(); });
afterEach(async () => { await node.close(); });

const EVERYTHING = `create table everything (
  id serial primary key, big bigserial, i integer, b bigint, s smallint, t text, vc varchar(20),
  ok boolean, r real, d double precision, n numeric, tz timestamptz default now(), ts timestamp,
  dt date, j json, jb jsonb, by bytea not null default '\\x00')`;

describe('CREATE TABLE', () => {
  it('accepts every listed type and reports them in information_schema.columns', async () => {
    const r = await node.query(EVERYTHING);
    expect(r).toMatchObject({ command: 'CREATE TABLE', rows: [], rowCount: 0 });
    const cols = await node.query(
      `select column_name, data_type, ordinal_position, is_nullable, character_maximum_length
       from information_schema.columns where table_name = 'everything' order by ordinal_position`,
    );
    expect(cols.rows.map((c) => [c.column_name, c.data_type, c.ordinal_position, c.is_nullable, c.character_maximum_length])).toEqual([
      ['id', 'integer', 1, 'NO', null],
      ['big', 'bigint', 2, 'NO', null],
      ['i', 'integer', 3, 'YES', null],
      ['b', 'bigint', 4, 'YES', null],
      ['s', 'smallint', 5, 'YES', null],
      ['t', 'text', 6, 'YES', null],
      ['vc', 'character varying', 7, 'YES', 20],
      ['ok', 'boolean', 8, 'YES', null],
      ['r', 'real', 9, 'YES', null],
      ['d', 'double precision', 10, 'YES', null],
      ['n', 'numeric', 11, 'YES', null],
      ['tz', 'timestamp with time zone', 12, 'YES', null],
      ['ts', 'timestamp without time zone', 13, 'YES', null],
      ['dt', 'date', 14, 'YES', null],
      ['j', 'json', 15, 'YES', null],
      ['jb', 'jsonb', 16, 'YES', null],
      ['by', 'bytea', 17, 'NO', null],
    ]);
  });

  it('stores and returns a value of every type with its field type', async () => {
    await node.query(EVERYTHING);
    const r = await node.query(
      `insert into everything (i, b, s, t, vc, ok, r, d, n, ts, dt, j, jb, by)
       values (1, 9007199254740991, -3, 'txt', 'vc', true, 1.5, 2.25, 12.50, '2024-01-02 03:04:05', '2024-01-02',
               '{"a":[1,2]}', '{"b":null}', '\\x0102ff')
       returning *`,
    );
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(1);
    const row = r.rows[0]!;
    expect(row).toMatchObject({
      id: 1, big: 1, i: 1, b: 9007199254740991, s: -3, t: 'txt', vc: 'vc', ok: true, r: 1.5, d: 2.25, n: '12.50',
      j: { a: [1, 2] }, jb: { b: null },
    });
    expect(Object.keys(row)).toEqual(['id', 'big', 'i', 'b', 's', 't', 'vc', 'ok', 'r', 'd', 'n', 'tz', 'ts', 'dt', 'j', 'jb', 'by']);
    expect(row.tz).toBeInstanceOf(Date);
    expect(Math.abs((row.tz as Date).getTime() - Date.now())).toBeLessThan(60_000);
    expect((row.ts as Date).toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect((row.dt as Date).toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect([...(row.by as Uint8Array)]).toEqual([1, 2, 255]);
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['id', 23], ['big', 20], ['i', 23], ['b', 20], ['s', 21], ['t', 25], ['vc', 1043], ['ok', 16], ['r', 700], ['d', 701],
      ['n', 1700], ['tz', 1184], ['ts', 1114], ['dt', 1082], ['j', 114], ['jb', 3802], ['by', 17],
    ]);
  });

  it('IF NOT EXISTS leaves an existing table alone; without it the error is 42P07', async () => {
    await node.query('create table t (a int)');
    await node.query("insert into t values (1)");
    expect((await node.query('create table if not exists t (x text, y text)')).command).toBe('CREATE TABLE');
    expect((await node.query('select * from t')).rows).toEqual([{ a: 1 }]);
    const e = await sqlError(node.query('create table t (x int)'));
    expect([e.code, e.message]).toEqual(['42P07', 'relation "t" already exists']);
  });

  it('serial and bigserial draw from their own sequences, and a DEFAULT keyword uses the default', async () => {
    await node.query('create table s (id serial primary key, n bigserial, v text default \'dflt\')');
    const r = await node.query("insert into s (v) values ('a'), (default), ('c') returning id, n, v");
    expect(r.rows).toEqual([{ id: 1, n: 1, v: 'a' }, { id: 2, n: 2, v: 'dflt' }, { id: 3, n: 3, v: 'c' }]);
    expect((await node.query("select nextval('s_id_seq') as x")).rows).toEqual([{ x: 4 }]);
    expect((await node.query('insert into s default values returning id, n, v')).rows).toEqual([{ id: 5, n: 4, v: 'dflt' }]);
  });

  it('DEFAULT literals, now() and expressions', async () => {
    await node.query(`create table d (id int, flag boolean default false, score numeric default 1.5, label text default 'x' || 'y',
      at timestamptz default now(), day date default '2020-02-29')`);
    const before = Date.now();
    const r = await node.query('insert into d (id) values (1) returning *');
    const row = r.rows[0]!;
    expect(row).toMatchObject({ id: 1, flag: false, score: '1.5', label: 'xy' });
    expect((row.at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((row.day as Date).toISOString().slice(0, 10)).toBe('2020-02-29');
  });

  it('a single-column PRIMARY KEY is unique and NOT NULL', async () => {
    await node.query('create table p (id int primary key, v text)');
    await node.query("insert into p values (1, 'a')");
    const dup = await sqlError(node.query("insert into p values (1, 'b')"));
    expect([dup.code, dup.message, dup.detail]).toEqual(['23505', 'duplicate key value violates unique constraint "p_pkey"', 'Key (id)=(1) already exists.']);
    const nul = await sqlError(node.query("insert into p values (null, 'b')"));
    expect([nul.code, nul.message, nul.detail]).toEqual(['23502', 'null value in column "id" of relation "p" violates not-null constraint', 'Failing row contains (null, b).']);
  });

  it('a composite PRIMARY KEY allows repeats in one column but not the pair', async () => {
    await node.query('create table c (a int, b text, v int, primary key (a, b))');
    await node.query("insert into c values (1, 'x', 1), (1, 'y', 2), (2, 'x', 3)");
    const e = await sqlError(node.query("insert into c values (1, 'x', 9)"));
    expect([e.code, e.message, e.detail]).toEqual(['23505', 'duplicate key value violates unique constraint "c_pkey"', 'Key (a, b)=(1, x) already exists.']);
    const n = await sqlError(node.query("insert into c values (1, null, 9)"));
    expect([n.code, n.message]).toEqual(['23502', 'null value in column "b" of relation "c" violates not-null constraint']);
    expect((await node.query('select count(*) as n from c')).rows).toEqual([{ n: 3 }]);
  });

  it('UNIQUE (column and table constraint) allows several NULLs', async () => {
    await node.query('create table u (a int unique, b int, c int, unique (b, c))');
    await node.query('insert into u values (null, 1, null), (null, 1, null), (1, 1, 1)');
    const e = await sqlError(node.query('insert into u values (1, 2, 2)'));
    expect([e.code, e.message, e.detail]).toEqual(['23505', 'duplicate key value violates unique constraint "u_a_key"', 'Key (a)=(1) already exists.']);
    const e2 = await sqlError(node.query('insert into u values (2, 1, 1)'));
    expect([e2.message, e2.detail]).toEqual(['duplicate key value violates unique constraint "u_b_c_key"', 'Key (b, c)=(1, 1) already exists.']);
  });

  it('CHECK constraints, column and table level, with PostgreSQL names; NULL passes a CHECK', async () => {
    await node.query('create table k (lo int check (lo >= 0), hi int, constraint hi_over_lo check (hi > lo), check (hi < 100))');
    await node.query('insert into k values (1, 2), (null, null)');
    const e1 = await sqlError(node.query('insert into k values (-1, 5)'));
    expect([e1.code, e1.message, e1.detail]).toEqual(['23514', 'new row for relation "k" violates check constraint "k_lo_check"', 'Failing row contains (-1, 5).']);
    const e2 = await sqlError(node.query('insert into k values (5, 1)'));
    expect(e2.message).toBe('new row for relation "k" violates check constraint "hi_over_lo"');
    const e3 = await sqlError(node.query('insert into k values (5, 200)'));
    expect(e3.message).toBe('new row for relation "k" violates check constraint "k_hi_check"');
    const e4 = await sqlError(node.query('update k set lo = -5 where lo = 1'));
    expect(e4.code).toBe('23514');
  });
});

describe('ALTER TABLE', () => {
  beforeEach(async () => {
    await node.exec("create table a (id int primary key, v text); insert into a values (1, 'x'), (2, 'y')");
  });

  it('ADD COLUMN fills existing rows with NULL or the DEFAULT', async () => {
    expect((await node.query('alter table a add column n int')).command).toBe('ALTER TABLE');
    await node.query('alter table a add column d int default 7');
    await node.query("insert into a (id, v) values (3, 'z')");
    expect((await node.query('select * from a order by id')).rows).toEqual([
      { id: 1, v: 'x', n: null, d: 7 }, { id: 2, v: 'y', n: null, d: 7 }, { id: 3, v: 'z', n: null, d: 7 },
    ]);
    const e = await sqlError(node.query('alter table a add column v int'));
    expect([e.code, e.message]).toEqual(['42701', 'column "v" of relation "a" already exists']);
  });

  it('ADD COLUMN NOT NULL without a default fails on a non-empty table', async () => {
    const e = await sqlError(node.query('alter table a add column m int not null'));
    expect([e.code, e.message]).toEqual(['23502', 'column "m" of relation "a" contains null values']);
    await node.query('alter table a add column m int not null default 0');
    expect((await node.query('select m from a')).rows).toEqual([{ m: 0 }, { m: 0 }]);
  });

  it('DROP COLUMN removes the column from rows, *, and the catalog', async () => {
    await node.query('alter table a drop column v');
    expect((await node.query('select * from a order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    const e = await sqlError(node.query('select v from a'));
    expect(e.code).toBe('42703');
    const e2 = await sqlError(node.query('alter table a drop column v'));
    expect([e2.code, e2.message]).toEqual(['42703', 'column "v" of relation "a" does not exist']);
    await node.query("insert into a values (3)");
    expect((await node.query('select count(*) as n from a')).rows).toEqual([{ n: 3 }]);
  });

  it('RENAME COLUMN keeps the data under the new name', async () => {
    await node.query('alter table a rename column v to label');
    expect((await node.query('select id, label from a order by id')).rows).toEqual([{ id: 1, label: 'x' }, { id: 2, label: 'y' }]);
    expect((await sqlError(node.query('select v from a'))).message).toBe('column "v" does not exist');
    const e = await sqlError(node.query('alter table a rename column nope to x'));
    expect([e.code, e.message]).toEqual(['42703', 'column "nope" does not exist']);
  });

  it('RENAME TO moves the table, its rows and its primary key', async () => {
    await node.query('alter table a rename to b');
    expect((await node.query('select v from b where id = 2')).rows).toEqual([{ v: 'y' }]);
    const e = await sqlError(node.query('select * from a'));
    expect([e.code, e.message]).toEqual(['42P01', 'relation "a" does not exist']);
    expect((await sqlError(node.query("insert into b values (1, 'dup')"))).code).toBe('23505');
    const tables = await node.query("select table_name from information_schema.tables where table_schema = 'public'");
    expect(tables.rows).toEqual([{ table_name: 'b' }]);
  });
});

describe('DROP TABLE, CREATE/DROP INDEX', () => {
  it('DROP TABLE [IF EXISTS]', async () => {
    await node.query('create table gone (id serial primary key)');
    expect((await node.query('drop table gone')).command).toBe('DROP TABLE');
    const e = await sqlError(node.query('select * from gone'));
    expect(e.code).toBe('42P01');
    const e2 = await sqlError(node.query('drop table gone'));
    expect([e2.code, e2.message]).toEqual(['42P01', 'table "gone" does not exist']);
    expect((await node.query('drop table if exists gone')).command).toBe('DROP TABLE');
    // the name, and the serial's sequence name, are free again
    await node.query('create table gone (id serial primary key)');
    expect((await node.query('insert into gone default values returning id')).rows).toEqual([{ id: 1 }]);
  });

  it('CREATE INDEX speeds nothing visible but keeps answers; CREATE UNIQUE INDEX enforces uniqueness', async () => {
    await node.exec("create table i (id int, email text); insert into i values (1, 'a'), (2, 'b'), (3, 'b')");
    expect((await node.query('create index i_email on i (email)')).command).toBe('CREATE INDEX');
    expect((await node.query("select id from i where email = 'b' order by id")).rows).toEqual([{ id: 2 }, { id: 3 }]);
    await node.query("update i set email = 'c' where id = 3");
    expect((await node.query("select id from i where email = 'b'")).rows).toEqual([{ id: 2 }]);
    expect((await node.query("select id from i where email = 'c'")).rows).toEqual([{ id: 3 }]);
    await node.query('create unique index i_id on i (id)');
    const e = await sqlError(node.query("insert into i values (2, 'z')"));
    expect([e.code, e.message, e.detail]).toEqual(['23505', 'duplicate key value violates unique constraint "i_id"', 'Key (id)=(2) already exists.']);
    await node.query("insert into i values (4, 'b')");
    const e2 = await sqlError(node.query('create unique index i_email_u on i (email)'));
    expect([e2.code, e2.message, e2.detail]).toEqual(['23505', 'could not create unique index "i_email_u"', 'Key (email)=(b) is duplicated.']);
    await node.query('delete from i where id = 4');
    await node.query('create unique index i_email_u on i (email)');
    expect((await sqlError(node.query("insert into i values (9, 'a')"))).message).toBe('duplicate key value violates unique constraint "i_email_u"');
  });

  it('DROP INDEX [IF EXISTS] removes the uniqueness it enforced', async () => {
    await node.exec("create table i (id int); create unique index i_id on i (id); insert into i values (1)");
    expect((await node.query('drop index i_id')).command).toBe('DROP INDEX');
    await node.query('insert into i values (1)');
    expect((await node.query('select count(*) as n from i where id = 1')).rows).toEqual([{ n: 2 }]);
    const e = await sqlError(node.query('drop index i_id'));
    expect([e.code, e.message]).toEqual(['42704', 'index "i_id" does not exist']);
    expect((await node.query('drop index if exists i_id')).command).toBe('DROP INDEX');
  });
});

describe('information_schema', () => {
  it('tables lists the public tables by name', async () => {
    await node.exec('create table zeta (a int); create table alpha (b text not null)');
    const r = await node.query("select table_schema, table_name from information_schema.tables where table_schema = 'public' order by table_name");
    expect(r.rows).toEqual([{ table_schema: 'public', table_name: 'alpha' }, { table_schema: 'public', table_name: 'zeta' }]);
    const c = await node.query("select table_name, column_name, data_type, is_nullable from information_schema.columns where table_name = 'alpha'");
    expect(c.rows).toEqual([{ table_name: 'alpha', column_name: 'b', data_type: 'text', is_nullable: 'NO' }]);
  });
});
