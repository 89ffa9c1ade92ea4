/**
 * The two hosts every node-API suite runs against: openNode in-process, and the worker client
 * talking to a NodeHost over a MessageChannel, the way a page talks to its module worker. Nodes
 * opened here are closed after each test.
 */
import { afterEach } from 'vitest';
import { openNode } from '../src/index.ts';
import { exposeHost } from '../src/worker/host.ts';
import { connectWorkerNode, type NodeApi, type OpenWorkerNodeOptions } from '../src/worker/index.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

export async function viaWorker(options: OpenWorkerNodeOptions): Promise<NodeApi> {
  const channel = new MessageChannel();
  exposeHost(channel.port1);
  const node = await connectWorkerNode(channel.port2, options, () => {
    channel.port1.close();
    channel.port2.close();
  });
  cleanup.push(() => node.close());
  return node;
}

export async function inProcess(options: OpenWorkerNodeOptions): Promise<NodeApi> {
  const node = await openNode(options);
  cleanup.push(() => node.close());
  return node;
}

export const hosts = [
  ['in-process node', inProcess],
  ['worker client', viaWorker],
] as const;
