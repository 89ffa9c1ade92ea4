/**
 * Every SQLSTATE the engine promises, with PostgreSQL's message text (checked on PostgreSQL 15
 * with psql), and 0A000 for SQL the engine does not support, naming the feature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { SqlError } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeAll(async () => {
  node = await freshNode();
  await node.exec(`create table t (id serial primary key, name text not null, score integer default 10, email varchar(20) unique);
    insert into t (name, email) values ('a', 'a@x');
    create table kv (k text primary key, v int not null check (v >= 0), hits int default 0)`);
});
afterAll(async () => { await node.close(); });

async function expectError(sql: string, code: string, message: string, extra: { detail?: string; hint?: string; position?: number } = {}) {
  const e = await sqlError(node.query(sql));
  expect(e).toBeInstanceOf(SqlError);
  expect({ code: e.code, message: e.message }).toEqual({ code, message });
  for (const [k, v] of Object.entries(extra)) expect(e[k as keyof typeof extra]).toBe(v);
  return e;
}

describe('SQLSTATEs and messages', () => {
  it('42601 syntax error, with the position of the offending token', async () => {
    await expectError('selec 1', '42601', 'syntax error at or near "selec"', { position: 1 });
    await expectError('select * from t where', '42601', 'syntax error at end of input', { position: 22 });
    await expectError("insert into t (name, email, score) values ('x')", '42601', 'INSERT has more target columns than expressions');
    await expectError("insert into t values (1, 'a', 1, 'b', 5)", '42601', 'INSERT has more expressions than target columns', { position: 39 });
  });

  it('42P01 undefined table', async () => {
    await expectError('select * from nope', '42P01', 'relation "nope" does not exist', { position: 15 });
    await expectError('insert into nope values (1)', '42P01', 'relation "nope" does not exist');
    await expectError('drop table nope', '42P01', 'table "nope" does not exist');
    await expectError('alter table nope rename to x', '42P01', 'relation "nope" does not exist');
    await expectError('select x.id from t', '42P01', 'missing FROM-clause entry for table "x"', { position: 8 });
    await expectError('select * from t x where t.id = 1', '42P01', 'invalid reference to FROM-clause entry for table "t"', {
      hint: 'Perhaps you meant to reference the table alias "x".',
    });
  });

  it('42703 undefined column', async () => {
    await expectError('select nope from t', '42703', 'column "nope" does not exist', { position: 8 });
    await expectError('select t.nope from t', '42703', 'column t.nope does not exist', { position: 8 });
    await expectError('update t set nope = 1', '42703', 'column "nope" of relation "t" does not exist');
    await expectError("insert into t (nope) values (1)", '42703', 'column "nope" of relation "t" does not exist');
    await expectError('alter table t drop column nope', '42703', 'column "nope" of relation "t" does not exist');
    await expectError('alter table t rename column nope to x', '42703', 'column "nope" does not exist');
  });

  it('42P07 duplicate table', async () => {
    await expectError('create table t (x int)', '42P07', 'relation "t" already exists');
    await expectError('create index t_pkey on t (name)', '42P07', 'relation "t_pkey" already exists');
    await expectError('alter table kv rename to t', '42P07', 'relation "t" already exists');
  });

  it('23505 unique violation', async () => {
    await expectError("insert into t (name, email) values ('d', 'a@x')", '23505', 'duplicate key value violates unique constraint "t_email_key"', {
      detail: 'Key (email)=(a@x) already exists.',
    });
    await expectError("insert into t (id, name) values (1, 'd')", '23505', 'duplicate key value violates unique constraint "t_pkey"', {
      detail: 'Key (id)=(1) already exists.',
    });
  });

  it('23502 not-null violation', async () => {
    const e = await expectError('insert into t (name) values (null)', '23502', 'null value in column "name" of relation "t" violates not-null constraint');
    expect(e.detail).toMatch(/^Failing row contains \(\d+, null, 10, null\)\.$/);
    await expectError("update t set name = null where email = 'a@x'", '23502', 'null value in column "name" of relation "t" violates not-null constraint', {
      detail: 'Failing row contains (1, null, 10, a@x).',
    });
  });

  it('23514 check violation', async () => {
    await expectError("insert into kv values ('z', -1)", '23514', 'new row for relation "kv" violates check constraint "kv_v_check"', {
      detail: 'Failing row contains (z, -1, 0).',
    });
  });

  it('22P02 invalid input, from literals, casts and parameters', async () => {
    await expectError("insert into t (name, score) values ('q', 'maybe')", '22P02', 'invalid input syntax for type integer: "maybe"');
    await expectError("select * from t where id = 'x'", '22P02', 'invalid input syntax for type integer: "x"');
    await expectError("select 'abc'::integer", '22P02', 'invalid input syntax for type integer: "abc"');
    await expectError("select 'maybe'::boolean", '22P02', 'invalid input syntax for type boolean: "maybe"');
    const e = await sqlError(node.query('select * from t where score = $1', ['ten']));
    expect([e.code, e.message]).toEqual(['22P02', 'invalid input syntax for type integer: "ten"']);
  });

  it('25P02 in a failed transaction, until ROLLBACK', async () => {
    const results: string[] = [];
    await node.transaction(async (tx) => {
      await tx.query('select nope from t').catch((e: SqlError) => results.push(e.code));
      await tx.query('select 1').catch((e: SqlError) => results.push(`${e.code} ${e.message}`));
      await tx.query('insert into kv values ($1, 1)', ['q']).catch((e: SqlError) => results.push(e.code));
      await tx.query('rollback');
      results.push(JSON.stringify((await tx.query('select count(*) as n from kv')).rows));
    });
    expect(results).toEqual(['42703', '25P02 current transaction is aborted, commands ignored until end of transaction block', '25P02', '[{"n":0}]']);
  });

  it('a failed statement does not poison the node for later autocommit statements', async () => {
    await sqlError(node.query('select nope from t'));
    expect((await node.query('select count(*) as n from t')).rows).toEqual([{ n: 1 }]);
  });

  it('ORDER BY under DISTINCT, and negative LIMIT/OFFSET', async () => {
    await expectError('select distinct name from t order by score', '42P10', 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: 38 });
    expect((await node.query('select distinct upper(name) as u from t order by upper(name)')).rows).toEqual([{ u: 'A' }]);
    await expectError('select 1 from t limit -1', '2201W', 'LIMIT must not be negative');
    await expectError('select 1 from t offset -1', '2201X', 'OFFSET must not be negative');
  });

  it('query() takes exactly one statement', async () => {
    await expectError('select 1; select 2', '42601', 'cannot insert multiple commands into a prepared statement');
  });
});

describe('0A000 feature_not_supported names the feature', () => {
  const cases: [string, RegExp][] = [
    ['select * from t a left join kv b on true for update of a', /FOR UPDATE OF/],
    ['select * from t a, kv b left join lateral (select a.id) x on true', /LATERAL sub-select inside a JOIN that refers to FROM items before the JOIN/],
    ['with recursive x(n) as (select 1 union all select n + 1 from x where n < 3) search depth first by n set o select * from x', /SEARCH and CYCLE/],
    ['create materialized view mv as select 1', /materialized views/],
    ['create temporary sequence ts', /temporary sequences/],
    ['declare c binary cursor with hold for select 1', /binary cursors/],
    ['select sum(id) over (order by now() range between 1 preceding and current row) from t', /column type timestamp with time zone and offset type integer/],
    ["prepare transaction 'x'", /PREPARE TRANSACTION/],
    ['alter table t add constraint c exclude using gist (id with =)', /EXCLUSION/],
    ['create table f (id int unique deferrable initially deferred)', /DEFERRABLE INITIALLY DEFERRED/],
    ['drop sequence s cascade', /CASCADE/],
    ['select xmin from t', /system column xmin/],
  ];
  for (const [sql, what] of cases) {
    it(sql, async () => {
      const e = await sqlError(node.query(sql));
      expect(e.code).toBe('0A000');
      expect(e.message).toMatch(what);
      expect(e.message).toMatch(/not supported/);
    });
  }

  it('leaves the data untouched', async () => {
    expect((await node.query('select count(*) as n from t')).rows).toEqual([{ n: 1 }]);
  });
});
