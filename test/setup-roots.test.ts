/**
 * The sql:regress chain-root fixes (issue 10) as WAL: what each changes in the catalog or the data
 * reaches a streaming standby and a base-backup standby with the primary's content hash, and
 * survives a checkpoint and reopen. PostgreSQL's answers are checked in
 * sql-setup-reference.test.ts (test/reference/setup-corpora.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

/** `sql` on a node that is checkpointed, closed and reopened from its storage: `answers` after. */
async function afterReopen<T>(sql: string, answers: (n: Node) => Promise<T>): Promise<T> {
  const storage = memoryStorage();
  const cluster = `setup-roots-reopen-${process.pid}-${Math.random()}`;
  const first = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
  try {
    await first.exec(sql);
    await first.checkpoint();
  } finally {
    await first.close();
  }
  const again = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
  try {
    return await answers(again);
  } finally {
    await again.close();
  }
}

const rows = async (n: Node, sql: string) => (await n.query(sql)).rows;

describe('ALTER TABLE … RENAME COLUMN down an inheritance tree', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  const TREE = `
    create table a_star (class char, a int4);
    create table b_star (b text) inherits (a_star);
    create table c_star (c name) inherits (a_star);
    create table d_star (d float8) inherits (b_star, c_star);
    insert into d_star values ('d', 4, 'grumble', 'hi d', 1.5);
    alter table a_star* rename column a to aa;`;
  const answers = (n: Node) => rows(n, 'select class, aa, b, c, d from d_star');
  const expected = [{ class: 'd', aa: 4, b: 'grumble', c: 'hi d', d: 1.5 }];

  it('renames the column in every table below on the primary and both kinds of standby', async () => {
    c = memoryCluster();
    const { p } = await replicatedDdl(c, TREE, answers, expected);
    expect(await rows(p.node, 'select aa from a_star')).toEqual([{ aa: 4 }]);
  });

  it('survives a checkpoint and reopen', async () => {
    expect(await afterReopen(TREE, answers)).toEqual(expected);
  });

  it('renames nothing when a table below refuses it', async () => {
    const node = await openNode({ cluster: `setup-roots-refuse-${process.pid}`, storage: 'memory', log: () => {} });
    try {
      await node.exec(TREE);
      // d_star has a column bb of its own, so b_star's rename of b fails there, after c_star's turn
      await node.exec('alter table d_star rename column d to bb');
      await expect(node.query('alter table b_star rename column b to bb')).rejects.toMatchObject({ code: '42701', message: 'column "bb" of relation "d_star" already exists' });
      expect(await rows(node, 'select b from b_star')).toEqual([{ b: 'grumble' }]);
    } finally {
      await node.close();
    }
  });
});

describe('CREATE SCHEMA with schema elements', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  const SCHEMA = `
    create schema shop
      create index item_price on item (price)
      create view cheap as select name from item where price < 10
      create table item (id serial primary key, name text, price int)
      create table sale (item int references item (id), qty int);
    insert into shop.item (name, price) values ('pen', 2), ('book', 20);
    insert into shop.sale values (1, 3);`;
  const answers = async (n: Node) => ({ cheap: await rows(n, 'select * from shop.cheap'), sale: await rows(n, 'select * from shop.sale') });
  const expected = { cheap: [{ name: 'pen' }], sale: [{ item: 1, qty: 3 }] };

  it('creates its tables, view and index in the schema on the primary and both kinds of standby', async () => {
    c = memoryCluster();
    const { p } = await replicatedDdl(c, SCHEMA, answers, expected);
    await expect(p.node.query('insert into shop.sale values (9, 1)')).rejects.toMatchObject({ code: '23503' });
    await expect(p.node.query('select * from item')).rejects.toMatchObject({ code: '42P01' });
  });

  it('survives a checkpoint and reopen', async () => {
    expect(await afterReopen(SCHEMA, answers)).toEqual(expected);
  });
});

describe('table storage parameters', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  const OPTIONS = `
    create table tuned (a int) with (fillfactor = 70, autovacuum_enabled = off);
    create table tuned_child () inherits (tuned);
    alter table tuned set (parallel_workers = 0, fillfactor = 80);
    alter table tuned reset (autovacuum_enabled);
    insert into tuned_child values (1);`;
  const answers = (n: Node) => rows(n, 'select a from tuned');

  it('reach both kinds of standby with the primary\'s catalog (content hash)', async () => {
    c = memoryCluster();
    const { p } = await replicatedDdl(c, OPTIONS, answers, [{ a: 1 }]);
    // the kept parameters are part of the catalog the hash covers
    const before = await p.node.contentHash();
    await p.node.exec('alter table tuned reset (parallel_workers, fillfactor)');
    expect(await p.node.contentHash()).not.toBe(before);
  });

  it('survive a checkpoint and reopen', async () => {
    const storage = memoryStorage();
    const cluster = `setup-roots-options-${process.pid}`;
    const first = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    let hash: string;
    try {
      await first.exec(OPTIONS);
      await first.checkpoint();
      hash = await first.contentHash();
    } finally {
      await first.close();
    }
    const again = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      expect(await again.contentHash()).toBe(hash);
      await expect(again.query('alter table tuned set (fillfactor = 5)')).rejects.toMatchObject({ code: '22023', message: 'value 5 out of bounds for option "fillfactor"' });
    } finally {
      await again.close();
    }
  });
});
