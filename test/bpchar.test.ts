/**
 * char(n) across replication and recovery: the padded values reach a streaming standby, a
 * base-backup standby and a reopened node unchanged (same content hash), and their
 * trailing-space-blind unique index still holds there. Parameters are padded and limited as literals are.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, SqlError, type Node } from '@walrtc/engine';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = 'create table codes (code char(5) primary key, label bpchar, n int)';

async function changes(node: Node): Promise<void> {
  await node.query("insert into codes values ('ab', 'x ', 1), ('cd   ', 'y', 2)");
  await node.query('insert into codes values ($1, $2, $3)', ['ef', 'z  ', 3]);
  await node.query("update codes set code = 'gh' where n = 2");
}

const contents = async (node: Node) => ({
  rows: (await node.query('select code, label, octet_length(code) as o from codes order by n')).rows,
  found: (await node.query("select n from codes where code = 'ab' and label = 'x'")).rows,
});

describe('char(n) values are replicated and recovered padded', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming and a base-backup standby hold the padded values and the primary\'s content hash', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await changes(p.node);
    const expected = await contents(p.node);
    expect(expected.rows).toEqual([
      { code: 'ab   ', label: 'x ', o: 5 },
      { code: 'gh   ', label: 'y', o: 5 },
      { code: 'ef   ', label: 'z  ', o: 5 },
    ]);
    expect(expected.found).toEqual([{ n: 1 }]);
    await caughtUp(p.node, s.node);
    expect(await contents(s.node)).toEqual(expected);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());

    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await contents(fresh.node)).toEqual(expected);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node reopened from its checkpoint and WAL keeps the values and the unique key', async () => {
    const cluster = `bpchar-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.query("insert into codes values ('zz', null, 9)");
    await node.checkpoint();
    await changes(node);
    const before = await contents(node);
    await node.close();
    const again = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    try {
      expect(await contents(again)).toEqual(before);
      const dup = await again.query("insert into codes values ('ab  ', null, 10)").catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(SqlError);
      expect((dup as SqlError).code).toBe('23505');
    } finally {
      await again.close();
    }
  });

  it('a parameter longer than n fails 22001 unless only spaces are cut', async () => {
    const node = await openNode({ cluster: `bpchar-params-${process.pid}`, storage: 'memory' });
    try {
      await node.exec('create table t (c char(3))');
      const err = await node.query('insert into t values ($1)', ['abcd']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe('22001');
      expect((err as SqlError).message).toBe('value too long for type character(3)');
      await node.query('insert into t values ($1)', ['ab     ']);
      expect((await node.query('select c from t')).rows).toEqual([{ c: 'ab ' }]);
    } finally {
      await node.close();
    }
  });
});
