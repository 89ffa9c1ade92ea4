/**
 * electionPriority: between equally advanced candidates the higher priority is elected (an
 * always-on Node peer as the preferred primary), and never over a candidate with more WAL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compareCandidates } from '../packages/engine/src/replication/election.ts';
import { allMembers, caughtUp, memoryCluster, until, type TestCluster } from './cluster.ts';

let c: TestCluster | undefined;
afterEach(async () => c?.closeAll());

const AUTO = { role: 'auto' as const, failoverTimeout: 300, keepaliveMs: 50 };

describe('election priority', () => {
  it('when the primary is killed, the equally advanced standby with the higher priority is elected, not the lower node id', async () => {
    const mc = memoryCluster();
    c = mc;
    const a = await mc.open('a', AUTO);
    await until('a to be primary', async () => (await a.node.status()).role === 'primary');
    await a.node.exec('create table t(id int primary key)');
    const b = await mc.open('b', AUTO);
    const z = await mc.open('z', { ...AUTO, electionPriority: 1 });
    for (let i = 0; i < 10; i++) await a.node.query('insert into t values ($1)', [i]);
    // streaming is not membership: a primary whose lease lapsed (a stall under load) records a
    // standby's join later, and a standby that is no member cannot stand; then the standbys must
    // have replayed both joins, or z would not count as a candidate in b's view
    await allMembers([a, b, z]);
    await caughtUp(a.node, b.node);
    await caughtUp(a.node, z.node);
    mc.net.kill('a');
    await until('a new primary', async () => (await z.node.status()).role === 'primary' || (await b.node.status()).role === 'primary');
    expect((await z.node.status()).role).toBe('primary');
    await until('b to follow z', async () => (await b.node.status()).leaderId === 'z');
  });

  it('priority only breaks ties: more WAL, then a newer timeline, always win over it', () => {
    const plain = { timeline: 2, lsn: 200, nodeId: 'a' };
    expect(compareCandidates({ timeline: 2, lsn: 200, nodeId: 'z', priority: 1 }, plain)).toBeLessThan(0);
    expect(compareCandidates({ timeline: 2, lsn: 199, nodeId: 'z', priority: 9 }, plain)).toBeGreaterThan(0);
    expect(compareCandidates({ timeline: 1, lsn: 900, nodeId: 'z', priority: 9 }, plain)).toBeGreaterThan(0);
  });
});
