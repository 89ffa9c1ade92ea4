/**
 * Rows of HASH-partitioned tables (issue 10): routed by PostgreSQL's hash functions (the expected
 * partitions below were read from PostgreSQL 15 with tableoid::regclass), written as WAL of the
 * leaf partitions, so a streaming and a base-backup standby reach the primary's content hash and
 * a checkpoint and reopen keep both the rows and the routing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table q (id int, name text) partition by hash (id, name);
  create table q0 partition of q for values with (modulus 3, remainder 0);
  create table q1 partition of q for values with (modulus 3, remainder 1);
  create table q2 partition of q for values with (modulus 3, remainder 2);
  insert into q select g, 'user' || g from generate_series(1, 12) g;
`;

/** Each partition's ids, as PostgreSQL 15 places them. */
const PLACED = { q0: [3, 4, 9], q1: [2, 5, 6, 8, 11], q2: [1, 7, 10, 12] };

async function placed(node: Node): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const p of ['q0', 'q1', 'q2']) out[p] = (await node.query<{ id: number }>(`select id from ${p} order by id`)).rows.map((r) => r.id);
  return out;
}

describe('hash partitioning', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('routes rows as PostgreSQL does, on the primary and on a streaming and a base-backup standby', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    expect(await placed(p.node)).toEqual(PLACED);
    await caughtUp(p.node, s.node);
    expect(await placed(s.node)).toEqual(PLACED);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await placed(fresh.node)).toEqual(PLACED);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('survives a checkpoint and a reopen, and keeps routing after it', async () => {
    const storage = memoryStorage();
    const cluster = `hashpart-reopen-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec(SCHEMA);
    await node.checkpoint();
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      expect(await reopened.contentHash()).toBe(hash);
      expect(await placed(reopened)).toEqual(PLACED);
      await reopened.exec("insert into q values (13, 'user13')");
      expect((await reopened.query('select id from q0 where id = 13')).rows).toEqual([{ id: 13 }]);
      await expect(reopened.query("insert into q1 values (13, 'user13')")).rejects.toMatchObject({
        code: '23514', message: 'new row for relation "q1" violates partition constraint',
      });
    } finally {
      await reopened.close();
    }
  });

  it('refuses rows whose key type it cannot hash as PostgreSQL does, naming the type', async () => {
    const node = await openNode({ cluster: `hashpart-refused-${process.pid}`, storage: 'memory' });
    try {
      await node.exec('create table n (a numeric) partition by hash (a); create table n0 partition of n for values with (modulus 1, remainder 0)');
      await expect(node.query('insert into n values (1)')).rejects.toMatchObject({
        code: '0A000', message: 'rows of a table hash-partitioned by a key of type numeric are not supported',
      });
      expect((await node.query('select count(*)::int as n from n')).rows).toEqual([{ n: 0 }]);
    } finally {
      await node.close();
    }
  });
});
