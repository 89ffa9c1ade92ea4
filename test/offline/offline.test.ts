/**
 * Offline-first writes (issue 15): a standby with offlineWrites queues write transactions, shows
 * them on its optimistic view, forwards them to the primary, and learns each one's verdict.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqlError } from '@walrtc/engine';
import { exposeHost } from '../../packages/engine/src/worker/host.ts';
import { connectWorkerNode } from '../../packages/engine/src/worker/index.ts';
import { caughtUp, memoryCluster, until, type TestCluster } from '../cluster.ts';

let c: (TestCluster & { net: ReturnType<typeof memoryCluster>['net'] }) | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

async function setup(standbyOptions = {}) {
  c = memoryCluster();
  const p = await c.open('primary');
  await p.node.exec('create table items(id text primary key, qty int not null check (qty >= 0))');
  await p.node.query(`insert into items values ('a', 1)`);
  const s = await c.open('standby', { role: 'standby', offlineWrites: true, ...standbyOptions });
  await caughtUp(p.node, s.node);
  return { p, s };
}

const count = async (n: { query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }> }, sql: string) => Number((await n.query(sql)).rows[0]!.n);

describe('offline writes', () => {
  it('a standby without offlineWrites still refuses writes with 25006', async () => {
    c = memoryCluster();
    const p = await c.open('primary');
    await p.node.exec('create table items(id text primary key, qty int)');
    const s = await c.open('standby', { role: 'standby' });
    await caughtUp(p.node, s.node);
    await expect(s.node.query(`insert into items values ('x', 1)`)).rejects.toMatchObject({ code: '25006' });
    expect(s.node.offline).toBeUndefined();
  });

  it('an autocommit write on a standby is queued, shown at once, applied once on the primary, and settles', async () => {
    const { p, s } = await setup();
    const r = await s.node.query<{ id: string; qty: number }>(`insert into items values ('b', 2) returning id, qty`);
    expect(r.rows).toEqual([{ id: 'b', qty: 2 }]);
    expect(r.command).toBe('INSERT');
    expect(r.pending?.origin).toBe('standby');
    expect(r.pending?.seq).toBe(1);
    // the optimistic view shows it; the confirmed view does not (yet, or maybe already)
    expect((await s.node.query(`select qty from items where id = 'b'`)).rows).toEqual([{ qty: 2 }]);
    const verdict = await r.pending!.verdict!;
    expect(verdict).toMatchObject({ status: 'applied', origin: 'standby', seq: 1 });
    // applied means: replayed here too, and gone from the queue
    expect((await s.node.query(`select qty from items where id = 'b'`, [], { optimistic: false })).rows).toEqual([{ qty: 2 }]);
    expect((await p.node.query(`select qty from items where id = 'b'`)).rows).toEqual([{ qty: 2 }]);
    expect(await count(s.node, 'select count(*) as n from walrtc_pending')).toBe(0);
    expect((await p.node.query(`select origin, seq, outcome from walrtc_applied_xacts`)).rows).toEqual([{ origin: 'standby', seq: 1, outcome: 'applied' }]);
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    expect((await s.node.status()).offline).toEqual({ queued: 0, sent: 0, applied: 0, failed: 0, appliedXacts: 1 });
  });

  it('BEGIN … COMMIT and transaction() are each one queued transaction; the COMMIT result carries the handle', async () => {
    const { p, s } = await setup();
    c!.net.partition(['standby'], ['primary']);
    await s.node.query('BEGIN');
    await s.node.query(`insert into items values ('c', 3)`);
    await s.node.query(`update items set qty = qty + 10 where id = 'a'`);
    const commit = await s.node.query('COMMIT');
    expect(commit.pending?.seq).toBe(1);
    await s.node.transaction(async (tx) => {
      await tx.query(`insert into items values ('d', 4)`);
      await tx.query(`delete from items where id = 'c'`);
    });
    expect(s.node.offline!.lastSeq).toBe(2);
    // several statements in one exec() are one implicit transaction
    const many = await s.node.exec(`insert into items values ('e', 5); update items set qty = 6 where id = 'e'; delete from items where id = 'e'`);
    expect(many.map((r) => r.command)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(many[2]!.pending?.seq).toBe(3);
    expect(s.node.offline!.lastSeq).toBe(3);
    expect((await s.node.query('select id, qty from items order by id')).rows).toEqual([{ id: 'a', qty: 11 }, { id: 'd', qty: 4 }]);
    const rows = (await s.node.query<{ seq: number; statements: string; state: string }>('select seq, statements, state from walrtc_pending order by seq')).rows;
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]!.statements).toContain("insert into items values ('c', 3)");
    c!.net.heal();
    expect(await s.node.offline!.verdict(3)).toMatchObject({ status: 'applied' });
    expect((await p.node.query('select id, qty from items order by id')).rows).toEqual([{ id: 'a', qty: 11 }, { id: 'd', qty: 4 }]);
    // COMMIT AND CHAIN queues the block and opens the next offline block
    await s.node.exec(`BEGIN; insert into items values ('f', 7); COMMIT AND CHAIN`);
    await s.node.query(`delete from items where id = 'f'`);
    await s.node.query('COMMIT');
    expect(s.node.offline!.lastSeq).toBe(5);
    // a rolled-back block queues nothing
    await s.node.query('BEGIN');
    await s.node.query(`insert into items values ('z', 1)`);
    await s.node.query('ROLLBACK');
    expect(s.node.offline!.lastSeq).toBe(5);
    expect(await count(s.node, `select count(*) as n from items where id = 'z'`)).toBe(0);
  });

  it('a conflicting write is rejected with the primary\'s SQLSTATE, leaves the view, is kept as failed and reported', async () => {
    const { p, s } = await setup();
    c!.net.partition(['standby'], ['primary']);
    const seen: string[] = [];
    s.node.offline!.onVerdict((v) => void seen.push(`${v.seq}:${v.status}${v.status === 'rejected' ? `:${v.code}` : ''}`));
    const dup = await s.node.query(`insert into items values ('k', 1)`);
    const gone = await s.node.query(`update items set qty = 5 where id = 'a'`);
    const ok = await s.node.query(`insert into items values ('m', 1)`);
    expect((await s.node.status()).offline).toMatchObject({ queued: 3 });
    await p.node.query(`insert into items values ('k', 100)`);
    await p.node.query(`delete from items where id = 'a'`);
    c!.net.heal();
    expect(await dup.pending!.verdict!).toMatchObject({ status: 'rejected', code: '23505', message: 'duplicate key value violates unique constraint "items_pkey"' });
    expect(await gone.pending!.verdict!).toMatchObject({ status: 'rejected', code: '40001' });
    expect(await ok.pending!.verdict!).toMatchObject({ status: 'applied' });
    expect(seen).toEqual(['1:rejected:23505', '2:rejected:40001', '3:applied']);
    await caughtUp(p.node, s.node);
    await s.node.offline!.settled();
    expect((await s.node.query('select id, qty from items order by id')).rows).toEqual([{ id: 'k', qty: 100 }, { id: 'm', qty: 1 }]);
    const failed = (await s.node.query<{ seq: number; state: string; sqlstate: string }>('select seq, state, sqlstate from walrtc_pending order by seq')).rows;
    expect(failed).toEqual([{ seq: 1, state: 'failed', sqlstate: '23505' }, { seq: 2, state: 'failed', sqlstate: '40001' }]);
    expect((await p.node.query(`select seq, outcome, sqlstate from walrtc_applied_xacts order by seq`)).rows)
      .toEqual([{ seq: 1, outcome: 'rejected', sqlstate: '23505' }, { seq: 2, outcome: 'rejected', sqlstate: '40001' }, { seq: 3, outcome: 'applied', sqlstate: null }]);
    expect(await s.node.offline!.dismiss(1)).toBe(true);
    expect(await count(s.node, 'select count(*) as n from walrtc_pending')).toBe(1);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('savepoints of an offline block are queued with it: what ROLLBACK TO undid is undone on the primary too', async () => {
    const { p, s } = await setup();
    await s.node.exec(`BEGIN; insert into items values ('x', 1); SAVEPOINT a; insert into items values ('y', 1)`);
    await expect(s.node.query(`insert into items values ('x', 2)`)).rejects.toMatchObject({ code: '23505' });
    await s.node.exec(`ROLLBACK TO a; insert into items values ('z', 1)`);
    const commit = await s.node.query('COMMIT');
    expect(await commit.pending!.verdict!).toMatchObject({ status: 'applied' });
    expect((await p.node.query('select id from items order by id')).rows).toEqual([{ id: 'a' }, { id: 'x' }, { id: 'z' }]);
    expect((await s.node.query('select id from items order by id')).rows).toEqual([{ id: 'a' }, { id: 'x' }, { id: 'z' }]);
  });

  it('DDL is refused in an offline write, and a failed write queues nothing', async () => {
    const { s } = await setup();
    await expect(s.node.query('create table x(a int)')).rejects.toMatchObject({ code: '0A000', message: 'cannot execute CREATE TABLE in an offline write transaction' });
    await expect(s.node.query(`insert into items values ('a', 1)`)).rejects.toBeInstanceOf(SqlError);
    await expect(s.node.query(`insert into items values ('q', -1)`)).rejects.toMatchObject({ code: '23514' });
    expect(s.node.offline!.lastSeq).toBeUndefined();
    expect(await count(s.node, 'select count(*) as n from walrtc_pending')).toBe(0);
  });

  it('live queries fire for a queued write and again when its rejection takes it out of the view', async () => {
    const { p, s } = await setup();
    c!.net.partition(['standby'], ['primary']);
    const seen: string[][] = [];
    const lq = await s.node.live.query<{ id: string }>('select id from items order by id', [], (r) => void seen.push(r.rows.map((x) => x.id)));
    await s.node.query(`insert into items values ('k', 1)`);
    await until('the live query to show the queued row', () => seen.some((ids) => ids.includes('k')));
    await p.node.query(`insert into items values ('k', 7)`);
    c!.net.heal();
    await until('the rejection', async () => (await s.node.status()).offline.failed === 1);
    await caughtUp(p.node, s.node);
    await s.node.offline!.settled();
    await until('the live query to show the primary\'s row only', () => JSON.stringify(seen.at(-1)) === JSON.stringify(['a', 'k']));
    expect((await s.node.query<{ qty: number }>(`select qty from items where id = 'k'`)).rows).toEqual([{ qty: 7 }]);
    await lq.unsubscribe();
  });

  it('a WorkerNode standby queues offline writes too, and its results carry the verdict', async () => {
    c = memoryCluster();
    const p = await c.open('primary');
    await p.node.exec('create table items(id text primary key, qty int not null)');
    const channel = new MessageChannel();
    exposeHost(channel.port1);
    const w = await connectWorkerNode(channel.port2, { cluster: c.name, nodeId: 'worker', storage: 'memory', transport: c.net.transport('worker'), role: 'standby', offlineWrites: true, keepaliveMs: 100, log: () => {} }, () => {
      channel.port1.close();
      channel.port2.close();
    });
    try {
      await caughtUp(p.node, w as never);
      const r = await w.query<{ id: string }>(`insert into items values ('w', 1) returning id`);
      expect(r.rows).toEqual([{ id: 'w' }]);
      expect(await r.pending!.verdict!).toMatchObject({ status: 'applied', origin: 'worker', seq: 1 });
      expect((await p.node.query(`select qty from items where id = 'w'`)).rows).toEqual([{ qty: 1 }]);
    } finally {
      await w.close();
    }
  });

  it('optimisticReads: false shows confirmed data only', async () => {
    const { s } = await setup({ optimisticReads: false });
    c!.net.partition(['standby'], ['primary']);
    const r = await s.node.query<{ qty: number }>(`insert into items values ('b', 2) returning qty`);
    expect(r.rows).toEqual([{ qty: 2 }]);
    expect(await count(s.node, `select count(*) as n from items where id = 'b'`)).toBe(0);
    expect(await count(s.node, 'select count(*) as n from walrtc_pending')).toBe(1);
  });
});
