/**
 * Foreign keys beyond the recorded corpus (sql-reference.test.ts): PostgreSQL's error details, and
 * foreign keys as WAL-logged DDL — a standby replaying the WAL, a base-backup standby and a node
 * recovered from its checkpoint and WAL all enforce them and hold the cascades' (and TRUNCATE's) effects.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { sqlError } from '../packages/engine/test/sql-helpers.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table parent (id int primary key, name text);
  create table child (id int primary key, pid int references parent on delete cascade on update cascade, note text);
  create table audit (id int primary key, pid int, constraint audit_parent foreign key (pid) references parent (id) on update cascade on delete set null);
  insert into parent values (1, 'a'), (2, 'b');
  insert into child values (10, 1, 'x'), (11, 2, 'y');
  insert into audit values (100, 1), (101, 2);
`;

/** After SCHEMA: a cascade delete, a cascade update and SET NULL, all in one transaction. */
async function changes(node: Node): Promise<void> {
  await node.transaction(async (tx) => {
    await tx.query('delete from parent where id = 1');
    await tx.query('update parent set id = 20 where id = 2');
  });
}

const contents = async (node: Node) => ({
  child: (await node.query('select id, pid from child order by id')).rows,
  audit: (await node.query('select id, pid from audit order by id')).rows,
});

/** The rules themselves, not just their past effects, hold on `node`. */
async function enforced(node: Node): Promise<void> {
  const e = await sqlError(node.query("insert into child values (12, 99, 'z')"));
  expect(e.code).toBe('23503');
  await node.query('delete from parent where id = 20');
  expect((await node.query('select count(*) as n from child')).rows[0]!.n).toBe(0);
}

describe('foreign key errors', () => {
  it('carry PostgreSQL\'s detail texts', async () => {
    const node = await openNode({ cluster: `fk-detail-${process.pid}`, storage: 'memory' });
    await node.exec(`
      create table t2 (y int primary key);
      create table x2 (y int references t2);
      insert into t2 values (1);
      insert into x2 values (1);`);
    const missing = await sqlError(node.query('insert into x2 values (5)'));
    expect([missing.code, missing.message, missing.detail]).toEqual(['23503', 'insert or update on table "x2" violates foreign key constraint "x2_y_fkey"', 'Key (y)=(5) is not present in table "t2".']);
    const still = await sqlError(node.query('delete from t2'));
    expect([still.code, still.message, still.detail]).toEqual(['23503', 'update or delete on table "t2" violates foreign key constraint "x2_y_fkey" on table "x2"', 'Key (y)=(1) is still referenced from table "x2".']);
    await node.exec('create table p2 (a int, b int, unique (a, b)); create table m2 (a int, b int, foreign key (a, b) references p2 (a, b) match full)');
    const mixed = await sqlError(node.query('insert into m2 values (1, null)'));
    expect([mixed.code, mixed.detail]).toEqual(['23503', 'MATCH FULL does not allow mixing of null and nonnull key values.']);
    const dropped = await sqlError(node.query('drop table t2'));
    expect([dropped.code, dropped.detail, dropped.hint]).toEqual(['2BP01', 'constraint x2_y_fkey on table x2 depends on table t2', 'Use DROP ... CASCADE to drop the dependent objects too.']);
    await node.close();
  });

  it('a cached plan that failed half-way leaves nothing behind for its next run', async () => {
    const node = await openNode({ cluster: `fk-rerun-${process.pid}`, storage: 'memory' });
    await node.exec(`
      create table p (id int primary key check (id < 100));
      create table c (pid int references p on update restrict);
      insert into p values (1), (95);`);
    const shift = 'update p set id = id + 10 where id >= $1';
    // id 1 becomes 11, then 95 → 105 fails its CHECK: the statement fails half-way
    expect((await sqlError(node.query(shift, [1]))).code).toBe('23514');
    await node.exec('delete from p where id = 95; insert into p values (50); insert into c values (1);');
    // the same plan again, touching only 50: key 1 did not change this time
    expect((await node.query(shift, [2])).rowCount).toBe(1);
    expect((await node.query('select id from p order by id')).rows).toEqual([{ id: 1 }, { id: 60 }]);
    await node.close();
  });

  it('a failed cascade leaves the statement without effect', async () => {
    const node = await openNode({ cluster: `fk-atomic-${process.pid}`, storage: 'memory' });
    await node.exec(`
      create table p (id int primary key);
      create table c (id int primary key, pid int not null references p on delete set null);
      insert into p values (1), (2);
      insert into c values (1, 1);`);
    const e = await sqlError(node.query('delete from p'));
    expect(e.code).toBe('23502');
    expect((await node.query('select id from p order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    await node.close();
  });
});

describe('foreign keys are WAL-logged DDL', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby replay the constraints and their cascades', async () => {
    c = memoryCluster();
    const { p, s: streaming } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await changes(p.node);
    const expected = await contents(p.node);
    expect(expected).toEqual({ child: [{ id: 11, pid: 20 }], audit: [{ id: 100, pid: null }, { id: 101, pid: 20 }] });
    await caughtUp(p.node, streaming.node);
    expect(await contents(streaming.node)).toEqual(expected);
    expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());

    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());

    // the rules keep holding on the primary, and what they do reaches the standby
    await enforced(p.node);
    await p.node.query('truncate audit');
    await caughtUp(p.node, streaming.node);
    expect(await contents(streaming.node)).toEqual({ child: [], audit: [] });
    expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node recovered from its checkpoint and WAL enforces them', async () => {
    const cluster = `fk-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.exec('create table later (id int primary key, pid int references parent deferrable initially deferred)');
    await node.checkpoint();
    await node.exec("alter table child add constraint note_set check (note is not null)");
    await changes(node);
    const before = await contents(node);
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect(await contents(reopened)).toEqual(before);
    expect((await sqlError(reopened.query('insert into child values (13, 20, null)'))).code).toBe('23514');
    // a DEFERRABLE INITIALLY DEFERRED key kept its timing through the checkpoint: checked at COMMIT
    await reopened.transaction(async (tx) => {
      await tx.query('insert into later values (1, 30)');
      await tx.query("insert into parent values (30, 'late')");
    });
    const atCommit = await sqlError(reopened.transaction(async (tx) => {
      await tx.query('insert into later values (2, 31)');
    }));
    expect([atCommit.code, atCommit.detail]).toEqual(['23503', 'Key (pid)=(31) is not present in table "parent".']);
    expect((await reopened.query('select id from later')).rows).toEqual([{ id: 1 }]);
    await enforced(reopened);
    await reopened.close();
  });
});
