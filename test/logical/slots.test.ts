/**
 * Logical slots and their synchronization: pg_create_logical_replication_slot /
 * pg_drop_replication_slot with PostgreSQL's errors and pg_replication_slots' PostgreSQL 17
 * columns; a slot holding WAL through checkpoints until its subscriber confirms;
 * pg_sync_replication_slots() on a standby; synchronizedStandbySlots holding changes back.
 */
import { afterEach, expect, test } from 'vitest';
import { caughtUp, until } from '../cluster.ts';
import { clusters, CONNINFO, error, type Clusters } from './setup.ts';

let c: Clusters;
afterEach(async () => c?.closeAll());


test('pg_create_logical_replication_slot and pg_drop_replication_slot, with pg_replication_slots\' columns', async () => {
  c = clusters();
  const p = await c.pub.open('p1');
  const [{ r }] = (await p.node.query(`select pg_create_logical_replication_slot('ls', 'pgoutput', false, false, true) as r`)).rows as [{ r: string }];
  expect(r).toMatch(/^\(ls,[0-9A-F]+\/[0-9A-F]+\)$/);
  expect(await error(p.node.query(`select pg_create_logical_replication_slot('ls', 'pgoutput')`))).toMatchObject({ code: '42710', message: 'replication slot "ls" already exists' });
  expect(await error(p.node.query(`select pg_create_logical_replication_slot('other', 'foo')`))).toMatchObject({ code: '58P01', message: 'could not access file "foo": No such file or directory' });
  expect(await error(p.node.query(`select pg_create_logical_replication_slot('tmp', 'pgoutput', true, false, true)`))).toMatchObject({
    code: '55000', message: 'cannot enable failover for a temporary replication slot',
  });
  const row = (await p.node.query(`select * from pg_replication_slots`)).rows[0]!;
  expect(Object.keys(row)).toEqual(['slot_name', 'plugin', 'slot_type', 'datoid', 'database', 'temporary', 'active', 'active_pid', 'xmin', 'catalog_xmin',
    'restart_lsn', 'confirmed_flush_lsn', 'wal_status', 'safe_wal_size', 'two_phase', 'inactive_since', 'conflicting', 'invalidation_reason', 'failover', 'synced']);
  expect(row).toMatchObject({ slot_name: 'ls', plugin: 'pgoutput', slot_type: 'logical', temporary: false, active: false, restart_lsn: r.slice(4, -1),
    confirmed_flush_lsn: r.slice(4, -1), wal_status: 'reserved', conflicting: false, invalidation_reason: null, failover: true, synced: false });
  expect(row.inactive_since).toBeInstanceOf(Date);
  expect((await p.node.query(`select system_identifier from pg_control_system()`)).rows[0]!.system_identifier).toBe(BigInt(p.node.systemId!));
  await p.node.query(`select pg_create_logical_replication_slot('tmp', 'pgoutput', true)`);
  expect((await p.node.query(`select temporary, failover from pg_replication_slots where slot_name = 'tmp'`)).rows).toEqual([{ temporary: true, failover: false }]);
  await p.node.query(`select pg_drop_replication_slot('ls')`);
  expect(await error(p.node.query(`select pg_drop_replication_slot('ls')`))).toMatchObject({ code: '42704', message: 'replication slot "ls" does not exist' });
});

test('a logical slot holds its WAL through checkpoints: a subscription disabled while much is written gets all of it', async () => {
  c = clusters();
  const p = await c.pub.open('p1', { maxWalSize: 64 * 1024, maxSlotWalKeepSize: -1 });
  await p.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int primary key, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  await s.node.query('alter subscription sub disable');
  await until('the worker to stop', async () => (await s.node.query('select worker_type from pg_stat_subscription')).rows[0]!.worker_type === null);
  const before = (await p.node.query(`select restart_lsn from pg_replication_slots`)).rows[0]!.restart_lsn;
  for (let i = 1; i <= 300; i++) await p.node.query('insert into t values ($1, $2)', [i, 'x'.repeat(500)]);
  await p.node.checkpoint();
  expect((await p.node.query(`select restart_lsn from pg_replication_slots`)).rows[0]!.restart_lsn).toBe(before);
  await s.node.query('alter subscription sub enable');
  await until('every row', async () => Number((await s.node.query('select count(*) as n from t')).rows[0]!.n) === 300);
  await until('the slot to advance', async () => (await p.node.query(`select restart_lsn, confirmed_flush_lsn from pg_replication_slots`)).rows[0]!.restart_lsn !== before);
});

test('pg_sync_replication_slots() on a standby; synced slots cannot be dropped there; refused on a primary and beside the worker', async () => {
  c = clusters();
  const p1 = await c.pub.open('p1');
  await p1.node.query(`select pg_create_logical_replication_slot('fs', 'pgoutput', false, false, true)`);
  await p1.node.query(`select pg_create_logical_replication_slot('plain', 'pgoutput')`);
  const p2 = await c.pub.open('p2', { role: 'standby' });
  const p3 = await c.pub.open('p3', { role: 'standby', syncReplicationSlots: true });
  await caughtUp(p1.node, p2.node);
  expect(await error(p1.node.query('select pg_sync_replication_slots()'))).toMatchObject({ code: '55000', message: 'replication slots can only be synchronized to a standby server' });
  await until('the standby to sync', async () => {
    try {
      await p2.node.query('select pg_sync_replication_slots()');
      return true;
    } catch {
      return false;
    }
  });
  expect((await p2.node.query(`select slot_name, slot_type, failover, synced, temporary from pg_replication_slots where slot_type = 'logical'`)).rows)
    .toEqual([{ slot_name: 'fs', slot_type: 'logical', failover: true, synced: true, temporary: false }]);
  expect(await error(p2.node.query(`select pg_drop_replication_slot('fs')`))).toMatchObject({
    code: '0A000', message: 'cannot drop replication slot "fs"', detail: 'This replication slot is being synchronized from the primary server.',
  });
  expect(await error(p3.node.query('select pg_sync_replication_slots()'))).toMatchObject({ code: '55000', message: 'cannot synchronize replication slots concurrently' });
  await until('the worker to sync', async () => (await p3.node.query(`select synced from pg_replication_slots where slot_name = 'fs'`)).rows[0]?.synced === true);
  // the slot goes from the standby when it goes from the primary
  await p1.node.query(`select pg_drop_replication_slot('fs')`);
  await until('the copy to go', async () => (await p3.node.query(`select count(*) as n from pg_replication_slots where slot_type = 'logical'`)).rows[0]!.n === 0);
});

test('synchronizedStandbySlots: logical changes wait until the named standby has flushed them', async () => {
  c = clusters();
  const p1 = await c.pub.open('p1', { synchronizedStandbySlots: 'p2' });
  await p1.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const p2 = await c.pub.open('p2', { role: 'standby' });
  await caughtUp(p1.node, p2.node);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int primary key, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  await p1.node.query(`insert into t values (1, 'standby has it')`);
  await until('the first row', async () => Number((await s.node.query('select count(*) as n from t')).rows[0]!.n) === 1);
  c.pub.net.partition(['p2'], ['p1']);
  await p1.node.query(`insert into t values (2, 'standby cut off')`);
  await until('the commit to be flushed on the primary', async () => (await p1.node.query('select pg_current_wal_flush_lsn() as l')).rows[0]!.l !== null);
  // a window in which the row could arrive if it were not held (a negative observation, not a synchronisation)
  await new Promise((r) => setTimeout(r, 300));
  expect(Number((await s.node.query('select count(*) as n from t')).rows[0]!.n)).toBe(1);
  c.pub.net.heal();
  await until('the held row', async () => Number((await s.node.query('select count(*) as n from t')).rows[0]!.n) === 2, 15_000);
});

test('synchronizedStandbySlots naming a slot that does not exist stalls logical replication and says why', async () => {
  c = clusters();
  const p1 = await c.pub.open('p1', { synchronizedStandbySlots: 'nosuch' });
  await p1.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int primary key, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (copy_data = false)`);
  await p1.node.query(`insert into t values (1, 'held')`);
  await until('the primary to say why it waits', async () => p1.logs.includes(
    'replication slot "nosuch" specified in parameter "synchronized_standby_slots" does not exist: logical replication is waiting on the standby associated with it'));
  expect(Number((await s.node.query('select count(*) as n from t')).rows[0]!.n)).toBe(0);
  // a slot no standby has streamed through yet confirms nothing
  await p1.node.query(`select pg_create_physical_replication_slot('nosuch')`);
  await until('the primary to say why it still waits', async () => p1.logs.includes(
    'replication slot "nosuch" specified in parameter "synchronized_standby_slots" has not reserved WAL yet: logical replication is waiting on the standby associated with it'));
  expect(Number((await s.node.query('select count(*) as n from t')).rows[0]!.n)).toBe(0);
});

test('a slot holding more than maxSlotWalKeepSize is invalidated, here and on the standby, and the subscription says it can no longer get changes', async () => {
  c = clusters();
  const p1 = await c.pub.open('p1', { maxWalSize: 32 * 1024, maxSlotWalKeepSize: 64 * 1024 });
  await p1.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  const p2 = await c.pub.open('p2', { role: 'standby', syncReplicationSlots: true });
  await caughtUp(p1.node, p2.node);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int primary key, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (failover = true)`);
  await until('the standby to have the slot', async () => (await p2.node.query(`select synced from pg_replication_slots where slot_name = 'sub'`)).rows[0]?.synced === true);
  await s.node.query('alter subscription sub disable');
  await until('the worker to stop', async () => (await s.node.query('select worker_type from pg_stat_subscription')).rows[0]!.worker_type === null);
  for (let i = 1; i <= 400; i++) await p1.node.query('insert into t values ($1, $2)', [i, 'x'.repeat(500)]);
  await p1.node.checkpoint();
  expect((await p1.node.query(`select restart_lsn, wal_status, invalidation_reason from pg_replication_slots where slot_name = 'sub'`)).rows)
    .toEqual([{ restart_lsn: null, wal_status: 'lost', invalidation_reason: 'wal_removed' }]);
  await until('the standby to mirror it', async () => (await p2.node.query(
    `select (synced AND NOT temporary AND invalidation_reason IS NULL) as failover_ready from pg_replication_slots where slot_name = 'sub'`)).rows[0]?.failover_ready === false);
  await s.node.query('alter subscription sub enable');
  await until('the apply error', async () => s.logs.includes('ERROR:  can no longer get changes from replication slot "sub"\nDETAIL:  This slot has been invalidated because it exceeded the maximum reserved size.'));
  expect(Number((await s.node.query('select apply_error_count from pg_stat_subscription_stats')).rows[0]!.apply_error_count)).toBeGreaterThanOrEqual(1);
});
