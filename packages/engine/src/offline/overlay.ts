/**
 * The optimistic view: the replicated state with this node's pending transactions re-applied on
 * top, in order (a rebase). A pending transaction that no longer applies to the newer replicated
 * state (its key was taken meanwhile, its row deleted) is left out of the view; whether it is
 * rejected is the primary's to say. Nothing here reaches the WAL.
 */
import type { Database } from '../database.ts';
import { Session } from '../session/session.ts';
import { OpenTxn } from '../session/transaction.ts';
import type { DbState } from '../state/state.ts';
import { decodeParams } from './params.ts';
import type { PendingEntry } from './queue.ts';

/**
 * A write transaction over `base` that owns its sequences: nextval() in an offline transaction
 * must advance a copy, never the replicated state's sequence (which replay alone sets).
 */
export function offlineTxn(base: DbState, now = new Date()): OpenTxn {
  const txn = new OpenTxn(base, 0, now, () => {});
  const seqs = txn.state.ownCatalog().sequences;
  for (const [oid, s] of seqs) seqs.set(oid, { ...s });
  return txn;
}

export interface Rebased {
  state: DbState;
  /** Entries that did not apply to this base. */
  conflicts: number[];
  /** Tables the re-applied transactions changed. */
  tables: Set<number>;
}

/** Re-apply `entries` in order on top of `base`. */
export async function rebase(db: Database, base: DbState, entries: readonly PendingEntry[]): Promise<Rebased> {
  let state = base;
  const conflicts: number[] = [];
  const tables = new Set<number>();
  for (const e of entries) {
    const session = new Session();
    const txn = offlineTxn(state, new Date(e.queuedAt));
    session.txn = txn;
    session.offline = [];
    try {
      for (const st of e.statements) await db.run(st.sql, decodeParams(st.params), session, true);
      if (session.failed) throw new Error('failed block');
      txn.checkDeferred();
      state = txn.state;
      for (const t of txn.tables) tables.add(t);
    } catch {
      conflicts.push(e.seq);
    }
  }
  return { state, conflicts, tables };
}
