/**
 * Data written through issue 10's functions work — `UPDATE … SET j['a'][0] = …` on jsonb columns and
 * INSERT … SELECT from json(b)_to_recordset — replicates as ordinary row changes: a streaming
 * standby holds the primary's rows and content hash and computes the same statistics from them,
 * and a node reopened from its checkpoint and WAL reads them back.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = 'create table readings (id int primary key, doc jsonb, v float8, n numeric)';

async function changes(node: Node): Promise<void> {
  await node.query(`insert into readings select id, doc, v, n from jsonb_to_recordset('[{"id": 1, "doc": {"a": [1]}, "v": 0.1, "n": 1.5},
    {"id": 2, "doc": null, "v": 2.5, "n": "2.25"}, {"id": 3, "v": 1000, "n": 7}]') as x(id int, doc jsonb, v float8, n numeric)`);
  await node.query(`update readings set doc['a'][3] = '"x"' where id = 1`);
  await node.query(`update readings set doc['b']['c'] = to_jsonb(v) where id in (2, 3)`);
}

const contents = async (node: Node) => ({
  rows: (await node.query('select id, doc::text as doc, v, n from readings order by id')).rows,
  stats: (await node.query('select var_samp(v) as fv, stddev_pop(n) as ns, corr(v, n) as c, percentile_cont(0.5) within group (order by v) as median from readings')).rows,
});

const EXPECTED = {
  rows: [
    { id: 1, doc: '{"a": [1, null, null, "x"]}', v: 0.1, n: '1.5' },
    { id: 2, doc: '{"b": {"c": 2.5}}', v: 2.5, n: '2.25' },
    { id: 3, doc: '{"b": {"c": 1000}}', v: 1000, n: '7' },
  ],
  // as PostgreSQL 15 computes them from the same rows
  stats: [{ fv: 332468.67000000004, ns: '2.4352731993670763', c: 0.9923240483948621, median: 2.5 }],
};

describe('rows written by jsonb subscripts and json(b)_to_recordset replicate and recover', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby holds the same rows, statistics and content hash', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await changes(p.node);
    const expected = await contents(p.node);
    expect(expected).toEqual(EXPECTED);
    await caughtUp(p.node, s.node);
    expect(await contents(s.node)).toEqual(expected);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node reopened from its checkpoint and WAL reads them back', async () => {
    const cluster = `funcs-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.checkpoint();
    await changes(node);
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    try {
      expect(await contents(reopened)).toEqual(EXPECTED);
      expect(await reopened.contentHash()).toBe(hash);
    } finally {
      await reopened.close();
    }
  });
});
