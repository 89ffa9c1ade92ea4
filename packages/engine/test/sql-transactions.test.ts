/**
 * Transactions through exec() (BEGIN/COMMIT/ROLLBACK, implicit blocks) and transaction():
 * all-or-nothing, aborted transactions (25P02), sequences that do not roll back, one writer at a
 * time, and isolation of uncommitted changes from other callers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { Database } from '../src/database.ts';
import { openNode } from '../src/index.ts';
import { Session } from '../src/session/session.ts';
import { loadParser } from '../src/sql/parse.ts';
import { DbState } from '../src/state/state.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import { WalWriter } from '../src/wal/xlog.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeEach(async () => {
  node = await freshNode();
  await node.query('create table t (id serial primary key, v text unique)');
});
afterEach(async () => { await node.close(); });

const values = async () => (await node.query('select id, v from t order by id')).rows;
const ABORTED = 'current transaction is aborted, commands ignored until end of transaction block';

describe('BEGIN / COMMIT / ROLLBACK through exec', () => {
  it('COMMIT keeps every change and reports each command', async () => {
    const r = await node.exec("begin; insert into t (v) values ('a'); insert into t (v) values ('b'); commit");
    expect(r.map((x) => [x.command, x.rowCount])).toEqual([['BEGIN', 0], ['INSERT', 1], ['INSERT', 1], ['COMMIT', 0]]);
    expect(await values()).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
  });

  it('ROLLBACK leaves no trace in tables, but sequence advances stay', async () => {
    const r = await node.exec("begin; insert into t (v) values ('a'); update t set v = 'x'; rollback");
    expect(r.map((x) => x.command)).toEqual(['BEGIN', 'INSERT', 'UPDATE', 'ROLLBACK']);
    expect(await values()).toEqual([]);
    await node.query("insert into t (v) values ('b')");
    expect(await values()).toEqual([{ id: 2, v: 'b' }]);
  });

  it('DDL rolls back too', async () => {
    await node.exec("begin; create table gone (a int); insert into gone values (1); alter table t add column extra int; rollback");
    expect((await sqlError(node.query('select * from gone'))).code).toBe('42P01');
    expect((await node.query('select * from t')).fields.map((f) => f.name)).toEqual(['id', 'v']);
  });

  it('a failed statement aborts the block: it stays open, failed, until ROLLBACK, and nothing commits', async () => {
    await node.query("insert into t (v) values ('a')");
    const e = await sqlError(node.exec("begin; insert into t (v) values ('b'); insert into t (v) values ('a'); insert into t (v) values ('c'); commit"));
    expect(e.code).toBe('23505');
    expect(await sqlError(node.query('select 1'))).toMatchObject({ code: '25P02', message: ABORTED });
    expect((await node.query('rollback')).command).toBe('ROLLBACK');
    expect(await values()).toEqual([{ id: 1, v: 'a' }]);
  });

  it('several statements without BEGIN are one implicit transaction, as in PostgreSQL', async () => {
    const e = await sqlError(node.exec("insert into t (v) values ('a'); insert into t (v) values ('b'); insert into t (v) values ('a')"));
    expect(e.code).toBe('23505');
    expect(await values()).toEqual([]);
    const ok = await node.exec("insert into t (v) values ('c'); select count(*) as n from t");
    expect(ok[1]!.rows).toEqual([{ n: 1 }]);
    expect(await values()).toEqual([{ id: 4, v: 'c' }]);
  });

  it('an explicit COMMIT inside an exec commits what came before it', async () => {
    const e = await sqlError(node.exec("insert into t (v) values ('a'); begin; insert into t (v) values ('b'); commit; insert into t (v) values ('b')"));
    expect(e.code).toBe('23505');
    expect((await values()).map((r) => r.v)).toEqual(['a', 'b']);
  });
});

describe('sequences created inside a block', () => {
  it('keep their advances through recovery (the advances are logged after the CREATE)', async () => {
    const storage = memoryStorage();
    const options = { cluster: `seq-in-block-${process.pid}`, nodeId: 'a', storage, log: () => {} };
    const a = await openNode(options);
    await a.query('begin');
    await a.query('create table s (id serial primary key, v int)');
    await a.query('insert into s (v) values (1), (2), (3)');
    await a.query('commit');
    const hash = await a.contentHash();
    // reopened without close(): recovery replays the WAL, as after a crash
    const b = await openNode(options);
    expect(await b.contentHash()).toBe(hash);
    expect((await b.query('insert into s (v) values (4) returning id')).rows).toEqual([{ id: 4 }]);
    await b.close();
  });
});

describe('a block whose committed state was replaced under it', () => {
  it('is rolled back at COMMIT with 25006 instead of publishing a fork that drops what replay published', async () => {
    await loadParser();
    const hooks = { readOnly: () => false, systemView: () => undefined, systemFunction: () => undefined, systemFunctionType: () => undefined };
    const db = new Database(new DbState(), new WalWriter(memoryStorage(), 0), { synchronousCommit: 'off', hooks });
    const session = new Session();
    await db.run('create table t (id int)', undefined, session, true);
    await db.run('begin', undefined, session, true);
    await db.run('insert into t values (1)', undefined, session, true);
    // what a standby's replay does when the node was demoted and promoted again meanwhile
    const replayed = db.state.fork();
    db.publish(replayed, { end: 0, tables: new Set() });
    await expect(db.run('commit', undefined, session, true)).rejects.toMatchObject({ code: '25006' });
    expect(db.state).toBe(replayed);
    expect(session.status).toBe('I');
    // the writer lock was released: the next write goes through
    expect((await db.run('insert into t values (2)', undefined, session, true))[0]!.rowCount).toBe(1);
  });
});

describe('transaction()', () => {
  it('commits when the callback resolves and returns its value', async () => {
    const out = await node.transaction(async (tx) => {
      await tx.query("insert into t (v) values ('a')");
      const r = await tx.query('insert into t (v) values ($1) returning id', ['b']);
      return r.rows[0]!.id;
    });
    expect(out).toBe(2);
    expect(await values()).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
  });

  it('rolls back when the callback throws, and rethrows', async () => {
    const boom = new Error('boom');
    await expect(node.transaction(async (tx) => {
      await tx.query("insert into t (v) values ('a')");
      throw boom;
    })).rejects.toBe(boom);
    expect(await values()).toEqual([]);
  });

  it('after a failed statement every later one is 25P02, and the transaction rolls back', async () => {
    let later: unknown;
    const e = await sqlError(node.transaction(async (tx) => {
      await tx.query("insert into t (v) values ('a')");
      await tx.query('select nope from t').catch(() => undefined);
      later = await sqlError(tx.query('select 1'));
    }));
    expect([e.code, e.message]).toEqual(['25P02', ABORTED]);
    expect(later).toMatchObject({ code: '25P02', message: ABORTED });
    expect(await values()).toEqual([]);
  });

  it('its own reads see its changes; another caller\'s read waits for it and then sees the commit', async () => {
    await node.query("insert into t (v) values ('old')");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const inGate = new Promise<void>((r) => (reached = r));
    const order: string[] = [];
    let inside: unknown;
    const done = node.transaction(async (tx) => {
      await tx.query("insert into t (v) values ('new')");
      await tx.query("update t set v = 'changed' where v = 'old'");
      inside = (await tx.query('select v from t order by id')).rows;
      reached();
      await gate;
      order.push('fn done');
    });
    await inGate;
    expect(inside).toEqual([{ v: 'changed' }, { v: 'new' }]);
    const outside = node.query('select v from t order by id').then((r) => {
      order.push('outside read');
      return r.rows;
    });
    release();
    await done;
    expect(await outside).toEqual([{ v: 'changed' }, { v: 'new' }]);
    expect(order).toEqual(['fn done', 'outside read']);
  });

  it('other callers\' writes wait for it (one writer at a time) and then see its result', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const done = node.transaction(async (tx) => {
      await tx.query("insert into t (v) values ('a')");
      await gate;
      order.push('tx commits');
    });
    await new Promise((r) => setTimeout(r, 5));
    const write = node.query("insert into t (v) values ('a')").then(
      () => order.push('write ok'),
      (e: { code: string }) => order.push(`write failed ${e.code}`),
    );
    const exec = node.exec("begin; insert into t (v) values ('b'); commit").then(() => order.push('exec ok'));
    await new Promise((r) => setTimeout(r, 30));
    expect(order).toEqual([]);
    release();
    await Promise.all([done, write, exec]);
    // the waiting insert ran after the commit and so hit the committed 'a'
    expect(order).toEqual(['tx commits', 'write failed 23505', 'exec ok']);
    expect((await values()).map((r) => r.v)).toEqual(['a', 'b']);
  });

  it('a rolled-back transaction still advances the sequence', async () => {
    await node.transaction(async (tx) => {
      await tx.query("insert into t (v) values ('a'), ('b')");
      throw new Error('undo');
    }).catch(() => undefined);
    const r = await node.query("insert into t (v) values ('c') returning id");
    expect(r.rows).toEqual([{ id: 3 }]);
  });
});
