/**
 * DML through simple views (issue 10) writes the base table's ordinary row records: a streaming
 * standby and a base-backup standby reach the primary's content hash, the same as the equivalent
 * DML on the base table gives; a CHECK OPTION violation leaves nothing behind; a standby refuses
 * it like any write. PostgreSQL's results and errors are checked in sql-sqlb-reference.test.ts
 * (updview corpus).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openNode } from '@walrtc/engine';
import BTree from '../packages/engine/src/state/btree.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table item (id int primary key, name text not null, price int, cents int generated always as (price * 100) stored);
  insert into item (id, name, price) values (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);
  create view cheap as select id, name as label, price from item where price < 25 with check option;
`;
const THROUGH_VIEW = `
  insert into cheap values (4, 'd', 5);
  update cheap set price = price + 1, label = upper(label) where id <> 4;
  delete from cheap where id = 4;
`;
const DIRECT = `
  insert into item (id, name, price) values (4, 'd', 5);
  update item set price = price + 1, name = upper(name) where id in (1, 2);
  delete from item where id = 4;
`;
const AFTER = [{ id: 1, name: 'A', price: 11, cents: 1100 }, { id: 2, name: 'B', price: 21, cents: 2100 }, { id: 3, name: 'c', price: 30, cents: 3000 }];

describe('DML through a view', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('changes the base rows as the equivalent DML does, on the primary and on its standbys', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await p.node.exec(`begin; ${THROUGH_VIEW} commit`);
    expect((await p.node.query('select * from item order by id')).rows).toEqual(AFTER);
    // the CHECK OPTION refuses a row the view would not show, and the statement leaves nothing
    await expect(p.node.query('update cheap set price = 99 where id = 1')).rejects.toMatchObject({ code: '44000', message: 'new row violates check option for view "cheap"' });
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select * from item order by id')).rows).toEqual(AFTER);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await expect(s.node.query("insert into cheap values (5, 'e', 1)")).rejects.toMatchObject({ code: '25006' });
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());

    const direct = await openNode({ cluster: `view-dml-direct-${process.pid}`, storage: 'memory' });
    try {
      await direct.exec(SCHEMA);
      await direct.exec(`begin; ${DIRECT} commit`);
      expect((await direct.query('select * from item order by id')).rows).toEqual(AFTER);
      expect(await direct.contentHash()).toBe(await p.node.contentHash());
    } finally {
      await direct.close();
    }
  });

  it('finds the rows of an UPDATE or DELETE through the base table\'s index, not by reading every row', async () => {
    const node = await openNode({ cluster: `view-dml-index-${process.pid}`, storage: 'memory' });
    try {
      await node.exec("create table big (id int primary key, name text); insert into big select g, 'n' || g from generate_series(1, 5000) g; create view named (key, label) as select id, name from big where id > 0");
      const fullScans = vi.spyOn(BTree.prototype, 'forEachPair');
      expect((await node.query("update named set label = 'x' where key = 7 returning key, label")).rows).toEqual([{ key: 7, label: 'x' }]);
      expect((await node.query('delete from named where key = 8 and label is not null')).rowCount).toBe(1);
      expect(fullScans).not.toHaveBeenCalled();
      // a condition on no indexed column reads the table
      expect((await node.query("update named set label = 'y' where label = 'n9'")).rowCount).toBe(1);
      expect(fullScans).toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
      await node.close();
    }
  });
});
