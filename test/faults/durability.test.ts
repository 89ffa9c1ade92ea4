import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node, type SynchronousCommit } from '@walrtc/engine';
import { until } from '../cluster.ts';
import { faultyStorage, prng, reopen } from './faults.ts';

const open: Node[] = [];
afterEach(async () => {
  for (const n of open.splice(0)) await n.close().catch(() => {});
});

async function single(level: SynchronousCommit, seed = 1) {
  const storage = faultyStorage(prng(seed), 0);
  const logs: string[] = [];
  const cluster = `durability-${process.pid}-${seed}-${level}-${Math.random()}`;
  const node = await openNode({ cluster, nodeId: 'p', storage, synchronousCommit: level, log: (_l, m) => void logs.push(m) });
  open.push(node);
  await node.exec('create table t(id int primary key)');
  const count = async () => Number((await node.query<{ n: number }>('select count(*) as n from t')).rows[0]!.n);
  return { node, storage, logs, cluster, count };
}

describe('durable before visible', () => {
  for (const level of ['local', 'on'] as const) {
    it(`'${level}': a commit is seen by readers and live queries only once its WAL is flushed`, async () => {
      const { node, storage, count } = await single(level);
      const seen: number[] = [];
      // the node is one session: while its INSERT waits for the flush, a read through query() would
      // queue behind it, so readers are observed through a live query (committed state, no session)
      const live = await node.live.query<{ n: number }>('select count(*)::int as n from t', [], (r) => void seen.push(Number(r.rows[0]!.n)));
      const hold = storage.holdWal();
      const insert = node.query('insert into t values (1)');
      await hold.reached;
      await live.refresh();
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((n) => n === 0)).toBe(true);
      hold.release();
      await insert;
      expect(await count()).toBe(1);
      await until('the live query to see the commit', () => seen[seen.length - 1] === 1);
      await live.unsubscribe();
    });
  }

  it("'off' shows a commit at once, as before", async () => {
    const { node, storage, count } = await single('off');
    const hold = storage.holdWal();
    await node.query('insert into t values (1)');
    await hold.reached;
    expect(await count()).toBe(1);
    hold.release();
  });
});

describe('a failed WAL flush fences the node until storage works again', () => {
  it("'local': the failing commit errors, nothing unflushed is visible, writes are refused with a clear error, then resume; a restart has exactly the acknowledged rows", async () => {
    const { node, storage, logs, cluster, count } = await single('local', 3);
    await node.query('insert into t values (1)');
    storage.failWrites(true);
    await expect(node.query('insert into t values (2)')).rejects.toMatchObject({ code: 'XX001', message: expect.stringMatching(/^could not write to WAL: .*quota/i) });
    expect(await count()).toBe(1);
    await expect(node.query('insert into t values (3)')).rejects.toMatchObject({ code: '25006', detail: expect.stringMatching(/WAL writes are failing/) });
    expect(await count()).toBe(1);
    expect(logs.some((l) => l.startsWith('PANIC:  could not write to WAL'))).toBe(true);
    storage.failWrites(false);
    await until('writes to resume', () => node.query('insert into t values (4)').then(() => true, () => false));
    expect((await node.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id)).toEqual([1, 4]);
    await node.close();
    const again = await reopen(cluster, 'p', storage);
    open.push(again);
    expect((await again.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id)).toEqual([1, 4]);
    await again.query('insert into t values (5)');
  });

  it("'off': a commit shown before its flush is withdrawn when the flush fails", async () => {
    const { node, storage, count } = await single('off', 4);
    await node.query('insert into t values (1)');
    await node.checkpoint();
    storage.failWrites(true);
    await node.query('insert into t values (2)');
    await until('the unflushed commit to be withdrawn', async () => (await count()) === 1);
    storage.failWrites(false);
    await until('writes to resume', () => node.query('insert into t values (3)').then(() => true, () => false));
    await node.checkpoint();
    expect((await node.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id)).toEqual([1, 3]);
  });

  it('a transaction begun on top of a commit that never reached storage cannot commit', async () => {
    const { node, storage, count } = await single('local', 5);
    const hold = storage.holdWal();
    const first = node.query('insert into t values (1)');
    await hold.reached;
    storage.failWrites(true);
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const second = node.transaction(async (tx) => {
      inside();
      await first.catch(() => {});
      await tx.query('insert into t values (2)');
    });
    hold.release();
    await entered;
    await expect(first).rejects.toMatchObject({ code: 'XX001' });
    await expect(second).rejects.toMatchObject({ code: expect.stringMatching(/^(XX001|25006)$/) });
    storage.failWrites(false);
    expect(await count()).toBe(0);
  });
});
