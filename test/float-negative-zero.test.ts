/**
 * A float's negative zero is a value of its own in PostgreSQL (`'-0'::float8` prints `-0`), and
 * msgpack's smallest-int rule would write it as the integer 0. These tests hold it through every
 * encoding a value takes: the WAL (recovery and streaming), a checkpoint, a base backup, a
 * composite value, an array, and a parameter.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryCluster, primaryWithStandby, standbysAgree, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create type pair as (a float8, b int);
  create table f (id int primary key, d float8, r real, ds float8[], p pair);
  create index f_d on f (d);`;

async function changes(node: Node): Promise<void> {
  await node.query(`insert into f values (1, '-0', '-0', '{-0,0,1.5}', row('-0', 2)), (2, 0, 0, '{0}', row(0, 3))`);
  await node.query('insert into f (id, d) values ($1, $2)', [3, '-0']);
  await node.query('update f set r = -r, d = -1 * 0.0::float8 where id = 2');
}

const answers = async (node: Node) =>
  (await node.query('select id, d::text, r::text, ds::text, p::text, d as raw from f order by id')).rows;

const EXPECTED = [
  { id: 1, d: '-0', r: '-0', ds: '{-0,0,1.5}', p: '(-0,2)', raw: -0 },
  { id: 2, d: '-0', r: '-0', ds: '{0}', p: '(0,3)', raw: -0 },
  { id: 3, d: '-0', r: null, ds: null, p: null, raw: -0 },
];

describe('a float negative zero stays negative zero', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('on a streaming standby and a base-backup standby', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await changes(p.node);
    expect(await answers(p.node)).toEqual(EXPECTED);
    await standbysAgree(c, p, s, answers, EXPECTED);
  });

  it('after recovery from the WAL alone and from a checkpoint', async () => {
    const cluster = `negative-zero-${process.pid}`;
    let node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    try {
      await node.exec(SCHEMA);
      await changes(node);
      await node.close();
      node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
      expect(await answers(node)).toEqual(EXPECTED);
      await node.checkpoint();
      await node.close();
      node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
      expect(await answers(node)).toEqual(EXPECTED);
    } finally {
      await node.close();
    }
  });
});
