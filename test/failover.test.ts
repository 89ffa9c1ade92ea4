import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, primaryOf, until, webrtcCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

// A lease of 1 s, not less: on a loaded CI machine a process stall of a few hundred ms must not
// fence a healthy primary between the steps of a test.
const AUTO = { role: 'auto' as const, failoverTimeout: 1000, keepaliveMs: 50 };

async function autoCluster(ids: string[], extra = {}) {
  const mc = memoryCluster();
  c = mc;
  const nodes = await Promise.all(ids.map((id) => mc.open(id, { ...AUTO, ...extra })));
  const primary = await primaryOf(nodes);
  await primary.node.exec('create table t(id int primary key, v text)');
  for (const n of nodes) if (n !== primary) await caughtUp(primary.node, n.node);
  await until('every node to be a member', async () => (await primary.node.status()).replication.filter((s) => s.state === 'streaming').length === ids.length - 1);
  return { mc, nodes, primary };
}

const count = async (n: Node) => (await n.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n;

describe('automatic failover', () => {
  it("two 'auto' nodes opened at the same moment create one cluster, not two", async () => {
    const mc = memoryCluster();
    c = mc;
    const [a, b] = await Promise.all([mc.open('a', AUTO), mc.open('b', AUTO)]);
    const primary = await primaryOf([a!, b!]);
    const standby = primary === a ? b! : a!;
    await until('one system identifier', async () => standby.node.systemId !== null);
    expect(standby.node.systemId).toBe(primary.node.systemId);
    expect(primary.logs.some((l) => l.startsWith('initialised cluster with system identifier'))).toBe(true);
    expect(standby.logs.some((l) => l.startsWith('initialised cluster'))).toBe(false);
  });

  it('two empty clusters started apart merge when they meet: the empty one gives way; one with data never does', async () => {
    const mc = memoryCluster();
    c = mc;
    mc.net.partition(['a'], ['b']);
    const [a, b] = await Promise.all([mc.open('a', AUTO), mc.open('b', AUTO)]);
    await until('two primaries', async () => (await a!.node.status()).role === 'primary' && (await b!.node.status()).role === 'primary');
    expect(a!.node.systemId).not.toBe(b!.node.systemId);
    await b!.node.exec('create table kept(x int); insert into kept values (42)');
    mc.net.heal();
    await until('a to join b', async () => a!.node.systemId === b!.node.systemId && (await a!.node.status()).role === 'standby');
    await caughtUp(b!.node, a!.node);
    expect((await a!.node.query('select x from kept')).rows).toEqual([{ x: 42 }]);
    expect(a!.logs.some((l) => /^primary "b" leads cluster \d+; this node's cluster \d+ is empty: joining it$/.test(l))).toBe(true);
  });

  it('when the primary is killed, the most advanced standby is elected and the others follow it', async () => {
    const { mc, nodes, primary } = await autoCluster(['n1', 'n2', 'n3']);
    for (let i = 0; i < 10; i++) await primary.node.query('insert into t values ($1, $2)', [i, 'v']);
    for (const n of nodes) if (n !== primary) await caughtUp(primary.node, n.node);
    mc.net.kill(primary.node.nodeId);
    const rest = nodes.filter((n) => n !== primary);
    const next = await primaryOf(rest);
    await next.node.query(`insert into t values (100, 'after failover')`);
    expect((await next.node.status()).timeline).toBe(2);
    const other = rest.find((n) => n !== next)!;
    await caughtUp(next.node, other.node);
    expect(await count(other.node)).toBe(11);
    expect(next.logs.some((l) => /elected primary for timeline 2 with 2 votes/.test(l))).toBe(true);
  });

  it('a primary partitioned into a minority stops accepting writes within its lease; the majority elects; after heal the old primary rewinds and follows', async () => {
    const { mc, nodes, primary } = await autoCluster(['n1', 'n2', 'n3'], { synchronousCommit: 'local' });
    await primary.node.query(`insert into t values (1, 'everyone has this')`);
    for (const n of nodes) if (n !== primary) await caughtUp(primary.node, n.node);
    const rest = nodes.filter((n) => n !== primary);
    mc.net.partition([primary.node.nodeId], rest.map((n) => n.node.nodeId));
    // written before the lease runs out: only the old primary ever has it
    await primary.node.query(`insert into t values (2, 'divergent')`);
    await until('the old primary to fence itself', async () => {
      const e = await primary.node.query(`insert into t values (3, 'refused')`).then(() => undefined, (err: unknown) => err);
      return e && (e as { code?: string }).code === '25006' ? e : undefined;
    }).then((e) => expect((e as { detail?: string }).detail).toMatch(/^This primary can reach only 1 of 3 cluster members \(a majority is 2\) and stopped accepting writes\.$/));
    const next = await primaryOf(rest);
    await next.node.query(`insert into t values (10, 'new timeline')`);

    mc.net.heal();
    await until('the old primary to step down', async () => (await primary.node.status()).role === 'standby');
    await caughtUp(next.node, primary.node);
    expect((await primary.node.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 10 }]);
    expect(await primary.node.contentHash()).toBe(await next.node.contentHash());
    expect(primary.logs.some((l) => /^rewound to [0-9A-F]+\/[0-9A-F]+: discarded WAL from .* \d+ committed transaction\(s\) \(xid [\d, ]+\) changing t$/.test(l))).toBe(true);
  });

  it('a node that sees a higher timeline steps down at once, and calls waiting on it learn the outcome is unknown', async () => {
    const { mc, nodes, primary } = await autoCluster(['n1', 'n2', 'n3'], { synchronousStandbyNames: 'ANY 2 (n1, n2, n3)' });
    const rest = nodes.filter((n) => n !== primary);
    mc.net.partition([primary.node.nodeId], rest.map((n) => n.node.nodeId));
    const inFlight = primary.node.query(`insert into t values (5, 'waiting for standbys')`).catch((e: unknown) => e);
    const next = await primaryOf(rest);
    mc.net.heal();
    expect(await inFlight).toMatchObject({ code: '40003' });
    await until('the old primary to step down', async () => (await primary.node.status()).role === 'standby');
    await caughtUp(next.node, primary.node);
    expect(await primary.node.contentHash()).toBe(await next.node.contentHash());
  });

  it('planned switchover: no committed transaction is lost and the old primary follows the new one', async () => {
    const { nodes, primary } = await autoCluster(['n1', 'n2', 'n3']);
    for (let i = 0; i < 50; i++) await primary.node.query('insert into t values ($1, $2)', [i, 'before switchover']);
    const target = nodes.find((n) => n !== primary)!;
    expect(await primary.node.switchover(target.node.nodeId)).toBe(target.node.nodeId);
    expect((await target.node.status()).role).toBe('primary');
    expect(await count(target.node)).toBe(50);
    await target.node.query(`insert into t values (1000, 'after')`);
    await until('the old primary to follow', async () => (await primary.node.status()).role === 'standby');
    await caughtUp(target.node, primary.node);
    expect(await count(primary.node)).toBe(51);
    expect(primary.logs.some((l) => l.includes('rewound'))).toBe(false);
  });

  it('a primary closing cleanly hands over to a standby; a standby closing cleanly leaves the membership', async () => {
    const { nodes, primary } = await autoCluster(['n1', 'n2', 'n3']);
    await primary.node.query(`insert into t values (1, 'x')`);
    await c.close(primary);
    const rest = nodes.filter((n) => n !== primary);
    const next = await primaryOf(rest, 3000);
    expect(await count(next.node)).toBe(1);
    const standby = rest.find((n) => n !== next)!;
    await c.close(standby);
    await until('the membership to shrink', async () => next.logs.some((l) => l === `member "${standby.node.nodeId}" left the cluster`));
  });
});

describe('automatic failover over real WebRTC', () => {
  it('closing the primary elects a standby, whose insert reaches the third node', async () => {
    c = webrtcCluster();
    const opts = { role: 'auto' as const, failoverTimeout: 1000, keepaliveMs: 100 };
    const nodes = [await c.open('w1', opts), await c.open('w2', opts), await c.open('w3', opts)];
    const primary = await primaryOf(nodes, 15_000);
    await primary.node.exec(`create table t(id int primary key, v text); insert into t values (1, 'first')`);
    for (const n of nodes) if (n !== primary) await caughtUp(primary.node, n.node);
    await until('all members', async () => (await primary.node.status()).replication.filter((s) => s.state === 'streaming').length === 2);
    // vanish without a goodbye or a handover: the transport goes away, the node is not closed cleanly
    await primary.transport.close();
    const rest = nodes.filter((n) => n !== primary);
    const next = await primaryOf(rest, 10_000);
    await next.node.query(`insert into t values (2, 'after failover')`);
    const third = rest.find((n) => n !== next)!;
    await caughtUp(next.node, third.node);
    expect((await third.node.query('select v from t order by id')).rows).toEqual([{ v: 'first' }, { v: 'after failover' }]);
  });
});
