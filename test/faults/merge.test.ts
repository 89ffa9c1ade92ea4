/**
 * Two clusters of one name meeting (nodes that initialised apart), seen from a standby: found on a
 * loaded machine where three 'auto' nodes each initialised a cluster, one joined another's, and
 * that one then gave way to the third — leaving the standby with a system identifier no primary had.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeOptions } from '@walrtc/engine';
import { caughtUp, memoryCluster, until } from '../cluster.ts';

type Cluster = ReturnType<typeof memoryCluster>;
let c: Cluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

describe('a standby of an empty cluster that gave way', () => {
  it('follows its primary into the other cluster by base backup, instead of refusing every primary for ever', async () => {
    const mc = memoryCluster();
    c = mc;
    const o: Partial<NodeOptions> = { failover: 'auto', failoverTimeout: 1000, keepaliveMs: 50 };
    mc.net.partition(['a', 'b'], ['c']);
    const a = await mc.open('a', { ...o, role: 'primary' });
    const b = await mc.open('b', { ...o, role: 'auto' });
    await until('b to stream from a', async () => (await a.node.status()).replication.some((s) => s.applicationName === 'b' && s.state === 'streaming'));
    const cc = await mc.open('c', { ...o, role: 'primary' });
    await until('c to accept writes', () => cc.node.exec('create table kept(x int); insert into kept values (42)').then(() => true, () => false));
    expect(b.node.systemId).toBe(a.node.systemId);
    expect(cc.node.systemId).not.toBe(a.node.systemId);

    // a's cluster is empty: a gives way to c's, which has data; b must not stay behind in a's
    mc.net.heal();
    await until('a to join c', async () => a.node.systemId === cc.node.systemId && (await a.node.status()).role === 'standby');
    await until('b to join c', async () => b.node.systemId === cc.node.systemId && (await b.node.status()).role === 'standby', 20_000);
    await caughtUp(cc.node, b.node);
    expect((await b.node.query('select x from kept')).rows).toEqual([{ x: 42 }]);
    expect(b.logs.some((l) => /^primary "c" leads cluster \d+; this standby's cluster \d+ is empty and has no primary: joining it$/.test(l))).toBe(true);
  }, 60_000);
});
