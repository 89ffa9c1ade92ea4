/**
 * Logical replication over real WebRTC (loopback): the publisher's primary and standby and the
 * subscriber's connection all on data channels. The failover-ready check passes, the primary's
 * transport dies, the standby is promoted, and the subscriber goes on from it with every row once.
 */
import { afterEach, expect, test } from 'vitest';
import type { Transport } from '@walrtc/transport';
import { caughtUp, memoryCluster, until, webrtcCluster, type TestCluster } from '../cluster.ts';

const open: TestCluster[] = [];
const extra: Transport[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.closeAll();
  await Promise.all(extra.splice(0).map((t) => t.close()));
});

test('over WebRTC: failover-ready slot, publisher failover, every row exactly once', async () => {
  const pub = webrtcCluster();
  const sub = memoryCluster();
  open.push(sub, pub);
  const p1 = await pub.open('p1', { synchronizedStandbySlots: 'p2' });
  await p1.node.exec(`create table t(id int primary key, v text); create publication pub for table t`);
  for (let i = 1; i <= 10; i++) await p1.node.query('insert into t values ($1, $2)', [i, 'before']);
  const p2 = await pub.open('p2', { role: 'standby', syncReplicationSlots: true });
  await caughtUp(p1.node, p2.node, 30_000);
  const s = await sub.open('s1', {
    subscriptionTransport: (conninfo, peerId) => {
      expect(conninfo).toMatchObject({ cluster: pub.room, key: 'test cluster key', signaling: `broadcast:${pub.room}` });
      const t = pub.transport(peerId);
      extra.push(t);
      return t;
    },
    walRetrieveRetryInterval: 200,
    logicalConnectTimeout: 20_000,
  });
  await s.node.exec('create table t(id int, v text)');
  await s.node.query(`create subscription sub connection 'cluster=${pub.room} key=''test cluster key'' signaling=broadcast:${pub.room}' publication pub with (failover = true)`);
  await until('the copy', async () => Number((await s.node.query('select count(*) as n from t')).rows[0]!.n) === 10, 30_000);
  await until('the slot to be failover-ready on the standby', async () => (await p2.node.query(
    `SELECT slot_name, (synced AND NOT temporary AND invalidation_reason IS NULL) AS failover_ready FROM pg_replication_slots WHERE slot_name IN ('sub')`,
  )).rows[0]?.failover_ready === true, 30_000);

  for (let i = 11; i <= 20; i++) await p1.node.query('insert into t values ($1, $2)', [i, 'around']);
  await p1.transport.close();
  await p2.node.promote();
  for (let i = 21; i <= 30; i++) await p2.node.query('insert into t values ($1, $2)', [i, 'after']);
  const expected = (await p2.node.query('select id, v from t order by id')).rows;
  await until('the subscriber to match the new primary', async () =>
    JSON.stringify((await s.node.query('select id, v from t order by id, v')).rows) === JSON.stringify(expected), 30_000);
});
