/**
 * A node in its own worker thread, so its event loop can be frozen while the rest of the cluster
 * (on the main thread's memory network) runs on. Its transport is a MessagePort to a memory
 * transport on the main thread; commands come on the same port. Test plumbing for frozen.test.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openNode, type NodeOptions } from '../../packages/engine/src/index.ts';

type Listener = (...args: never[]) => void;
const port = parentPort!;
const { nodeId, options, peers: initial } = workerData as { nodeId: string; options: Partial<NodeOptions> & { cluster: string }; peers: string[] };
const peers = new Set(initial);
const listeners = { peer: new Set<Listener>(), 'peer-left': new Set<Listener>(), message: new Set<Listener>() };
const emit = (event: keyof typeof listeners, ...args: unknown[]) => {
  for (const l of listeners[event]) (l as (...a: unknown[]) => void)(...args);
};
const transport = {
  nodeId,
  peers: () => [...peers].sort(),
  on(event: keyof typeof listeners, fn: Listener) {
    listeners[event].add(fn);
    return () => void listeners[event].delete(fn);
  },
  async send(to: string, msg: Uint8Array) {
    if (!peers.has(to)) throw new Error(`${to} is not a connected peer of ${nodeId}`);
    port.postMessage({ kind: 'send', to, msg });
  },
};

const node = await openNode({ ...options, nodeId, storage: 'memory', transport, log: (_l, m) => port.postMessage({ kind: 'log', m }) });

port.on('message', async (m: { kind: string; id?: number; [k: string]: unknown }) => {
  if (m.kind === 'peer') { peers.add(m.peer as string); return emit('peer', m.peer); }
  if (m.kind === 'peer-left') { peers.delete(m.peer as string); return emit('peer-left', m.peer); }
  if (m.kind === 'message') return emit('message', m.from, m.msg);
  const reply = (value: unknown) => port.postMessage({ kind: 'reply', id: m.id, value });
  const outcome = (p: Promise<unknown>) => p.then(() => ({ ok: true }), (e: { code?: string; message?: string }) => ({ ok: false, code: e.code, message: e.message }));
  switch (m.kind) {
    case 'status': return reply(await node.status());
    case 'exec': return reply(await outcome(node.exec(m.sql as string)));
    case 'freeze-then-write': {
      // the whole event loop stops: no timer, no message, no lease check runs meanwhile
      const until = performance.now() + (m.ms as number);
      while (performance.now() < until) { /* frozen */ }
      const writes = (m.values as number[]).map((v) => outcome(node.query('insert into t values ($1)', [v])));
      return reply(await Promise.all(writes));
    }
    case 'close': await node.close(); return reply(true);
  }
});
port.postMessage({ kind: 'ready' });
