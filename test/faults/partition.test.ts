import { afterEach, describe, expect, it } from 'vitest';
import type { NodeOptions } from '@walrtc/engine';
import { allMembers, caughtUp, memoryCluster, primaryOf, until, type TestCluster, type TestNode } from '../cluster.ts';
import { History } from './history.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

describe('a 5-node partition', () => {
  it('ANY 2 of 5: the minority primary accepts no write after its lease; the majority elects; after heal the old primary follows and all converge; no acknowledged write is lost', async () => {
    const mc = memoryCluster();
    c = mc;
    // a lease of 0.8 s: on a loaded 2-core CI machine the one process running all five nodes stalls
    // for hundreds of milliseconds, and a primary that stalled past its lease rightly stops
    const failoverTimeout = 1000;
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
    // ANY 2 standbys + the primary are a majority: an acknowledged commit survives any failover
    const o: Partial<NodeOptions> = { failover: 'auto', failoverTimeout, keepaliveMs: 50, synchronousCommit: 'on', synchronousStandbyNames: `ANY 2 (${ids.join(', ')})`, syncCommitTimeout: 2000 };
    const nodes: TestNode[] = [await mc.open('n1', { ...o, role: 'primary' })];
    for (const id of ids.slice(1)) nodes.push(await mc.open(id, { ...o, role: 'auto' }));
    await until('four standbys streaming', async () => (await nodes[0]!.node.status()).replication.filter((s) => s.state === 'streaming').length === 4);
    // whoever is the primary by then (a stall may already have moved the lease on) creates the table
    await until('a primary to accept writes', async () => (await primaryOf(nodes)).node.exec('create table if not exists t(id int primary key)').then(() => true, () => false), 30_000);

    const history = new History();
    let next = 0;
    const write = async (n: TestNode) => {
      const op = history.invoke(n.node.nodeId, 'write', next++);
      const at = performance.now();
      return { op, at, outcome: await history.complete(op, n.node.query('insert into t values ($1)', [op.value as number])) };
    };
    // a write refused (25006) or cut off by a lapsed lease (40003, outcome unknown) is in the history: write again
    for (let i = 0; i < 5; i++) await until('an acknowledged write', async () => (await write(await primaryOf(nodes))).outcome === 'ok', 30_000);
    await allMembers(nodes);
    const old = await primaryOf(nodes);
    for (const n of nodes) if (n !== old) await caughtUp(old.node, n.node);

    // the primary and one standby on one side, three standbys on the other
    const minority = [old.node.nodeId, nodes.find((n) => n !== old)!.node.nodeId];
    const majority = nodes.filter((n) => !minority.includes(n.node.nodeId));
    mc.net.partition(minority, majority.map((n) => n.node.nodeId));
    const cut = performance.now();
    const late: { outcome: string }[] = [];
    // the old primary keeps being asked until the majority has elected and taken a write
    let elected: TestNode | undefined;
    while (!elected || !late.length) {
      const w = await write(old);
      if (w.at > cut + 0.8 * failoverTimeout) late.push(w);
      for (const n of majority) if (!elected && (await n.node.status()).role === 'primary') elected = n;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(late.filter((w) => w.outcome === 'ok')).toEqual([]);
    await until('a write on the new primary', async () => (await write(elected!)).outcome === 'ok', 30_000);

    mc.net.heal();
    await until('the old primary to step down', async () => (await old.node.status()).role === 'standby');
    for (const n of nodes) if (n !== elected) await caughtUp(elected.node, n.node);
    const final = (await elected.node.query<{ id: number }>('select id from t')).rows.map((r) => Number(r.id));
    const verdict = history.check(final);
    expect(verdict.lost).toEqual([]);
    expect(verdict.phantom).toEqual([]);
    const hashes = new Set(await Promise.all(nodes.map((n) => n.node.contentHash())));
    expect(hashes.size).toBe(1);
  }, 120_000);
});
