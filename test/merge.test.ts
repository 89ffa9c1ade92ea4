/**
 * MERGE as WAL and as a join (issue 10): its changes are the very row records the equivalent
 * INSERT, UPDATE and DELETE write, so a streaming standby and a base-backup standby reach the
 * primary's content hash; a MERGE that fails changes nothing anywhere; a standby refuses it; the
 * join probes the target's index instead of reading the whole target. PostgreSQL's results and
 * errors are checked in sql-sqlb-reference.test.ts (merge corpus).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openNode } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { IndexData } from '../packages/engine/src/state/state.ts';
import { decodeRecords } from '../packages/engine/src/wal/codec.ts';
import { FIRST_LSN } from '../packages/engine/src/wal/lsn.ts';
import type { WalRecord } from '../packages/engine/src/wal/record.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table stock (sku int primary key, qty int not null check (qty >= 0), note text default 'new');
  create table delivery (sku int, qty int);
  insert into stock values (1, 10, 'a'), (2, 0, 'b'), (3, 5, 'c');
  insert into delivery values (1, 4), (2, -1), (4, 7);
`;
const MERGE = `merge into stock s using delivery d on s.sku = d.sku
  when matched and s.qty + d.qty <= 0 then delete
  when matched then update set qty = s.qty + d.qty
  when not matched then insert (sku, qty) values (d.sku, d.qty)`;
// the same changes as plain DML, in the order MERGE makes them (source rows in order)
const EQUIVALENT = `update stock set qty = 14 where sku = 1; delete from stock where sku = 2; insert into stock (sku, qty) values (4, 7)`;
const AFTER = [{ sku: 1, qty: 14, note: 'a' }, { sku: 3, qty: 5, note: 'c' }, { sku: 4, qty: 7, note: 'new' }];

/** The row records (insert, update, delete) of the last committed transaction in a node's WAL. */
async function lastRowRecords(storage: ReturnType<typeof memoryStorage>): Promise<WalRecord[]> {
  let current: WalRecord[] = [];
  let last: WalRecord[] = [];
  for (const chunk of await storage.readWal(FIRST_LSN)) {
    for (const { record } of decodeRecords(chunk.bytes, chunk.lsn).records) {
      if (record.kind === 'commit') { if (current.length) last = current; current = []; }
      else if (record.kind === 'insert' || record.kind === 'update' || record.kind === 'delete') current.push(record);
    }
  }
  return last;
}

describe('MERGE', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; vi.restoreAllMocks(); });

  it('writes the same row records as the equivalent INSERT, UPDATE and DELETE', async () => {
    const a = memoryStorage(), b = memoryStorage();
    const merged = await openNode({ cluster: `merge-wal-a-${process.pid}`, storage: a, log: () => {} });
    const plain = await openNode({ cluster: `merge-wal-b-${process.pid}`, storage: b, log: () => {} });
    try {
      await merged.exec(SCHEMA);
      await plain.exec(SCHEMA);
      expect((await merged.query(MERGE)).rowCount).toBe(3);
      await plain.exec(`begin; ${EQUIVALENT}; commit`);
      expect((await merged.query('select * from stock order by sku')).rows).toEqual(AFTER);
      const records = await lastRowRecords(a);
      expect(records.map((r) => r.kind)).toEqual(['update', 'delete', 'insert']);
      expect(records).toEqual(await lastRowRecords(b));
      expect(await merged.contentHash()).toBe(await plain.contentHash());
    } finally {
      await merged.close();
      await plain.close();
    }
  });

  it('a streaming standby and a base-backup standby reach the primary\'s content hash; a failed MERGE changes nothing', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await p.node.query(MERGE);
    // a row matched twice fails the whole statement, after it changed other rows
    await expect(p.node.query('merge into stock s using (values (1, 1), (3, 1), (3, 2)) v (sku, qty) on s.sku = v.sku when matched then update set qty = v.qty'))
      .rejects.toMatchObject({ code: '21000', message: 'MERGE command cannot affect row a second time' });
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select * from stock order by sku')).rows).toEqual(AFTER);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await expect(s.node.query(MERGE)).rejects.toMatchObject({ code: '25006', message: 'cannot execute MERGE in a read-only transaction' });
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect((await fresh.node.query('select * from stock order by sku')).rows).toEqual(AFTER);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('rolls back with its transaction and with ROLLBACK TO', async () => {
    const node = await openNode({ cluster: `merge-rollback-${process.pid}`, storage: 'memory' });
    try {
      await node.exec(SCHEMA);
      await node.exec(`begin; ${MERGE}; rollback`);
      expect((await node.query('select count(*)::int as n from stock')).rows).toEqual([{ n: 3 }]);
      await node.exec(`begin; savepoint x; ${MERGE}; rollback to x; commit`);
      expect((await node.query('select sku from stock order by sku')).rows).toEqual([{ sku: 1 }, { sku: 2 }, { sku: 3 }]);
    } finally {
      await node.close();
    }
  });

  it('finds a small source\'s matches through the target\'s index, not by reading every target row', async () => {
    const node = await openNode({ cluster: `merge-index-${process.pid}`, storage: 'memory' });
    try {
      await node.exec('create table big (id int primary key, v int); insert into big select g, 0 from generate_series(1, 5000) g');
      const lookup = vi.spyOn(IndexData.prototype, 'lookup');
      const r = await node.query('merge into big b using (values (10), (20), (6000)) s (id) on b.id = s.id when matched then update set v = 1 when not matched then insert values (s.id, 2)');
      expect(r.rowCount).toBe(3);
      expect(lookup).toHaveBeenCalledTimes(3);
      expect((await node.query('select id, v from big where v > 0 order by id')).rows).toEqual([{ id: 10, v: 1 }, { id: 20, v: 1 }, { id: 6000, v: 2 }]);
    } finally {
      await node.close();
    }
  });
});
