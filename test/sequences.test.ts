/**
 * Sequences, identity and generated columns as WAL-logged state (issue 10): CREATE/ALTER SEQUENCE,
 * setval and CYCLE wraps (which move a counter backwards), RESTART and TRUNCATE … RESTART IDENTITY
 * reach a streaming standby and a base-backup standby with the same content hash, and survive a
 * checkpoint and recovery — so a promoted standby or a reopened node hands out the next value, not
 * one already used. The SQL itself is checked against PostgreSQL in sql-reference.test.ts.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, until, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create sequence up as int increment by 5 start with 10 maxvalue 30 cycle;
  create sequence down increment by -1 start with -1;
  create table items (id bigint generated always as identity (start with 100), qty int, total int generated always as (qty * 3) stored);
  insert into items (qty) values (1), (2);
  select nextval('up'), nextval('up'), nextval('up'), nextval('up'), nextval('up');
  select nextval('down'), nextval('down');
  alter sequence down restart with -10 minvalue -20;
  select setval('up', 20);
  create table later (v int);
  insert into later values (1), (2);
  alter table later add column id int generated always as identity, add column twice int generated always as (v * 2) stored;
`;

const nextValues = async (node: Node) => (await node.query<{ up: unknown; down: unknown }>("select nextval('up') as up, nextval('down') as down")).rows[0];

describe('sequences are WAL-logged', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby hold the same sequences, identity and generated columns', async () => {
    c = memoryCluster();
    const { p, s: streaming } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await caughtUp(p.node, streaming.node);
    expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());
    expect((await streaming.node.query('select v, id, twice from later order by v')).rows).toEqual([{ v: 1, id: 1, twice: 2 }, { v: 2, id: 2, twice: 4 }]);
    expect((await streaming.node.query('select id, qty, total from items order by id')).rows).toEqual([
      { id: 100, qty: 1, total: 3 }, { id: 101, qty: 2, total: 6 },
    ]);
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    // a truncate that restarts the identity, after the backup: both standbys follow
    await p.node.exec("truncate items restart identity; insert into items (qty) values (7)");
    await caughtUp(p.node, streaming.node);
    await caughtUp(p.node, fresh.node);
    expect((await fresh.node.query('select id, total from items')).rows).toEqual([{ id: 100, total: 21 }]);
    expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());
    // the standby continues where the primary stopped once promoted
    await streaming.node.promote();
    await until('promotion', async () => (await streaming.node.status()).role === 'primary');
    expect(await nextValues(streaming.node)).toEqual({ up: 25, down: -10 });
  });

  it('a node recovered from its checkpoint and WAL continues each sequence', async () => {
    const cluster = `seq-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.checkpoint();
    // after the checkpoint: a CYCLE wrap (backwards), an ALTER and a restart, in the WAL only
    await node.exec("select nextval('up'), nextval('up'), nextval('up'); alter sequence down increment by -2; alter sequence items_id_seq restart with 500");
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    // up: 20 → 25, 30, then wraps to its MINVALUE 1 → next is 6
    expect(await nextValues(reopened)).toEqual({ up: 6, down: -10 });
    expect((await reopened.query('insert into items (qty) values (4) returning id, total')).rows).toEqual([{ id: 500, total: 12 }]);
    await expect(reopened.query('insert into items (id, qty) values (1, 1)')).rejects.toMatchObject({ code: '428C9' });
    // the identity added to a table with rows continues after them
    expect((await reopened.query('insert into later (v) values (3) returning id, twice')).rows).toEqual([{ id: 3, twice: 6 }]);
    await reopened.close();
  });
});
