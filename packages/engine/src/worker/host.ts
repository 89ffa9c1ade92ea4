/**
 * The worker host: one Node inside a module Web Worker (or anything with a comlink Endpoint),
 * exposed through comlink. The client (client.ts) is its only caller; every call is a direct
 * call on the Node, so the worker and in-process nodes share one implementation.
 * Lifecycle: open() once, calls, close(); the page then terminates the worker.
 */
import type { Notification } from '../sql/notify.ts';
import * as Comlink from 'comlink';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { LiveErrorCallback } from '../live/live.ts';
import { openNode, type Node, type NodeOptions, type NodeStatus } from '../node.ts';
import type { Verdict } from '../sql/env.ts';
import type { ReceiverProgress } from '../replication/receiver.ts';
import type { RunOutcome } from '../session/backend.ts';
import type { RawResult } from '../session/result.ts';
import type { Value } from '../sql/types.ts';
import type { Logger } from '../recovery.ts';
import { errorToWire, type WireThrown } from './errors.ts';
import { bridgedTransport } from './transport-bridge.ts';

/** The NodeOptions that survive structured cloning: no functions, no objects with behaviour. */
export type WorkerNodeOptions = Omit<NodeOptions, 'storage' | 'transport' | 'archive' | 'onProgress' | 'log'> & {
  storage?: 'indexeddb' | 'memory';
};

/** A RunOutcome whose error crossed the worker boundary in wire form. */
export type WireOutcome = Omit<RunOutcome, 'error'> & { error?: WireThrown };

export class NodeHost {
  private node: Node | undefined;
  private transport: ReturnType<typeof bridgedTransport> | undefined;
  private readonly lives = new Map<number, () => void>();
  private nextLive = 1;
  private release = () => {};

  /**
   * Open the node. The callbacks of NodeOptions come as separate arguments because comlink
   * proxies only top-level arguments; `port` is the worker end of a transport bridge.
   */
  async open(
    options: WorkerNodeOptions,
    log: Comlink.Remote<Logger> | undefined,
    onProgress: Comlink.Remote<(p: ReceiverProgress) => void> | undefined,
    port: MessagePort | undefined,
  ): Promise<{ nodeId: string }> {
    if (this.node) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'this worker already hosts a node');
    this.transport = port && options.nodeId ? bridgedTransport(port, options.nodeId) : undefined;
    this.node = await openNode({
      ...options,
      transport: this.transport,
      // not awaited: a log line or progress report must never stall the engine
      log: log ? (level, message) => void log(level, message).catch(() => {}) : undefined,
      onProgress: onProgress ? (p) => void onProgress(p).catch(() => {}) : undefined,
    });
    this.release = () => {
      log?.[Comlink.releaseProxy]();
      onProgress?.[Comlink.releaseProxy]();
    };
    return { nodeId: this.node.nodeId };
  }

  /**
   * The page's session surface (session/client.ts) drives the node's one session through these:
   * statements, and the rollback of an idle or abandoned block. transaction(fn) runs on the page.
   */
  async run(sql: string, params: readonly Value[] | undefined, single: boolean, textTypes?: readonly number[], confirmed?: boolean): Promise<WireOutcome> {
    const { error, ...out } = await this.open_().backend.run(sql, params, single, textTypes, confirmed);
    return error === undefined ? out : { ...out, error: errorToWire(error) };
  }

  abort(): Promise<void> {
    return this.open_().backend.abort();
  }

  read(sql: string, params: readonly Value[]): Promise<RawResult> {
    return this.open_().backend.read(sql, params);
  }

  live(sql: string, params: readonly Value[], cb: Comlink.Remote<(r: RawResult) => void>, onError: Comlink.Remote<LiveErrorCallback>): number {
    const id = this.nextLive++;
    const stop = this.open_().backend.live(sql, params, (r) => void cb(r).catch(() => {}), {
      onError: (e) => void onError(e).catch(() => {}),
      // the page coalesces to its frames; here only a commit burst needs folding
      schedule: (fn) => setTimeout(fn, 0),
    });
    this.lives.set(id, () => {
      stop();
      cb[Comlink.releaseProxy]();
      onError[Comlink.releaseProxy]();
    });
    return id;
  }

  /** The session's committed notifications, pushed to the page; stopped with `unlive` like a live query. */
  notifications(cb: Comlink.Remote<(n: Notification) => void>): number {
    const id = this.nextLive++;
    const stop = this.open_().backend.notifications((n) => void cb(n).catch(() => {}));
    this.lives.set(id, () => {
      stop();
      cb[Comlink.releaseProxy]();
    });
    return id;
  }

  unlive(id: number): void {
    this.lives.get(id)?.();
    this.lives.delete(id);
  }

  status(): Promise<NodeStatus> {
    return this.open_().status();
  }

  checkpoint(): Promise<void> {
    return this.open_().checkpoint();
  }

  promote(): Promise<void> {
    return this.open_().promote();
  }

  switchover(to?: string, timeoutMs?: number): Promise<string> {
    return this.open_().switchover(to, timeoutMs);
  }

  contentHash(): Promise<string> {
    return this.open_().contentHash();
  }

  /** The verdict of an offline write this node queued (`node.offline.verdict`). */
  offlineVerdict(seq: number): Promise<Verdict> {
    const offline = this.open_().offline;
    if (!offline) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'offline writes are not enabled on this node');
    return offline.verdict(seq);
  }

  async close(): Promise<void> {
    for (const stop of this.lives.values()) stop();
    this.lives.clear();
    await this.node?.close();
    this.transport?.close();
    this.release();
  }

  private open_(): Node {
    if (!this.node) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'the worker node is not open');
    return this.node;
  }
}

/** Serve a NodeHost on `endpoint` (default: the worker's global scope). */
export function exposeHost(endpoint?: Comlink.Endpoint): void {
  Comlink.expose(new NodeHost(), endpoint);
}
