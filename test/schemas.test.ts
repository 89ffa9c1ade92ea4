/**
 * Schemas as WAL-logged DDL (issue 10): CREATE SCHEMA, the relations, indexes, sequences, views
 * and enum types in it, and DROP SCHEMA … CASCADE reach streaming and base-backup standbys with
 * the same content hash and survive a checkpoint and recovery; an empty schema too. search_path
 * is the session's: the same SQL text reads another table once the path changes. PostgreSQL's
 * behaviour itself is checked in sql-reference.test.ts (schema corpus).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create schema app;
  create schema empty_one;
  create type app.mood as enum ('sad', 'ok');
  create table app.users (id serial primary key, name text unique, m app.mood);
  create table users (id int primary key, name text);
  insert into app.users (name, m) values ('ann', 'ok'), ('bob', 'sad');
  insert into users values (1, 'public ann');
  create index users_m on app.users (m);
  create table app.posts (id int primary key, author int references app.users (id) on delete cascade);
  insert into app.posts values (10, 1), (11, 2);
  create sequence app.counter start 100;
  create view app.happy as select name from app.users where m = 'ok';
`;

const answers = async (node: Node) => ({
  app: (await node.query('select id, name, m::text from app.users order by id')).rows,
  pub: (await node.query('select id, name from users')).rows,
  happy: (await node.query('select name from app.happy')).rows,
  posts: (await node.query('select p.id, u.name from app.posts p join app.users u on u.id = p.author order by p.id')).rows,
  tables: (await node.query("select table_schema, table_name from information_schema.tables where table_schema in ('app', 'public') order by 1, 2")).rows,
});

const EXPECTED = {
  app: [{ id: 1, name: 'ann', m: 'ok' }, { id: 2, name: 'bob', m: 'sad' }],
  pub: [{ id: 1, name: 'public ann' }],
  happy: [{ name: 'ann' }],
  posts: [{ id: 10, name: 'ann' }, { id: 11, name: 'bob' }],
  tables: [
    { table_schema: 'app', table_name: 'happy' }, { table_schema: 'app', table_name: 'posts' },
    { table_schema: 'app', table_name: 'users' }, { table_schema: 'public', table_name: 'users' },
  ],
};

describe('schemas are WAL-logged', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby see them, and DROP SCHEMA … CASCADE', async () => {
    c = memoryCluster();
    const { p, streaming, fresh } = await replicatedDdl(c, SCHEMA, answers, EXPECTED);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    await p.node.exec('drop schema app cascade');
    await caughtUp(p.node, streaming.node);
    await expect(streaming.node.query('select * from app.users')).rejects.toMatchObject({ code: '42P01' });
    expect((await streaming.node.query('select name from users')).rows).toEqual([{ name: 'public ann' }]);
    expect(await streaming.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node recovered from its checkpoint and WAL keeps them, empty ones included', async () => {
    const cluster = `schemas-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.checkpoint();
    await node.exec("create schema later; insert into app.users (name, m) values ('cy', 'ok')");
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect((await reopened.query('select name from app.happy order by name')).rows).toEqual([{ name: 'ann' }, { name: 'cy' }]);
    expect((await reopened.query("select nextval('app.counter') as n")).rows).toEqual([{ n: 100 }]);
    // both empty schemas still exist: creating in them works, creating one again does not
    await reopened.exec('create table empty_one.t (a int); create table later.t (a int)');
    await expect(reopened.query('create schema later')).rejects.toMatchObject({ code: '42P06' });
    await expect(reopened.query('drop schema app')).rejects.toMatchObject({ code: '2BP01' });
    await reopened.close();
  });
});

describe('search_path', () => {
  it('the same SQL text reads through the current path, and CREATE goes to its first schema', async () => {
    const node = await openNode({ cluster: `schemas-path-${process.pid}`, storage: 'memory' });
    try {
      await node.exec(SCHEMA);
      const read = async () => (await node.query('select name from users order by id')).rows;
      expect(await read()).toEqual([{ name: 'public ann' }]);
      await node.query('set search_path to app, public');
      expect(await read()).toEqual([{ name: 'ann' }, { name: 'bob' }]);
      expect((await node.query("select nextval('counter') as n")).rows).toEqual([{ n: 100 }]);
      await node.query('create table only_here (a int)');
      expect((await node.query('select count(*) from app.only_here')).rows).toEqual([{ count: 0 }]);
      await node.query('set search_path to empty_one');
      await expect(read()).rejects.toMatchObject({ code: '42P01' });
      await node.query('set search_path to nowhere');
      await expect(node.query('create table lost (a int)')).rejects.toMatchObject({ code: '3F000', message: 'no schema has been selected to create in' });
      await node.query('reset search_path');
      expect(await read()).toEqual([{ name: 'public ann' }]);
      await expect(node.query('select * from only_here')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await node.close();
    }
  });
});

describe('offline writes under a search_path', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('are refused: the primary would run their text under its own search_path', async () => {
    c = memoryCluster();
    const p = await c.open('primary');
    await p.node.exec("create schema app; create table app.items (id text primary key); create table items (id text primary key)");
    const s = await c.open('standby', { role: 'standby', offlineWrites: true });
    await caughtUp(p.node, s.node);
    await s.node.query('set search_path to app, public');
    await expect(s.node.query("insert into items values ('x')")).rejects.toMatchObject({ code: '0A000' });
    await s.node.query('reset search_path');
    await s.node.query("insert into app.items values ('y')");
    expect(s.node.offline!.lastSeq).toBe(1);
  });
});

describe('schema names', () => {
  it('DROP SCHEMA of a schema in use lists what depends on it, as PostgreSQL does', async () => {
    const node = await openNode({ cluster: `schemas-drop-${process.pid}`, storage: 'memory' });
    try {
      await node.exec(SCHEMA);
      await expect(node.query('drop schema app')).rejects.toMatchObject({
        code: '2BP01',
        message: 'cannot drop schema app because other objects depend on it',
        detail: 'type app.mood depends on schema app\ntable app.users depends on schema app\ntable app.posts depends on schema app\nsequence app.counter depends on schema app\nview app.happy depends on schema app',
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
      await node.query('drop schema empty_one');
      await expect(node.query('create table empty_one.t (a int)')).rejects.toMatchObject({ code: '3F000' });
    } finally {
      await node.close();
    }
  });

  it('a public relation named like a schema-qualified one is refused, never confused with it', async () => {
    const node = await openNode({ cluster: `schemas-dots-${process.pid}`, storage: 'memory' });
    try {
      await node.exec('create table "app.t" (a int)');
      await expect(node.query('create schema app')).rejects.toMatchObject({ code: '0A000' });
      await node.exec('create schema other');
      await expect(node.query('create table "other.t" (a int)')).rejects.toMatchObject({ code: '0A000' });
      await expect(node.query('create table other."x.y" (a int)')).rejects.toMatchObject({ code: '0A000' });
    } finally {
      await node.close();
    }
  });
});

