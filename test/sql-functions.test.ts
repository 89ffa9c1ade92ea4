/**
 * SQL functions and procedures are catalog objects (issue 10): CREATE/DROP FUNCTION and
 * CREATE PROCEDURE are WAL records, so a streaming standby and a base-backup standby call the
 * same functions with the same content hash, a node recovered from its checkpoint and WAL keeps
 * them, and a rolled-back CREATE leaves nothing. PostgreSQL's results and errors are checked in
 * sql-types-reference.test.ts (sqlfunc and variadic corpora).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table item (id int primary key, name text);
  insert into item values (1, 'one'), (2, 'two');
  create function item_name(k int, fallback text default '?') returns text language sql stable as 'select coalesce((select name from item where id = k), fallback)';
  create function item_ids(lo int) returns table (id int, name text) language sql begin atomic select id, name from item where id >= lo order by id; end;
  create function doomed(int) returns int language sql return $1;
  create procedure add_item(k int, n text) language sql as 'insert into item values (k, n)';
  call add_item(3, 'three');
  create or replace function item_name(k int, fallback text default '?') returns text language sql stable as 'select upper(coalesce((select name from item where id = k), fallback))';
  drop function doomed(int);
`;

const answers = async (node: Node) => ({
  names: (await node.query('select item_name(1) as a, item_name(9) as b, item_name(9, fallback => \'none\') as c')).rows,
  rows: (await node.query('select * from item_ids(2)')).rows,
  dropped: await node.query('select doomed(1)').then(() => 'callable', (e: { code: string }) => e.code),
});

const EXPECTED = {
  names: [{ a: 'ONE', b: '?', c: 'NONE' }],
  rows: [{ id: 2, name: 'two' }, { id: 3, name: 'three' }],
  dropped: '42883',
};

describe('SQL functions are WAL-logged catalog objects', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby call the same functions, with the same content hash', async () => {
    c = memoryCluster();
    const { p, streaming } = await replicatedDdl(c, SCHEMA, answers, EXPECTED);
    // a standby refuses to define functions, as PostgreSQL's hot standby does
    await expect(streaming.node.query("create function f() returns int language sql as 'select 1'")).rejects.toMatchObject({ code: '25006' });
    expect(await answers(p.node)).toEqual(EXPECTED);
  });

  it('a node recovered from its checkpoint and WAL keeps its functions', async () => {
    const cluster = `sql-functions-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec("create table item (id int primary key, name text); insert into item values (1, 'one'), (2, 'two'); create function doomed(int) returns int language sql return $1");
    await node.checkpoint();
    // half of the catalog comes from the checkpoint, the other half from the WAL after it
    await node.exec(SCHEMA.split('\n').slice(3).filter((l) => !l.includes('create function doomed')).join('\n'));
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect(await answers(reopened)).toEqual(EXPECTED);
    expect(await reopened.contentHash()).toBe(hash);
    await reopened.close();
  });

  it('CREATE FUNCTION rolled back leaves no function, and the function sees its transaction\'s rows', async () => {
    const node = await openNode({ cluster: `sql-functions-rollback-${process.pid}`, storage: 'memory' });
    try {
      const before = await node.contentHash();
      await node.exec("begin; create function gone() returns int language sql as 'select 1'; rollback");
      await expect(node.query('select gone()')).rejects.toMatchObject({ code: '42883' });
      expect(await node.contentHash()).toBe(before);
      await node.exec("create table t (a int); create function total() returns bigint language sql as 'select sum(a) from t'");
      await node.exec('begin; insert into t values (5), (6)');
      expect((await node.query('select total() as n')).rows).toEqual([{ n: 11 }]);
      await node.exec('rollback');
      expect((await node.query('select total() as n')).rows).toEqual([{ n: null }]);
    } finally {
      await node.close();
    }
  });
});
