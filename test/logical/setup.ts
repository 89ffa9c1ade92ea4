/**
 * Logical replication test plumbing: a publisher cluster and a subscriber cluster, each on its own
 * network, the subscriber's nodes reaching the publisher's network through subscriptionTransport
 * (as an application's factory would, from the connection string's `cluster`).
 */
import type { NodeOptions } from '@walrtc/engine';
import { memoryCluster, type TestCluster } from '../cluster.ts';

export interface Clusters {
  pub: TestCluster & { net: ReturnType<typeof memoryCluster>['net'] };
  sub: TestCluster & { net: ReturnType<typeof memoryCluster>['net'] };
  /** Options a subscriber node needs to reach the publisher cluster. */
  subscriber: Partial<NodeOptions>;
  closeAll(): Promise<void>;
}

export function clusters(): Clusters {
  const pub = memoryCluster();
  const sub = memoryCluster();
  return {
    pub,
    sub,
    subscriber: {
      subscriptionTransport: (conninfo, peerId) => {
        if (conninfo.cluster !== 'pub') throw new Error(`no cluster "${conninfo.cluster}" in this test`);
        return pub.net.transport(peerId);
      },
      walRetrieveRetryInterval: 200,
      logicalConnectTimeout: 5000,
    },
    async closeAll() {
      await sub.closeAll();
      await pub.closeAll();
    },
  };
}

export const CONNINFO = 'cluster=pub';

/** The error a statement fails with (the test fails when it succeeds). */
export async function error(p: Promise<unknown>): Promise<{ code: string; message: string; detail?: string; hint?: string }> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!e) throw new Error('expected an error');
  return e as { code: string; message: string; detail?: string; hint?: string };
}
