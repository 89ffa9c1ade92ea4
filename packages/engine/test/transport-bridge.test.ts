/**
 * The worker's transport bridge takes a message in parts (a base backup's stored chunk behind its
 * headers) and posts it to the page as ONE buffer holding their concatenation, made once and
 * transferred: without `sendParts` the walsender joined the parts and the bridge copied the join
 * again, 56 MB of garbage per 1M-row backup in the primary's worker (bench/README.md, "Ninth round").
 */
import { describe, expect, it } from 'vitest';
import type { PeerTransport } from '../src/replication/peer-transport.ts';
import { bridgedTransport, serveTransport, type WorkerMessage } from '../src/worker/transport-bridge.ts';

/** A page transport that records what it was asked to send. */
function recordingTransport(): PeerTransport & { sent: { to: string; bytes: Uint8Array }[] } {
  const sent: { to: string; bytes: Uint8Array }[] = [];
  return {
    nodeId: 'page',
    sent,
    peers: () => ['standby'],
    on: () => () => {},
    async send(to, bytes) {
      sent.push({ to, bytes });
    },
  } as PeerTransport & { sent: { to: string; bytes: Uint8Array }[] };
}

describe('transport bridge, worker end', () => {
  it('posts a message given in parts as one buffer of exactly their joined bytes, leaving the parts intact', async () => {
    const page = recordingTransport();
    const { port1, port2 } = new MessageChannel();
    const posted: WorkerMessage[] = [];
    const post = port2.postMessage.bind(port2) as (m: WorkerMessage, transfer: Transferable[]) => void;
    port2.postMessage = ((m: WorkerMessage, transfer: Transferable[]) => (posted.push(m), post(m, transfer))) as typeof port2.postMessage;
    const detach = serveTransport(page, port1);
    const worker = bridgedTransport(port2, 'primary');
    try {
      const head = new Uint8Array([1, 2, 3]);
      const stored = new Uint8Array(new ArrayBuffer(64)).subarray(8, 40).fill(7);
      expect(worker.sendParts).toBeDefined();
      await worker.sendParts!('standby', [head, stored]);

      expect(posted).toHaveLength(1);
      // transferred, not cloned: the worker's copy is gone
      expect(posted[0]!.bytes.buffer.byteLength).toBe(0);
      expect(page.sent.map((s) => s.to)).toEqual(['standby']);
      // a buffer of its own, exactly the message: transferring it gave away nothing else
      const arrived = page.sent[0]!.bytes;
      expect([arrived.byteOffset, arrived.buffer.byteLength]).toEqual([0, 35]);
      expect([...arrived]).toEqual([1, 2, 3, ...new Array<number>(32).fill(7)]);
      // the caller's parts (a stored chunk the checkpoint still names) are neither moved nor detached
      expect(head.byteLength).toBe(3);
      expect(stored.byteLength).toBe(32);
      expect(stored.buffer.byteLength).toBe(64);
    } finally {
      worker.close();
      detach();
    }
  });

  it('rejects a send in parts the page could not make, with the transport error code', async () => {
    const page = recordingTransport();
    page.send = async () => {
      throw Object.assign(new Error('standby is not a connected peer of page'), { code: 'not-connected' });
    };
    const { port1, port2 } = new MessageChannel();
    const detach = serveTransport(page, port1);
    const worker = bridgedTransport(port2, 'primary');
    try {
      await expect(worker.sendParts!('standby', [new Uint8Array([1]), new Uint8Array([2])])).rejects.toMatchObject({ name: 'TransportError', code: 'not-connected' });
    } finally {
      worker.close();
      detach();
    }
  });
});
