/**
 * Sessions and replication: a block's records reach the WAL only at COMMIT. A rolled-back block
 * (rows and DDL) is never visible on a standby; a block committed across many calls arrives as
 * one transaction, never in part.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, memoryCluster, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

/** A primary and a standby that streams (not a base backup taken later), with table t on both. */
async function streamingPair(): Promise<{ p: TestNode; s: TestNode }> {
  c = memoryCluster();
  const p = await c.open('primary');
  const s = await c.open('standby', { role: 'standby' });
  await p.node.exec('create table t (id int primary key, v text)');
  await caughtUp(p.node, s.node);
  return { p, s };
}

describe('transaction blocks on a standby', () => {
  it('a rolled-back block, DML and DDL, never reaches a standby; a committed one arrives whole', async () => {
    const { p, s } = await streamingPair();

    // the standby polls all along: every count it ever sees is 0 or the whole committed block
    const seen = new Set<number>();
    const tables = new Set<string>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        seen.add((await s.node.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n);
        const names = await s.node.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
        for (const r of names.rows) tables.add(r.table_name);
        await new Promise((r) => setImmediate(r));
      }
    })();

    await p.node.query('begin');
    await p.node.query('create table gone (id serial primary key)');
    await p.node.query('create index t_v_idx on t (v)');
    await p.node.query("insert into t values (1, 'rolled back')");
    await p.node.query('alter table t add column extra int');
    await p.node.query('rollback');
    await p.node.exec("begin; insert into t values (2, 'also rolled back'); savepoint a; insert into t values (3, 'x'); rollback to a; rollback");

    await p.node.query('begin');
    for (let i = 10; i < 60; i++) await p.node.query('insert into t values ($1, $2)', [i, `row ${i}`]);
    await p.node.query('savepoint b');
    await p.node.query("insert into t values (99, 'undone by rollback to')");
    await p.node.query('rollback to savepoint b');
    await p.node.query('commit');

    await caughtUp(p.node, s.node);
    polling = false;
    await poll;
    seen.add((await s.node.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 50]);
    expect([...tables]).toEqual(['t']);
    await expect(s.node.query('select * from gone')).rejects.toMatchObject({ code: '42P01' });
    expect((await s.node.query('select * from t where id = 10')).fields.map((f) => f.name)).toEqual(['id', 'v']);
    expect((await s.node.query('select count(*)::int as n from t where id < 10 or id = 99')).rows).toEqual([{ n: 0 }]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    // the index name was never taken, on either node
    await p.node.query('create index t_v_idx on t (v)');
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a sequence created inside a committed block has the same value on the standby', async () => {
    const { p, s } = await streamingPair();
    await p.node.query('begin');
    await p.node.query('create table s (id serial primary key, v int)');
    await p.node.query('insert into s (v) values (1), (2), (3)');
    // a sequence created and advanced after a savepoint, rolled back, and its oid taken again
    await p.node.query('savepoint a');
    await p.node.query('create table gone (id serial primary key)');
    await p.node.query('insert into gone default values');
    await p.node.query('rollback to a');
    await p.node.query('create table again (id serial primary key)');
    await p.node.query('commit');
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await c!.close(p);
    await s.node.promote();
    expect((await s.node.query('insert into s (v) values (4) returning id')).rows).toEqual([{ id: 4 }]);
  });

  it('a block begun on a hot standby stays read-only after promotion and never holds the writer lock', async () => {
    const { p, s } = await streamingPair();
    await s.node.query('begin');
    await expect(s.node.query('set transaction read write')).rejects.toMatchObject({ code: '0A000', message: 'cannot set transaction read-write mode during recovery' });
    await s.node.query('rollback');
    await s.node.query('begin');
    expect((await s.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    await p.node.query('insert into t values (1)');
    await caughtUp(p.node, s.node);
    await c!.close(p);
    await s.node.promote();
    // the block's snapshot predates the replayed insert: committing a write from it would lose that row
    await expect(s.node.query('insert into t values (2)')).rejects.toMatchObject({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
    await s.node.query('rollback');
    await s.node.query('insert into t values (2)');
    expect((await s.node.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
