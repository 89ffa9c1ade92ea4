/**
 * Plumbing for offline-write tests: a transport wrapper that duplicates and reorders offline
 * messages (seeded; WAL streaming keeps its ordered channel, as every real transport gives it),
 * and a bounded wait for a node's queue to drain.
 */
import type { Node } from '@walrtc/engine';
import type { Transport } from '@walrtc/transport';
import { decodeMessage } from '../../packages/engine/src/replication/protocol.ts';
import { caughtUp, until } from '../cluster.ts';

/** Every queued transaction of `node` has its verdict, and replay has settled the applied ones. */
export async function drained(node: Node, ms = 60_000): Promise<void> {
  await until(`${node.nodeId} to drain its offline queue`, async () => {
    const o = (await node.status()).offline;
    return o.queued + o.sent + o.applied === 0;
  }, ms);
  await node.offline!.settled();
}

/** `t` with its sends going through `send` (which gets the inner send and the decoded message, if it is one). */
function wrapSend(t: Transport, send: (inner: Transport['send'], to: string, msg: Uint8Array, offline: boolean) => Promise<void>): Transport {
  return {
    get nodeId() { return t.nodeId; },
    peers: () => t.peers(),
    on: t.on.bind(t) as Transport['on'],
    off: t.off.bind(t),
    send: (to, msg) => {
      const decoded = decodeMessage(msg);
      return send((to2, m) => t.send(to2, m), to, msg, decoded.ok && decoded.msg.t.startsWith('offline_'));
    },
    close: () => t.close(),
  };
}

/** Seeded loss, duplication and reordering of offline messages. */
export function chaos(random: () => number, { duplicate = 0.3, reorder = 0.3, drop = 0, maxDelayMs = 20 } = {}): (t: Transport) => Transport {
  return (t) => wrapSend(t, async (send, to, msg, offline) => {
    if (!offline) return send(to, msg);
    if (random() < drop) return;
    const copies = random() < duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (random() < reorder) {
        const copy = msg.slice();
        setTimeout(() => void send(to, copy).catch(() => {}), Math.floor(random() * maxDelayMs));
      } else {
        await send(to, msg);
      }
    }
  });
}

/** While held, this node's offline messages are dropped: its queue stays pending while WAL still streams to it. */
export function gate(held = false): { wrap: (t: Transport) => Transport; hold: (on: boolean) => void } {
  const wrap = (t: Transport) => wrapSend(t, async (send, to, msg, offline) => (held && offline ? undefined : send(to, msg)));
  return { wrap, hold: (on) => void (held = on) };
}

/** The standby has replayed everything the primary has, its view is rebuilt, and both hold the same content. */
export async function converged(primary: Node, standby: Node): Promise<void> {
  await caughtUp(primary, standby);
  await standby.offline!.settled();
  const [a, b] = [await primary.contentHash(), await standby.contentHash()];
  if (a !== b) throw new Error(`${standby.nodeId} did not converge with ${primary.nodeId}`);
}
