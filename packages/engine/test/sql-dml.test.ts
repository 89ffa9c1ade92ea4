/**
 * INSERT (multi-row, SELECT, ON CONFLICT, RETURNING), UPDATE and DELETE through the public Node
 * API, and primary-key/index lookups that must give the same answers as a scan. Expected results
 * and messages were checked on PostgreSQL 15 (psql).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeEach(async () => {
  node = await freshNode();
  await node.exec(`create table kv (k text primary key, v int not null check (v >= 0), hits int default 0);
    insert into kv values ('a', 1), ('b', 2)`);
});
afterEach(async () => { await node.close(); });

const all = async (sql = 'select * from kv order by k') => (await node.query(sql)).rows;

describe('INSERT', () => {
  it('assigns values with the cast from their own type: float rounds half to even, numeric half away from zero, a jsonb string stays a string', async () => {
    await node.exec('create table cast_t (n int, j jsonb)');
    await node.exec(`insert into cast_t(n) values (2.5::float8), (3.5::float8), (2.5)`);
    await node.query('insert into cast_t(j) values ($1)', ['{"a": 1}']);
    await node.exec(`insert into cast_t(j) values ('"a"'::jsonb)`);
    expect((await node.query('select n, j from cast_t')).rows).toEqual([
      { n: 2, j: null }, { n: 4, j: null }, { n: 3, j: null }, { n: null, j: { a: 1 } }, { n: null, j: 'a' },
    ]);
    await node.exec(`update cast_t set n = 0.5::float8, j = '"b"'::jsonb where n = 2`);
    expect((await node.query('select n, j from cast_t where j is not null and n is not null')).rows).toEqual([{ n: 0, j: 'b' }]);
  });

  it('multi-row VALUES reports the count, fills omitted columns with defaults, and RETURNING echoes rows', async () => {
    const r = await node.query("insert into kv values ('c', 3), ('d', 4, 9) returning k, v, hits, v * 2 as twice");
    expect(r.command).toBe('INSERT');
    expect(r.rowCount).toBe(2);
    expect(r.rows).toEqual([{ k: 'c', v: 3, hits: 0, twice: 6 }, { k: 'd', v: 4, hits: 9, twice: 8 }]);
    expect(r.fields.map((f) => f.name)).toEqual(['k', 'v', 'hits', 'twice']);
    const plain = await node.query("insert into kv (v, k) values (5, 'e')");
    expect(plain).toMatchObject({ command: 'INSERT', rowCount: 1, rows: [], fields: [] });
  });

  it('takes $n parameters', async () => {
    await node.query('insert into kv (k, v) values ($1, $2), ($3, $4)', ['p', 10, 'q', '11']);
    expect(await all("select k, v from kv where v >= 10 order by k")).toEqual([{ k: 'p', v: 10 }, { k: 'q', v: 11 }]);
  });

  it('INSERT … SELECT copies computed rows, including from the same table', async () => {
    const r = await node.query("insert into kv (k, v) select k || '2', v * 10 from kv where v > 0");
    expect(r.rowCount).toBe(2);
    expect(await all()).toEqual([
      { k: 'a', v: 1, hits: 0 }, { k: 'a2', v: 10, hits: 0 }, { k: 'b', v: 2, hits: 0 }, { k: 'b2', v: 20, hits: 0 },
    ]);
  });

  it('a failing row rolls back the whole statement', async () => {
    const e = await sqlError(node.query("insert into kv values ('c', 3), ('a', 4)"));
    expect(e.code).toBe('23505');
    expect(await all('select k from kv order by k')).toEqual([{ k: 'a' }, { k: 'b' }]);
  });

  it('ON CONFLICT DO NOTHING skips conflicting rows, with or without a target', async () => {
    expect((await node.query("insert into kv values ('a', 5) on conflict do nothing")).rowCount).toBe(0);
    const r = await node.query("insert into kv values ('a', 5), ('c', 3) on conflict (k) do nothing returning k");
    expect([r.rowCount, r.rows]).toEqual([1, [{ k: 'c' }]]);
    expect(await all('select k, v from kv order by k')).toEqual([{ k: 'a', v: 1 }, { k: 'b', v: 2 }, { k: 'c', v: 3 }]);
  });

  it('ON CONFLICT DO UPDATE SET … excluded.x updates the existing row (upsert)', async () => {
    const r = await node.query(
      "insert into kv values ('a', 7), ('z', 1) on conflict (k) do update set v = excluded.v + kv.v, hits = kv.hits + 1 returning *",
    );
    expect(r.rowCount).toBe(2);
    expect(r.rows).toEqual([{ k: 'a', v: 8, hits: 1 }, { k: 'z', v: 1, hits: 0 }]);
    const w = await node.query("insert into kv values ('b', 9) on conflict (k) do update set v = excluded.v where kv.v > 100 returning *");
    expect([w.rowCount, w.rows]).toEqual([0, []]);
    expect(await all("select v from kv where k = 'b'")).toEqual([{ v: 2 }]);
  });

  it('ON CONFLICT errors: no matching constraint, the same row twice', async () => {
    const e = await sqlError(node.query("insert into kv values ('a', 1) on conflict (v) do nothing"));
    expect([e.code, e.message]).toEqual(['42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification']);
    const twice = await sqlError(node.query("insert into kv values ('x', 1), ('x', 2) on conflict (k) do update set v = excluded.v"));
    expect([twice.code, twice.message]).toEqual(['21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time']);
    expect(twice.hint).toBe('Ensure that no rows proposed for insertion within the same command have duplicate constrained values.');
    expect(await all('select count(*) as n from kv')).toEqual([{ n: 2 }]);
  });

  it('ON CONFLICT on a composite key', async () => {
    await node.query('create table c (a int, b text, n int, primary key (a, b))');
    await node.query("insert into c values (1, 'x', 1)");
    await node.query("insert into c values (1, 'x', 5), (1, 'y', 5) on conflict (b, a) do update set n = c.n + excluded.n");
    expect(await all('select * from c order by b')).toEqual([{ a: 1, b: 'x', n: 6 }, { a: 1, b: 'y', n: 5 }]);
  });
});

describe('UPDATE and DELETE', () => {
  it('UPDATE … WHERE … RETURNING sees the new values; rowCount counts matched rows', async () => {
    const r = await node.query("update kv set v = v * 10, hits = hits + 1 where k in ('a', 'b') returning k, v, hits");
    expect(r).toMatchObject({ command: 'UPDATE', rowCount: 2 });
    expect(r.rows).toEqual([{ k: 'a', v: 10, hits: 1 }, { k: 'b', v: 20, hits: 1 }]);
    const none = await node.query("update kv set v = 0 where k = 'nope'");
    expect([none.command, none.rowCount, none.rows]).toEqual(['UPDATE', 0, []]);
    const allRows = await node.query('update kv set hits = 0');
    expect(allRows.rowCount).toBe(2);
  });

  it('UPDATE can change the primary key, and lookups follow it', async () => {
    await node.query("update kv set k = 'aa' where k = 'a'");
    expect(await all("select v from kv where k = 'aa'")).toEqual([{ v: 1 }]);
    expect(await all("select v from kv where k = 'a'")).toEqual([]);
    const e = await sqlError(node.query("update kv set k = 'b' where k = 'aa'"));
    expect([e.code, e.detail]).toEqual(['23505', 'Key (k)=(b) already exists.']);
  });

  it('UPDATE checks NOT NULL and CHECK, and a failure changes nothing', async () => {
    const e = await sqlError(node.query('update kv set v = null'));
    expect([e.code, e.message, e.detail]).toEqual(['23502', 'null value in column "v" of relation "kv" violates not-null constraint', 'Failing row contains (a, null, 0).']);
    const c = await sqlError(node.query('update kv set v = v - 2'));
    expect([c.code, c.message]).toEqual(['23514', 'new row for relation "kv" violates check constraint "kv_v_check"']);
    expect(await all('select k, v from kv order by k')).toEqual([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
  });

  it('UPDATE with parameters', async () => {
    const r = await node.query('update kv set v = $1 where k = $2 returning v', [42, 'b']);
    expect(r.rows).toEqual([{ v: 42 }]);
  });

  it('DELETE … WHERE … RETURNING', async () => {
    await node.query("insert into kv values ('c', 30)");
    const r = await node.query('delete from kv where v > 1 returning k, v');
    expect(r).toMatchObject({ command: 'DELETE', rowCount: 2 });
    expect(r.rows).toEqual([{ k: 'b', v: 2 }, { k: 'c', v: 30 }]);
    expect(await all('select k from kv')).toEqual([{ k: 'a' }]);
    expect((await node.query("delete from kv where k = 'zz'")).rowCount).toBe(0);
    expect((await node.query('delete from kv')).rowCount).toBe(1);
    // a deleted key may be inserted again
    await node.query("insert into kv values ('a', 5)");
    expect(await all('select k, v from kv')).toEqual([{ k: 'a', v: 5 }]);
  });
});

describe('lookups by key give the same answers as a scan', () => {
  beforeEach(async () => {
    await node.exec(`create table big (id int primary key, grp int, name text, day date, flag boolean);
      create index big_grp on big (grp); create unique index big_day on big (day); create index big_flag on big (flag)`);
    await node.transaction(async (tx) => {
      for (let i = 1; i <= 500; i++) {
        const day = new Date(Date.UTC(2020, 0, i)).toISOString().slice(0, 10);
        await tx.query('insert into big values ($1, $2, $3, $4, $5)', [i, i % 7, `n${i}`, day, i % 2 === 0]);
      }
    });
  });

  it('primary key equality with literals, text parameters and expressions on the other side', async () => {
    expect(await all('select name from big where id = 250')).toEqual([{ name: 'n250' }]);
    expect((await node.query('select name from big where id = $1', [17])).rows).toEqual([{ name: 'n17' }]);
    expect((await node.query('select name from big where id = $1', ['17'])).rows).toEqual([{ name: 'n17' }]);
    expect((await node.query('select name from big where $1 = id', ['18'])).rows).toEqual([{ name: 'n18' }]);
    expect(await all("select name from big where id = '19'")).toEqual([{ name: 'n19' }]);
    expect(await all('select name from big where id = 20.0')).toEqual([{ name: 'n20' }]);
    expect(await all('select name from big where id = 20.5')).toEqual([]);
    expect(await all('select name from big where id = 501')).toEqual([]);
    expect(await all('select name from big where id = null')).toEqual([]);
    expect((await node.query('select name from big where id = $1', [null])).rows).toEqual([]);
    expect(await all("select name from big where id = 21 and name = 'other'")).toEqual([]);
  });

  it('a text parameter that is not a number is 22P02, not an empty result', async () => {
    const e = await sqlError(node.query('select name from big where id = $1', ['x']));
    expect([e.code, e.message]).toEqual(['22P02', 'invalid input syntax for type integer: "x"']);
  });

  it('secondary, date and boolean indexes', async () => {
    expect(await all('select count(*) as n from big where grp = 3')).toEqual([{ n: 72 }]);
    expect(await all("select id from big where day = '2020-01-05'")).toEqual([{ id: 5 }]);
    expect((await node.query('select id from big where day = $1', ['2020-01-06'])).rows).toEqual([{ id: 6 }]);
    expect(await all("select count(*) as n from big where flag = 'true'")).toEqual([{ n: 250 }]);
    expect(await all('select count(*) as n from big where flag = false and grp = 0')).toEqual([{ n: 36 }]);
  });

  it('UPDATE and DELETE by key touch exactly the keyed row', async () => {
    expect((await node.query("update big set name = 'changed' where id = $1", ['7'])).rowCount).toBe(1);
    expect(await all("select id from big where name = 'changed'")).toEqual([{ id: 7 }]);
    expect((await node.query('delete from big where id = 8 returning name')).rows).toEqual([{ name: 'n8' }]);
    expect(await all('select count(*) as n from big')).toEqual([{ n: 499 }]);
  });

  it('composite keys need both columns; NULL never matches', async () => {
    await node.exec(`create table pair (a int, b text, v int, primary key (a, b));
      insert into pair values (1, 'x', 1), (1, 'y', 2), (2, 'x', 3);
      create table nk (a int unique, b int); insert into nk values (null, 1), (null, 2), (1, 3)`);
    expect(await all("select v from pair where a = 1 and b = 'y'")).toEqual([{ v: 2 }]);
    expect((await node.query('select v from pair where b = $1 and a = $2', ['x', '2'])).rows).toEqual([{ v: 3 }]);
    expect(await all('select v from pair where a = 1 order by v')).toEqual([{ v: 1 }, { v: 2 }]);
    expect(await all('select v from pair where a = 1 and b = null')).toEqual([]);
    expect(await all('select b from nk where a = null')).toEqual([]);
    expect(await all('select b from nk where a is null order by b')).toEqual([{ b: 1 }, { b: 2 }]);
    expect(await all('select b from nk where a = 1')).toEqual([{ b: 3 }]);
  });

  it('a key pinned in a correlated sub-select reads the inner table, not the outer one', async () => {
    await node.exec("create table o (id int primary key, note text); insert into o values (1, 'one'), (2, 'two')");
    // b.id is the inner table's key; o.id = 2 pins nothing on big
    const r = await node.query('select note, (select count(*) from big b where o.id = 2 and b.grp = 1) as n from o order by id');
    expect(r.rows).toEqual([{ note: 'one', n: 0 }, { note: 'two', n: 72 }]);
  });
});
