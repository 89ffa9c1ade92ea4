import { afterEach, describe, expect, it } from 'vitest';
import type { NodeOptions } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestCluster, type TestNode } from '../cluster.ts';
import { faultyStorage, prng, reopen, turns } from './faults.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

/** Start `n` checkpoints at random moments while `op` runs; wait for all of them. */
async function racingCheckpoints(node: TestNode, random: () => number, op: Promise<unknown>, n = 3): Promise<void> {
  const checkpoints: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    await turns(Math.floor(random() * 6));
    checkpoints.push(node.node.checkpoint());
  }
  await Promise.all([op, ...checkpoints]);
}

/** What the node says, what its storage says, and what a restart from that storage says must agree. */
async function expectDurableTimeline(t: TestNode, cluster: string, storage: ReturnType<typeof faultyStorage>, timeline: number, seed: number): Promise<void> {
  const live = await t.node.status();
  expect(live.timeline, `seed ${seed}: live timeline`).toBe(timeline);
  const stored = await storage.readControl();
  expect(stored?.timeline, `seed ${seed}: stored timeline`).toBe(timeline);
  expect(stored?.history.map((h) => h.timeline), `seed ${seed}: stored history`).toEqual(Array.from({ length: timeline - 1 }, (_, i) => i + 2));
  const hash = await t.node.contentHash();
  await c!.close(t);
  const again = await reopen(c!.name, t.node.nodeId, storage);
  try {
    expect((await again.status()).timeline, `seed ${seed}: timeline after restart`).toBe(timeline);
    expect(await again.contentHash(), `seed ${seed}: content after restart`).toBe(hash);
  } finally {
    await again.close();
  }
}

/** A primary with table t and five rows, and the standbys `ids` caught up with it. */
async function withStandbys(ids: [string, Partial<NodeOptions>][], primary: Partial<NodeOptions> = {}) {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('p', primary);
  await p.node.exec('create table t(id int primary key)');
  const standbys: TestNode[] = [];
  for (const [id, o] of ids) standbys.push(await mc.open(id, { role: 'standby', ...o }));
  for (let i = 0; i < 5; i++) await p.node.query('insert into t values ($1)', [i]);
  for (const s of standbys) await caughtUp(p.node, s.node);
  return { mc, p, standbys };
}

describe('one owner of the control state: checkpoints racing role changes (seeded interleavings)', () => {
  it('checkpoint racing promote(): the new timeline is never undone', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = prng(seed);
      const storage = faultyStorage(random);
      const { mc, p, standbys: [s] } = await withStandbys([['s', { storage }]]);
      await mc.close(p);
      await racingCheckpoints(s, random, s.node.promote());
      expect((await s.node.status()).role).toBe('primary');
      await s.node.query('insert into t values (100)');
      await expectDurableTimeline(s, mc.name, storage, 2, seed);
      await mc.closeAll();
    }
  }, 60_000);

  it('checkpoint racing a standby following a new timeline', async () => {
    for (let seed = 21; seed <= 30; seed++) {
      const random = prng(seed);
      const storage = faultyStorage(random);
      const { mc, p, standbys: [s1, s2] } = await withStandbys([['s1', {}], ['s2', { storage }]]);
      await mc.close(p);
      await s1.node.promote();
      const followed = until(`s2 to follow timeline 2 (seed ${seed})`, async () => (await s2.node.status()).timeline === 2);
      await racingCheckpoints(s2, random, followed, 4);
      await s1.node.query('insert into t values (100)');
      await caughtUp(s1.node, s2.node);
      await expectDurableTimeline(s2, mc.name, storage, 2, seed);
      await mc.closeAll();
    }
  }, 60_000);

  it('checkpoint racing a rewind (or the base backup that replaces it) of a diverged old primary', async () => {
    for (let seed = 41; seed <= 50; seed++) {
      const random = prng(seed);
      const storage = faultyStorage(random);
      const { mc, p, standbys: [s] } = await withStandbys([['s', {}]], { storage, synchronousCommit: 'local' });
      mc.net.partition(['p'], ['s']);
      await s.node.promote();
      await s.node.query('insert into t values (100)');
      // the old primary, cut off, diverges; every other seed it also checkpoints past the fork (no rewind possible: base backup)
      await p.node.query('insert into t values (200)');
      if (seed % 2) await p.node.checkpoint();
      mc.net.heal();
      const rejoined = until(`p to follow timeline 2 (seed ${seed})`, async () => {
        const st = await p.node.status();
        return st.role === 'standby' && st.timeline === 2 && (await p.node.contentHash()) === (await s.node.contentHash());
      });
      await racingCheckpoints(p, random, rejoined, 4);
      expect((await p.node.query('select count(*)::int as n from t where id = 200')).rows).toEqual([{ n: 0 }]);
      await expectDurableTimeline(p, mc.name, storage, 2, seed);
      await mc.closeAll();
    }
  }, 60_000);

  it('overlapping promotions write one timeline switch: the second is refused', async () => {
    const mc = memoryCluster();
    c = mc;
    const storage = faultyStorage(prng(7));
    const p = await mc.open('p');
    await p.node.exec('create table t(id int primary key)');
    const s = await mc.open('s', { role: 'standby', storage });
    await caughtUp(p.node, s.node);
    await mc.close(p);
    const outcomes = await Promise.allSettled([s.node.promote(), s.node.promote(), s.node.query('select pg_promote()')]);
    expect(outcomes[0]!.status).toBe('fulfilled');
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: '55000', message: 'promotion is already in progress' } });
    await until('the promotion', async () => (await s.node.status()).role === 'primary');
    expect(s.logs.filter((l) => l.includes('selected new timeline ID')).length).toBe(1);
    expect((await storage.readControl())?.history).toHaveLength(1);
    expect((await s.node.status()).timeline).toBe(2);
  });
});
