/**
 * The session's lifecycle on both hosts (in-process Node and WorkerNode): the idle-in-transaction
 * timeout (25P03) frees writers from a forgotten block or a transaction() whose fn never
 * settles; a call on the node from inside its own transaction() is logged after deadlock_timeout,
 * or fails at once with checkNestedCalls; closing with a block open rolls it back; live queries never see a block's
 * uncommitted writes; PGlite's live.query shape.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { SqlError, type QueryResult } from '../src/index.ts';
import type { NodeApi, OpenWorkerNodeOptions } from '../src/worker/index.ts';
import { hosts, inProcess } from './hosts.ts';

let counter = 0;

const TIMED_OUT = { code: '25P03', message: 'terminating connection due to idle-in-transaction timeout' };

describe.each(hosts)('%s', (_name, open) => {
  const fresh = (extra: Partial<OpenWorkerNodeOptions> = {}) =>
    open({ cluster: `lifecycle-${process.pid}-${++counter}`, nodeId: `n${counter}`, storage: 'memory', log: () => {}, ...extra });

  it('idleInTransactionSessionTimeout rolls back a forgotten BEGIN block; the next call gets 25P03, then the session works again', async () => {
    const logs: string[] = [];
    const node = await fresh({ idleInTransactionSessionTimeout: 50, log: (_level, m) => void logs.push(m) });
    await node.exec('create table t (id int primary key)');
    await node.query('begin');
    await node.query('insert into t values (1)');
    await until(() => logs.includes('an idle transaction block was rolled back (idleInTransactionSessionTimeout)'));
    await expect(node.query('select 1')).rejects.toMatchObject(TIMED_OUT);
    expect((await node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    await node.query('insert into t values (2)');
    expect((await node.query('select id from t')).rows).toEqual([{ id: 2 }]);
  });

  it('a transaction() whose fn never settles does not block other writers past the timeout', async () => {
    const node = await fresh({ idleInTransactionSessionTimeout: 50 });
    await node.exec('create table t (id int primary key)');
    let tx!: { query(sql: string): Promise<unknown> };
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const forever = node.transaction(async (t) => {
      tx = t;
      await t.query('insert into t values (1)');
      entered();
      await new Promise(() => {});
    });
    void forever.catch(() => {});
    await inside;
    // waits for the writer lock, and gets it once the idle block is rolled back
    await node.query('insert into t values (2)');
    expect((await node.query('select id from t order by id')).rows).toEqual([{ id: 2 }]);
    await expect(tx.query('insert into t values (3)')).rejects.toMatchObject(TIMED_OUT);
    expect((await node.query('select id from t order by id')).rows).toEqual([{ id: 2 }]);
  });

  it('with checkNestedCalls, a call on the node from inside its own transaction() fails at once with 25001, and the transaction goes on', async () => {
    const node = await fresh({ checkNestedCalls: true });
    await node.exec('create table t (id int primary key)');
    const value = await node.transaction(async (tx) => {
      await tx.query('insert into t values (1)');
      const e = await node.query('insert into t values (2)').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SqlError);
      expect(e).toMatchObject({ code: '25001', message: 'the node was called from inside its own transaction(): it would wait for that transaction forever' });
      await tx.query('insert into t values (3)');
      return 'done';
    });
    expect(value).toBe('done');
    expect((await node.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('tx calls fn does not await run one after another in call order; after a failed one the rest get 25P02', async () => {
    const node = await fresh();
    await node.exec('create table t (id int primary key)');
    let outcomes: PromiseSettledResult<QueryResult>[] = [];
    const committed = node.transaction(async (tx) => {
      outcomes = await Promise.allSettled([
        tx.query('insert into t values (1)'),
        tx.query('select count(*)::int as n from t'),
        tx.query('insert into t values (1)'),
        tx.query('select 1'),
      ]);
    });
    await expect(committed).rejects.toMatchObject({ code: '25P02' });
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.rows : (o.reason as SqlError).code))).toEqual([[], [{ n: 1 }], '23505', '25P02']);
    expect((await node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
  });

  it('tx.rollback() ends the transaction; transaction() still returns fn\'s value and later tx calls fail', async () => {
    const node = await fresh();
    await node.exec('create table t (id int primary key)');
    const closed: boolean[] = [];
    const out = await node.transaction(async (tx) => {
      await tx.query('insert into t values (1)');
      closed.push(tx.closed);
      await tx.rollback();
      closed.push(tx.closed);
      await expect(tx.query('select 1')).rejects.toMatchObject({ code: '25P01' });
      return 42;
    });
    expect([out, closed]).toEqual([42, [false, true]]);
    expect((await node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
  });

  it('live queries never see a block\'s writes before COMMIT, and see them after; live.query has PGlite\'s shape', async () => {
    const node = await fresh();
    await node.exec('create table t (id int primary key); insert into t values (1)');
    const seen: number[][] = [];
    const lq = await node.live.query<{ id: number }>('select id from t order by id', [], (r: QueryResult<{ id: number }>) => seen.push(r.rows.map((x) => x.id)));
    expect(lq.initialResults.rows).toEqual([{ id: 1 }]);
    const other: number[] = [];
    const inc = await node.live.incrementalQuery<{ n: number }>('select count(*)::int as n from t', [], 'n', (r: QueryResult<{ n: number }>) => other.push(r.rows[0]!.n));
    expect(inc.initialResults.rows).toEqual([{ n: 1 }]);
    await node.query('begin');
    await node.query('insert into t values (2)');
    await lq.refresh();
    expect(seen.at(-1)).toEqual([1]);
    await node.query('commit');
    await until(async () => seen.at(-1)?.length === 2 && other.at(-1) === 2);
    const beforeCommit = seen.slice(0, seen.findIndex((rows) => rows.includes(2)));
    expect(beforeCommit.every((rows) => !rows.includes(2))).toBe(true);
    await lq.unsubscribe();
    await inc.unsubscribe();
    await expect(node.live.query('select * from missing')).rejects.toMatchObject({ code: '42P01' });
  });

  it('refuses the serializers option loudly (parameter types are not known before planning)', async () => {
    const node = await fresh();
    await expect(node.query('select $1::int as n', [1], { serializers: { 23: (v) => String(v) } })).rejects.toMatchObject({ code: '0A000' });
    expect((await node.query('select $1::int as n', [1], { serializers: {} })).rows).toEqual([{ n: 1 }]);
  });

  it('has PGlite\'s readiness API and closed flag', async () => {
    const node = await fresh();
    expect(node.ready).toBe(true);
    await node.waitReady;
    expect(node.closed).toBe(false);
    await node.close();
    expect(node.closed).toBe(true);
  });
});

describe('a call on the node from inside its own transaction(), by default', () => {
  it.each(hosts)('%s: waits, is logged after deadlock_timeout, and runs once the transaction ends', async (_name, open) => {
    const logs: string[] = [];
    const node = await open({ cluster: `nested-${process.pid}-${++counter}`, nodeId: `w${counter}`, storage: 'memory', log: (_level, m) => void logs.push(m) });
    await waitsLogged(node, logs);
  });

  it('with checkNestedCalls where the host has no AsyncLocalStorage (browsers), is logged the same way', async () => {
    const logs: string[] = [];
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(() => undefined as never);
    const node = await inProcess({ cluster: `no-als-${process.pid}-${++counter}`, storage: 'memory', log: (_level, m) => void logs.push(m), checkNestedCalls: true });
    spy.mockRestore();
    await waitsLogged(node, logs);
  });
});

describe('closing with a block open', () => {
  it.each(hosts)('%s: the block is rolled back, as when a PostgreSQL client disconnects', async (_name, open) => {
    const options = { cluster: `close-open-${process.pid}-${++counter}`, nodeId: `c${counter}`, storage: 'indexeddb' as const, log: () => {} };
    const node = await open(options);
    await node.exec('create table t (id int primary key)');
    await node.query('begin');
    await node.query('insert into t values (1)');
    await node.close();
    const again = await inProcess(options);
    expect((await again.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    await again.query('insert into t values (1)');
  });

  it.each(hosts)('%s: a transaction() still running fails with 57P01 and commits nothing', async (_name, open) => {
    const options = { cluster: `close-tx-${process.pid}-${++counter}`, nodeId: `c${counter}`, storage: 'indexeddb' as const, log: () => {} };
    const node = await open(options);
    await node.exec('create table t (id int primary key)');
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = node.transaction(async (tx) => {
      await tx.query('insert into t values (1)');
      entered();
      await gate;
      await tx.query('insert into t values (2)').catch(() => {});
      return 'fn finished';
    });
    await inside;
    await node.close();
    release();
    await expect(running).rejects.toMatchObject({ code: '57P01' });
    const again = await inProcess(options);
    expect((await again.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
  });
});

/** A call on the node from inside fn waits, is logged after deadlock_timeout, and runs once fn is done. */
async function waitsLogged(node: NodeApi, logs: readonly string[]): Promise<void> {
  await node.exec('create table t (id int primary key)');
  let nested: Promise<unknown> | undefined;
  await node.transaction(async (tx) => {
    await tx.query('insert into t values (1)');
    nested = node.query('select count(*)::int as n from t');
    await until(() => logs.some((m) => m.startsWith('a statement has waited 1000 ms for a transaction() to finish')));
  });
  expect(await nested).toMatchObject({ rows: [{ n: 1 }] });
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
