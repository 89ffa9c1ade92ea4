import { afterEach, describe, expect, it } from 'vitest';
import { memoryNetwork } from '@walrtc/transport';
import { openNode, type Node, type QueryResult } from '../src/index.ts';
import { readsOf } from '../src/live/reads.ts';
import { freshNode } from './sql-helpers.ts';

const open: Node[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

/** Collects a live query's results; `next(n)` waits until there are at least n. */
function collect(node: Node, sql: string, params: (string | number)[] = []) {
  const results: QueryResult[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  const stop = node.live(sql, params, (r) => {
    results.push(r);
    for (const w of waiters.splice(0)) w();
  }, { onError: (e) => errors.push(e) });
  const next = async (n: number): Promise<QueryResult> => {
    const deadline = Date.now() + 5000;
    while (results.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} live results, got ${results.length}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return results[n - 1]!;
  };
  return { results, errors, stop, next };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

async function primary(): Promise<Node> {
  const n = await freshNode();
  open.push(n);
  return n;
}

describe('live queries on a primary', () => {
  it('delivers the first result, then a new one after each commit that changes the table', async () => {
    const node = await primary();
    await node.exec(`create table item(id int primary key, name text); insert into item values (1, 'one')`);
    const live = collect(node, 'select * from item where id >= $1 order by id', [1]);
    expect((await live.next(1)).rows).toEqual([{ id: 1, name: 'one' }]);
    await node.query(`insert into item values (2, 'two')`);
    expect((await live.next(2)).rows).toEqual([{ id: 1, name: 'one' }, { id: 2, name: 'two' }]);
    await node.query(`update item set name = 'uno' where id = 1`);
    expect((await live.next(3)).rows[0]).toEqual({ id: 1, name: 'uno' });
  });

  it('ignores commits to tables the query does not read', async () => {
    const node = await primary();
    await node.exec('create table a(x int); create table b(x int)');
    const live = collect(node, 'select count(*)::int as n from a');
    await live.next(1);
    await node.query('insert into b values (1)');
    await settle();
    expect(live.results).toHaveLength(1);
    await node.query('insert into a values (1)');
    expect((await live.next(2)).rows).toEqual([{ n: 1 }]);
  });

  it('follows tables read in joins, sub-selects in FROM and sublinks', async () => {
    const node = await primary();
    await node.exec('create table a(x int); create table b(x int); create table c(x int); create table d(x int)');
    const sql = `select a.x from a join b on a.x = b.x
      where a.x in (select x from c) and exists (select 1 from (select x from d) s where s.x = a.x)`;
    const oids = ['a', 'b', 'c', 'd'].map((t) => node['core'].db.state.tableNames.get(t));
    expect(readsOf(sql, node['core'].db.state)).toEqual({ all: false, tables: new Set(oids) });
    const live = collect(node, sql);
    await live.next(1);
    let n = 1;
    for (const t of ['a', 'b', 'c', 'd']) {
      await node.query(`insert into ${t} values (1)`);
      await live.next(++n);
    }
    expect(live.results.at(-1)!.rows).toEqual([{ x: 1 }]);
  });

  it('follows the tables a view reads, through views over views', async () => {
    const node = await primary();
    await node.exec('create table a(x int); create table b(x int); create view va as select x from a; create view vab as select x from va union all select x from b');
    const live = collect(node, 'select count(*)::int as n from vab');
    expect((await live.next(1)).rows).toEqual([{ n: 0 }]);
    await node.query('insert into a values (1)');
    expect((await live.next(2)).rows).toEqual([{ n: 1 }]);
    await node.query('insert into b values (1)');
    expect((await live.next(3)).rows).toEqual([{ n: 2 }]);
  });

  it('coalesces a burst of commits into few callbacks whose last result is complete', async () => {
    const node = await primary();
    await node.exec('create table burst(id int)');
    const live = collect(node, 'select count(*)::int as n from burst');
    await live.next(1);
    await Promise.all(Array.from({ length: 50 }, (_, i) => node.query('insert into burst values ($1)', [i])));
    await settle();
    expect(live.results.length).toBeLessThan(10);
    expect(live.results.at(-1)!.rows).toEqual([{ n: 50 }]);
  });

  it('stops after unsubscribe', async () => {
    const node = await primary();
    await node.exec('create table t(x int)');
    const live = collect(node, 'select * from t');
    await live.next(1);
    live.stop();
    await node.query('insert into t values (1)');
    await settle();
    expect(live.results).toHaveLength(1);
  });

  it('reports a missing table, then delivers once it is created; follows a dropped and recreated table', async () => {
    const node = await primary();
    const live = collect(node, 'select * from later');
    await settle();
    expect(live.errors[0]).toMatchObject({ code: '42P01' });
    expect(live.results).toHaveLength(0);
    await node.exec(`create table later(x int); insert into later values (7)`);
    expect((await live.next(1)).rows).toEqual([{ x: 7 }]);
    await node.exec(`drop table later; create table later(y text)`);
    expect((await live.next(2)).fields.map((f) => f.name)).toEqual(['y']);
    await node.query(`insert into later values ('again')`);
    expect((await live.next(3)).rows).toEqual([{ y: 'again' }]);
  });

  it('a query on a system view or pg_* function re-runs after every commit', async () => {
    const node = await primary();
    await node.exec('create table t(x int)');
    const state = node['core'].db.state;
    expect(readsOf('select * from information_schema.tables', state).all).toBe(true);
    expect(readsOf('select pg_current_wal_lsn() as lsn', state).all).toBe(true);
    expect(readsOf('with w as (select * from t) select * from w', state)).toEqual({ all: false, tables: new Set([state.tableNames.get('t')]) });
    const live = collect(node, 'select pg_current_wal_lsn() as lsn');
    const first = await live.next(1);
    await node.query('insert into t values (1)');
    expect((await live.next(2)).rows[0]!.lsn).not.toBe(first.rows[0]!.lsn);
  });
  it('a query on a table of another schema, named or reached through search_path, follows that table', async () => {
    const node = await primary();
    await node.exec('create schema app; create table app.t(x int); create table t(x int)');
    const state = node['core'].db.state;
    expect(readsOf('select * from app.t', state)).toEqual({ all: false, tables: new Set([state.tableNames.get('app.t')]) });
    // a bare name may mean either table, depending on the session's search_path
    expect(readsOf('select * from t', state)).toEqual({ all: false, tables: new Set([state.tableNames.get('t'), state.tableNames.get('app.t')]) });
    await node.query('set search_path to app, public');
    const live = collect(node, 'select count(*)::int as n from t');
    expect((await live.next(1)).rows).toEqual([{ n: 0 }]);
    await node.query('insert into app.t values (1)');
    expect((await live.next(2)).rows).toEqual([{ n: 1 }]);
  });
});

describe('live queries on a hot standby', () => {
  it('re-run when replayed commits change the table, including the base backup', async () => {
    const net = memoryNetwork({ log: () => {} });
    const cluster = `live-standby-${process.pid}`;
    const common = { cluster, storage: 'memory' as const, keepaliveMs: 50, log: () => {} };
    const p = await openNode({ ...common, nodeId: 'p', transport: net.transport('p') });
    open.push(p);
    await p.exec(`create table item(id int primary key); insert into item values (1)`);
    const s = await openNode({ ...common, nodeId: 's', role: 'standby', transport: net.transport('s') });
    open.push(s);
    // subscribed before the base backup arrives: the table does not exist yet on the standby
    const live = collect(s, 'select count(*)::int as n from item');
    const seen = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (live.results.at(-1)?.rows[0]?.n !== n) {
        if (Date.now() > deadline) throw new Error(`standby live query never saw ${n} rows`);
        await settle();
      }
    };
    await seen(1);
    await p.query('insert into item values (2), (3)');
    await seen(3);
    await p.query('delete from item where id = 1');
    await seen(2);
    const count = live.results.length;
    live.stop();
    await p.query('insert into item values (9)');
    await settle();
    expect(live.results).toHaveLength(count);
  });
});
