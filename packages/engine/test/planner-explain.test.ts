/**
 * What the planner chooses, seen through EXPLAIN as a user would: index range scans for each
 * operator, ordered index walks for ORDER BY … LIMIT in both directions, a top-N sort when no index
 * fits, count(*)/min/max without reading rows, hash joins and index nested loops, and the EXPLAIN
 * ANALYZE row counts. Each query's rows are checked too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeAll(async () => {
  node = await freshNode();
  await node.exec(`create table t (id int primary key, n int, s text, a int, b int);
    create index t_n on t (n);
    create index t_s on t (s);
    create index t_ab on t (a, b);
    create table c (id int primary key, name text);
    create table o (id int primary key, cid int, amount int);
    create table oi (id int primary key, cid int);
    create index oi_cid on oi (cid)`);
  await node.transaction(async (tx) => {
    for (let i = 1; i <= 1000; i++) {
      await tx.query('insert into t values ($1, $2, $3, $4, $5)', [i, i % 10 === 0 ? null : i % 100, `k${String(i).padStart(4, '0')}`, i % 5, i % 7]);
      await tx.query('insert into o values ($1, $2, $3)', [i, 1 + (i % 20), i]);
      await tx.query('insert into oi values ($1, $2)', [i, 1 + (i % 20)]);
    }
    for (let i = 1; i <= 20; i++) await tx.query('insert into c values ($1, $2)', [i, `c${i}`]);
  });
});
afterAll(async () => { await node.close(); });

const plan = async (sql: string, params?: unknown[]) => (await node.query(`explain ${sql}`, params)).rows.map((r) => r['QUERY PLAN'] as string);
const ids = async (sql: string, params?: unknown[]) => (await node.query(sql, params)).rows.map((r) => r.id);

describe('EXPLAIN', () => {
  it('has one text column "QUERY PLAN" and the EXPLAIN command', async () => {
    const r = await node.query('explain select * from t');
    expect(r.command).toBe('EXPLAIN');
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['QUERY PLAN', 25]]);
    expect(r.rows).toEqual([{ 'QUERY PLAN': 'Seq Scan on t' }]);
  });

  it('ANALYZE runs the query and prints the rows each node produced', async () => {
    const lines = (await node.query('explain analyze select * from t where id > 990 order by id limit 3')).rows.map((r) => r['QUERY PLAN']);
    expect(lines.slice(0, 3)).toEqual([
      'Limit (actual rows=3 loops=1)',
      '  ->  Index Scan using t_pkey on t (actual rows=3 loops=1)',
      '        Index Cond: (id > 990)',
    ]);
    expect(lines[3]).toMatch(/^Execution Time: \d+\.\d{3} ms$/);
  });

  it('explains SELECT, INSERT, UPDATE and DELETE, and refuses other statements and formats (0A000)', async () => {
    expect((await sqlError(node.query('explain create table x as select 1'))).code).toBe('0A000');
    expect((await sqlError(node.query('explain (format json) select 1'))).code).toBe('0A000');
  });
});

describe('EXPLAIN of INSERT, UPDATE and DELETE', () => {
  it('UPDATE and DELETE over the scan that finds their rows, the rest of WHERE as its filter', async () => {
    expect(await plan('update t set n = 1 where id = 5')).toEqual(['Update on t', '  ->  Index Scan using t_pkey on t', '        Index Cond: (id = 5)']);
    expect(await plan('update t x set n = 1 where id = $1 and s = $2', [5, 'k'])).toEqual([
      'Update on t x', '  ->  Index Scan using t_pkey on t x', '        Index Cond: (id = $1)', '        Filter: (s = $2)',
    ]);
    expect(await plan('delete from t where b > 3')).toEqual(['Delete on t', '  ->  Seq Scan on t', '        Filter: (b > 3)']);
    expect(await plan('delete from o')).toEqual(['Delete on o', '  ->  Seq Scan on o']);
    expect(await plan('delete from t where n between 3 and 4')).toEqual(['Delete on t', '  ->  Index Scan using t_n on t', '        Index Cond: ((n >= 3) AND (n <= 4))']);
  });

  it('INSERT over Result, a Values Scan or the SELECT it copies; nothing is written', async () => {
    expect(await plan('insert into c values (100, $1)', ['x'])).toEqual(['Insert on c', '  ->  Result']);
    expect(await plan(`insert into c values (100, 'a'), (101, 'b')`)).toEqual(['Insert on c', '  ->  Values Scan on "*VALUES*"']);
    expect(await plan('insert into c select id + 1000, s from t where id < 5')).toEqual([
      'Insert on c', '  ->  Index Scan using t_pkey on t', '        Index Cond: (id < 5)',
    ]);
    expect(Number((await node.query('select count(*) as n from c')).rows[0]!.n)).toBe(20);
  });

  it('INSERT … ON CONFLICT with PostgreSQL\'s Conflict Resolution, Arbiter Indexes and Filter lines', async () => {
    expect(await plan('insert into c values (1, $1) on conflict do nothing', ['x'])).toEqual(['Insert on c', '  Conflict Resolution: NOTHING', '  ->  Result']);
    expect(await plan('insert into c values (1, $1) on conflict (id) do update set name = excluded.name where c.name <> $1', ['x'])).toEqual([
      'Insert on c', '  Conflict Resolution: UPDATE', '  Conflict Arbiter Indexes: c_pkey', '  Conflict Filter: (c.name <> $1)', '  ->  Result',
    ]);
    expect((await sqlError(node.query('explain insert into c values (1, $1) on conflict (name) do nothing', ['x']))).code).toBe('42P10');
  });

  it('reports the errors running the statement would, and refuses what it does not model (0A000)', async () => {
    expect((await sqlError(node.query('explain update t set nope = 1'))).code).toBe('42703');
    expect((await sqlError(node.query('explain delete from missing'))).code).toBe('42P01');
    expect((await sqlError(node.query('explain analyze delete from t'))).code).toBe('0A000');
    expect((await sqlError(node.query('explain update t set n = 1 from c where c.id = t.id'))).code).toBe('0A000');
  });
});

describe('index range scans', () => {
  const cases: Array<[string, string, number[] | number]> = [
    ['id = 5', 'Index Cond: (id = 5)', [5]],
    ['id < 3', 'Index Cond: (id < 3)', [1, 2]],
    ['id <= 3', 'Index Cond: (id <= 3)', [1, 2, 3]],
    ['id > 998', 'Index Cond: (id > 998)', [999, 1000]],
    ['id >= 999', 'Index Cond: (id >= 999)', [999, 1000]],
    ['3 > id', 'Index Cond: (3 > id)', [1, 2]],
    ['id between 10 and 12', 'Index Cond: ((id >= 10) AND (id <= 12))', [10, 11, 12]],
    ['id in (7, 3, 7)', 'Index Cond: (id = ANY (\'{7,3,7}\'))', [3, 7]],
    ["s like 'k099%'", "Index Cond: (s ~~ 'k099%'::text)", [990, 991, 992, 993, 994, 995, 996, 997, 998, 999]],
    ['n is null and id < 25', 'Index Cond: (n IS NULL)', [10, 20]],
    ['a = 2 and b = 3', 'Index Cond: ((a = 2) AND (b = 3))', 29],
    ['a = 2 and b > 5', 'Index Cond: ((a = 2) AND (b > 5))', 28],
  ];
  for (const [where, cond, expected] of cases) {
    it(`where ${where}`, async () => {
      const lines = await plan(`select id from t where ${where}`);
      expect(lines[0]).toMatch(/^Index Scan using \w+ on t$/);
      expect(lines).toContain(`  ${cond}`);
      // LIKE is rechecked on each row (the index gives only the prefix range), as in PostgreSQL
      if (!cond.includes('~~') && !where.includes('is null')) expect(lines.some((l) => l.startsWith('  Filter'))).toBe(false);
      const got = (await ids(`select id from t where ${where}`)).sort((x, y) => Number(x) - Number(y));
      if (Array.isArray(expected)) expect(got).toEqual(expected);
      else expect(got.length).toBe(expected);
    });
  }

  it('IS NULL uses an index when it is the only condition', async () => {
    expect(await plan('select id from t where n is null')).toEqual(['Index Scan using t_n on t', '  Index Cond: (n IS NULL)']);
    expect((await ids('select id from t where n is null')).length).toBe(100);
  });

  it('a parameter of a range is read as the column type', async () => {
    expect(await ids('select id from t where id > $1 order by id limit 2', ['997'])).toEqual([998, 999]);
    expect(await ids('select id from t where id > $1 order by id limit 2', [997])).toEqual([998, 999]);
  });

  it('a bound of a type that orders differently does not use the index (and is still right)', async () => {
    expect((await plan('select id from t where id > 998.5'))[0]).toBe('Seq Scan on t');
    expect(await ids('select id from t where id > 998.5')).toEqual([999, 1000]);
  });

  it('comparison with NULL finds nothing through the index', async () => {
    expect(await ids('select id from t where id > $1', [null])).toEqual([]);
    expect(await ids('select id from t where n = $1', [null])).toEqual([]);
  });
});

describe('ORDER BY … LIMIT', () => {
  it('walks the primary key forwards and backwards', async () => {
    expect(await plan('select id from t order by id limit 3')).toEqual(['Limit', '  ->  Index Scan using t_pkey on t']);
    expect(await plan('select id from t order by id desc limit 3')).toEqual(['Limit', '  ->  Index Scan Backward using t_pkey on t']);
    expect(await ids('select id from t order by id desc limit 3')).toEqual([1000, 999, 998]);
    expect(await ids('select id from t order by id desc limit 2 offset 1')).toEqual([999, 998]);
  });

  it('honours NULLS placement on a nullable column', async () => {
    // default ASC is NULLS LAST, DESC is NULLS FIRST: both are the index's own order
    const desc = await node.query('select n from t order by n desc limit 2');
    expect(desc.rows.map((r) => r.n)).toEqual([null, null]);
    const last = await node.query('select n from t order by n desc nulls last limit 2');
    expect(last.rows.map((r) => r.n)).toEqual([99, 99]);
    const first = await node.query('select n from t order by n nulls first limit 101');
    expect(first.rows.slice(99).map((r) => r.n)).toEqual([null, 1]);
    expect((await plan('select n from t order by n desc nulls last limit 2'))[1]).toBe('  ->  Index Scan Backward using t_n on t');
  });

  it('uses equality on a leading column and the order of the next one', async () => {
    expect(await plan('select id from t where a = 1 order by b desc limit 2')).toEqual([
      'Limit', '  ->  Index Scan Backward using t_ab on t', '        Index Cond: (a = 1)',
    ]);
    const r = await node.query('select a, b from t where a = 1 order by b desc limit 2');
    expect(r.rows).toEqual([{ a: 1, b: 6 }, { a: 1, b: 6 }]);
  });

  it('sorts with a bounded top-N when no index gives the order', async () => {
    expect(await plan('select id from t order by a + b desc, id limit 3')).toEqual([
      'Limit', '  ->  Sort', '        Sort Key: (a + b) DESC, id', '        ->  Seq Scan on t',
    ]);
    expect(await ids('select id from t order by a + b desc, id limit 3')).toEqual([34, 69, 104]);
  });
});

describe('aggregates', () => {
  it('count(*), min and max of an indexed column read no rows', async () => {
    expect(await plan('select count(*), min(id), max(n) from t')).toEqual([
      'Aggregate', '  count(*) from the row count', '  min(id) from the first key of t_pkey', '  max(n) from the last key of t_n',
    ]);
    const r = await node.query('select count(*) as c, min(id) as lo, max(n) as hi, min(n) as nlo from t');
    expect([Number(r.rows[0]!.c), r.rows[0]!.lo, r.rows[0]!.hi, r.rows[0]!.nlo]).toEqual([1000, 1, 99, 1]);
  });

  it('count(*) with a WHERE counts the matching rows', async () => {
    expect(Number((await node.query('select count(*) as c from t where n is null')).rows[0]!.c)).toBe(100);
  });

  it('groups in a hash table', async () => {
    expect(await plan('select a, count(*) from t group by a')).toEqual(['HashAggregate', '  Group Key: a', '  ->  Seq Scan on t']);
  });
});

describe('joins', () => {
  it('an equality between two tables becomes a hash join that hashes the smaller input', async () => {
    // as PostgreSQL: the 1000 orders probe a hash of the 20 customers, not the other way round
    expect(await plan('select c.name, sum(o.amount) from o join c on c.id = o.cid group by c.name')).toEqual([
      'HashAggregate', '  Group Key: c.name', '  ->  Hash Join', '        Hash Cond: (c.id = o.cid)',
      '        ->  Seq Scan on o', '        ->  Hash', '              ->  Seq Scan on c',
    ]);
    const r = await node.query('select c.name, count(*) as n, sum(o.amount) as total from o join c on c.id = o.cid where c.id = 3 group by c.name');
    // cid 3: ids 2, 22, …, 982
    expect(r.rows.map((x) => [x.name, Number(x.n), Number(x.total)])).toEqual([['c3', 50, 24600]]);
  });

  it('an inner table with an index on the key and few outer rows is probed through the index', async () => {
    expect(await plan('select oi.id from c, oi where c.id = oi.cid and c.id = 4')).toEqual([
      'Nested Loop', '  ->  Index Scan using c_pkey on c', '        Index Cond: (c.id = 4)',
      '  ->  Index Scan using oi_cid on oi', '        Index Cond: (c.id = oi.cid)',
    ]);
    expect((await ids('select oi.id from c, oi where c.id = oi.cid and c.id = 4')).length).toBe(50);
  });

  it('a comma join of five 1000-row tables joins on its WHERE equalities instead of a cartesian product', async () => {
    const n = await freshNode();
    try {
      for (const t of ['t1', 't2', 't3', 't4', 't5']) await n.exec(`create table ${t} (id int primary key, v int)`);
      await n.transaction(async (tx) => {
        for (const t of ['t1', 't2', 't3', 't4', 't5']) for (let i = 1; i <= 1000; i++) await tx.query(`insert into ${t} values ($1, $2)`, [i, i % 3]);
      });
      const sql = 'select count(*) as c from t1, t2, t3, t4, t5 where t1.id = t2.id and t2.id = t3.id and t3.v = t4.v and t4.id = t3.id and t5.id = t1.id and t5.v = 0';
      const lines = (await n.query(`explain ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string);
      expect(lines.filter((l) => l.includes('Hash Join') || l.includes('Nested Loop')).length).toBe(4);
      expect(lines.some((l) => l.trim() === '->  Nested Loop' && !lines.some((x) => x.includes('Index Cond')))).toBe(false);
      expect(Number((await n.query(sql)).rows[0]!.c)).toBe(333);
    } finally {
      await n.close();
    }
  });

  it('LEFT JOIN on an equality hashes its right side', async () => {
    expect(await plan('select c.id, o.id from c left join o on o.cid = c.id')).toEqual([
      'Hash Left Join', '  Hash Cond: (o.cid = c.id)', '  ->  Seq Scan on c', '  ->  Hash', '        ->  Seq Scan on o',
    ]);
  });

  it('JOIN … USING and NATURAL JOIN hash on their merged columns, inner and left', async () => {
    expect(await plan('select id from o join oi using (id, cid)')).toEqual([
      'Hash Join', '  Hash Cond: ((o.id = oi.id) AND (o.cid = oi.cid))', '  ->  Seq Scan on o', '  ->  Hash', '        ->  Seq Scan on oi',
    ]);
    expect((await plan('select * from c natural left join o'))[0]).toBe('Hash Left Join');
    expect(Number((await node.query('select count(*) as n from o join oi using (id, cid)')).rows[0]!.n)).toBe(1000);
    // NULL-extended rows of a LEFT JOIN get the left value as the merged column
    const r = await node.query('select id, name from c left join o using (id) where id <= 2 order by id');
    expect(r.rows).toEqual([{ id: 1, name: 'c1' }, { id: 2, name: 'c2' }]);
  });

  it('joins a leaf on its unique key before a smaller one joined on a column of repeated values', async () => {
    // j2 is smaller than j3, but every j1 row matches all 500 j2 rows on `a` and one j3 row on its
    // primary key: taking j2 first made a 50,000-row intermediate where the written order has 100
    const n = await freshNode();
    try {
      await n.exec(`create table j1 (id int primary key, a int, c int); create table j2 (id int primary key, a int, b int); create table j3 (c int primary key, b int);
        insert into j1 select g, 1, g from generate_series(1, 100) g; insert into j2 select g, 1, g from generate_series(1, 500) g;
        insert into j3 select g, g from generate_series(1, 1000) g`);
      for (const sql of [
        'select count(*) as c from j1 join j3 on j3.c = j1.c join j2 on j2.a = j1.a and j2.b = j3.b',
        'select count(*) as c from j1 join j2 on j2.a = j1.a join j3 on j3.c = j1.c and j2.b = j3.b',
      ]) {
        const lines = (await n.query(`explain analyze ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string);
        expect(lines.slice(0, 9)).toEqual([
          'Aggregate (actual rows=1 loops=1)',
          '  ->  Hash Join (actual rows=100 loops=1)',
          '        Hash Cond: ((j2.a = j1.a) AND (j2.b = j3.b))',
          '        ->  Seq Scan on j2 (actual rows=500 loops=1)',
          '        ->  Hash (actual rows=100 loops=1)',
          '              ->  Nested Loop (actual rows=100 loops=1)',
          '                    ->  Seq Scan on j1 (actual rows=100 loops=1)',
          '                    ->  Index Scan using j3_pkey on j3 (actual rows=1 loops=100)',
          '                          Index Cond: (j3.c = j1.c)',
        ]);
        expect(Number((await n.query(sql)).rows[0]!.c)).toBe(100);
      }
    } finally {
      await n.close();
    }
  });

  it('LEFT JOIN keeps its unmatched rows', async () => {
    const r = await node.query('select c.id, count(o.id) as n from c left join o on o.cid = c.id and o.amount < 0 group by c.id order by c.id limit 2');
    expect(r.rows.map((x) => [x.id, Number(x.n)])).toEqual([[1, 0], [2, 0]]);
  });
});
