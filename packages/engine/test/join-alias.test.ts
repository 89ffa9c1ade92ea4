/**
 * Names a JOIN's alias hides or adds, and columns an UPDATE assigns twice: statements of
 * PostgreSQL's regression files (join, update) that walrtc ran where PostgreSQL refuses them.
 * Every expected result and error was produced by PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeAll(async () => {
  node = await freshNode();
  await node.exec(`create table j1 (i int, j int, t text); create table j2 (i int, k int);
    insert into j1 values (1, 4, 'one'), (2, 3, 'two'); insert into j2 values (1, -1), (2, 2), (3, -3)`);
});
afterAll(async () => {
  await node.close();
});

const rows = async (sql: string) => (await node.query<unknown[]>(sql, [], { rowMode: 'array' })).rows;
const names = async (sql: string) => (await node.query(sql)).fields.map((f) => f.name);

describe('an aliased JOIN', () => {
  it('hides the names of the tables inside it (42P01 with PostgreSQL hint)', async () => {
    const e = await sqlError(node.query(`SELECT * FROM (j1 JOIN j2 USING (i)) AS x WHERE j1.t = 'one'`));
    expect([e.code, e.message, e.hint]).toEqual(['42P01', 'invalid reference to FROM-clause entry for table "j1"', 'There is an entry for table "j1", but it cannot be referenced from this part of the query.']);
    expect((await sqlError(node.query(`SELECT j2.k FROM (j1 JOIN j2 ON j1.i = j2.i) AS x`))).code).toBe('42P01');
  });

  it('names the join\'s columns by its alias, renamed by a column list', async () => {
    expect(await names(`SELECT * FROM (j1 JOIN j2 USING (i)) AS x WHERE x.t = 'one'`)).toEqual(['i', 'j', 't', 'k']);
    expect(await rows(`SELECT * FROM (j1 JOIN j2 USING (i)) AS x WHERE x.t = 'one'`)).toEqual([[1, 4, 'one', -1]]);
    expect(await rows(`SELECT x.c, x.e, d FROM (j1 JOIN j2 ON j1.i = j2.i) AS x (a, b, c, d, e) WHERE x.c = 'one'`)).toEqual([['one', -1, 1]]);
    expect(await rows(`SELECT x.* FROM (j1 LEFT JOIN j2 USING (i)) AS x ORDER BY x.i`)).toEqual([[1, 4, 'one', -1], [2, 3, 'two', 2]]);
  });
});

describe('JOIN … USING (…) AS alias', () => {
  it('names the merged columns, and only them', async () => {
    expect(await rows(`SELECT x.*, x.i FROM j1 a1 JOIN j2 a2 USING (i) AS x ORDER BY 1`)).toEqual([[1, 1], [2, 2]]);
    expect(await rows(`SELECT a1.t, x.i FROM j1 a1 JOIN j2 a2 USING (i) AS x WHERE x.i = 2`)).toEqual([['two', 2]]);
    expect((await sqlError(node.query(`SELECT * FROM j1 a1 JOIN j2 a2 USING (i) AS x WHERE x.j = 1`))).code).toBe('42703');
  });

  it('may not repeat a table name of the FROM clause (42712)', async () => {
    const e = await sqlError(node.query(`SELECT * FROM j1 a1 JOIN j2 a2 USING (i) AS a1`));
    expect([e.code, e.message]).toEqual(['42712', 'table name "a1" specified more than once']);
  });
});

describe('a column assigned twice', () => {
  it('is refused by UPDATE (42601), in a plain or a multi-column SET', async () => {
    await node.exec(`create table u (a int, b int, c text); insert into u values (10, 1, 'x')`);
    for (const sql of [`UPDATE u SET (c, b) = ('car', a + b), b = a + 1 WHERE a = 10`, `UPDATE u SET b = 1, b = 2`]) {
      const e = await sqlError(node.query(sql));
      expect([e.code, e.message]).toEqual(['42601', 'multiple assignments to same column "b"']);
    }
    expect(await rows(`SELECT * FROM u`)).toEqual([[10, 1, 'x']]);
  });

  it('is refused by ON CONFLICT DO UPDATE (42601)', async () => {
    await node.exec(`create table uk (a int primary key, b int); insert into uk values (1, 1)`);
    const e = await sqlError(node.query(`insert into uk values (1, 5) on conflict (a) do update set b = 2, b = 3`));
    expect([e.code, e.message]).toEqual(['42601', 'multiple assignments to same column "b"']);
  });

  it('is refused by an INSERT column list (42701)', async () => {
    const e = await sqlError(node.query(`insert into u (a, a) values (1, 2)`));
    expect([e.code, e.message]).toEqual(['42701', 'column "a" specified more than once']);
  });
});

describe('array elements assigned apart', () => {
  it('are refused (0A000) rather than keep only the last one (PostgreSQL applies both)', async () => {
    await node.exec(`create table arr (a int[]); insert into arr values ('{1,2,3}')`);
    expect((await sqlError(node.query(`UPDATE arr SET a[1] = 10, a[3] = 30`))).code).toBe('0A000');
    expect((await sqlError(node.query(`UPDATE arr SET a[1] = 10, a = '{}'`))).code).toBe('42601');
    await node.query(`UPDATE arr SET a[1] = 10`);
    expect(await rows(`SELECT a FROM arr`)).toEqual([[[10, 2, 3]]]);
  });
});
