/**
 * Offline writes plugged into a node: every node with a transport gets a relay (a primary applies
 * forwarded transactions, a cascading standby passes them on); a node with `offlineWrites` also
 * gets its queue, optimistic view and forwarding pump, driven by a timer until the node closes.
 */
import type { Database } from '../database.ts';
import type { Replication } from '../replication/replication.ts';
import type { DbState } from '../state/state.ts';
import type { Lsn } from '../wal/lsn.ts';
import { APPLIED_TABLE, OfflineApplier, type ForwardedApplier } from './apply.ts';
import { ForwardPump, OfflineRelay } from './forward.ts';
import { OfflineWrites } from './offline.ts';
import type { PendingQueue } from './queue.ts';

export interface OfflineWiring {
  nodeId: string;
  db: Database;
  replication: Replication | undefined;
  isPrimary(): boolean;
  replayLsn(): Lsn;
  /** The origin's queue, when the node has offline writes on. */
  queue: PendingQueue | undefined;
  optimisticReads: boolean;
  keepaliveMs: number;
  /** The transport's message limit, when it has one. */
  maxMessageSize: number | undefined;
  log(level: 'log' | 'warning', message: string): void;
  /** The node option: forwarded transactions are applied there (a bridge's PostgreSQL) instead of here. */
  applyForwarded: ForwardedApplier | undefined;
}

export interface WiredOffline {
  /** The origin side, when offline writes are on. */
  writes: OfflineWrites | undefined;
  stop(): void;
}

export function wireOffline(w: OfflineWiring): WiredOffline {
  const relayDeps = {
    nodeId: w.nodeId,
    isPrimary: w.isPrimary,
    upstream: () => w.replication?.streamingUpstream(),
    send: async (to: string, msg: Parameters<Replication['sendOffline']>[1]) => (await w.replication?.sendOffline(to, msg)) ?? false,
    applier: new OfflineApplier(w.db, (m) => w.log('log', m), w.applyForwarded),
    log: (m: string) => w.log('warning', m),
  };
  const relay = new OfflineRelay(relayDeps);
  if (w.replication) w.replication.offline = (from, msg) => relay.handle(from, msg);
  const queue = w.queue;
  if (!queue) return { writes: undefined, stop: () => {} };
  const writes = new OfflineWrites({ db: w.db, queue, isPrimary: w.isPrimary, replayLsn: w.replayLsn, optimisticReads: w.optimisticReads, log: relayDeps.log });
  const resendMs = 5 * w.keepaliveMs;
  writes.pump = new ForwardPump({
    ...relayDeps, origin: writes, resendMs, entries: () => queue.list(), markSent: (seqs, now) => queue.markSent(seqs, now),
    maxBatchBytes: Math.min(256 * 1024, (w.maxMessageSize ?? 512 * 1024) / 2),
  });
  relay.origin = writes;
  w.db.offline = writes;
  const timer = setInterval(() => writes.pump?.kick(), Math.max(10, resendMs / 2));
  writes.start();
  return {
    writes,
    stop: () => {
      clearInterval(timer);
      writes.stop();
    },
  };
}

/** Rows of walrtc_applied_xacts in `state` (0 before the first offline write reached the primary). */
export function appliedCount(state: DbState): number {
  const oid = state.tableNames.get(APPLIED_TABLE);
  return oid === undefined ? 0 : state.table(oid).rows.size;
}
