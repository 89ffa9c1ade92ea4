/**
 * Composite types (CREATE TYPE … AS (…), issue 10) replicate and persist: the type, its OID and
 * its ALTER TYPE changes are WAL records, composite column values travel in row WAL records and
 * checkpoints, so a streaming standby, a base-backup standby and a node reopened after a
 * checkpoint give the primary's answers and content hash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SCHEMA = [
  'create type pair as (x int, y text)',
  'create type outer_t as (p pair, n numeric(5,2))',
  'create table pt (id int primary key, p pair, o outer_t)',
  "insert into pt values (1, '(1,\"a b\")', '(\"(2,c)\",1.5)'), (2, row(3, null), null), (3, null, null)",
  'alter type outer_t rename to duo',
  'create type later as (a int)',
  'alter type later add attribute b text',
].join('; ');

/** What a node answers about the types and their values (OIDs compared across nodes, not with a constant). */
async function answers(node: Node): Promise<unknown> {
  const rows = await node.query<{ id: number; p: string | null; o: string | null; y: string | null; n: string | null }>('select id, p, o, (p).y as y, ((o).p).x::text as n from pt order by id');
  const later = await node.query("select '(7,x)'::later as l");
  const typed = await node.query('select pg_typeof(o)::text as t from pt limit 1');
  return {
    fields: [...rows.fields, ...later.fields].map((f) => [f.name, f.dataTypeID, f.typeName]),
    rows: rows.rows,
    later: later.rows,
    typed: typed.rows,
  };
}

const EXPECTED_ROWS = [
  { id: 1, p: '(1,"a b")', o: '("(2,c)",1.50)', y: 'a b', n: '2' },
  { id: 2, p: '(3,)', o: null, y: null, n: null },
  { id: 3, p: null, o: null, y: null, n: null },
];

describe('composite types replicate and persist', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming and a base-backup standby have the types, their OIDs and the composite values', async () => {
    c = memoryCluster();
    const probe = await openNode({ cluster: `composite-probe-${process.pid}`, storage: 'memory', log: () => {} });
    let expected: unknown;
    try {
      await probe.exec(SCHEMA);
      expected = await answers(probe);
    } finally {
      await probe.close();
    }
    expect((expected as { rows: unknown }).rows).toEqual(EXPECTED_ROWS);
    expect((expected as { typed: unknown }).typed).toEqual([{ t: 'duo' }]);
    const { p } = await replicatedDdl(c, SCHEMA, answers, expected);
    const fields = (expected as { fields: [string, number, string | undefined][] }).fields;
    expect(fields.find((f) => f[0] === 'o')![1]).toBeGreaterThanOrEqual(16384);
    expect(fields.find((f) => f[0] === 'o')![2]).toBe('duo');
    expect(fields.find((f) => f[0] === 'p')![2]).toBe('pair');
    expect(await answers(p.node)).toEqual(expected);
  });

  it('keeps types and composite values across a checkpoint and reopen, and refuses to drop a type in use there', async () => {
    const storage = memoryStorage();
    const cluster = `composite-reopen-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec(SCHEMA);
    const want = await answers(node);
    await node.checkpoint();
    await node.exec("insert into pt values (4, '(4,after)', null)");
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      const got = (await answers(reopened)) as { rows: unknown[] };
      expect({ ...got, rows: got.rows.slice(0, 3) }).toEqual(want);
      expect(got.rows[3]).toMatchObject({ id: 4, p: '(4,after)', y: 'after' });
      await expect(reopened.exec('drop type pair')).rejects.toMatchObject({ code: '2BP01' });
      await reopened.exec('create type newer as (z int)');
      const oids = (await reopened.query("select '(1)'::newer as a, null::duo as b")).fields.map((f) => f.dataTypeID);
      expect(new Set(oids).size).toBe(2);
    } finally {
      await reopened.close();
    }
  });
});
