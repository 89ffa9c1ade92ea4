/**
 * A standby offline for 1,000 write transactions, some of which conflict with what the primary
 * did meanwhile (the same unique key; a row it deleted), comes back: every other one is applied
 * exactly once and in its order, every conflicting one is rejected with PostgreSQL's SQLSTATE,
 * and all nodes converge.
 */
import { afterEach, expect, it } from 'vitest';
import { caughtUp, memoryCluster, type TestCluster } from '../cluster.ts';
import { drained } from './support.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

const N = 1000;
const kind = (i: number) => (i % 10 === 0 ? 'unique' : i % 10 === 5 ? 'deleted' : 'plain');

it('1,000 transactions queued offline: the non-conflicting applied once and in order, the conflicting rejected (23505, 40001), all nodes converge', async () => {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('primary');
  await p.node.exec(`
    create table log(n serial primary key, k int not null);
    create table uniq(k text primary key);
    create table acct(id int primary key, v int not null);`);
  const ids = Array.from({ length: N }, (_, i) => i + 1).filter((i) => kind(i) === 'deleted');
  await p.node.exec(`insert into acct values ${ids.map((i) => `(${i}, 0)`).join(', ')}`);
  const s = await mc.open('standby', { role: 'standby', offlineWrites: true });
  const watcher = await mc.open('watcher', { role: 'standby' });
  await caughtUp(p.node, s.node);
  mc.net.partition(['standby'], ['primary', 'watcher']);

  for (let i = 1; i <= N; i++) {
    if (kind(i) === 'unique') await s.node.query('insert into uniq values ($1)', [`c${i}`]);
    else if (kind(i) === 'deleted') {
      await s.node.transaction(async (tx) => {
        await tx.query('update acct set v = v + 1 where id = $1', [i]);
        await tx.query('insert into log(k) values ($1)', [-i]);
      });
    } else await s.node.query('insert into log(k) values ($1)', [i]);
  }
  expect((await s.node.status()).offline.queued).toBe(N);
  // the optimistic view holds all of them
  expect(Number((await s.node.query('select count(*) as n from log')).rows[0]!.n)).toBe(N - N / 10);
  // meanwhile on the primary: the same unique keys, and the rows the standby updates are deleted
  for (let i = 1; i <= N; i++) if (kind(i) === 'unique') await p.node.query('insert into uniq values ($1)', [`c${i}`]);
  await p.node.query(`delete from acct where id % 10 = 5`);

  mc.net.heal();
  await drained(s.node);

  const applied = Array.from({ length: N }, (_, i) => i + 1).filter((i) => kind(i) === 'plain');
  expect((await p.node.query<{ k: number }>('select k from log order by n')).rows.map((r) => r.k)).toEqual(applied);
  const outcomes = (await p.node.query<{ seq: number; outcome: string; sqlstate: string | null }>(
    `select seq, outcome, sqlstate from walrtc_applied_xacts where origin = 'standby' order by seq`)).rows;
  expect(outcomes.length).toBe(N);
  for (const o of outcomes) {
    const k = kind(o.seq);
    expect([o.seq, o.outcome, o.sqlstate]).toEqual([o.seq, k === 'plain' ? 'applied' : 'rejected', k === 'unique' ? '23505' : k === 'deleted' ? '40001' : null]);
  }
  expect((await s.node.status()).offline).toMatchObject({ failed: N / 5, appliedXacts: N });
  await caughtUp(p.node, s.node);
  await caughtUp(p.node, watcher.node);
  await s.node.offline!.settled();
  const hash = await p.node.contentHash();
  expect(await s.node.contentHash()).toBe(hash);
  expect(await watcher.node.contentHash()).toBe(hash);
  // the standby's optimistic view is its replicated state now (only failed entries remain, outside the view)
  expect((await s.node.query('select k from log order by n')).rows).toEqual((await s.node.query('select k from log order by n', [], { optimistic: false })).rows);
}, 120_000);
