/**
 * Subscriptions: DDL with PostgreSQL's errors, the initial copy (100k rows, table-sync slot named
 * pg_<subid>_sync_<relid>_<sysid>), publish options, an apply error that stops the worker until
 * the user fixes it, a column added on the publisher only, and a subscription surviving reloads
 * of both sides with every row applied exactly once.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { Node } from '@walrtc/engine';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';
import { formatLsn } from '../../packages/engine/src/wal/lsn.ts';
import { lsnNumber, until, type TestNode } from '../cluster.ts';
import { clusters, CONNINFO, error, type Clusters } from './setup.ts';

let c: Clusters;
afterEach(async () => c?.closeAll());


const count = async (n: Node, sql = 'select count(*) as n from t') => Number((await n.query(sql)).rows[0]!.n);

/** Wait for `n` rows, then require ids 1..n exactly once each (the subscriber's t has no key, so a double apply shows). */
async function exactlyOnce(node: Node, n: number, what: string): Promise<void> {
  await until(what, async () => (await count(node)) >= n, 30_000);
  expect((await node.query('select id from t order by id')).rows.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

/** A publisher p1 publishing t, and a subscriber s1 with its own t (`table`: its definition there). */
async function pair(table = 'create table t(id int primary key, v text)'): Promise<{ p: TestNode; s: TestNode }> {
  c = clusters();
  const p = await c.pub.open('p1');
  await p.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec(table);
  return { p, s };
}

describe('CREATE / ALTER / DROP SUBSCRIPTION', () => {
  test('PostgreSQL errors', async () => {
    const { s } = await pair();
    expect(await error(s.node.exec(`begin; create subscription x connection '${CONNINFO}' publication pub`))).toMatchObject({
      code: '25001', message: 'CREATE SUBSCRIPTION ... WITH (create_slot = true) cannot run inside a transaction block',
    });
    await s.node.query('rollback');
    expect(await error(s.node.query(`create subscription x connection '${CONNINFO}' publication pub with (bogus = 1)`))).toMatchObject({ code: '42601', message: 'unrecognized subscription parameter: "bogus"' });
    expect(await error(s.node.query(`create subscription x connection '${CONNINFO}' publication pub with (copy_data = 'x')`))).toMatchObject({ code: '42601', message: 'copy_data requires a Boolean value' });
    expect(await error(s.node.query(`create subscription x connection 'bad' publication pub`))).toMatchObject({ code: '42601', message: 'invalid connection string syntax: missing "=" after "bad" in connection info string\n' });
    expect(await error(s.node.query('alter subscription nope enable'))).toMatchObject({ code: '42704', message: 'subscription "nope" does not exist' });
    expect(await error(s.node.query('drop subscription nope'))).toMatchObject({ code: '42704', message: 'subscription "nope" does not exist' });
    await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
    expect(await error(s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (connect = false)`))).toMatchObject({ code: '42710', message: 'subscription "sub" already exists' });
    expect(await error(s.node.query('alter subscription sub set (failover = true)'))).toMatchObject({ code: '42601', message: 'cannot set failover for enabled subscription' });
    await s.node.query('alter subscription sub disable');
    expect(await error(s.node.exec('begin; alter subscription sub set (failover = true)'))).toMatchObject({
      code: '25001', message: 'ALTER SUBSCRIPTION ... SET (failover) cannot run inside a transaction block',
    });
    await s.node.query('rollback');
    await s.node.query('alter subscription sub set (failover = true)');
    expect((await s.node.query('select subname, subenabled, subfailover, subslotname, subpublications from pg_subscription')).rows).toEqual([
      { subname: 'sub', subenabled: false, subfailover: true, subslotname: 'sub', subpublications: '{pub}' },
    ]);
    expect(await error(s.node.exec('begin; drop subscription sub'))).toMatchObject({ code: '25001', message: 'DROP SUBSCRIPTION cannot run inside a transaction block' });
    await s.node.query('rollback');
    await s.node.query(`create subscription nc connection '${CONNINFO}' publication pub with (connect = false)`);
    await s.node.query('alter subscription nc set (slot_name = none)');
    expect(await error(s.node.query('alter subscription nc set (failover = true)'))).toMatchObject({ code: '42601', message: 'cannot set option "failover" for a subscription that does not have a slot name' });
    await s.node.query('drop subscription nc');
  });

  test('ALTER SUBSCRIPTION … SET (failover) reaches the publisher\'s slot, DROP SUBSCRIPTION drops it', async () => {
    const { p, s } = await pair();
    await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
    expect((await p.node.query(`select slot_name, slot_type, plugin, failover from pg_replication_slots`)).rows).toEqual([{ slot_name: 'sub', slot_type: 'logical', plugin: 'pgoutput', failover: false }]);
    await s.node.query('alter subscription sub disable');
    await s.node.query('alter subscription sub set (failover = true)');
    expect((await p.node.query(`select failover from pg_replication_slots`)).rows).toEqual([{ failover: true }]);
    await s.node.query('drop subscription sub');
    expect((await p.node.query(`select count(*) as n from pg_replication_slots`)).rows[0]!.n).toBe(0);
    expect(await count(s.node, 'select count(*) as n from pg_subscription_rel')).toBe(0);
  });
});

describe('copy and apply', () => {
  // 100k rows inserted, copied and counted: a minute and more on a loaded 2-core CI machine
  test('copy_data with 100k rows, through a table-sync slot, then streaming', { timeout: 120_000 }, async () => {
    const { p, s } = await pair();
    for (let i = 0; i < 100; i++) {
      const values = Array.from({ length: 1000 }, (_, j) => `(${i * 1000 + j + 1}, 'row ${i * 1000 + j + 1}')`).join(', ');
      await p.node.query(`insert into t values ${values}`);
    }
    await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
    const states = new Set<string>();
    const syncSlots = new Set<string>();
    await until('the table to be ready', async () => {
      const st = (await s.node.query('select srsubstate from pg_subscription_rel')).rows[0]?.srsubstate as string;
      states.add(st);
      for (const r of (await p.node.query(`select slot_name from pg_replication_slots where slot_name like 'pg_%'`)).rows) syncSlots.add(r.slot_name as string);
      return st === 'r';
    }, 60_000);
    expect(await count(s.node)).toBe(100_000);
    const [{ oid }] = (await s.node.query(`select oid from pg_subscription`)).rows as [{ oid: number }];
    const relid = (await s.node.query(`select srrelid from pg_subscription_rel`)).rows[0]!.srrelid;
    const sysid = String((await s.node.query(`select system_identifier from pg_control_system()`)).rows[0]!.system_identifier);
    // the sync slot exists only while the copy runs; when it was seen, it had PostgreSQL's name
    for (const name of syncSlots) expect(name).toBe(`pg_${oid}_sync_${relid}_${sysid}`);
    expect((await p.node.query(`select slot_name from pg_replication_slots`)).rows).toEqual([{ slot_name: 'sub' }]);
    await p.node.query(`insert into t values (100001, 'streamed')`);
    await until('streaming', async () => (await count(s.node)) === 100_001);
  });

  test('publish options filter what is sent; truncate is published', async () => {
    c = clusters();
    const p = await c.pub.open('p1');
    await p.node.exec(`create table t(id int primary key, v text); create publication pub for table t with (publish = 'insert, truncate')`);
    const s = await c.sub.open('s1', c.subscriber);
    await s.node.exec('create table t(id int primary key, v text)');
    await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (copy_data = false)`);
    expect((await s.node.query('select srsubstate from pg_subscription_rel')).rows).toEqual([{ srsubstate: 'r' }]);
    await p.node.exec(`insert into t values (1, 'a'), (2, 'b'); update t set v = 'changed'; delete from t where id = 1`);
    await p.node.query(`insert into t values (3, 'c')`);
    await until('the inserts', async () => (await count(s.node)) === 3);
    expect((await s.node.query('select * from t order by id')).rows).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' }]);
    await p.node.query('truncate t');
    await until('the truncate', async () => (await count(s.node)) === 0);
  });

  test('an apply error (unique violation) stops the worker with PostgreSQL\'s message until the user fixes it', async () => {
    const { p, s } = await pair();
    await s.node.query(`insert into t values (2, 'local')`);
    await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (copy_data = false)`);
    await p.node.exec(`insert into t values (1, 'one')`);
    await until('the first row', async () => (await count(s.node)) === 2);
    await p.node.exec(`begin; insert into t values (2, 'two'); insert into t values (3, 'three'); commit`);
    await until('the apply error', async () => Number((await s.node.query('select apply_error_count from pg_stat_subscription_stats')).rows[0]!.apply_error_count) >= 1);
    expect(s.logs.some((l) => l === 'ERROR:  duplicate key value violates unique constraint "t_pkey"\nDETAIL:  Key (id)=(2) already exists.\n'
      + `CONTEXT:  processing remote data for replication origin "pg_${(l.match(/"pg_(\d+)"/) ?? [])[1]}" during message type "INSERT" for replication target relation "public.t" in transaction ${(l.match(/in transaction (\d+)/) ?? [])[1]}, finished at ${(l.match(/finished at (\S+)$/) ?? [])[1]}`)).toBe(true);
    await p.node.exec(`insert into t values (4, 'four')`);
    // nothing after the failed transaction is applied, and none of it
    expect((await s.node.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    await s.node.query('alter subscription sub disable');
    await until('the worker to stop', async () => (await s.node.query('select worker_type from pg_stat_subscription')).rows[0]!.worker_type === null);
    const failures = Number((await s.node.query('select apply_error_count from pg_stat_subscription_stats')).rows[0]!.apply_error_count);
    await s.node.exec(`delete from t where id = 2`);
    await s.node.query('alter subscription sub enable');
    await until('the rest', async () => (await count(s.node)) === 4);
    // re-enabling after the fix fails no more
    expect(Number((await s.node.query('select apply_error_count from pg_stat_subscription_stats')).rows[0]!.apply_error_count)).toBe(failures);
    expect((await s.node.query('select * from t order by id')).rows).toEqual([{ id: 1, v: 'one' }, { id: 2, v: 'two' }, { id: 3, v: 'three' }, { id: 4, v: 'four' }]);
  });

  test('a column added on the publisher: apply fails clearly until the subscriber\'s table has it', async () => {
    const { p, s } = await pair();
    await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
    await p.node.exec(`insert into t values (1, 'before')`);
    await until('the first row', async () => (await count(s.node)) === 1);
    await p.node.exec(`alter table t add column c int; insert into t values (2, 'after', 42)`);
    await until('the apply error', async () => s.logs.includes('ERROR:  logical replication target relation "public.t" is missing replicated column: "c"'));
    expect(await count(s.node)).toBe(1);
    await s.node.exec(`alter table t add column c int`);
    await until('the row with its new column', async () => (await s.node.query('select c from t where id = 2')).rows[0]?.c === 42, 15_000);
  });
});

test('a subscription survives reloads of both sides: nothing lost, nothing applied twice', async () => {
  c = clusters();
  const pubStorage = memoryStorage();
  const subStorage = memoryStorage();
  let p = await c.pub.open('p1', { storage: pubStorage });
  await p.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  let s = await c.sub.open('s1', { ...c.subscriber, storage: subStorage });
  // no key on the subscriber: a transaction applied twice shows as a duplicate
  await s.node.exec('create table t(id int, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  for (let i = 1; i <= 10; i++) await p.node.query('insert into t values ($1, $2)', [i, 'first']);
  await until('the first rows', async () => (await count(s.node)) === 10);

  await c.sub.close(s);
  for (let i = 11; i <= 20; i++) await p.node.query('insert into t values ($1, $2)', [i, 'while the subscriber was away']);
  await c.pub.close(p);
  p = await c.pub.open('p1', { storage: pubStorage });
  s = await c.sub.open('s1', { ...c.subscriber, storage: subStorage });
  for (let i = 21; i <= 30; i++) await p.node.query('insert into t values ($1, $2)', [i, 'after both reloaded']);
  await exactlyOnce(s.node, 30, 'every row');
  expect((await p.node.query(`select slot_name, confirmed_flush_lsn is not null as confirmed from pg_replication_slots`)).rows).toEqual([{ slot_name: 'sub', confirmed: true }]);
});

test('a publisher that crashes resumes from its last saved slot position, and the subscriber still applies each transaction once', async () => {
  c = clusters();
  const pubStorage = memoryStorage();
  const p = await c.pub.open('p1', { storage: pubStorage });
  await p.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  // the table sync's slot is made and dropped, each saving the slots in a checkpoint of its own: all
  // done, and one more taken, before the rows, so the saved slot is the one from before them
  await until('the table to be ready and its sync slot dropped', async () =>
    (await s.node.query('select srsubstate from pg_subscription_rel')).rows[0]?.srsubstate === 'r'
    && Number((await p.node.query('select count(*) as n from pg_replication_slots')).rows[0]!.n) === 1);
  await p.node.checkpoint();
  const saved = (await pubStorage.readControl())!.slots.find((x) => x.name === 'sub')!.logical!.confirmedFlush;
  for (let i = 1; i <= 10; i++) await p.node.query('insert into t values ($1, $2)', [i, 'before the crash']);
  await until('the first rows', async () => (await count(s.node)) === 10);
  // the subscriber's confirmations move the publisher's slot in memory; its storage has them from the next checkpoint on
  const confirmed = async () => lsnNumber((await p.node.query(`select confirmed_flush_lsn from pg_replication_slots`)).rows[0]!.confirmed_flush_lsn as string);
  await until('the subscriber to confirm past the saved position', async () => (await confirmed()) > saved);

  // no close(): the slot comes back from the last checkpoint, behind what the subscriber applied
  c.pub.net.kill('p1');
  const again = await c.pub.open('p1', { storage: pubStorage });
  expect((await again.node.query(`select confirmed_flush_lsn from pg_replication_slots`)).rows[0]!.confirmed_flush_lsn).toBe(formatLsn(saved));
  for (let i = 11; i <= 20; i++) await again.node.query('insert into t values ($1, $2)', [i, 'after the crash']);
  await exactlyOnce(s.node, 20, 'the rows after the crash');
});

test('the subscriber\'s own failover: its promoted standby takes the subscription over from the replicated origin', async () => {
  const { p, s: s1 } = await pair('create table t(id int, v text)');
  const s2 = await c.sub.open('s2', { ...c.subscriber, role: 'standby' });
  await s1.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  for (let i = 1; i <= 10; i++) await p.node.query('insert into t values ($1, $2)', [i, 'to s1']);
  await until('s1 to apply', async () => (await count(s1.node)) === 10);
  // the standby has the applied rows and the origin position, replicated physically
  await until('s2 to replay them', async () => (await count(s2.node)) === 10);
  expect((await s2.node.query(`select srsubstate from pg_subscription_rel`)).rows).toEqual([{ srsubstate: 'r' }]);

  // s1 vanishes, with its connection to the publisher
  c.sub.net.kill('s1');
  for (const { peerId } of c.connections.filter((x) => x.peerId.startsWith('s1.'))) c.pub.net.kill(peerId);
  await s2.node.promote();
  for (let i = 11; i <= 20; i++) await p.node.query('insert into t values ($1, $2)', [i, 'to s2']);
  await exactlyOnce(s2.node, 20, 's2 to apply the rest');
});

test('ALTER SUBSCRIPTION … CONNECTION restarts the worker on the new connection string', async () => {
  const { p, s } = await pair();
  await s.node.query(`create subscription sub connection 'cluster=pub application_name=first' publication pub`);
  await p.node.query(`insert into t values (1, 'one')`);
  await until('the first row', async () => (await count(s.node)) === 1);
  await s.node.query(`alter subscription sub connection 'cluster=pub application_name=second'`);
  await p.node.query(`insert into t values (2, 'two')`);
  await until('the second row', async () => (await count(s.node)) === 2);
  expect(c.connections.at(-1)!.conninfo.application_name).toBe('second');
  expect((await s.node.query('select subconninfo from pg_subscription')).rows).toEqual([{ subconninfo: 'cluster=pub application_name=second' }]);
});

test('a transaction larger than one message arrives in pieces and is applied whole', async () => {
  // the publisher's transport carries at most 64 KiB per message: it sends pieces of 16 KiB
  c = clusters(undefined, 64 * 1024);
  const p = await c.pub.open('p1');
  await p.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int primary key, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  const values = Array.from({ length: 2000 }, (_, i) => `(${i + 1}, '${'x'.repeat(100)}')`).join(', ');
  await p.node.query(`insert into t values ${values}`);
  // whole: a reader never sees part of the 2,000 rows
  const seen = new Set<number>();
  await until('the transaction', async () => {
    const n = await count(s.node);
    seen.add(n);
    return n === 2000;
  });
  expect([...seen].filter((n) => n !== 0 && n !== 2000)).toEqual([]);
});

test('a subscription whose publisher cannot be reached: CREATE fails with 08006, and a worker that loses it retries without counting apply errors', async () => {
  c = clusters();
  const s = await c.sub.open('s1', { ...c.subscriber, logicalConnectTimeout: 300 });
  await s.node.exec('create table t(id int primary key, v text)');
  expect(await error(s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`))).toMatchObject({
    code: '08006', message: 'could not connect to the publisher: no primary of the publisher cluster answered',
  });
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (connect = false)`);
  expect((await s.node.query('select subenabled, subslotname from pg_subscription')).rows).toEqual([{ subenabled: false, subslotname: 'sub' }]);
  await s.node.query('alter subscription sub enable');
  await until('the worker to give up once', async () => s.logs.some((l) => l.startsWith('ERROR:  could not connect to the publisher')));
  expect((await s.node.query('select apply_error_count, sync_error_count from pg_stat_subscription_stats')).rows).toEqual([{ apply_error_count: 0, sync_error_count: 0 }]);
});
