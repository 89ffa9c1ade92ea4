/**
 * Publications: CREATE / ALTER / DROP PUBLICATION with PostgreSQL's errors (texts recorded from
 * PostgreSQL 15 in fixtures/pg15-logical.out), pg_publication and pg_publication_tables, and the
 * catalog replicated to standbys and kept across a checkpoint and a reopen.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';
import { caughtUp, memoryCluster, streamingPair, type TestCluster } from '../cluster.ts';
import { error } from './setup.ts';

const opened: Node[] = [];
let cluster: TestCluster | undefined;
afterEach(async () => {
  await Promise.all(opened.splice(0).map((n) => n.close()));
  await cluster?.closeAll();
  cluster = undefined;
});

async function node(storage = memoryStorage()): Promise<Node> {
  const n = await openNode({ cluster: `pubs-${Math.random()}`, storage: storage, log: () => {} });
  opened.push(n);
  await n.exec('create table a(id int primary key, v text); create table b(id int primary key); create table nopk(x int)');
  return n;
}


describe('CREATE / ALTER / DROP PUBLICATION', () => {
  test('PostgreSQL errors', async () => {
    const n = await node();
    await n.query(`create publication p for table a with (publish = 'insert, update')`);
    expect(await error(n.query('create publication p for table a'))).toMatchObject({ code: '42710', message: 'publication "p" already exists' });
    expect(await error(n.query('create publication q for table missing'))).toMatchObject({ code: '42P01', message: 'relation "missing" does not exist' });
    expect(await error(n.query(`create publication r for table a with (publish = 'foo')`))).toMatchObject({ code: '42601', message: 'unrecognized value for publication option "publish": "foo"' });
    expect(await error(n.query('create publication r2 for table a with (bogus = 1)'))).toMatchObject({ code: '42601', message: 'unrecognized publication parameter: "bogus"' });
    await n.query('create publication allp for all tables');
    expect(await error(n.query('alter publication allp add table a'))).toMatchObject({
      code: '55000', message: 'publication "allp" is defined as FOR ALL TABLES', detail: 'Tables cannot be added to or dropped from FOR ALL TABLES publications.',
    });
    expect(await error(n.query('alter publication p add table a'))).toMatchObject({ code: '42710', message: 'relation "a" is already member of publication "p"' });
    expect(await error(n.query('alter publication p drop table b'))).toMatchObject({ code: '42704', message: 'relation "b" is not part of the publication' });
    expect(await error(n.query('alter publication nope add table a'))).toMatchObject({ code: '42704', message: 'publication "nope" does not exist' });
    expect(await error(n.query('drop publication nope'))).toMatchObject({ code: '42704', message: 'publication "nope" does not exist' });
    await n.query('drop publication if exists nope');
    await n.query('create publication np for table nopk');
    await n.query('insert into nopk values (1)');
    expect(await error(n.query('update nopk set x = 2'))).toMatchObject({
      code: '55000', message: 'cannot update table "nopk" because it does not have a replica identity and publishes updates',
      hint: 'To enable updating the table, set REPLICA IDENTITY using ALTER TABLE.',
    });
    expect(await error(n.query('delete from nopk'))).toMatchObject({
      code: '55000', message: 'cannot delete from table "nopk" because it does not have a replica identity and publishes deletes',
      hint: 'To enable deleting from the table, set REPLICA IDENTITY using ALTER TABLE.',
    });
  });

  test('pg_publication and pg_publication_tables, through ALTER and DROP', async () => {
    const n = await node();
    await n.exec(`create publication p for table a with (publish = 'insert, update'); create publication allp for all tables`);
    expect((await n.query('select pubname, pubowner, puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot from pg_publication order by pubname')).rows).toEqual([
      { pubname: 'allp', pubowner: 10, puballtables: true, pubinsert: true, pubupdate: true, pubdelete: true, pubtruncate: true, pubviaroot: false },
      { pubname: 'p', pubowner: 10, puballtables: false, pubinsert: true, pubupdate: true, pubdelete: false, pubtruncate: false, pubviaroot: false },
    ]);
    expect((await n.query('select * from pg_publication_tables order by pubname, tablename')).rows).toEqual([
      { pubname: 'allp', schemaname: 'public', tablename: 'a', attnames: '{id,v}', rowfilter: null },
      { pubname: 'allp', schemaname: 'public', tablename: 'b', attnames: '{id}', rowfilter: null },
      { pubname: 'allp', schemaname: 'public', tablename: 'nopk', attnames: '{x}', rowfilter: null },
      { pubname: 'p', schemaname: 'public', tablename: 'a', attnames: '{id,v}', rowfilter: null },
    ]);
    await n.exec(`alter publication p add table b; alter publication p set (publish = 'delete')`);
    expect((await n.query(`select tablename from pg_publication_tables where pubname = 'p' order by 1`)).rows).toEqual([{ tablename: 'a' }, { tablename: 'b' }]);
    expect((await n.query(`select pubinsert, pubdelete from pg_publication where pubname = 'p'`)).rows).toEqual([{ pubinsert: false, pubdelete: true }]);
    await n.query('alter publication p set table b');
    expect((await n.query(`select tablename from pg_publication_tables where pubname = 'p'`)).rows).toEqual([{ tablename: 'b' }]);
    await n.query('drop publication p, allp');
    expect((await n.query('select count(*) as n from pg_publication')).rows[0]!.n).toBe(0);
    expect((await n.query('select count(*) as n from pg_publication_rel')).rows[0]!.n).toBe(0);
    // the catalogs are not user tables
    expect((await n.query(`select table_name from information_schema.tables order by 1`)).rows.map((r) => r.table_name)).toEqual(['a', 'b', 'nopk']);
  });

  test('a publication rolled back with its block is gone', async () => {
    const n = await node();
    await n.exec('begin; create publication p for table a; rollback');
    expect((await n.query('select count(*) as n from pg_publication_tables')).rows[0]!.n).toBe(0);
  });
});

describe('publications are WAL-logged', () => {
  test('they replicate to a standby and survive a checkpoint and a reopen', async () => {
    cluster = memoryCluster();
    const { p, s } = await streamingPair(cluster);
    await p.node.exec(`create publication p for table t with (publish = 'insert')`);
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select pubname, pubinsert, pubupdate from pg_publication')).rows).toEqual([{ pubname: 'p', pubinsert: true, pubupdate: false }]);
    expect((await s.node.query('select tablename from pg_publication_tables')).rows).toEqual([{ tablename: 't' }]);

    const storage = memoryStorage();
    const n = await node(storage);
    await n.exec(`create publication p1 for table a; create publication p2 for all tables`);
    await n.checkpoint();
    await n.exec(`alter publication p1 add table b`);
    await n.close();
    opened.pop();
    const again = await openNode({ cluster: 'reopen', storage, log: () => {} });
    opened.push(again);
    expect((await again.query(`select pubname, tablename from pg_publication_tables order by 1, 2`)).rows).toEqual([
      { pubname: 'p1', tablename: 'a' }, { pubname: 'p1', tablename: 'b' },
      { pubname: 'p2', tablename: 'a' }, { pubname: 'p2', tablename: 'b' }, { pubname: 'p2', tablename: 'nopk' },
    ]);
  });
});
