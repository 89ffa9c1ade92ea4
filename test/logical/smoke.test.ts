import { afterEach, expect, test } from 'vitest';
import { until } from '../cluster.ts';
import { clusters, CONNINFO, type Clusters } from './setup.ts';

let c: Clusters;
afterEach(async () => c?.closeAll());

test('smoke: a subscription copies and streams', async () => {
  c = clusters();
  const p = await c.pub.open('p1');
  await p.node.exec(`create table t(id int primary key, v text); insert into t values (1, 'a'), (2, 'b'); create publication pub for table t`);
  const s = await c.sub.open('s1', c.subscriber);
  await s.node.exec('create table t(id int primary key, v text)');
  await s.node.query(`create subscription sub connection '${CONNINFO}' publication pub`);
  await until('copy', async () => Number((await s.node.query('select count(*) as n from t')).rows[0]!.n) === 2);
  await p.node.exec(`insert into t values (3, 'c'); update t set v = 'B' where id = 2; delete from t where id = 1`);
  await until('stream', async () => JSON.stringify((await s.node.query('select * from t order by id')).rows) === JSON.stringify([{ id: 2, v: 'B' }, { id: 3, v: 'c' }]));
  console.log((await s.node.query('select * from pg_subscription_rel')).rows, (await p.node.query('select * from pg_replication_slots')).rows);
});
