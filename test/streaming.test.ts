import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, until, webrtcCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

describe('streaming replication over WebRTC', () => {
  it('the seed scenario: DDL, rows and updates reach the hot standby, which refuses writes and catches up after a restart', async () => {
    c = webrtcCluster();
    const p = await c.open('primary', { role: 'primary' });
    const s = await c.open('standby', { role: 'standby' });
    await until('standby to identify the primary', async () => (await s.node.status()).systemId === p.node.systemId);

    await p.node.exec('create table test(id serial primary key, comment text)');
    await caughtUp(p.node, s.node);
    expect((await s.node.query(`select table_name from information_schema.tables where table_schema = 'public'`)).rows).toEqual([{ table_name: 'test' }]);

    await p.node.exec('alter table test add add_column1 text');
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select * from test')).fields.map((f) => f.name)).toEqual(['id', 'comment', 'add_column1']);

    await p.node.query(`insert into test(comment, add_column1) values ($1, $2), ($3, $4)`, ['one', 'a', 'two', 'b']);
    await p.node.query(`update test set comment = $1 where id = $2`, ['uno', 1]);
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select * from test order by id')).rows).toEqual([
      { id: 1, comment: 'uno', add_column1: 'a' },
      { id: 2, comment: 'two', add_column1: 'b' },
    ]);

    for (const [sql, command] of [
      [`update test set comment = 'x'`, 'UPDATE'],
      [`insert into test(comment) values ('x')`, 'INSERT'],
      [`delete from test`, 'DELETE'],
      [`create table other(x int)`, 'CREATE TABLE'],
      [`drop table test`, 'DROP TABLE'],
    ] as const) {
      await expect(s.node.query(sql)).rejects.toMatchObject({ code: '25006', message: `cannot execute ${command} in a read-only transaction` });
    }
    await expect(s.node.query(`select nextval('test_id_seq')`)).rejects.toMatchObject({ code: '25006', message: 'cannot execute nextval() in a read-only transaction' });
    expect((await s.node.query('select pg_is_in_recovery() as r')).rows).toEqual([{ r: true }]);
    expect((await p.node.query('select pg_is_in_recovery() as r')).rows).toEqual([{ r: false }]);
  });

  it('a standby closed while the primary writes reopens from its own IndexedDB and catches up by itself', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    let s = await c.open('standby', { role: 'standby', storage: 'indexeddb' });
    await p.node.exec('create table test(id serial primary key, comment text)');
    await p.node.query(`insert into test(comment) values ('before')`);
    await caughtUp(p.node, s.node);
    await c.close(s);

    await p.node.query(`insert into test(comment) values ('while away 1'), ('while away 2')`);
    await p.node.query(`update test set comment = 'changed' where id = 1`);
    s = await c.open('standby', { role: 'standby', storage: 'indexeddb' });
    // its own data is there before any WAL arrives: recovery from IndexedDB, not a base backup
    expect((await s.node.query('select comment from test where id = 1')).rows).toEqual([{ comment: 'before' }]);
    await caughtUp(p.node, s.node);
    const sql = 'select * from test order by id';
    expect((await s.node.query(sql)).rows).toEqual((await p.node.query(sql)).rows);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    expect(s.logs.some((l) => l.includes('base backup'))).toBe(false);
  });

  it('a standby refuses a primary with a different system identifier and applies nothing', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await p.node.exec('create table mine(x int)');
    // a standby that already belongs to another cluster (its own primary initialised it)
    const other = await c.open('impostor', { storage: 'indexeddb', transport: undefined as never });
    await c.close(other);
    const s = await c.open('impostor', { role: 'standby', storage: 'indexeddb' });
    await until('the refusal', () => s.logs.some((l) => l.includes('database system identifier differs between the primary and standby')));
    expect(s.node.systemId).not.toBe(p.node.systemId);
    await expect(s.node.query('select * from mine')).rejects.toMatchObject({ code: '42P01' });
    expect((await s.node.query('select status from pg_stat_wal_receiver')).rows).toEqual([]);
    expect((await s.node.status()).receiver?.status).toBe('error');
  });

  it('a standby shows only whole transactions', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    const s = await c.open('standby', { role: 'standby' });
    await p.node.exec('create table big(id int primary key, v text)');
    await caughtUp(p.node, s.node);
    const seen = new Set<number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        seen.add((await s.node.query<{ n: number }>('select count(*)::int as n from big')).rows[0]!.n);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await p.node.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++) await tx.query('insert into big values ($1, $2)', [i, 'row ' + i]);
    });
    await caughtUp(p.node, s.node);
    polling = false;
    await poll;
    seen.add((await s.node.query<{ n: number }>('select count(*)::int as n from big')).rows[0]!.n);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1000]);
  });
});
