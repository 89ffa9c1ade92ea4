/**
 * This tab's node: its identity (kept in sessionStorage, so a reload is the same node), the
 * cluster named in the URL, the WebRTC transport with its signaling pipes and partition switch,
 * and the engine in a module worker. The page owns the transport (workers have no
 * RTCPeerConnection); the worker owns the database and its IndexedDB storage.
 */
import { openWorkerNode, type WorkerNode } from '@walrtc/engine/worker';
import { broadcastSignaling, webrtcTransport, type Transport } from '@walrtc/transport';
import { partitionable, type Partitionable } from './partition.ts';
import { multiSignaling, type MultiSignaling } from './signaling.ts';

export interface Progress {
  phase: 'backup' | 'catchup' | 'streaming';
  done: number;
  total: number;
}

export interface TabNode {
  node: WorkerNode;
  transport: Transport;
  gate: Partitionable;
  signaling: MultiSignaling;
  cluster: string;
  close(): Promise<void>;
}

/** Demo clusters share a fixed key; a real deployment passes its own secret. */
const DEMO_KEY = 'walrtc demo cluster key';

export function clusterName(): string {
  return new URL(location.href).searchParams.get('cluster') || 'demo';
}

/**
 * Stable per tab across reloads; a new tab is a new node, unless the URL names one (`?node=`),
 * which reopens that node from its IndexedDB.
 */
export function tabNodeId(cluster: string): string {
  const key = `walrtc:${cluster}:nodeId`;
  let id = new URL(location.href).searchParams.get('node') || sessionStorage.getItem(key);
  if (!id) {
    id = `tab-${crypto.randomUUID().slice(0, 6)}`;
  }
  sessionStorage.setItem(key, id);
  return id;
}

/** `?offline=1`: this tab accepts writes while it is a standby, queued until the primary applies them. */
export function offlineWritesOn(): boolean {
  return new URL(location.href).searchParams.get('offline') === '1';
}

/**
 * How this tab joins: 'auto' follows the cluster's primary when one answers and otherwise takes
 * part in an election, so the first tab initialises the cluster, later tabs become standbys by
 * base backup, and a standby takes over when the primary's tab goes away.
 */
export function chooseRole(): 'auto' {
  return 'auto';
}

export async function openTabNode(hooks: { onProgress(p: Progress): void; log(level: string, message: string): void }): Promise<TabNode> {
  const cluster = clusterName();
  const nodeId = tabNodeId(cluster);
  const signaling = multiSignaling(broadcastSignaling());
  const transport = webrtcTransport({
    cluster,
    nodeId,
    key: DEMO_KEY,
    signaling,
    // on 127.0.0.1 (tests, a local demo) no packet may leave loopback: no mDNS, no other interface
    loopbackOnly: location.hostname === '127.0.0.1',
    log: (m) => hooks.log('warning', m),
  });
  const gate = partitionable(transport);
  try {
    const node = await openWorkerNode({
      cluster,
      nodeId,
      storage: 'indexeddb',
      transport: gate,
      role: chooseRole(),
      offlineWrites: offlineWritesOn(),
      onProgress: hooks.onProgress,
      log: hooks.log,
    });
    return {
      node,
      transport,
      gate,
      signaling,
      cluster,
      async close() {
        await node.close();
        await transport.close();
      },
    };
  } catch (e) {
    await transport.close();
    throw e;
  }
}
