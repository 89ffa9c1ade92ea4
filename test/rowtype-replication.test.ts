/**
 * Table row types (issue 10) replicate and persist: the pg_type OID a table's row type gets is
 * part of its definition's WAL record, so a streaming standby, a base-backup standby and a node
 * reopened after a checkpoint report the same OID for a whole-row column as the primary did, and
 * json_populate_record over the table's row type gives the same rows there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = "create table foo (f1 int, f2 text); insert into foo values (1, 'a'); create table bar (b int); create view fv as select f1 from foo";

/** The row type OIDs and names whole-row references report, and what json_populate_record gives for foo's row type. */
async function rowTypes(node: Node): Promise<unknown> {
  const r = await node.query('select foo, pg_typeof(foo)::text as foo_type, (select bar from bar limit 1) as bar, (select fv from fv limit 1) as fv from foo');
  const populated = await node.query(`select p, f1, f2 from json_populate_recordset(row(9, 'base')::foo, '[{"f2": "j"}, {"f1": 4}]') p`);
  return {
    fields: [...r.fields, ...populated.fields].map((f) => [f.name, f.dataTypeID, f.typeName]),
    types: r.rows.map((row) => row.foo_type),
    populated: populated.rows.map((row) => [row.f1, row.f2]),
  };
}

describe('table row types', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('each table and view has its own row type OID, which a whole-row column reports', async () => {
    const node = await openNode({ cluster: `rowtype-oids-${process.pid}`, storage: 'memory', log: () => {} });
    try {
      await node.exec(SCHEMA);
      const r = await node.query('select foo, f1 from foo');
      expect(r.fields[0]!.dataTypeID).toBeGreaterThanOrEqual(16384);
      expect(r.fields[0]!.typeName).toBe('foo');
      expect(r.fields[1]).toMatchObject({ dataTypeID: 23 });
      expect(r.fields[1]!.typeName).toBeUndefined();
      const ret = await node.query("update foo set f2 = 'z' returning foo");
      expect(ret.fields[0]!.dataTypeID).toBe(r.fields[0]!.dataTypeID);
      const others = await node.query('select bar, fv from bar, fv');
      const oids = [r.fields[0]!.dataTypeID, ...others.fields.map((f) => f.dataTypeID)];
      expect(new Set(oids).size).toBe(3);
      expect((await node.query('select pg_typeof(row(1, 2))::text as t')).rows).toEqual([{ t: 'record' }]);
    } finally {
      await node.close();
    }
  });

  it('a streaming standby and a base-backup standby report the primary\'s row type OIDs', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await p.node.exec('insert into bar values (7)');
    const want = await rowTypes(p.node);
    expect((want as { populated: unknown }).populated).toEqual([[9, 'j'], [4, 'base']]);
    await caughtUp(p.node, s.node);
    expect(await rowTypes(s.node)).toEqual(want);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await rowTypes(fresh.node)).toEqual(want);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('keeps its row type OIDs across a checkpoint and reopen, and allocates new ones after them', async () => {
    const storage = memoryStorage();
    const cluster = `rowtype-reopen-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec(SCHEMA);
    await node.exec('insert into bar values (7)');
    const want = await rowTypes(node);
    await node.checkpoint();
    await node.exec('create table later (x int)');
    const later = (await node.query('select later from later')).fields[0]!.dataTypeID;
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      expect(await rowTypes(reopened)).toEqual(want);
      expect((await reopened.query('select later from later')).fields[0]!.dataTypeID).toBe(later);
      await reopened.exec('create table newer (x int)');
      const newer = (await reopened.query('select newer from newer')).fields[0]!;
      expect(newer.typeName).toBe('newer');
      expect([...Object.values(want as object)].flat(2)).not.toContain(newer.dataTypeID);
      expect(newer.dataTypeID).not.toBe(later);
    } finally {
      await reopened.close();
    }
  });

  it('a temporary table has a row type of its own too', async () => {
    const node = await openNode({ cluster: `rowtype-temp-${process.pid}`, storage: 'memory', log: () => {} });
    try {
      await node.exec('create temp table tt (a int); insert into tt values (1)');
      const r = await node.query('select tt, pg_typeof(tt)::text as t from tt');
      expect(r.fields[0]!.typeName).toBe('tt');
      expect(r.rows[0]!.t).toBe('tt');
    } finally {
      await node.close();
    }
  });
});
