/**
 * Offline writes across topologies: two standbys writing while cut off at the same time, a
 * cascading standby writing through its upstream, and the optimistic view checked against a
 * recomputation from scratch after every replayed batch (seeded property test).
 */
import { afterEach, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestCluster } from '../cluster.ts';
import { prng } from '../prng.ts';
import { converged, drained, gate } from './support.ts';

let c: TestCluster | undefined;
const extra: Node[] = [];
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
  for (const n of extra.splice(0)) await n.close();
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

it('two standbys write offline at once: each applied in its own order, a key both took goes to the first applied, the other is rejected (23505)', async () => {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('primary');
  await p.node.exec('create table log(n serial primary key, origin text not null, k int not null); create table claim(k text primary key, origin text)');
  const s1 = await mc.open('s1', { role: 'standby', offlineWrites: true });
  const s2 = await mc.open('s2', { role: 'standby', offlineWrites: true });
  await caughtUp(p.node, s1.node);
  await caughtUp(p.node, s2.node);
  mc.net.partition(['s1'], ['primary', 's2']);
  mc.net.partition(['s2'], ['primary', 's1']);
  await Promise.all([s1, s2].map(async (s) => {
    for (const i of range(50)) await s.node.query('insert into log(origin, k) values ($1, $2)', [s.node.nodeId, i]);
    await s.node.query(`insert into claim values ('shared', $1)`, [s.node.nodeId]);
  }));
  mc.net.heal();
  await Promise.all([drained(s1.node), drained(s2.node)]);
  for (const s of [s1, s2]) {
    const ks = (await p.node.query<{ k: number }>('select k from log where origin = $1 order by n', [s.node.nodeId])).rows.map((r) => r.k);
    expect(ks).toEqual(range(50));
  }
  const winner = (await p.node.query<{ origin: string }>(`select origin from claim where k = 'shared'`)).rows[0]!.origin;
  const loser = winner === 's1' ? s2 : s1;
  expect((await loser.node.query('select seq, state, sqlstate from walrtc_pending')).rows).toEqual([{ seq: 51, state: 'failed', sqlstate: '23505' }]);
  for (const s of [s1, s2]) await caughtUp(p.node, s.node);
  await Promise.all([s1, s2].map((s) => s.node.offline!.settled()));
  const hash = await p.node.contentHash();
  expect([await s1.node.contentHash(), await s2.node.contentHash()]).toEqual([hash, hash]);
  // the loser's view no longer shows its claim
  expect((await loser.node.query(`select origin from claim`)).rows).toEqual([{ origin: winner }]);
}, 60_000);

it('a cascading standby writes through its upstream: transactions go up, verdicts come back down', async () => {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('primary');
  await p.node.exec('create table log(n serial primary key, k int not null)');
  const mid = await mc.open('mid', { role: 'standby' });
  await caughtUp(p.node, mid.node);
  const leaf = await mc.open('leaf', { role: 'standby', upstream: 'mid', offlineWrites: true });
  await caughtUp(p.node, leaf.node);
  // the leaf can reach the primary only through mid
  mc.net.partition(['leaf'], ['primary']);
  const results = [];
  for (const i of range(20)) results.push(await leaf.node.query('insert into log(k) values ($1) returning k', [i]));
  expect(await results[19]!.pending!.verdict!).toMatchObject({ status: 'applied', origin: 'leaf', seq: 20 });
  await drained(leaf.node);
  expect((await p.node.query<{ k: number }>('select k from log order by n')).rows.map((r) => r.k)).toEqual(range(20));
  expect(Number((await mid.node.query('select count(*) as n from walrtc_applied_xacts')).rows[0]!.n)).toBe(20);
  expect(await leaf.node.contentHash()).toBe(await p.node.contentHash());
}, 30_000);

/** The view as it must be: the replicated rows, then each pending transaction that still applies, in order. */
async function fromScratch(s: Node): Promise<unknown[]> {
  const scratch = await openNode({ cluster: `scratch-${process.pid}-${extra.length}`, storage: 'memory', log: () => {} });
  extra.push(scratch);
  await scratch.exec('create table kv(k int primary key, v int not null)');
  for (const r of (await s.query<{ k: number; v: number }>('select k, v from kv', [], { optimistic: false })).rows) await scratch.query('insert into kv values ($1, $2)', [r.k, r.v]);
  for (const e of s.offline!.rows()) {
    if (e.state === 'failed') continue;
    await scratch.query('BEGIN');
    try {
      for (const sql of e.statements) await scratch.query(sql);
      await scratch.query('COMMIT');
    } catch {
      await scratch.query('ROLLBACK');
    }
  }
  return (await scratch.query('select k, v from kv order by k')).rows;
}

it('property: after every replayed batch the optimistic view equals the replicated state plus the pending transactions re-applied in order (seeded)', async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const random = prng(seed);
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec('create table kv(k int primary key, v int not null)');
    const g = gate();
    const s = await mc.open('standby', { role: 'standby', offlineWrites: true, keepaliveMs: 20 }, g.wrap);
    await caughtUp(p.node, s.node);
    const op = (): string => {
      const k = Math.floor(random() * 12);
      const r = random();
      return r < 0.45 ? `insert into kv values (${k}, ${Math.floor(random() * 100)})` : r < 0.8 ? `update kv set v = v + 1 where k = ${k}` : `delete from kv where k = ${k}`;
    };
    let pendingSeen = 0;
    for (let step = 0; step < 16; step++) {
      // the first steps keep the queue pending while the primary's writes replay under it; the last ones let it through
      g.hold(step < 10);
      for (let i = 0; i < 1 + Math.floor(random() * 3); i++) await s.node.query(op()).catch(() => {});
      for (let i = 0; i < 1 + Math.floor(random() * 3); i++) await p.node.query(op()).catch(() => {});
      // once released, the primary applies the queue meanwhile: wait for it to finish, so nothing replays during the check
      if (step >= 10) await drained(s.node);
      await caughtUp(p.node, s.node);
      await s.node.offline!.settled();
      pendingSeen = Math.max(pendingSeen, s.node.offline!.rows().filter((e) => e.state !== 'failed').length);
      const view = (await s.node.query('select k, v from kv order by k')).rows;
      expect([seed, step, view]).toEqual([seed, step, await fromScratch(s.node)]);
    }
    expect(pendingSeen).toBeGreaterThan(5);
    await drained(s.node);
    await converged(p.node, s.node);
    await mc.closeAll();
    c = undefined;
  }
}, 120_000);

it('a pending transaction that no longer applies after a replay leaves the view, and live queries on its tables see it go', async () => {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('primary');
  await p.node.exec('create table parent(id int primary key); create table child(id int primary key, pid int references parent); create table other(id int); insert into parent values (1)');
  const g = gate(true);
  const s = await mc.open('standby', { role: 'standby', offlineWrites: true }, g.wrap);
  await caughtUp(p.node, s.node);
  const seen: number[][] = [];
  const lq = await s.node.live.query<{ id: number }>('select id from child', [], (r) => void seen.push(r.rows.map((x) => x.id)));
  await s.node.query('insert into child values (10, 1)');
  await s.node.query('insert into other values (1)');
  await until('the live query to show the pending child', () => seen.some((ids) => ids.includes(10)));
  // the primary deletes the parent: replay touches parent only, and the pending child no longer applies
  await p.node.query('delete from parent where id = 1');
  await caughtUp(p.node, s.node);
  await s.node.offline!.settled();
  expect((await s.node.query('select id from child')).rows).toEqual([]);
  expect((await s.node.query('select id from other')).rows).toEqual([{ id: 1 }]);
  await until('the live query to drop the child', () => JSON.stringify(seen.at(-1)) === '[]');
  await lq.unsubscribe();
  g.hold(false);
  await drained(s.node);
  expect((await s.node.query('select seq, state, sqlstate from walrtc_pending')).rows).toEqual([{ seq: 1, state: 'failed', sqlstate: '23503' }]);
}, 30_000);
