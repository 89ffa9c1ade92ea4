import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, memoryCluster, until, type TestCluster } from '../cluster.ts';
import { silenceable } from './faults.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

type Row = { application_name: string; sync_state: string };

/** A primary with synchronous standbys a and b (a is the one that will fail), both streaming. */
async function setup(names: string, wrapA?: Parameters<TestCluster['open']>[2]) {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('p', { synchronousStandbyNames: names, failoverTimeout: 200, syncCommitTimeout: 20_000 });
  const a = await mc.open('a', { role: 'standby', failoverTimeout: 200 }, wrapA);
  const b = await mc.open('b', { role: 'standby', failoverTimeout: 200 });
  const rows = async () => (await p.node.query<Row>('select application_name, sync_state from pg_stat_replication order by 1')).rows;
  await until('a and b streaming', async () => (await p.node.query(`select count(*)::int as n from pg_stat_replication where state = 'streaming'`)).rows[0]!.n === 2);
  // with FIRST/ANY 1 and no standby yet, even this would wait: PostgreSQL's behaviour
  await p.node.exec('create table t(id int primary key)');
  await p.node.query('insert into t values (1)');
  return { mc, p, a, b, rows };
}

describe('liveness: a synchronous standby that leaves never blocks commits for good', () => {
  for (const names of ['FIRST 1 (a, b)', 'ANY 1 (a, b)']) {
    it(`${names}: a standby that closes (its transport left open) ends replication at once; b takes over and commits continue`, async () => {
      const { p, a, b, rows } = await setup(names);
      expect((await rows()).map((r) => r.sync_state)).toEqual(names.startsWith('FIRST') ? ['sync', 'potential'] : ['quorum', 'quorum']);
      await a.node.close();
      await until('a to be dropped', async () => (await rows()).length === 1);
      expect(await rows()).toEqual([{ application_name: 'b', sync_state: names.startsWith('FIRST') ? 'sync' : 'quorum' }]);
      await p.node.query('insert into t values (2)');
      await caughtUp(p.node, b.node);
      expect((await b.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }]);
      expect(p.logs.some((l) => l.includes('standby "a" ended replication'))).toBe(true);
    });

    it(`${names}: a standby silent with its channel open is dropped after walSenderTimeout; a waiting commit is released`, async () => {
      const net = silenceable();
      const { p, a, rows } = await setup(names, net.wrap);
      net.silence(true);
      // for FIRST 1 this commit waits for a (sync) until a is dropped and b becomes sync
      const commit = p.node.query('insert into t values (2)');
      await until('a to be dropped for its silence', async () => (await rows()).every((r) => r.application_name !== 'a'), 10_000);
      await commit;
      expect((await rows()).map((r) => r.application_name)).toEqual(['b']);
      expect(p.logs.some((l) => l.includes('terminating walsender process for "a" due to replication timeout'))).toBe(true);
      // the standby notices its silent upstream too (wal_receiver_timeout) and, heard again, streams again
      await until('a to give up on its upstream', async () => a.logs.some((l) => l.includes('terminating walreceiver due to timeout')), 10_000);
      net.silence(false);
      await until('a streaming again', async () => (await rows()).some((r) => r.application_name === 'a'), 10_000);
      await caughtUp(p.node, a.node);
      expect((await a.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }]);
    });
  }
});
