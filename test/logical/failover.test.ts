/**
 * PostgreSQL 17's logical replication failover, the seed's procedure verbatim: the subscriber
 * lists the slots to check, the standby to be promoted reports them failover-ready, the primary
 * lists its failover slots; then the publisher's primary dies, its standby is promoted, writes
 * go on, and the subscriber has every row exactly once, continuing by itself from the new primary.
 */
import { afterEach, expect, test } from 'vitest';
import { caughtUp, until } from '../cluster.ts';
import { clusters, CONNINFO, gate, type Clusters } from './setup.ts';

let c: Clusters;
afterEach(async () => c?.closeAll());

const SUBSCRIBER_SLOTS = `SELECT
    array_agg(quote_literal(s.subslotname)) AS slots
FROM  pg_subscription s
WHERE s.subfailover AND
      s.subslotname IS NOT NULL;`;

const SUBSCRIBER_SYNC_SLOTS = `SELECT
    array_agg(quote_literal(slot_name)) AS slots
FROM
(
    SELECT CONCAT('pg_', srsubid, '_sync_', srrelid, '_', ctl.system_identifier) AS slot_name
    FROM pg_control_system() ctl, pg_subscription_rel r, pg_subscription s
    WHERE r.srsubstate = 'f' AND s.oid = r.srsubid AND s.subfailover
);`;

const standbyCheck = (slots: string) => `SELECT slot_name, (synced AND NOT temporary AND invalidation_reason IS NULL) AS failover_ready
FROM pg_replication_slots
WHERE slot_name IN
    (${slots});`;

const PRIMARY_SLOTS = `SELECT array_agg(quote_literal(r.slot_name)) AS slots
FROM pg_replication_slots r
WHERE r.failover AND NOT r.temporary;`;

/** The names an array_agg(quote_literal(…)) returned (an array, as PGlite returns it), ready for `IN (…)`. */
const inList = (v: unknown) => (Array.isArray(v) ? v.join(',') : '');

async function rows(node: { query: (s: string) => Promise<{ rows: Record<string, unknown>[] }> }) {
  return (await node.query('select id, v from t order by id, v')).rows;
}

test('failover slots: the seed procedure passes, and after the publisher fails over the subscriber has every row exactly once', async () => {
  c = clusters();
  const p1 = await c.pub.open('p1', { synchronizedStandbySlots: 'p2' });
  await p1.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  for (let i = 1; i <= 20; i++) await p1.node.query('insert into t values ($1, $2)', [i, `before ${i}`]);
  const p2 = await c.pub.open('p2', { role: 'standby', syncReplicationSlots: true });
  await caughtUp(p1.node, p2.node);

  const s = await c.sub.open('s1', c.subscriber);
  // no primary key here: a transaction applied twice would show as a duplicate row
  await s.node.exec('create table t(id int, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (failover = true)`);
  await until('the table to be ready', async () => (await s.node.query(`select srsubstate from pg_subscription_rel`)).rows[0]?.srsubstate === 'r');
  await until('the copy', async () => (await rows(s.node)).length === 20);

  // the seed's checks
  const slots = (await s.node.query(SUBSCRIBER_SLOTS)).rows[0]!.slots;
  expect(slots).toEqual([`'sub'`]);
  expect((await s.node.query(SUBSCRIBER_SYNC_SLOTS)).rows[0]!.slots).toBeNull();
  const names = [inList(slots)].filter(Boolean).join(',');
  await until('the standby to report the slot failover-ready', async () => {
    const r = (await p2.node.query(standbyCheck(names))).rows;
    return r.length === 1 && r.every((x) => x.failover_ready === true);
  });
  expect((await p2.node.query(standbyCheck(names))).rows).toEqual([{ slot_name: 'sub', failover_ready: true }]);
  expect((await p1.node.query(PRIMARY_SLOTS)).rows).toEqual([{ slots: [`'sub'`] }]);

  // writes while the primary dies: whatever the subscriber has, the promoted standby has too
  for (let i = 21; i <= 40; i++) await p1.node.query('insert into t values ($1, $2)', [i, `around ${i}`]);
  await p1.node.query(`update t set v = 'updated' where id = 5`);
  await p1.node.query(`delete from t where id = 6`);
  c.pub.net.kill('p1');
  await p2.node.promote();
  for (let i = 41; i <= 60; i++) await p2.node.query('insert into t values ($1, $2)', [i, `after ${i}`]);
  await p2.node.query(`update t set v = 'updated after' where id = 7`);

  const expected = await rows(p2.node);
  expect(expected.some((r) => r.id === 60)).toBe(true);
  await until('the subscriber to match the new primary', async () => JSON.stringify(await rows(s.node)) === JSON.stringify(expected), 15_000);
  const stats = (await s.node.query('select apply_error_count, sync_error_count from pg_stat_subscription_stats')).rows;
  expect(stats).toEqual([{ apply_error_count: 0, sync_error_count: 0 }]);
  // the promoted node now serves the slot it synchronized
  expect((await p2.node.query(`select slot_name, active, synced, failover from pg_replication_slots where slot_name = 'sub'`)).rows)
    .toEqual([{ slot_name: 'sub', active: true, synced: true, failover: true }]);
});

test('the seed procedure lists a table-sync slot while its table is in state f, and the standby has it failover-ready', async () => {
  // the table-sync slot of the first table is not dropped until released: that table stays in state f
  const drops = new Map<string, number>();
  const g = gate((m) => m.t === 'l_drop_slot' && m.name.includes('_sync_') && (drops.set(m.name, (drops.get(m.name) ?? 0) + 1).get(m.name) ?? 0) >= 2);
  c = clusters(g);
  const p1 = await c.pub.open('p1', { synchronizedStandbySlots: 'p2' });
  await p1.node.exec(`create table a(id int primary key); create table t(id int primary key, v text); create publication pub for all tables`);
  await p1.node.exec(`insert into a values (1), (2); insert into t values (1, 'one')`);
  const p2 = await c.pub.open('p2', { role: 'standby', syncReplicationSlots: true });
  await caughtUp(p1.node, p2.node);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table a(id int); create table t(id int, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub with (failover = true)`);
  await until('table a to finish its copy (state f)', async () => g.held.length === 1);
  expect((await s.node.query(`select srsubstate from pg_subscription_rel order by srrelid`)).rows.map((r) => r.srsubstate)).toEqual(['f', 'i']);

  const main = (await s.node.query(SUBSCRIBER_SLOTS)).rows[0]!.slots;
  const sync = (await s.node.query(SUBSCRIBER_SYNC_SLOTS)).rows[0]!.slots;
  const [{ oid }] = (await s.node.query('select oid from pg_subscription')).rows as [{ oid: number }];
  const [{ srrelid }] = (await s.node.query(`select srrelid from pg_subscription_rel where srsubstate = 'f'`)).rows as [{ srrelid: number }];
  const syncName = `pg_${oid}_sync_${srrelid}_${s.node.systemId}`;
  expect(main).toEqual([`'sub'`]);
  expect(sync).toEqual([`'${syncName}'`]);
  const names = [inList(main), inList(sync)].join(',');
  await until('both slots failover-ready on the standby', async () => {
    const r = (await p2.node.query(standbyCheck(names))).rows;
    return r.length === 2 && r.every((x) => x.failover_ready === true);
  });
  expect((await p2.node.query(`${standbyCheck(names).replace(/;$/, '')} ORDER BY slot_name DESC`)).rows).toEqual([
    { slot_name: 'sub', failover_ready: true }, { slot_name: syncName, failover_ready: true },
  ]);
  expect((await p1.node.query(PRIMARY_SLOTS)).rows[0]!.slots).toEqual([`'${syncName}'`, `'sub'`]);

  g.release();
  await until('every table ready', async () => (await s.node.query(`select count(*) as n from pg_subscription_rel where srsubstate = 'r'`)).rows[0]!.n === 2);
  await until('the sync slot to go from both publisher nodes', async () =>
    Number((await p2.node.query(`select count(*) as n from pg_replication_slots where slot_name like 'pg_%'`)).rows[0]!.n) === 0);
  expect((await s.node.query('select count(*) as n from a')).rows[0]!.n).toBe(2);
  expect((await s.node.query('select count(*) as n from t')).rows[0]!.n).toBe(1);
});
