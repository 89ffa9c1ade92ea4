/**
 * The page side of a worker node: openWorkerNode starts the engine in a module Web Worker and
 * returns a WorkerNode with the same API as openNode's Node, forwarding each call through
 * comlink to the host (host.ts). The page keeps what only it can run: the WebRTC transport,
 * served to the worker over a MessageChannel (transport-bridge.ts).
 *
 * The page holds the session surface (session/client.ts, the same code as Node's): call order,
 * transaction(fn), the idle timeout. `fn` runs here and each tx.query is one round trip to the
 * worker, whose session keeps the block (and the writer lock) open between them. Many writes in
 * one round trip: exec() with several statements (one implicit transaction).
 */
import type { Notification } from '../sql/notify.ts';
import * as Comlink from 'comlink';
import { closedError } from '../errors.ts';
import type { LiveOptions } from '../live/live.ts';
import { defaultScheduler } from '../live/schedule.ts';
import type { Node, NodeStatus } from '../node.ts';
import type { Logger } from '../recovery.ts';
import type { ReceiverProgress } from '../replication/receiver.ts';
import type { PeerTransport } from '../replication/peer-transport.ts';
import type { RunOutcome, SessionBackend } from '../session/backend.ts';
import { SessionClient, SessionSurface } from '../session/client.ts';
import type { RawResult } from '../session/result.ts';
import type { Value } from '../sql/types.ts';
import { errorFromWire } from './errors.ts';
import type { NodeHost, WorkerNodeOptions } from './host.ts';
import { serveTransport } from './transport-bridge.ts';

/** What a node offers, in-process or in a worker: tests run one suite against both. */
export type NodeApi = Pick<Node, 'nodeId' | 'query' | 'exec' | 'transaction' | 'live' | 'listen' | 'unlisten' | 'onNotification' | 'ready' | 'waitReady' | 'closed' | 'status' | 'checkpoint' | 'promote' | 'switchover' | 'contentHash' | 'close'>;

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
    return new WorkerNode(nodeId, host, { log: log ?? (() => {}), idleInTransactionSessionTimeout: plain.idleInTransactionSessionTimeout, checkNestedCalls: plain.checkNestedCalls }, () => {
      detach();
      host[Comlink.releaseProxy]();
      dispose();
    });
  } catch (e) {
    detach();
    throw e;
  }
}

export class WorkerNode extends SessionSurface implements NodeApi {
  private isClosed = false;
  protected readonly client: SessionClient;

  constructor(
    readonly nodeId: string,
    private readonly host: Comlink.Remote<NodeHost>,
    options: { log: Logger; idleInTransactionSessionTimeout?: number; checkNestedCalls?: boolean },
    private readonly dispose: () => void,
  ) {
    super();
    this.client = new SessionClient(new WorkerBackend(host, () => this.isClosed), {
      idleInTransactionSessionTimeout: options.idleInTransactionSessionTimeout,
      checkNestedCalls: options.checkNestedCalls,
      assertOpen: () => this.assertOpen(),
      log: options.log,
      // the worker resolves it; comlink carries the promise's outcome back
      verdict: (seq) => host.offlineVerdict(seq),
    });
  }

  get closed(): boolean {
    return this.isClosed;
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
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      await this.client.abort(closedError());
      await this.host.close();
    } finally {
      this.dispose();
    }
  }

  private assertOpen(): void {
    if (this.isClosed) throw closedError();
  }
}

/** The session's engine side, one comlink call away in the worker. */
class WorkerBackend implements SessionBackend {
  constructor(private readonly host: Comlink.Remote<NodeHost>, private readonly closed: () => boolean) {}

  async run(sql: string, params: readonly Value[] | undefined, single: boolean, textTypes?: readonly number[], confirmed?: boolean): Promise<RunOutcome> {
    const { error, ...out } = await this.host.run(sql, params, single, textTypes, confirmed);
    return error === undefined ? out : { ...out, error: errorFromWire(error) };
  }

  abort(): Promise<void> {
    return this.host.abort();
  }

  read(sql: string, params: readonly Value[]): Promise<RawResult> {
    return this.host.read(sql, params);
  }

  notifications(cb: (n: Notification) => void): () => void {
    let active = true;
    const id = this.host.notifications(remoteCallback((n: Notification) => void (active && cb(n))));
    return () => {
      if (!active) return;
      active = false;
      void id.then((n) => (this.closed() ? undefined : this.host.unlive(n))).catch(() => {});
    };
  }

  /** Results are coalesced again here, to at most one per animation frame. */
  live(sql: string, params: readonly Value[], cb: (r: RawResult) => void, options: LiveOptions): () => void {
    const schedule = options.schedule ?? defaultScheduler;
    let active = true;
    let latest: RawResult | undefined;
    const deliver = (r: RawResult) => {
      const first = latest === undefined;
      latest = r;
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
      void id.then((n) => (this.closed() ? undefined : this.host.unlive(n))).catch(() => {});
    };
  }
}

/**
 * A callback passed to the host as a comlink proxy. comlink's types cannot say that a proxied
 * function arrives on the other side as its Remote (where calls return promises), hence the cast.
 */
function remoteCallback<F extends (...args: never[]) => unknown>(fn: F): Comlink.Remote<F> {
  return Comlink.proxy(fn) as unknown as Comlink.Remote<F>;
}
