import { describe, expect, it } from 'vitest';
import { allMembers, caughtUp, memoryCluster, primaryOf, until } from './cluster.ts';
import { prng } from './faults/faults.ts';
import { History } from './faults/history.ts';

/**
 * One run: an N-node cluster with synchronousCommit 'on' and ANY k standbys (k + the primary is a
 * majority), a writer and a reader on a standby recording every operation in a Jepsen-style
 * history, and the primary killed at a random point. Afterwards: exactly one primary among the
 * survivors, every acknowledged write read back, no read ever saw a value no write could have
 * produced, every survivor with the same content.
 */
async function run(seed: number, size: number): Promise<void> {
  const random = prng(seed);
  const c = memoryCluster();
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const k = Math.floor(size / 2);
  const settings = { failover: 'auto' as const, failoverTimeout: 150, keepaliveMs: 25, synchronousStandbyNames: `ANY ${k} (${ids.join(', ')})`, syncCommitTimeout: 5000 };
  try {
    const all = [await c.open(ids[0]!, { ...settings, role: 'primary' })];
    for (const id of ids.slice(1)) all.push(await c.open(id, { ...settings, role: 'auto' }));
    await until('all standbys streaming', async () => (await all[0]!.node.status()).replication.filter((s) => s.state === 'streaming').length === size - 1);
    // writes are accepted once the primary holds its lease over the members that just joined (a
    // stall of the loaded test process may by then have elected another: it is the one killed)
    await until('a primary to accept writes', async () => (await primaryOf(all)).node.exec('create table if not exists t(id int primary key, seed int)').then(() => true, () => false), 30_000);
    await allMembers(all);
    const first = await primaryOf(all);
    const rest = all.filter((n) => n !== first);

    const history = new History();
    // WAL is in flight when the primary dies: only synchronous replication keeps acknowledged commits
    c.net.delay(1 + Math.floor(random() * 4));
    let writing = true;
    const writer = (async () => {
      for (let id = 0; writing; id++) {
        const op = history.invoke('writer', 'write', id);
        if ((await history.complete(op, first.node.query('insert into t values ($1, $2)', [id, seed]))) !== 'ok') return;
        // memory storage flushes in microtasks: let timers and the network run between commits
        await new Promise((r) => setImmediate(r));
      }
    })();
    const reader = (async () => {
      while (writing) {
        const from = rest[Math.floor(random() * rest.length)]!.node;
        const op = history.invoke(`reader@${from.nodeId}`, 'read');
        await history.complete(op, from.query<{ id: number }>('select id from t'), (r) => r.rows.map((x) => Number(x.id)));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 10 + Math.floor(random() * 60)));
    c.net.kill(first.node.nodeId);
    // under load the new primary's lease can lapse and another survivor be elected: safety is
    // checked on whichever survivor is the one primary, liveness by bounded waits
    const current = () => primaryOf(rest, 30_000);
    await current();
    writing = false;
    // the old primary fences itself (lease lost): its last call fails with an unknown outcome
    await writer;
    await reader;
    // a write refused (25006 while a lease forms) certainly did nothing; one cut off by a lapsed lease
    // (40003) may have committed: both stay in the history, and the next attempt writes a new value
    let after = 1_000_000;
    await until('a write acknowledged by the new primary', async () => {
      const to = await current();
      const op = history.invoke('after', 'write', after++);
      return (await history.complete(op, to.node.query('insert into t values ($1, $2)', [op.value, seed]))) === 'ok';
    }, 30_000);
    const primary = await current();
    const final = (await primary.node.query<{ id: number }>('select id from t')).rows.map((r) => Number(r.id));
    const verdict = history.check(final);
    expect(verdict.lost, 'acknowledged writes lost').toEqual([]);
    expect(verdict.phantom, 'reads of values never written').toEqual([]);
    for (const n of rest) if (n !== primary) await caughtUp(primary.node, n.node);
    const hashes = new Set(await Promise.all(rest.map((n) => n.node.contentHash())));
    expect(hashes.size, 'survivors differ').toBe(1);
    // and still exactly one primary among the survivors (primaryOf fails otherwise)
    await current();
  } catch (e) {
    // every failure names its seed, and how to run that seed alone
    if (e instanceof Error) e.message = `seed ${seed} (alone: SEED=${seed} npx vitest run test/failover-random.test.ts): ${e.message}`;
    throw e;
  } finally {
    await c.closeAll();
  }
}

/** `npm run soak` sets SOAK_RUNS: many more seeds than CI runs; SEED runs that one seed only. */
const soak = Number(process.env.SOAK_RUNS ?? 0);
const only = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
const chosen = (seed: number) => only === undefined || only === seed;
const runs3 = soak || 30;
const runs5 = soak || 20;

describe('random primary kills (seeded), checked as a history', () => {
  it(`3 nodes, ${runs3} runs: one primary, every acknowledged write read back, no phantom read, survivors converge`, async () => {
    for (let seed = 1; seed <= runs3; seed++) if (chosen(seed)) await run(seed, 3);
  }, 180_000 + soak * 3_000);

  it(`5 nodes, ${runs5} runs: one primary, every acknowledged write read back, no phantom read, survivors converge`, async () => {
    for (let seed = 101; seed < 101 + runs5; seed++) if (chosen(seed)) await run(seed, 5);
  }, 180_000 + soak * 3_000);
});
