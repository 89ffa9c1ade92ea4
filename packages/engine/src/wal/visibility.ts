/**
 * Durable before visible: which committed state readers, live queries and new transactions see.
 * A commit at 'local' or stronger is appended to the WAL at once (later writers build on it) but
 * shown only when the flush reaches its commit record; at 'off' it is shown at once. When a flush
 * fails, every commit after the last flushed one is withdrawn — readers fall back to the durable
 * state, and transactions begun on top of a withdrawn one can no longer commit (their epoch ended).
 */
import type { Notification } from '../sql/notify.ts';
import type { DbState } from '../state/state.ts';
import type { Lsn } from './lsn.ts';
import type { WalRecord } from './record.ts';
import type { WalWriter } from './xlog.ts';

export interface Shown {
  end: Lsn;
  tables: ReadonlySet<number>;
  /** NOTIFYs of the commits shown, in commit order. */
  notifications?: readonly Notification[];
  /** The commits' records in order, when known (live queries scoped to a key range read them). */
  records?: readonly WalRecord[];
}

interface Pending extends Shown {
  state: DbState;
}

export class CommitVisibility {
  /** Commits in the WAL but not yet flushed, oldest first. */
  private unflushed: Pending[] = [];
  /** The newest state whose commit is flushed (or that came from replay or storage). */
  private durable: DbState;
  /** Ends when a flush fails: a transaction forked in an older epoch may build on withdrawn commits. */
  epoch = 0;

  constructor(initial: DbState, wal: WalWriter, private readonly immediate: () => boolean, private readonly show: (state: DbState, info: Shown) => void) {
    this.durable = initial;
    wal.onFlush(() => this.flushed(wal.flushLsn));
    wal.onFailure(() => this.withdraw(wal.flushLsn));
  }

  /** The state the next transaction starts from: the newest commit, shown or not. */
  latest(visible: DbState): DbState {
    return this.unflushed[this.unflushed.length - 1]?.state ?? visible;
  }

  /** A commit ending at `end` was appended to the WAL. */
  committed(end: Lsn, state: DbState, tables: ReadonlySet<number>, notifications?: readonly Notification[], records?: readonly WalRecord[]): void {
    this.unflushed.push({ end, state, tables, notifications, records });
    if (this.immediate()) this.show(state, { end, tables, notifications, records });
  }

  /** State replaced from outside the commit path (replay, rewind, base backup): it is the durable one. */
  reset(state: DbState): void {
    this.unflushed = [];
    this.durable = state;
  }

  private flushed(flushLsn: Lsn): void {
    // one commit per flush is the common case (a point write): shown as is, nothing merged
    const first = this.unflushed[0];
    if (first && first.end <= flushLsn && (this.unflushed.length === 1 || this.unflushed[1]!.end > flushLsn)) {
      this.unflushed.shift();
      this.durable = first.state;
      if (!this.immediate()) this.show(first.state, { end: first.end, tables: first.tables, notifications: first.notifications, records: first.records });
      return;
    }
    let count = 0;
    while (count < this.unflushed.length && this.unflushed[count]!.end <= flushLsn) count++;
    if (!count) return;
    const done = this.unflushed.splice(0, count);
    const last = done[count - 1]!;
    // one commit per flush is the common case: its own table set serves as is
    let tables = last.tables;
    if (count > 1) {
      const all = new Set<number>();
      for (const p of done) for (const t of p.tables) all.add(t);
      tables = all;
    }
    this.durable = last.state;
    const notifications = done.flatMap((p) => p.notifications ?? []);
    const records = done.every((p) => p.records) ? (count > 1 ? done.flatMap((p) => p.records!) : last.records) : undefined;
    if (!this.immediate()) this.show(last.state, { end: last.end, tables, notifications, records });
  }

  private withdraw(flushLsn: Lsn): void {
    this.epoch++;
    const lost = this.unflushed;
    this.unflushed = [];
    // at 'off' the lost commits were shown: take them back
    if (this.immediate() && lost.length) {
      const tables = new Set<number>();
      for (const p of lost) for (const t of p.tables) tables.add(t);
      this.show(this.durable, { end: flushLsn, tables });
    }
  }
}
