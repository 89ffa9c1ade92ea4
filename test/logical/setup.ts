/**
 * Logical replication test plumbing: a publisher cluster and a subscriber cluster, each on its own
 * network, the subscriber's nodes reaching the publisher's network through subscriptionTransport
 * (as an application's factory would, from the connection string's `cluster`).
 */
import type { NodeOptions } from '@walrtc/engine';
import type { Transport } from '@walrtc/transport';
import { decodeLogical, isLogicalFrame, type SubscriberMessage } from '../../packages/engine/src/logical/protocol.ts';
import { memoryCluster, type TestCluster } from '../cluster.ts';

/**
 * A subscriber's connection that holds back the messages `hold` picks (until `release()`), so a
 * test can stop a subscription at a chosen step (a table-sync slot not yet dropped: state f).
 */
export interface Gate {
  hold: (msg: SubscriberMessage) => boolean;
  release(): void;
  /** Messages held so far. */
  held: SubscriberMessage[];
}

export function gate(hold: (msg: SubscriberMessage) => boolean): Gate {
  const g: Gate & { waiting: (() => void)[] } = {
    hold, held: [], waiting: [],
    release() {
      this.hold = () => false;
      for (const w of this.waiting.splice(0)) w();
    },
  };
  return g;
}

function gated(t: Transport, g: Gate): Transport {
  const waiting = (g as Gate & { waiting: (() => void)[] }).waiting;
  return new Proxy(t, {
    get(target, prop) {
      if (prop === 'send') {
        return async (to: string, bytes: Uint8Array) => {
          const msg = isLogicalFrame(bytes) ? decodeLogical(bytes).msg : undefined;
          if (msg && g.hold(msg as SubscriberMessage)) {
            g.held.push(msg as SubscriberMessage);
            await new Promise<void>((r) => waiting.push(r));
          }
          return target.send(to, bytes);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export interface Clusters {
  pub: TestCluster & { net: ReturnType<typeof memoryCluster>['net'] };
  sub: TestCluster & { net: ReturnType<typeof memoryCluster>['net'] };
  /** Options a subscriber node needs to reach the publisher cluster. */
  subscriber: Partial<NodeOptions>;
  /** Every connection the subscribers opened: the connection string's keys and the peer id. */
  connections: { conninfo: Record<string, string>; peerId: string }[];
  closeAll(): Promise<void>;
}

/** `g`: hold some of the subscribers' messages (see Gate); `maxMessageSize`: the publisher cluster's message limit. */
export function clusters(g?: Gate, maxMessageSize?: number): Clusters {
  const pub = memoryCluster({ maxMessageSize });
  const sub = memoryCluster();
  const connections: Clusters['connections'] = [];
  return {
    pub,
    sub,
    connections,
    subscriber: {
      subscriptionTransport: (conninfo, peerId) => {
        connections.push({ conninfo, peerId });
        if (conninfo.cluster !== 'pub') throw new Error(`no cluster "${conninfo.cluster}" in this test`);
        const t = pub.net.transport(peerId);
        return g ? gated(t, g) : t;
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
