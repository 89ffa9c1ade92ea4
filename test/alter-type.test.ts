/**
 * ALTER COLUMN … TYPE as WAL (issue 10): the rewrite is one `rewrite_table` record carrying the
 * new definition and every row, so a streaming standby, a base-backup standby and a node
 * recovered from its checkpoint and WAL hold the same rows with the same content hash; a failed
 * rewrite leaves nothing behind. PostgreSQL's results and errors are checked in
 * sql-reference.test.ts (ddl corpus).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table acct (id int primary key, code text unique, amount float8, note text);
  create index acct_amount on acct (amount);
  insert into acct values (1, '7', 1.5, 'a'), (2, '8', 2.5, 'b'), (3, '9', -0.5, null);
  alter table acct alter code type int using code::int, alter amount type int, alter note type varchar(3);
  alter table acct alter note set default 'z';
`;

const answers = async (node: Node) => ({
  rows: (await node.query('select id, code, amount, note from acct order by id')).rows,
  // the rebuilt indexes answer lookups by the new values
  byCode: (await node.query('select id from acct where code = 8')).rows,
  byAmount: (await node.query('select id from acct where amount = 2')).rows,
});

const EXPECTED = {
  rows: [{ id: 1, code: 7, amount: 2, note: 'a' }, { id: 2, code: 8, amount: 2, note: 'b' }, { id: 3, code: 9, amount: 0, note: null }],
  byCode: [{ id: 2 }],
  byAmount: [{ id: 1 }, { id: 2 }],
};

describe('ALTER COLUMN … TYPE is WAL-logged', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby hold the rewritten rows, with the same content hash', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await caughtUp(p.node, s.node);
    expect(await answers(p.node)).toEqual(EXPECTED);
    expect(await answers(s.node)).toEqual(EXPECTED);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await answers(fresh.node)).toEqual(EXPECTED);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    // the unique index on the new type refuses a duplicate everywhere it is enforced
    await expect(p.node.query('insert into acct values (4, 7, 0, null)')).rejects.toMatchObject({ code: '23505' });
  });

  it('a rewrite that fails on one row changes nothing, on the primary and on the standby', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec("create table t (a text); insert into t values ('1'), ('2'), ('x')");
    const before = await p.node.contentHash();
    await expect(p.node.query('alter table t alter a type int using a::int')).rejects.toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "x"' });
    expect(await p.node.contentHash()).toBe(before);
    await p.node.exec("delete from t where a = 'x'; alter table t alter a type int using a::int");
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select a + 1 as b from t order by a')).rows).toEqual([{ b: 2 }, { b: 3 }]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a rewrite far larger than one replication message reaches the standby whole', async () => {
    c = memoryCluster({ maxMessageSize: 16 * 1024 });
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec("create table big (id int primary key, v text); insert into big select i, i::text from generate_series(1, 5000) i");
    await p.node.exec('alter table big alter v type bigint using v::bigint * 3');
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select sum(v) as total, pg_typeof(max(v))::text as type from big')).rows).toEqual([{ total: '37507500', type: 'bigint' }]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node recovered from its checkpoint and WAL keeps the new types and rows', async () => {
    const cluster = `alter-type-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec("create table acct (id int primary key, code text unique, amount float8, note text); create index acct_amount on acct (amount); insert into acct values (1, '7', 1.5, 'a'), (2, '8', 2.5, 'b'), (3, '9', -0.5, null)");
    await node.checkpoint();
    await node.exec('alter table acct alter code type int using code::int, alter amount type int, alter note type varchar(3)');
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect(await answers(reopened)).toEqual(EXPECTED);
    expect(await reopened.contentHash()).toBe(hash);
    await expect(reopened.query("insert into acct values (5, 6, 1, 'long')")).rejects.toMatchObject({ code: '22001' });
    await reopened.close();
  });
});
