import { describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestNode } from './cluster.ts';

/** mulberry32: the runs are reproducible from their seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const roleOf = async (n: Node) => (await n.status()).role;

/**
 * One run: an N-node cluster with synchronousCommit 'on' and ANY k standbys (k + the primary is a
 * majority), a writer recording every acknowledged commit, and the primary killed at a random
 * point. Afterwards: exactly one primary among the survivors, every acknowledged commit present,
 * every survivor with the same content.
 */
async function run(seed: number, size: number): Promise<void> {
  const random = prng(seed);
  const c = memoryCluster();
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const k = Math.floor(size / 2);
  const settings = { failover: 'auto' as const, failoverTimeout: 150, keepaliveMs: 25, synchronousStandbyNames: `ANY ${k} (${ids.join(', ')})`, syncCommitTimeout: 5000 };
  try {
    const first = await c.open(ids[0]!, { ...settings, role: 'primary' });
    const rest: TestNode[] = [];
    for (const id of ids.slice(1)) rest.push(await c.open(id, { ...settings, role: 'auto' }));
    await until('all standbys streaming', async () => (await first.node.status()).replication.filter((s) => s.state === 'streaming').length === size - 1);
    // writes are accepted once the primary holds its lease over the members that just joined
    await until('the primary to accept writes', () => first.node.exec('create table t(id int primary key, seed int)').then(() => true, () => false));

    const acknowledged: number[] = [];
    // WAL is in flight when the primary dies: only synchronous replication keeps acknowledged commits
    c.net.delay(1 + Math.floor(random() * 4));
    let writing = true;
    const writer = (async () => {
      for (let id = 0; writing; id++) {
        const ok = await first.node.query('insert into t values ($1, $2)', [id, seed]).then(() => true, () => false);
        if (!ok) return;
        acknowledged.push(id);
        // memory storage flushes in microtasks: let timers and the network run between commits
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 10 + Math.floor(random() * 60)));
    c.net.kill(first.node.nodeId);
    const primary = await until(`one new primary (seed ${seed})`, async () => {
      const roles = await Promise.all(rest.map((n) => roleOf(n.node)));
      const primaries = rest.filter((_, i) => roles[i] === 'primary');
      return primaries.length === 1 ? primaries[0] : undefined;
    }, 10_000);
    writing = false;
    // the old primary fences itself (lease lost): its last call fails with an unknown outcome
    await writer;
    await primary.node.query('insert into t values ($1, $2)', [1_000_000, seed]);
    const present = new Set((await primary.node.query<{ id: number }>('select id from t')).rows.map((r) => r.id));
    const lost = acknowledged.filter((id) => !present.has(id));
    expect(lost, `seed ${seed}: acknowledged commits lost`).toEqual([]);
    for (const n of rest) if (n !== primary) await caughtUp(primary.node, n.node);
    const hashes = new Set(await Promise.all(rest.map((n) => n.node.contentHash())));
    expect(hashes.size, `seed ${seed}: survivors differ`).toBe(1);
    const roles = await Promise.all(rest.map((n) => roleOf(n.node)));
    expect(roles.filter((r) => r === 'primary').length).toBe(1);
  } finally {
    await c.closeAll();
  }
}

describe('random primary kills (seeded)', () => {
  it('3 nodes, 30 runs: one primary, no acknowledged commit lost, survivors converge', async () => {
    for (let seed = 1; seed <= 30; seed++) await run(seed, 3);
  }, 180_000);

  it('5 nodes, 20 runs: one primary, no acknowledged commit lost, survivors converge', async () => {
    for (let seed = 101; seed <= 120; seed++) await run(seed, 5);
  }, 180_000);
});
