/**
 * ALTER INDEX … RENAME, ALTER TABLE … RENAME CONSTRAINT and ALTER TABLE / SEQUENCE … SET SCHEMA
 * are WAL (issue 10): a streaming standby and a base-backup standby reach the primary's content
 * hash and see the new names, a checkpoint and a reopen keep them, and a rolled-back rename
 * leaves nothing. PostgreSQL's results and errors are checked in sql-settings-reference.test.ts
 * (rename corpus).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table item (id serial primary key, sku int constraint item_sku unique, qty int constraint qty_pos check (qty > 0));
  create index item_qty_idx on item (qty);
  insert into item (sku, qty) values (1, 5), (2, 7);
  create sequence counter start 100;
  create schema shop;
`;
const CHANGES = `
  alter index item_qty_idx rename to item_by_qty;
  alter table item rename constraint item_sku to item_sku_key;
  alter table item rename constraint qty_pos to qty_positive;
  alter table item set schema shop;
  alter sequence counter set schema shop;
  alter sequence shop.counter rename to tally;
  insert into shop.item (sku, qty) values (3, 9);
`;

async function names(node: Node) {
  return {
    sequences: (await node.query('select schemaname, sequencename from pg_sequences order by 2')).rows,
    rows: (await node.query('select id, sku, qty from shop.item order by id')).rows,
    tally: (await node.query("select nextval('shop.tally')::int as n")).rows,
  };
}

describe('renames and SET SCHEMA', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('reach a streaming standby and a base-backup standby with the primary\'s content hash', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await p.node.exec(CHANGES);
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    expect((await s.node.query('select schemaname, sequencename from pg_sequences order by 2')).rows)
      .toEqual([{ schemaname: 'shop', sequencename: 'item_id_seq' }, { schemaname: 'shop', sequencename: 'tally' }]);
    // the renamed constraints are the ones enforced and named
    await expect(p.node.query('insert into shop.item (sku, qty) values (1, 1)')).rejects.toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "item_sku_key"' });
    await expect(p.node.query('insert into shop.item (sku, qty) values (8, -1)')).rejects.toMatchObject({ code: '23514', message: 'new row for relation "item" violates check constraint "qty_positive"' });
    expect((await p.node.query('insert into shop.item (sku, qty) values (1, 1) on conflict on constraint item_sku_key do nothing')).rowCount).toBe(0);
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    await expect(s.node.query('alter index shop.item_by_qty rename to x')).rejects.toMatchObject({ code: '25006' });
  });

  it('are kept by a checkpoint and a reopen; a rolled-back rename leaves nothing', async () => {
    const storage = memoryStorage();
    const cluster = `rename-reopen-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec(SCHEMA);
    await node.exec('begin; alter table item set schema shop; alter index shop.item_qty_idx rename to gone; rollback');
    expect((await node.query('select count(*)::int as n from item')).rows).toEqual([{ n: 2 }]);
    await node.exec(CHANGES);
    const before = await names(node);
    await node.checkpoint();
    await node.exec('alter index shop.item_by_qty rename to item_qty');
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      const after = await names(reopened);
      expect(after.sequences).toEqual(before.sequences);
      expect(after.rows).toEqual([{ id: 1, sku: 1, qty: 5 }, { id: 2, sku: 2, qty: 7 }, { id: 3, sku: 3, qty: 9 }]);
      expect(after.tally).toEqual([{ n: 101 }]);
      await expect(reopened.query('alter index shop.item_by_qty rename to x')).rejects.toMatchObject({ code: '42P01' });
      await reopened.query('alter index shop.item_qty rename to item_qty2');
    } finally {
      await reopened.close();
    }
  });
});
