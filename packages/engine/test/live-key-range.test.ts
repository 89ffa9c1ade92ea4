/**
 * Live queries scoped by key range: a query whose WHERE bounds a column by constants (an index
 * range or point lookup) re-runs only for commits that write a row inside those bounds, before or
 * after the change — on the primary and on a standby replaying the primary's WAL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryNetwork } from '@walrtc/transport';
import { openNode, type Node, type QueryResult } from '../src/index.ts';
import { freshNode } from './sql-helpers.ts';

const open: Node[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

/**
 * Runs: every result the live query delivered. Its re-runs start synchronously from the commit
 * (the scheduler runs them at once), so a commit that triggers one is seen as an extra result by
 * the time the next result in the test's sequence arrives.
 */
function subscribe(node: Node, sql: string, params: unknown[] = []) {
  const results: QueryResult[] = [];
  // a standby's query fails until the base backup brings the table
  const errors: unknown[] = [];
  const stop = node.live(sql, params as never[], (r) => void results.push(r), { schedule: (fn) => fn(), onError: (e) => void errors.push(e) });
  const until = async (what: string, ok: (r: QueryResult) => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!results.length || !ok(results.at(-1)!)) {
      if (Date.now() > deadline) throw new Error(`the live query never showed ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { results, errors, stop, until };
}

const names = (r: QueryResult) => r.rows.map((row) => `${row.id}:${row.v}`).join(' ');

async function tableOf(node: Node): Promise<void> {
  await node.exec(`create table t(id int primary key, v text, n int); create index t_n on t(n)`);
  await node.exec(`insert into t select g, 'v' || g, g % 7 from generate_series(1, 600) g`);
}

describe('live queries scoped by key range', () => {
  it('a commit outside `id between 1 and 10` does not re-run it; one inside does', async () => {
    const node = await freshNode();
    open.push(node);
    await tableOf(node);
    const live = subscribe(node, 'select id, v from t where id between 1 and 10 order by id');
    await live.until('the first result', (r) => r.rows.length === 10);
    await node.query(`update t set v = 'far' where id = 500`);
    await node.query(`insert into t values (1000, 'new', 1)`);
    await node.query('delete from t where id = 600');
    await node.query(`update t set v = 'near' where id = 5`);
    await live.until('the change to id 5', (r) => names(r).includes('5:near'));
    expect(live.results).toHaveLength(2);
    expect(live.errors).toEqual([]);
    live.stop();
  });

  it('re-runs for inserts and deletes inside the range, and for updates moving a row into or out of it', async () => {
    const node = await freshNode();
    open.push(node);
    await tableOf(node);
    const live = subscribe(node, 'select id, v from t where id >= $1 and id < $2 order by id', [1, 11]);
    await live.until('the first result', (r) => r.rows.length === 10);
    await node.query('delete from t where id = 3');
    await live.until('id 3 deleted', (r) => r.rows.length === 9);
    await node.query(`update t set id = 3 where id = 400`);
    await live.until('id 400 moved in as 3', (r) => names(r).includes('3:v400'));
    await node.query(`update t set id = 700 where id = 4`);
    await live.until('id 4 moved out', (r) => !names(r).includes('4:v4'));
    await node.query(`insert into t values (0, 'zero', 0), (650, 'x', 0)`);
    await node.query(`insert into t values (10000, 'out', 0)`);
    await node.query(`update t set v = 'ten' where id = 10`);
    await live.until('id 10 changed', (r) => names(r).includes('10:ten'));
    // four results from commits in range plus the first; the inserts at 0, 650 and 10000 changed nothing in it
    expect(live.results).toHaveLength(5);
    live.stop();
  });

  it('a range on a non-key indexed column sees rows whose column moves into or out of it', async () => {
    const node = await freshNode();
    open.push(node);
    await tableOf(node);
    const live = subscribe(node, 'select count(*)::int as c from t where n = 3');
    await live.until('the first result', (r) => r.rows[0]?.c === 86);
    await node.query('update t set n = 4 where id = 2');
    await node.query('update t set n = 3 where id = 5');
    await node.query(`update t set v = 'x' where id = 17`);
    await live.until('id 17 changed (n = 3)', () => live.results.length === 3);
    await node.query('update t set n = 5 where id = 3');
    await live.until('id 3 moved out of n = 3', (r) => r.rows[0]?.c === 86 && live.results.length > 3);
    expect(live.results.map((r) => r.rows[0]!.c)).toEqual([86, 87, 87, 86]);
    live.stop();
  });

  it('equality and IN on a text column scope it too, and a parameter of another type does not', async () => {
    const node = await freshNode();
    open.push(node);
    await tableOf(node);
    const text = subscribe(node, `select id, n from t where v in ('v1', 'v2') order by id`);
    const param = subscribe(node, 'select id, n from t where v = $1', [7]);
    await text.until('the first result', (r) => r.rows.length === 2);
    await param.until('the first result', (r) => r.rows.length === 0);
    await node.query('update t set n = 99 where id = 500');
    await node.query('update t set n = 42 where id = 2');
    await text.until('id 2 changed', (r) => r.rows[1]?.n === 42);
    expect(text.results).toHaveLength(2);
    // a number compared with a text column: not understood, so every change re-runs it
    await param.until('both commits', () => param.results.length === 3);
    text.stop();
    param.stop();
  });

  it('a DDL or TRUNCATE of the table re-runs it, and queries the scope cannot follow re-run on every change', async () => {
    const node = await freshNode();
    open.push(node);
    await tableOf(node);
    const ranged = subscribe(node, 'select id from t where id = 1');
    const joined = subscribe(node, 'select a.id from t a join t b on a.id = b.id where a.id = 1');
    await ranged.until('the first result', (r) => r.rows.length === 1);
    await joined.until('the first result', (r) => r.rows.length === 1);
    await node.query(`update t set v = 'far' where id = 500`);
    await node.exec('truncate t');
    await ranged.until('the truncation', (r) => r.rows.length === 0);
    await joined.until('the truncation', (r) => r.rows.length === 0);
    expect(ranged.results).toHaveLength(2);
    expect(joined.results).toHaveLength(3);
    ranged.stop();
    joined.stop();
  });

  it('on a standby, replayed commits re-run it only when they write inside the range', async () => {
    const net = memoryNetwork({ log: () => {} });
    const cluster = `live-range-${process.pid}`;
    const common = { cluster, storage: 'memory' as const, keepaliveMs: 50, log: () => {} };
    const p = await openNode({ ...common, nodeId: 'p', transport: net.transport('p') });
    open.push(p);
    await tableOf(p);
    const s = await openNode({ ...common, nodeId: 's', role: 'standby', transport: net.transport('s') });
    open.push(s);
    const live = subscribe(s, 'select id, v from t where id between 1 and 10 order by id');
    await live.until('the base backup', (r) => r.rows.length === 10);
    const before = live.results.length;
    await p.query(`update t set v = 'far' where id = 500`);
    await p.query('delete from t where id = 599');
    await p.query(`update t set v = 'near' where id = 5`);
    await live.until('the change to id 5', (r) => names(r).includes('5:near'));
    expect(live.results).toHaveLength(before + 1);
    await p.query(`update t set id = 8000 where id = 6`);
    await live.until('id 6 moved out', (r) => r.rows.length === 9);
    expect(live.results).toHaveLength(before + 2);
    live.stop();
  });
});
