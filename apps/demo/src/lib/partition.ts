/**
 * Disconnect/reconnect for the demo: a simulated network partition between this node and every
 * peer. While cut, peers are reported gone and nothing passes either way; the WebRTC
 * connections stay up underneath, so the other nodes see silence, as in a real partition,
 * rather than a clean goodbye.
 */
import type { Transport } from '@walrtc/transport';

type PeerTransport = Pick<Transport, 'nodeId' | 'peers' | 'send'> & {
  on(event: 'peer' | 'peer-left', fn: (id: string) => void): () => void;
  on(event: 'message', fn: (from: string, msg: Uint8Array) => void): () => void;
};

export interface Partitionable extends PeerTransport {
  readonly cut: boolean;
  setCut(cut: boolean): void;
}

export function partitionable(inner: Transport): Partitionable {
  let cut = false;
  const peerFns = new Set<(id: string) => void>();
  const leftFns = new Set<(id: string) => void>();
  return {
    nodeId: inner.nodeId,
    get cut() {
      return cut;
    },
    setCut(next) {
      if (next === cut) return;
      cut = next;
      for (const id of inner.peers()) for (const fn of cut ? leftFns : peerFns) fn(id);
    },
    peers: () => (cut ? [] : inner.peers()),
    send: (to, msg) => (cut ? Promise.reject(Object.assign(new Error(`${to} is unreachable (disconnected)`), { code: 'not-connected' })) : inner.send(to, msg)),
    on(event: 'peer' | 'peer-left' | 'message', fn: ((id: string) => void) & ((from: string, msg: Uint8Array) => void)) {
      if (event === 'message') return inner.on('message', (from, msg) => void (cut || fn(from, msg)));
      const own = event === 'peer' ? peerFns : leftFns;
      own.add(fn);
      const off = inner.on(event, (id: string) => void (cut || fn(id)));
      return () => {
        own.delete(fn);
        off();
      };
    },
  } as Partitionable;
}
