/**
 * SELECT through the public Node API: expressions, WHERE, functions, aggregates, GROUP BY/HAVING,
 * DISTINCT, ORDER BY, LIMIT/OFFSET, joins and aliases. Every expected result was produced by
 * PostgreSQL 15 (psql) on the same data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode } from './sql-helpers.ts';

let node: Node;
beforeAll(async () => {
  node = await freshNode();
  await node.exec(`create table p (id int primary key, name text, dept text, sal int);
    insert into p values (1, 'ann', 'eng', 100), (2, 'bob', 'eng', null), (3, 'cy', 'ops', 50), (4, 'di', null, 70), (5, 'ed', 'ops', 50);
    create table d (code text primary key, title text);
    insert into d values ('eng', 'Engineering'), ('ops', 'Operations'), ('hr', 'People')`);
});
afterAll(async () => { await node.close(); });

const rows = async (sql: string, params?: unknown[]) => (await node.query(sql, params)).rows;
/** Rows as arrays of values, for results whose column names do not matter. */
const tuples = async (sql: string) => (await node.query(sql)).rows.map((r) => Object.values(r));

describe('select list and result shape', () => {
  it('returns rows in column order with fields and the SELECT command', async () => {
    const r = await node.query('select * from p where id = 1');
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
    expect(r.rows).toEqual([{ id: 1, name: 'ann', dept: 'eng', sal: 100 }]);
    expect(Object.keys(r.rows[0]!)).toEqual(['id', 'name', 'dept', 'sal']);
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['id', 23], ['name', 25], ['dept', 25], ['sal', 23]]);
  });

  it('arithmetic, unary minus and output names', async () => {
    const r = await node.query('select sal + 1 as s2, sal * 2, sal / 3, sal % 7, -sal, 7.0 / 2 as half from p where id = 1');
    expect(r.fields.map((f) => f.name)).toEqual(['s2', '?column?', '?column?', '?column?', '?column?', 'half']);
    expect(await tuples('select sal + 1 a, sal * 2 b, sal / 3 c, sal % 7 d, -sal e, 7.0 / 2 f from p where id = 1')).toEqual([[101, 200, 33, 2, -100, '3.5000000000000000']]);
    expect(await tuples('select 7 / 2 a, 1 + 2 * 3 b, (1 + 2) * 3 c')).toEqual([[3, 7, 9]]);
  });

  it('|| concatenation, and NULL through it', async () => {
    expect(await rows("select name || ' works in ' || coalesce(dept, '?') as line from p where id = 4")).toEqual([{ line: 'di works in ?' }]);
    expect(await rows("select 'a' || null as x, 'n' || 1 as y")).toEqual([{ x: null, y: 'n1' }]);
  });

  it('lower, upper, length, coalesce, abs, round, now', async () => {
    expect(await rows("select upper(dept) as d, lower('ABC') as l, length(name) as n, coalesce(dept, 'none') as c from p order by id")).toEqual([
      { d: 'ENG', l: 'abc', n: 3, c: 'eng' },
      { d: 'ENG', l: 'abc', n: 3, c: 'eng' },
      { d: 'OPS', l: 'abc', n: 2, c: 'ops' },
      { d: null, l: 'abc', n: 2, c: 'none' },
      { d: 'OPS', l: 'abc', n: 2, c: 'ops' },
    ]);
    expect(await tuples("select abs(-3) a, abs(-2.5) b, round(2.5) c, round(2.345, 2) d, round(-2.5) e, length('héllo') f, coalesce(null, null, 3) g")).toEqual([[3, '2.5', '3', '2.35', '-3', 5, 3]]);
    const [row] = await rows('select now() as t, now() = now() as same');
    expect(row!.same).toBe(true);
    expect(Math.abs((row!.t as Date).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('column and table aliases', async () => {
    expect(await rows('select x.name as who, x.sal pay from p as x where x.id = 3')).toEqual([{ who: 'cy', pay: 50 }]);
    expect(await rows('select q.n from (select name as n from p where id < 3) as q order by q.n desc')).toEqual([{ n: 'bob' }, { n: 'ann' }]);
  });
});

describe('WHERE', () => {
  it('AND, OR, NOT and parentheses', async () => {
    expect(await rows("select name from p where dept is not null and (sal < 60 or name like '%n%') order by id")).toEqual([{ name: 'ann' }, { name: 'cy' }, { name: 'ed' }]);
    expect(await rows('select name from p where not (id = 1 or id = 2) order by id')).toEqual([{ name: 'cy' }, { name: 'di' }, { name: 'ed' }]);
    expect(await rows("select name from p where name in ('ann', 'cy') and not sal > 60 order by id")).toEqual([{ name: 'cy' }]);
  });

  it('comparisons treat NULL as unknown', async () => {
    expect(await rows('select name from p where sal <> 50 order by id')).toEqual([{ name: 'ann' }, { name: 'di' }]);
    expect(await rows('select name from p where sal >= 70 order by id')).toEqual([{ name: 'ann' }, { name: 'di' }]);
    expect(await rows('select name from p where not sal < 70 order by id')).toEqual([{ name: 'ann' }, { name: 'di' }]);
    expect(await rows("select name from p where name != 'ann' and name <= 'cy' order by id")).toEqual([{ name: 'bob' }, { name: 'cy' }]);
  });

  it('IN lists and NOT IN', async () => {
    expect(await rows('select name from p where id in (1, 3, 9) order by id')).toEqual([{ name: 'ann' }, { name: 'cy' }]);
    expect(await rows('select name from p where id not in (1, 2, 3) order by id')).toEqual([{ name: 'di' }, { name: 'ed' }]);
    // NOT IN with a NULL in the list is never true
    expect(await rows('select name from p where id not in (1, null)')).toEqual([]);
  });

  it('IN and NOT IN sub-selects, correlated sub-selects', async () => {
    expect(await rows('select name from p where id in (select id from p where sal = 50) order by id')).toEqual([{ name: 'cy' }, { name: 'ed' }]);
    expect(await rows('select code from d where code not in (select dept from p where dept is not null) order by code')).toEqual([{ code: 'hr' }]);
    expect(await rows('select code from d where code not in (select dept from p)')).toEqual([]);
    expect(await rows('select code, (select count(*) from p where p.dept = d.code) as n from d order by code')).toEqual([
      { code: 'eng', n: 2 }, { code: 'hr', n: 0 }, { code: 'ops', n: 2 },
    ]);
    expect(await rows('select code from d where exists (select 1 from p where p.dept = d.code and p.sal > 60)')).toEqual([{ code: 'eng' }]);
  });

  it('BETWEEN and NOT BETWEEN', async () => {
    expect(await rows('select name from p where sal between 50 and 70 order by id')).toEqual([{ name: 'cy' }, { name: 'di' }, { name: 'ed' }]);
    expect(await rows('select name from p where sal not between 50 and 70 order by id')).toEqual([{ name: 'ann' }]);
  });

  it('LIKE and ILIKE', async () => {
    expect(await rows("select name from p where name like 'A%'")).toEqual([]);
    expect(await rows("select name from p where name ilike 'A%'")).toEqual([{ name: 'ann' }]);
    expect(await rows("select name from p where name like '_d' or name like '%o%' order by id")).toEqual([{ name: 'bob' }, { name: 'ed' }]);
    expect(await rows("select name from p where name not like '%n%' order by id")).toEqual([{ name: 'bob' }, { name: 'cy' }, { name: 'di' }, { name: 'ed' }]);
  });

  it('IS NULL and IS NOT NULL', async () => {
    expect(await rows('select name from p where sal is null or dept is null order by id')).toEqual([{ name: 'bob' }, { name: 'di' }]);
    expect(await rows('select count(*) as n from p where dept is not null')).toEqual([{ n: 4 }]);
  });

  it('parameters', async () => {
    expect(await rows('select name from p where sal > $1 and dept = $2', [60, 'eng'])).toEqual([{ name: 'ann' }]);
    expect(await rows('select name from p where name like $1 order by id', ['%d%'])).toEqual([{ name: 'di' }, { name: 'ed' }]);
  });
});

describe('aggregates, GROUP BY, HAVING, DISTINCT', () => {
  it('count, sum, avg, min, max over groups; count(col) skips NULLs', async () => {
    expect(await rows('select dept, count(*) as n, count(sal) as cs, sum(sal) as s, avg(sal) as a, min(sal) as lo, max(sal) as hi from p group by dept order by dept nulls first')).toEqual([
      { dept: null, n: 1, cs: 1, s: 70, a: '70.0000000000000000', lo: 70, hi: 70 },
      { dept: 'eng', n: 2, cs: 1, s: 100, a: '100.0000000000000000', lo: 100, hi: 100 },
      { dept: 'ops', n: 2, cs: 2, s: 100, a: '50.0000000000000000', lo: 50, hi: 50 },
    ]);
    expect(await rows('select min(name) as lo, max(name) as hi, count(distinct sal) as ds from p')).toEqual([{ lo: 'ann', hi: 'ed', ds: 3 }]);
    expect(await rows('select avg(sal) as a from p')).toEqual([{ a: '67.5000000000000000' }]);
  });

  it('aggregates over no rows: one row, count 0, others NULL; with GROUP BY: no rows', async () => {
    expect(await rows('select count(*) as n, sum(sal) as s, avg(sal) as a, max(name) as m from p where false')).toEqual([{ n: 0, s: null, a: null, m: null }]);
    expect(await rows('select dept, count(*) from p where false group by dept')).toEqual([]);
  });

  it('HAVING filters groups; GROUP BY position and ORDER BY an aggregate', async () => {
    expect(await rows('select dept, sum(sal) as s from p group by dept having sum(sal) > 90 order by 1')).toEqual([{ dept: 'eng', s: 100 }, { dept: 'ops', s: 100 }]);
    expect(await rows('select dept, count(*) as n from p group by 1 order by 2 desc, 1')).toEqual([{ dept: 'eng', n: 2 }, { dept: 'ops', n: 2 }, { dept: null, n: 1 }]);
    expect(await rows('select dept from p group by dept having count(*) = 1')).toEqual([{ dept: null }]);
    expect(await rows('select count(*) as n from p having count(*) > 3')).toEqual([{ n: 5 }]);
  });

  it('GROUP BY an expression', async () => {
    expect(await rows('select sal / 50 as band, count(*) as n from p where sal is not null group by sal / 50 order by band')).toEqual([{ band: 1, n: 3 }, { band: 2, n: 1 }]);
  });

  it('DISTINCT, with NULL as one value', async () => {
    expect(await rows('select distinct dept from p order by dept')).toEqual([{ dept: 'eng' }, { dept: 'ops' }, { dept: null }]);
    expect(await tuples('select distinct dept, sal from p order by 1, 2')).toEqual([['eng', 100], ['eng', null], ['ops', 50], [null, 70]]);
  });
});

describe('ORDER BY, LIMIT, OFFSET', () => {
  it('ASC puts NULLs last and DESC first by default; NULLS FIRST/LAST override', async () => {
    const names = async (sql: string) => (await rows(sql)).map((r) => r.name);
    expect(await names('select name from p order by sal, name')).toEqual(['cy', 'ed', 'di', 'ann', 'bob']);
    expect(await names('select name from p order by sal desc, name')).toEqual(['bob', 'ann', 'di', 'cy', 'ed']);
    expect(await names('select name from p order by sal nulls first, name')).toEqual(['bob', 'cy', 'ed', 'di', 'ann']);
    expect(await names('select name from p order by sal desc nulls last, name desc')).toEqual(['ann', 'di', 'ed', 'cy', 'bob']);
    expect(await names('select name from p order by sal asc nulls last, id desc')).toEqual(['ed', 'cy', 'di', 'ann', 'bob']);
  });

  it('orders by an output alias, a position, or an expression not in the list', async () => {
    expect(await rows('select name as n from p order by n desc limit 2')).toEqual([{ n: 'ed' }, { n: 'di' }]);
    expect(await rows('select name, id from p order by 2 desc limit 1')).toEqual([{ name: 'ed', id: 5 }]);
    expect(await rows('select name from p order by length(name) desc, name limit 3')).toEqual([{ name: 'ann' }, { name: 'bob' }, { name: 'cy' }]);
  });

  it('LIMIT, OFFSET, LIMIT ALL, and parameters for them', async () => {
    const names = async (sql: string, params?: unknown[]) => (await rows(sql, params)).map((r) => r.name);
    expect(await names('select name from p order by id limit 2 offset 2')).toEqual(['cy', 'di']);
    expect(await names('select name from p order by id offset 3')).toEqual(['di', 'ed']);
    expect(await names('select name from p order by id limit all')).toEqual(['ann', 'bob', 'cy', 'di', 'ed']);
    expect(await names('select name from p order by id limit 0')).toEqual([]);
    expect(await names('select name from p order by id limit $1 offset $2', [1, 4])).toEqual(['ed']);
  });
});

describe('joins', () => {
  it('INNER JOIN keeps matching pairs', async () => {
    expect(await rows('select p.name, d.title from p join d on d.code = p.dept order by p.id')).toEqual([
      { name: 'ann', title: 'Engineering' }, { name: 'bob', title: 'Engineering' }, { name: 'cy', title: 'Operations' }, { name: 'ed', title: 'Operations' },
    ]);
    expect(await rows('select e.name from p e inner join d as x on x.code = e.dept where x.title like \'O%\' and e.sal > 10 order by e.name')).toEqual([{ name: 'cy' }, { name: 'ed' }]);
  });

  it('LEFT JOIN keeps unmatched left rows with NULLs', async () => {
    expect(await rows('select d.code, p.name from d left join p on p.dept = d.code order by d.code, p.name')).toEqual([
      { code: 'eng', name: 'ann' }, { code: 'eng', name: 'bob' }, { code: 'hr', name: null }, { code: 'ops', name: 'cy' }, { code: 'ops', name: 'ed' },
    ]);
    expect(await rows('select d.code from d left join p on p.dept = d.code where p.id is null')).toEqual([{ code: 'hr' }]);
    expect(await tuples('select a.name, b.name as other from p a left join p b on b.sal > a.sal + 40 order by a.id, b.id')).toEqual([
      ['ann', null], ['bob', null], ['cy', 'ann'], ['di', null], ['ed', 'ann'],
    ]);
  });

  it('self join with aliases, joins with aggregates, and comma joins', async () => {
    expect(await rows('select p.name as who, q.name as next from p join p as q on q.id = p.id + 1 order by who')).toEqual([
      { who: 'ann', next: 'bob' }, { who: 'bob', next: 'cy' }, { who: 'cy', next: 'di' }, { who: 'di', next: 'ed' },
    ]);
    expect(await rows('select d.title, count(p.id) as n from d left join p on p.dept = d.code group by d.title order by d.title')).toEqual([
      { title: 'Engineering', n: 2 }, { title: 'Operations', n: 2 }, { title: 'People', n: 0 },
    ]);
    expect(await rows("select p.name from p, d where d.code = p.dept and d.code = 'ops' order by p.name")).toEqual([{ name: 'cy' }, { name: 'ed' }]);
  });
});

describe('sub-selects in grouped queries', () => {
  it('an uncorrelated one works; a correlated one reads the group key, and an ungrouped column is 42803', async () => {
    const count = (await node.query('select count(*)::int as n from p')).rows[0]!.n;
    const top = (await node.query('select max(id) as top from p')).rows[0]!.top;
    expect((await node.query('select count(*)::int as n, (select max(id) from p) as top from p')).rows).toEqual([{ n: count, top }]);
    const perDept = (await node.query('select dept, count(*)::int as n from p where dept is not null group by dept order by dept')).rows;
    expect((await node.query('select dept, (select count(*)::int from p q where q.dept = p.dept) as n from p where dept is not null group by dept order by dept')).rows).toEqual(perDept);
    await expect(node.query('select dept, (select p.id) from p group by dept')).rejects.toMatchObject({ code: '42803' });
    await expect(node.query('select count(*), (select nope from p q) from p')).rejects.toMatchObject({ code: '42703' });
  });
});
