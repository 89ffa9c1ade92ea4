/**
 * Expression and partial indexes (issue 10): lookups whose WHERE matches an index expression (and
 * implies a partial index's predicate) read through the index, as EXPLAIN shows; unique ones
 * refuse duplicates with PostgreSQL's detail; and the indexes are WAL-logged DDL, so standbys and
 * recovery rebuild them and enforce them alike. PostgreSQL's answers and errors are checked in
 * sql-reference.test.ts (ddl corpus).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table users (id int primary key, email text, team int, score int, active bool);
  insert into users select i, 'User' || i || '@X', i % 10, i, i % 2 = 0 from generate_series(1, 200) i;
  create unique index users_email on users (lower(email));
  create index users_team_score on users (team, (score + 1));
  create unique index users_active_team on users (team, score) where active;
`;

const plan = async (node: Node, sql: string, params: unknown[] = []) => (await node.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);

const answers = async (node: Node) => ({
  byEmail: (await node.query("select id from users where lower(email) = 'user7@x'")).rows,
  byExpr: (await node.query('select id from users where team = 3 and score + 1 = 14')).rows,
  byPartial: (await node.query('select id from users where team = 4 and score = 14 and active')).rows,
});
const EXPECTED = { byEmail: [{ id: 7 }], byExpr: [{ id: 13 }], byPartial: [{ id: 14 }] };

describe('expression and partial indexes', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('serve the lookups that match them, as EXPLAIN shows', async () => {
    const node = await openNode({ cluster: `expr-index-${process.pid}`, storage: 'memory' });
    await node.exec(SCHEMA);
    expect(await plan(node, "select id from users where lower(email) = 'user7@x'")).toEqual(['Index Scan using users_email on users', "  Index Cond: (lower(email) = 'user7@x'::text)"]);
    expect((await plan(node, 'select id from users u where lower(u.email) = $1', ['user7@x']))[0]).toBe('Index Scan using users_email on users u');
    expect(await plan(node, 'select id from users where team = 3 and score + 1 = 14')).toEqual(['Index Scan using users_team_score on users', '  Index Cond: ((team = 3) AND ((score + 1) = 14))']);
    expect((await plan(node, 'select id from users where team = 4 and score = 14 and active'))[0]).toBe('Index Scan using users_active_team on users');
    // without the predicate the partial index lacks rows: never used
    expect((await plan(node, 'select id from users where team = 4 and score = 14'))[0]).toBe('Index Scan using users_team_score on users');
    expect((await plan(node, 'select id from users where score = 15'))[0]).toBe('Seq Scan on users');
    expect((await plan(node, "select id from users where upper(email) = 'X'"))[0]).toBe('Seq Scan on users');
    expect(await answers(node)).toEqual(EXPECTED);
    expect((await node.query('select id from users where team = 5 and score = 15')).rows).toEqual([{ id: 15 }]);
    // rows moving in and out of the predicate and changing their expression value are found where they now are
    await node.exec("update users set email = 'moved@x' where id = 7; update users set active = true where id = 15; update users set active = false where id = 14");
    expect((await node.query("select id from users where lower(email) = 'user7@x'")).rows).toEqual([]);
    expect((await node.query("select id from users where lower(email) = 'moved@x'")).rows).toEqual([{ id: 7 }]);
    expect((await node.query('select id from users where team = 5 and score = 15 and active')).rows).toEqual([{ id: 15 }]);
    expect((await node.query('select id from users where team = 4 and score = 14 and active')).rows).toEqual([]);
    await node.close();
  });

  it('unique ones refuse duplicates with PostgreSQL\'s detail', async () => {
    const node = await openNode({ cluster: `expr-index-unique-${process.pid}`, storage: 'memory' });
    await node.exec(SCHEMA);
    await expect(node.query("insert into users values (201, 'user7@x', 0, 0, false)")).rejects.toMatchObject({
      code: '23505', message: 'duplicate key value violates unique constraint "users_email"', detail: 'Key (lower(email))=(user7@x) already exists.',
    });
    await expect(node.query("insert into users values (201, 'new@x', 4, 14, true)")).rejects.toMatchObject({ code: '23505', detail: 'Key (team, score)=(4, 14) already exists.' });
    await node.query("insert into users values (201, 'new@x', 4, 14, false)");
    await expect(node.query('create unique index users_expr on users (team, (score % 2)) where score < 20 and team = 3')).rejects.toMatchObject({
      code: '23505', message: 'could not create unique index "users_expr"', detail: 'Key (team, (score % 2))=(3, 1) is duplicated.',
    });
    await expect(node.query('create index on users ((now()))')).rejects.toMatchObject({ code: '42P17', message: 'functions in index expression must be marked IMMUTABLE' });
    await node.close();
  });

  it('reach a streaming standby and a base-backup standby, and survive recovery', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await caughtUp(p.node, s.node);
    expect(await answers(s.node)).toEqual(EXPECTED);
    expect((await plan(s.node, "select id from users where lower(email) = 'user7@x'"))[0]).toBe('Index Scan using users_email on users');
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await answers(fresh.node)).toEqual(EXPECTED);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());

    const cluster = `expr-index-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.checkpoint();
    await node.exec('create index users_half on users ((score / 2)) where not active');
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect(await answers(reopened)).toEqual(EXPECTED);
    expect((await plan(reopened, 'select id from users where score / 2 = 6 and not active'))[0]).toBe('Index Scan using users_half on users');
    expect((await reopened.query('select id from users where score / 2 = 6 and not active')).rows).toEqual([{ id: 13 }]);
    await expect(reopened.query("insert into users values (300, 'USER8@x', 1, 1, false)")).rejects.toMatchObject({ code: '23505' });
    await reopened.close();
  });
});
