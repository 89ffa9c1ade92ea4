/**
 * Views and CREATE TABLE AS as WAL-logged DDL (issue 10): a view is a catalog entry without rows,
 * so a streaming standby, a base-backup standby and a node recovered from a checkpoint and its
 * WAL all answer through it, with the same content hash; what walrtc refuses on a view (writes to
 * a view that is not updatable, renaming what it reads) is refused everywhere. PostgreSQL's behaviour itself is checked in
 * sql-reference.test.ts (view corpus).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table orders (id int primary key, customer text, amount int);
  insert into orders values (1, 'ann', 10), (2, 'bob', 20), (3, 'ann', 5);
  create view totals as select customer, sum(amount) as total from orders group by customer;
  create view big (who) as select customer from totals where total > 12;
  create table snapshot_totals as select * from totals;
`;

const answers = async (node: Node) => ({
  big: (await node.query('select who from big order by who')).rows,
  copy: (await node.query('select customer, total from snapshot_totals order by customer')).rows,
  kinds: (await node.query("select table_name, table_type from information_schema.tables order by table_name")).rows,
});

const EXPECTED = {
  big: [{ who: 'ann' }, { who: 'bob' }],
  copy: [{ customer: 'ann', total: 15 }, { customer: 'bob', total: 20 }],
  kinds: [
    { table_name: 'big', table_type: 'VIEW' }, { table_name: 'orders', table_type: 'BASE TABLE' },
    { table_name: 'snapshot_totals', table_type: 'BASE TABLE' }, { table_name: 'totals', table_type: 'VIEW' },
  ],
};

describe('views are WAL-logged', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby answer through them', async () => {
    c = memoryCluster();
    const { p, streaming } = await replicatedDdl(c, SCHEMA, answers, EXPECTED);
    // a view follows its table's rows, and a replaced or dropped view reaches the standbys as well
    await p.node.exec("insert into orders values (4, 'cy', 30); create or replace view big (who) as select customer from totals where total > 18; drop view totals cascade");
    await caughtUp(p.node, streaming.node);
    await expect(streaming.node.query('select * from big')).rejects.toMatchObject({ code: '42P01' });
    expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node recovered from its checkpoint and WAL keeps them, and their refusals', async () => {
    const cluster = `views-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.checkpoint();
    await node.exec("create view ann as select id from orders where customer = 'ann'");
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect(await answers(reopened)).toEqual({ ...EXPECTED, kinds: [EXPECTED.kinds[0], { table_name: 'ann', table_type: 'VIEW' }, ...EXPECTED.kinds.slice(1)].sort((a, b) => (a!.table_name < b!.table_name ? -1 : 1)) });
    expect((await reopened.query('select id from ann order by id')).rows).toEqual([{ id: 1 }, { id: 3 }]);
    // a simple view is updatable; a grouped one is not (PostgreSQL's 55000)
    await reopened.query('insert into ann values (9)');
    expect((await reopened.query('select id, customer from orders where id = 9')).rows).toEqual([{ id: 9, customer: null }]);
    await expect(reopened.query("insert into totals values ('x', 1)")).rejects.toMatchObject({ code: '55000', message: 'cannot insert into view "totals"' });
    await expect(reopened.query('drop table orders')).rejects.toMatchObject({ code: '2BP01' });
    // renaming what a view reads would leave it reading another table by that name: refused
    await expect(reopened.query('alter table orders rename to old_orders')).rejects.toMatchObject({ code: '0A000' });
    await expect(reopened.query('alter table orders rename column customer to who')).rejects.toMatchObject({ code: '0A000' });
    await reopened.close();
  });
});
