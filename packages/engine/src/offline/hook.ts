/**
 * The seam between the Database's transaction lifecycle and offline writes: what a statement on a
 * standby with offlineWrites needs to run on the optimistic view and be queued instead of failing
 * with 25006. offline/offline.ts implements it; database.ts calls it at three places (reads, a
 * write or BEGIN on a standby, COMMIT of such a block).
 */
import type { OpenTxn } from '../session/transaction.ts';
import type { DbState } from '../state/state.ts';
import type { PendingStatement } from '../storage/storage.ts';

export interface OfflineHook {
  /** Writes queue as offline transactions now (a standby with offlineWrites on). */
  active(): boolean;
  /** What reads outside a block see: the optimistic view, or undefined for the replicated state. */
  view(): DbState | undefined;
  /** A write transaction over the optimistic view; it never takes the writer lock or reaches the WAL. */
  fork(): OpenTxn;
  /** Queue a finished transaction durably; resolves with its handle once it is stored. */
  queue(statements: PendingStatement[], txn: OpenTxn): Promise<{ origin: string; seq: number }>;
}

/** Commands an offline transaction may hold: DML (DDL changes the catalog the queue was written against). */
export const OFFLINE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'SELECT', 'MERGE']);
