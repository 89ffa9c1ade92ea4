/**
 * Temporary tables are one session's alone (issue 10): never in the WAL stream (so never on a
 * standby, in recovery or a base backup), never in the published state (so a standby's content
 * hash matches the primary's whatever the session did with them), invisible to another session of
 * the same node, refused on a standby as PostgreSQL refuses them (25006), and gone when the node
 * closes. PostgreSQL's results and errors are checked in sql-sqlb-reference.test.ts (temp corpus).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { Database } from '../packages/engine/src/database.ts';
import { Session } from '../packages/engine/src/session/session.ts';
import { loadParser } from '../packages/engine/src/sql/parse.ts';
import { TEMP_OID_BASE } from '../packages/engine/src/sql/temp-tables.ts';
import { DbState } from '../packages/engine/src/state/state.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { decodeRecords } from '../packages/engine/src/wal/codec.ts';
import { FIRST_LSN } from '../packages/engine/src/wal/lsn.ts';
import type { WalRecord } from '../packages/engine/src/wal/record.ts';
import { WalWriter } from '../packages/engine/src/wal/xlog.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

// temporary work of every kind, mixed with permanent changes in the same transactions
const WORK = [
  'create table perm (id int primary key, v text)',
  "create temp table scratch (id int primary key, v text default 'd')",
  // serial and identity columns: their sequences' advances are never logged either
  'create temp table counted (id serial, n int generated always as identity, v text)',
  "insert into counted (v) values ('a'), ('b')",
  "begin; insert into counted (v) values ('rolled back'); rollback",
  "insert into counted (v) values ('c')",
  'create index scratch_v on scratch (v)',
  'insert into scratch (id) select g from generate_series(1, 50) g',
  "update scratch set v = 'u' where id < 10",
  'delete from scratch where id > 40',
  "begin; insert into scratch values (100, 'x'); insert into perm values (1, 'kept'); create temp table t2 (a int) on commit drop; insert into t2 values (1); commit",
  'create temp table shadow as select id, v from perm',
  "merge into scratch s using perm p on s.id = p.id when matched then update set v = p.v",
  'truncate scratch',
  'create temp table perm (x int)',
  'insert into perm values (7)',
  'drop table perm',
  "insert into perm values (2, 'also kept')",
  // temporary and permanent DDL in one block: the permanent table's oid is the one a standby replays
  'begin; create temp table tz (a int); create index tz_a on tz (a); create table perm2 (a int primary key); commit',
  'insert into perm2 values (1)',
  "alter table tz add column b text default 'x', add constraint tz_b unique (b)",
  'alter table tz alter column a type bigint',
  // foreign keys between temporary tables: their cascades are temporary changes too
  'create temp table tparent (id int primary key)',
  'create temp table tchild (p int references tparent on delete cascade on update cascade, q int)',
  'insert into tparent select g from generate_series(1, 5) g',
  'insert into tchild select g, g from generate_series(1, 5) g',
  'begin; update tparent set id = id + 10 where id < 3; delete from tparent where id = 5; insert into perm2 values (2); commit',
];

/** A record naming a temporary relation, or an oid of the temporary range. */
function mentionsTemp(rec: WalRecord): boolean {
  let found = false;
  JSON.stringify(rec, (k, v: unknown) => {
    if (typeof v === 'string' && /pg_temp|scratch|shadow|counted|tparent|tchild|^t2$|^tz/.test(v)) found = true;
    if (typeof v === 'number' && k !== 'time' && v >= TEMP_OID_BASE) found = true;
    return typeof v === 'bigint' ? String(v) : v;
  });
  return found;
}

describe('temporary tables', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('never reach the WAL, while the permanent changes of the same transactions do', async () => {
    const storage = memoryStorage();
    const node = await openNode({ cluster: `temp-wal-${process.pid}`, storage, log: () => {} });
    try {
      for (const sql of WORK) await node.exec(sql);
      expect((await node.query('select count(*)::int as n from scratch')).rows).toEqual([{ n: 0 }]);
      // the rolled-back row's values are used up, as PostgreSQL's sequences are never rolled back
      expect((await node.query('select id, n, v from counted order by id')).rows).toEqual([{ id: 1, n: 1, v: 'a' }, { id: 2, n: 2, v: 'b' }, { id: 4, n: 4, v: 'c' }]);
      const records: WalRecord[] = [];
      for (const chunk of await storage.readWal(FIRST_LSN)) for (const r of decodeRecords(chunk.bytes, chunk.lsn).records) records.push(r.record);
      expect(records.filter(mentionsTemp)).toEqual([]);
      expect(records.filter((r) => r.kind === 'insert').map((r) => (r as { row: unknown[] }).row)).toEqual([[1, 'kept'], [2, 'also kept'], [1], [2]]);
      expect((await node.query('select p, q from tchild order by q')).rows).toEqual([{ p: 11, q: 1 }, { p: 12, q: 2 }, { p: 3, q: 3 }, { p: 4, q: 4 }]);
    } finally {
      await node.close();
    }
  });

  it('leave a standby\'s content hash equal to the primary\'s; a standby refuses them with 25006', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    for (const sql of WORK) await p.node.exec(sql);
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    expect((await s.node.query('select id, v from perm order by id')).rows).toEqual([{ id: 1, v: 'kept' }, { id: 2, v: 'also kept' }]);
    await expect(s.node.query("select * from scratch")).rejects.toMatchObject({ code: '42P01' });
    await expect(s.node.query('create temp table t (a int)')).rejects.toMatchObject({ code: '25006', message: 'cannot execute CREATE TABLE in a read-only transaction' });
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    const listed = await fresh.node.query<{ n: number }>("select count(*)::int as n from information_schema.tables where table_type = 'LOCAL TEMPORARY'");
    expect(listed.rows).toEqual([{ n: 0 }]);
  });

  it('are invisible to another session of the same node, which may have its own of the same name', async () => {
    await loadParser();
    const hooks = { readOnly: () => false, systemView: () => undefined, systemFunction: () => undefined, systemFunctionType: () => undefined };
    const db = new Database(new DbState(), new WalWriter(memoryStorage(), 0), { synchronousCommit: 'off', hooks });
    const a = new Session(), b = new Session();
    const rows = async (sql: string, s: Session) => (await db.run(sql, undefined, s, true))[0]!.rows;
    await db.run('create table t (v text)', undefined, a, true);
    await db.run("insert into t values ('permanent')", undefined, a, true);
    await db.run('create temp table t (v text)', undefined, a, true);
    await db.run("insert into t values ('a''s own')", undefined, a, true);
    expect(await rows('select v from t', a)).toEqual([['a\'s own']]);
    expect(await rows('select v from t', b)).toEqual([['permanent']]);
    await db.run('create temp table t (v text)', undefined, b, true);
    await db.run("insert into t values ('b''s own')", undefined, b, true);
    expect(await rows('select v from t', a)).toEqual([['a\'s own']]);
    expect(await rows('select v from t', b)).toEqual([['b\'s own']]);
    expect(await rows('select v from public.t', b)).toEqual([['permanent']]);
  });

  it('are gone when the node closes and reopens', async () => {
    const storage = memoryStorage();
    const cluster = `temp-reopen-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec('create temp table gone (a int); insert into gone values (1); create table stays (a int)');
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      await expect(reopened.query('select * from gone')).rejects.toMatchObject({ code: '42P01' });
      expect((await reopened.query('select count(*)::int as n from stays')).rows).toEqual([{ n: 0 }]);
    } finally {
      await reopened.close();
    }
  });

  it('refuse foreign keys to permanent tables (42P16) and views (0A000)', async () => {
    const node = await openNode({ cluster: `temp-refused-${process.pid}`, storage: 'memory' });
    try {
      await node.exec('create table parent (id int primary key); create temp table tt (a int)');
      const onlyTemporary = { code: '42P16', message: 'constraints on temporary tables may reference only temporary tables' };
      await expect(node.query('create temp table tf (p int references parent)')).rejects.toMatchObject(onlyTemporary);
      await expect(node.query('alter table tt add constraint f foreign key (a) references parent')).rejects.toMatchObject(onlyTemporary);
      await expect(node.query('create view tv as select * from tt')).rejects.toMatchObject({ code: '0A000' });
      await node.exec('create temp table tp (id int primary key) on commit delete rows');
      await expect(node.query('create temp table tc (p int references tp)')).rejects.toMatchObject({ code: '0A000' });
    } finally {
      await node.close();
    }
  });
});
