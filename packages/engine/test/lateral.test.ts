/**
 * How a LATERAL sub-select runs (sql/lateral.ts): planned once as a correlated sub-query, it looks
 * its rows up per outer row through an index on the correlated key, joins as soon as the items it
 * reads are joined, and WHERE conditions on the items before it drop their rows before it runs. EXPLAIN ANALYZE's loop counts show both.
 * PostgreSQL's answers for LATERAL are checked by the lateral corpus (test/sql-reference.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '../src/index.ts';

let node: Node;
beforeAll(async () => {
  node = await openNode({ cluster: `lateral-${process.pid}`, storage: 'memory' });
  await node.exec(`
    create table la (id int primary key, x int);
    create table lb (id int primary key, a_id int, v text);
    create index lb_a on lb (a_id);
    insert into la select g, g * 10 from generate_series(1, 100) g;
    insert into lb select g, g % 100 + 1, 'v' || g from generate_series(1, 1000) g;
  `);
});
afterAll(() => node.close());

const plan = async (sql: string) => (await node.query<Record<string, string>>(`explain analyze ${sql}`)).rows.map((r) => Object.values(r)[0]!).join('\n');

describe('LATERAL sub-selects', () => {
  it('look their rows up through an index once per outer row', async () => {
    const text = await plan('select la.id, s.v from la, lateral (select v from lb where lb.a_id = la.id order by id limit 2) s where la.x < 50');
    expect(text).toContain('Index Scan using lb_a on lb (actual rows=10 loops=4)');
    expect(text).toContain('Subquery Scan on s (actual rows=2 loops=4)');
    const r = await node.query<{ id: number; v: string }>('select la.id, s.v from la, lateral (select v from lb where lb.a_id = la.id order by id limit 2) s where la.x < 50 order by la.id, s.v');
    expect(r.rows.map((x) => `${x.id}:${x.v}`)).toEqual(['1:v100', '1:v200', '2:v1', '2:v101', '3:v102', '3:v2', '4:v103', '4:v3']);
  });

  it('join once the items they read are joined, so a later item joins them by hash instead of a product', async () => {
    // FROM la, lb JOIN LATERAL (… la …): the sub-select runs per row of la and lb is hashed on the
    // ON equality, as PostgreSQL plans it; it used to run per pair of la × lb (100,000 times)
    const sql = 'select count(*) as c from la, lb join lateral (values (la.id), (-1)) s(x) on lb.a_id = s.x';
    const text = await plan(sql);
    expect(text).toContain('Hash Cond: (lb.a_id = s.x)');
    expect(text).toContain('Subquery Scan on s (actual rows=2 loops=100)');
    expect(Number((await node.query(sql)).rows[0]!.c)).toBe(1000);
    // a sub-select reading both earlier items still waits for both
    const both = await plan('select count(*) from la, lb join lateral (values (la.id + lb.id)) s(x) on lb.a_id = s.x');
    expect(both).toContain('Subquery Scan on s (actual rows=1 loops=100000)');
  });

  it('run only for the left rows that WHERE keeps in LEFT JOIN LATERAL', async () => {
    const sql = 'select la.id, s.n from la left join lateral (select count(*) as n from lb where lb.a_id = la.id) s on true where la.id = 2';
    expect(await plan(sql)).toContain('Aggregate (actual rows=1 loops=1)');
    expect((await node.query(sql)).rows).toEqual([{ id: 2, n: 10 }]);
    // a condition on the sub-select's own columns still sees every left row, NULL-extended or not
    const none = await node.query('select count(*) as c from la left join lateral (select v from lb where lb.a_id = la.id and lb.id > 990) s on true where s.v is null');
    expect(Number(none.rows[0]!.c)).toBe(90);
  });
});
