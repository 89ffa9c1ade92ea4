import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, until, webrtcCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

describe('cascading replication and max_wal_senders', () => {
  it('primary → s1 → s2 delivers every commit to s2, and s1 lists s2 in pg_stat_replication', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await p.node.exec('create table t(id serial primary key, v text)');
    const s1 = await c.open('s1', { role: 'standby' });
    await caughtUp(p.node, s1.node);
    const s2 = await c.open('s2', { role: 'standby', upstream: 's1' });
    for (let i = 0; i < 100; i++) await p.node.query('insert into t(v) values ($1)', ['v' + i]);
    await caughtUp(p.node, s2.node);
    expect((await s2.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 100 }]);
    expect(await s2.node.contentHash()).toBe(await p.node.contentHash());

    const onS1 = (await s1.node.query('select application_name, state from pg_stat_replication')).rows;
    expect(onS1).toEqual([{ application_name: 's2', state: 'streaming' }]);
    const onP = (await p.node.query('select application_name from pg_stat_replication')).rows;
    expect(onP).toEqual([{ application_name: 's1' }]);
    // a base backup can bring s2 up to date before its upstream has answered START_REPLICATION
    await until('s2 to stream from s1', async () => (await s2.node.query<{ status: string }>('select status from pg_stat_wal_receiver')).rows[0]?.status === 'streaming');
    expect((await s2.node.query('select sender_host, status from pg_stat_wal_receiver')).rows).toEqual([{ sender_host: 's1', status: 'streaming' }]);
    await expect(s2.node.query(`insert into t(v) values ('no')`)).rejects.toMatchObject({ code: '25006' });
  });

  it('one standby more than max_wal_senders is refused with SQLSTATE 53300 and PostgreSQL\'s message', async () => {
    c = webrtcCluster();
    const p = await c.open('primary', { maxWalSenders: 1 });
    await p.node.exec('create table t(x int)');
    const s1 = await c.open('s1', { role: 'standby' });
    await caughtUp(p.node, s1.node);
    const s2 = await c.open('s2', { role: 'standby' });
    await until('the refusal', () => s2.logs.some((l) => l.includes('number of requested standby connections exceeds max_wal_senders (currently 1)')));
    expect(p.logs.some((l) => l.includes('exceeds max_wal_senders'))).toBe(true);
    expect((await p.node.query('select application_name from pg_stat_replication')).rows).toEqual([{ application_name: 's1' }]);
    expect((await s2.node.status()).systemId).toBeNull();
  });
});
