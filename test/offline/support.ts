/**
 * Plumbing for offline-write tests: a transport wrapper that duplicates and reorders offline
 * messages (seeded; WAL streaming keeps its ordered channel, as every real transport gives it),
 * and a bounded wait for a node's queue to drain.
 */
import type { Node } from '@walrtc/engine';
import type { Transport } from '@walrtc/transport';
import { decodeMessage } from '../../packages/engine/src/replication/protocol.ts';
import { until } from '../cluster.ts';

/** Every queued transaction of `node` has its verdict, and replay has settled the applied ones. */
export async function drained(node: Node, ms = 60_000): Promise<void> {
  await until(`${node.nodeId} to drain its offline queue`, async () => {
    const o = (await node.status()).offline;
    return o.queued + o.sent + o.applied === 0;
  }, ms);
  await node.offline!.settled();
}

export function chaos(random: () => number, { duplicate = 0.3, reorder = 0.3, drop = 0, maxDelayMs = 20 } = {}): (t: Transport) => Transport {
  return (t) => ({
    get nodeId() { return t.nodeId; },
    peers: () => t.peers(),
    on: t.on.bind(t) as Transport['on'],
    off: t.off.bind(t),
    send: async (to, msg) => {
      const decoded = decodeMessage(msg);
      if (!decoded.ok || !decoded.msg.t.startsWith('offline_')) return t.send(to, msg);
      if (random() < drop) return;
      const copies = random() < duplicate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        if (random() < reorder) {
          const copy = msg.slice();
          setTimeout(() => void t.send(to, copy).catch(() => {}), Math.floor(random() * maxDelayMs));
        } else {
          await t.send(to, msg);
        }
      }
    },
    close: () => t.close(),
  });
}

/** While held, this node's offline messages are dropped: its queue stays pending while WAL still streams to it. */
export function gate(): { wrap: (t: Transport) => Transport; hold: (on: boolean) => void } {
  let held = false;
  const wrap = (t: Transport): Transport => ({
    get nodeId() { return t.nodeId; },
    peers: () => t.peers(),
    on: t.on.bind(t) as Transport['on'],
    off: t.off.bind(t),
    send: async (to, msg) => {
      const decoded = decodeMessage(msg);
      if (held && decoded.ok && decoded.msg.t.startsWith('offline_')) return;
      return t.send(to, msg);
    },
    close: () => t.close(),
  });
  return { wrap, hold: (on) => void (held = on) };
}
