/**
 * The page side of a worker node: openWorkerNode starts the engine in a module Web Worker and
 * returns a WorkerNode with the same API as openNode's Node, forwarding each call through
 * comlink to the host (host.ts). The page keeps what only it can run: the WebRTC transport,
 * served to the worker over a MessageChannel (transport-bridge.ts).
 *
 * transaction(fn) keeps Node's callback API: `fn` runs here and each tx.query is one round trip
 * to the worker, which holds the writer lock until `fn` settles. A list-of-statements variant
 * would need a second API; code written against openNode runs unchanged instead. Many writes in
 * one round trip: exec() with several statements (one implicit transaction).
 */
import * as Comlink from 'comlink';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { LiveCallback, LiveOptions } from '../live/live.ts';
import { defaultScheduler } from '../live/schedule.ts';
import type { Node, NodeStatus, Queryable } from '../node.ts';
import type { Logger } from '../recovery.ts';
import type { ReceiverProgress } from '../replication/receiver.ts';
import type { PeerTransport } from '../replication/replication.ts';
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import './errors.ts';
import type { NodeHost, TransactionBody, WorkerNodeOptions } from './host.ts';
import { serveTransport } from './transport-bridge.ts';

/** What a node offers, in-process or in a worker: tests run one suite against both. */
export type NodeApi = Pick<Node, 'nodeId' | 'query' | 'exec' | 'transaction' | 'live' | 'status' | 'checkpoint' | 'promote' | 'switchover' | 'contentHash' | 'close'>;

export interface OpenWorkerNodeOptions extends WorkerNodeOptions {
  /** The page's transport (webrtcTransport); its peers are bridged to the worker. */
  transport?: PeerTransport;
  log?: Logger;
  onProgress?: (p: ReceiverProgress) => void;
}

/** Start a module worker hosting the node. */
export async function openWorkerNode(options: OpenWorkerNodeOptions): Promise<WorkerNode> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `walrtc ${options.cluster}` });
  try {
    return await connectWorkerNode(worker, options, () => worker.terminate());
  } catch (e) {
    worker.terminate();
    throw e;
  }
}

/** Open the node on a host already listening on `endpoint` (a Worker, or a MessagePort in tests). */
export async function connectWorkerNode(endpoint: Comlink.Endpoint, options: OpenWorkerNodeOptions, dispose: () => void = () => {}): Promise<WorkerNode> {
  const { transport, log, onProgress, ...plain } = options;
  const host = Comlink.wrap<NodeHost>(endpoint);
  let detach = () => {};
  let port: MessagePort | undefined;
  if (transport) {
    const channel = new MessageChannel();
    detach = serveTransport(transport, channel.port1);
    port = channel.port2;
  }
  // a URL does not survive structured cloning; its text does
  const parserWasm = plain.parserWasm instanceof URL ? plain.parserWasm.href : plain.parserWasm;
  const nodeOptions: WorkerNodeOptions = { ...plain, parserWasm, nodeId: plain.nodeId ?? transport?.nodeId };
  try {
    const { nodeId } = await host.open(nodeOptions, log && remoteCallback(log), onProgress && remoteCallback(onProgress), port && Comlink.transfer(port, [port]));
    return new WorkerNode(nodeId, host, () => {
      detach();
      host[Comlink.releaseProxy]();
      dispose();
    });
  } catch (e) {
    detach();
    throw e;
  }
}

export class WorkerNode implements NodeApi {
  private closed = false;

  constructor(readonly nodeId: string, private readonly host: Comlink.Remote<NodeHost>, private readonly dispose: () => void) {}

  async query<R = Record<string, Value>>(sql: string, params?: readonly Value[]): Promise<QueryResult<R>> {
    this.assertOpen();
    return (await this.host.query(sql, params)) as QueryResult<R>;
  }

  exec(sql: string): Promise<QueryResult[]> {
    this.assertOpen();
    return this.host.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    const body: TransactionBody = async (remote) => {
      // `remote` is a comlink proxy of the worker's tx: wrapped so callers see a plain Queryable
      const tx = remote as unknown as Comlink.Remote<Queryable>;
      try {
        return await fn({
          query: async <R>(sql: string, params?: readonly Value[]) => (await tx.query(sql, params)) as QueryResult<R>,
          exec: (sql: string) => tx.exec(sql),
        });
      } finally {
        tx[Comlink.releaseProxy]();
      }
    };
    return (await this.host.transaction(remoteCallback(body))) as T;
  }

  /** As Node.live; results are coalesced again here, to at most one per animation frame. */
  live<R = Record<string, Value>>(sql: string, params: readonly Value[], cb: LiveCallback<R>, options: LiveOptions = {}): () => void {
    this.assertOpen();
    const schedule = options.schedule ?? defaultScheduler;
    let active = true;
    let latest: QueryResult<R> | undefined;
    const deliver = (r: QueryResult) => {
      const first = latest === undefined;
      latest = r as QueryResult<R>;
      if (!first) return;
      schedule(() => {
        const out = latest!;
        latest = undefined;
        if (active) cb(out);
      });
    };
    const onError = options.onError ?? ((e: unknown) => console.error('walrtc: live query failed:', e));
    const id = this.host.live(sql, params, remoteCallback(deliver), remoteCallback((e: unknown) => void (active && onError(e))));
    return () => {
      if (!active) return;
      active = false;
      void id.then((n) => (this.closed ? undefined : this.host.unlive(n))).catch(() => {});
    };
  }

  status(): Promise<NodeStatus> {
    this.assertOpen();
    return this.host.status();
  }

  checkpoint(): Promise<void> {
    this.assertOpen();
    return this.host.checkpoint();
  }

  promote(): Promise<void> {
    this.assertOpen();
    return this.host.promote();
  }

  switchover(to?: string, timeoutMs?: number): Promise<string> {
    this.assertOpen();
    return this.host.switchover(to, timeoutMs);
  }

  contentHash(): Promise<string> {
    this.assertOpen();
    return this.host.contentHash();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.host.close();
    } finally {
      this.dispose();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError(SQLSTATE.admin_shutdown, 'terminating connection because the node is closed');
  }
}

/**
 * A callback passed to the host as a comlink proxy. comlink's types cannot say that a proxied
 * function arrives on the other side as its Remote (where calls return promises), hence the cast.
 */
function remoteCallback<F extends (...args: never[]) => unknown>(fn: F): Comlink.Remote<F> {
  return Comlink.proxy(fn) as unknown as Comlink.Remote<F>;
}
