/**
 * pg_class / pg_namespace / pg_attribute and COMMENT ON as replicated, persistent catalog state
 * (issue 10): a schema's oid is allocated once and carried in the WAL and in checkpoints, so a
 * streaming standby, a base-backup standby and a reopened node show the same oids, attnums and
 * comments as the primary; a standby refuses COMMENT. PostgreSQL's results are checked in
 * sql-pgclass-reference.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const DDL = `
  create schema app;
  create table app.t (a int primary key, b text, c int);
  comment on table app.t is 'the table';
  comment on column app.t.c is 'column c';
  comment on schema app is 'the schema';
  alter table app.t drop column b;
  create index t_c on app.t (c);
  create table other (x int);
  comment on table other is 'dropped soon';
  drop table other;
`;

/** What the catalog says of app.t: oids as numbers, so every node must have allocated the same ones. */
async function catalog(node: Node): Promise<unknown[]> {
  const r = await node.query(`
    select n.oid::int8 as nsp, c.oid::int8 as rel, c.relname, c.relnatts, c.relhasindex, obj_description(c.oid, 'pg_class') as comment,
           obj_description(n.oid, 'pg_namespace') as schema_comment,
           (select string_agg(attname || ':' || attnum || ':' || coalesce(col_description(c.oid, attnum), '-'), ',' order by attnum)
              from pg_attribute where attrelid = c.oid and attnum > 0) as columns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app' order by c.oid`);
  return r.rows;
}

describe('pg_class, pg_namespace and COMMENT ON', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming and a base-backup standby show the primary\'s oids, attnums and comments, and refuse COMMENT', async () => {
    c = memoryCluster();
    const probe = await openNode({ cluster: `pgcatalog-probe-${process.pid}`, storage: 'memory' });
    let expected: unknown[];
    try {
      await probe.exec(DDL);
      expected = await catalog(probe);
    } finally {
      await probe.close();
    }
    expect(expected).toHaveLength(3);
    expect(expected[0]).toMatchObject({ relname: 't', relnatts: 3, relhasindex: true, comment: 'the table', schema_comment: 'the schema', columns: 'a:1:-,........pg.dropped.2........:2:-,c:3:column c' });
    const { p, streaming } = await replicatedDdl(c, DDL, catalog, expected);
    expect(await catalog(p.node)).toEqual(expected);
    await expect(streaming.node.query(`comment on table app.t is 'x'`)).rejects.toMatchObject({ code: '25006' });
  });

  it('a reopened node keeps schema oids and comments, from the WAL and from a checkpoint', async () => {
    const storage = memoryStorage();
    const cluster = `pgcatalog-reopen-${process.pid}`;
    let node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec(DDL);
    const before = await catalog(node);
    await node.close();
    node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      expect(await catalog(node)).toEqual(before);
      await node.checkpoint();
      await node.exec(`create schema later; comment on table app.t is null`);
      const after = await catalog(node);
      const later = (await node.query('select oid::int8 as oid from pg_namespace where nspname = $1', ['later'])).rows;
      await node.close();
      node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
      expect(await catalog(node)).toEqual(after);
      expect((await node.query('select oid::int8 as oid from pg_namespace where nspname = $1', ['later'])).rows).toEqual(later);
      expect(after[0]).toMatchObject({ comment: null });
    } finally {
      await node.close();
    }
  });

  it('pg_class, pg_attribute and pg_type refuse while a composite type exists, whose relation walrtc does not keep', async () => {
    const node = await openNode({ cluster: `pg-catalog-composite-${process.pid}`, storage: 'memory', log: () => {} });
    try {
      await node.exec(`create type pair as (a int, b text); create type mood as enum ('ok')`);
      for (const catalog of ['pg_class', 'pg_attribute', 'pg_type']) {
        await expect(node.query(`select * from ${catalog}`)).rejects.toMatchObject({ code: '0A000', message: `${catalog} while the composite type "pair" exists is not supported` });
      }
      await node.exec('drop type pair');
      expect((await node.query(`select typname, typtype from pg_type where typname in ('pair', 'mood')`)).rows).toEqual([{ typname: 'mood', typtype: 'e' }]);
    } finally {
      await node.close();
    }
  });
});
