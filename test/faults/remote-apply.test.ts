/**
 * synchronous_commit = remote_apply promises what 'on' does and more: the commit is on the
 * standby's storage and visible there. A walrtc standby replays a batch before its storage write
 * ends, so the applied position it reports must not run ahead of what it has flushed.
 */
import { afterEach, expect, it } from 'vitest';
import { lsnNumber, memoryCluster, until, type TestCluster } from '../cluster.ts';
import { faultyStorage, prng, reopen } from './faults.ts';

let c: TestCluster | undefined;
let held: { release(): void } | undefined;
afterEach(async () => {
  // a failed assertion must not leave the standby's WAL write held: closing waits for it
  held?.release();
  held = undefined;
  await c?.closeAll();
  c = undefined;
});

it('remote_apply: a commit the standby replayed but has not stored is not acknowledged, and a crash of that write leaves it unconfirmed', async () => {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('p', { synchronousStandbyNames: 's', synchronousCommit: 'remote_apply', syncCommitTimeout: 1000 });
  const storage = faultyStorage(prng(1), 0);
  await mc.open('s', { role: 'standby', storage });
  await until('s to be the synchronous standby', async () => (await p.node.status()).replication[0]?.syncState === 'sync');
  await p.node.exec('create table t(id int primary key)');
  const hold = (held = storage.holdWal());
  const insert = p.node.query('insert into t values (1)');
  await hold.reached;
  const end = lsnNumber((await p.node.status()).lsn.flush);
  // the standby has replayed the commit; its answer to a keepalive says so while the write is held
  const seen = await until('the standby to report the commit received', async () => {
    const r = (await p.node.status()).replication[0];
    return r && lsnNumber(r.writeLsn) >= end ? r : undefined;
  });
  expect(lsnNumber(seen.flushLsn)).toBeLessThan(end);
  expect(lsnNumber(seen.replayLsn), 'applied (as remote_apply counts it) only up to what is flushed').toBeLessThanOrEqual(lsnNumber(seen.flushLsn));
  // the standby's process dies in that write: the commit never reaches its storage
  storage.crashAfterWrites(0);
  hold.release();
  await expect(insert).rejects.toMatchObject({ code: '57014', detail: expect.stringMatching(/might not have been replicated/) });
  storage.crashAfterWrites(Infinity);
  const again = await reopen(mc.name, 's', storage);
  const ids = (await again.query<{ id: number }>('select id from t')).rows;
  await again.close();
  expect(ids).toEqual([]);
});
