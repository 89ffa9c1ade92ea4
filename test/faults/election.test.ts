import { afterEach, describe, expect, it } from 'vitest';
import type { NodeOptions } from '@walrtc/engine';
import { memoryCluster, until, type TestNode } from '../cluster.ts';
import { faultyStorage, prng } from './faults.ts';

type Cluster = ReturnType<typeof memoryCluster>;
let c: Cluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

/** Samples every live node's (role, timeline) until stopped; reports two primaries on one timeline. */
function watchPrimaries(nodes: () => TestNode[]) {
  const violations: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const seen = new Map<number, string>();
      for (const n of nodes()) {
        const st = await n.node.status().catch(() => undefined);
        if (st?.role !== 'primary') continue;
        const other = seen.get(st.timeline);
        if (other && other !== st.nodeId) violations.push(`${other} and ${st.nodeId} both primary on timeline ${st.timeline}`);
        seen.set(st.timeline, st.nodeId);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return { violations, stop: async () => { running = false; await loop; } };
}

describe('elections that cannot elect two', () => {
  it('a voter restarted during an election remembers its vote: never two primaries on one timeline, one writable primary after heal', async () => {
    const mc = memoryCluster();
    c = mc;
    const random = prng(11);
    const storages = new Map(['a', 'b', 'c'].map((id) => [id, faultyStorage(random, 0)]));
    const opts = (id: string): Partial<NodeOptions> => ({ failover: 'auto', failoverTimeout: 600, keepaliveMs: 50, storage: storages.get(id), synchronousCommit: 'local' });
    const a = await mc.open('a', { ...opts('a'), role: 'primary' });
    let b = await mc.open('b', { ...opts('b'), role: 'auto' });
    let cc = await mc.open('c', { ...opts('c'), role: 'auto' });
    const live = new Set([a, b, cc]);
    const watch = watchPrimaries(() => [...live]);
    await until('b and c streaming', async () => (await a.node.status()).replication.filter((s) => s.state === 'streaming').length === 2);
    await until('the primary to accept writes', () => a.node.exec('create table t(id int primary key)').then(() => true, () => false));

    // the primary dies; messages are slow, so the winner's voter is restarted before it can follow the winner
    mc.net.delay(150);
    mc.net.kill('a');
    live.delete(a);
    const winner = await until('an election', () => [b, cc].find((n) => n.logs.some((l) => l.startsWith('elected primary for timeline 2'))), 15_000);
    const voter = winner === b ? cc : b;
    mc.net.kill(voter.node.nodeId);
    live.delete(voter);
    await voter.node.close();
    mc.net.delay(0);
    // the winner is cut off; the restarted voter and the old primary, restarted too, form a majority of {a, b, c}
    mc.net.partition([winner.node.nodeId], ['a', voter.node.nodeId]);
    await until('the old primary to fence itself', () => a.logs.some((l) => l.startsWith('fenced:')));
    await a.node.close();
    const reopened = await mc.open(voter.node.nodeId, { ...opts(voter.node.nodeId), role: 'auto' });
    const a2 = await mc.open('a', { ...opts('a'), role: 'auto' });
    if (voter === b) b = reopened;
    else cc = reopened;
    live.add(reopened);
    live.add(a2);
    const second = await until('a primary in the majority', async () => {
      for (const n of [reopened, a2]) if ((await n.node.status()).role === 'primary') return n;
      return undefined;
    }, 15_000);
    expect((await second.node.status()).timeline).toBeGreaterThan(2);

    mc.net.heal();
    await until('one primary after heal', async () => {
      const roles = await Promise.all([...live].map(async (n) => (await n.node.status()).role));
      return roles.filter((r) => r === 'primary').length === 1;
    }, 15_000);
    await watch.stop();
    expect(watch.violations).toEqual([]);
    expect((await winner.node.status()).role).toBe('standby');
    await second.node.query('insert into t values (1)');
  }, 60_000);
});
