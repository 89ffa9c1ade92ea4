/**
 * One open transaction (PostgreSQL's TransactionState): the fork of the committed state it works
 * on, the WAL records it will log at COMMIT, and its savepoints. A savepoint is a frozen fork
 * plus how many records existed when it was taken: ROLLBACK TO forks the frozen state again and
 * forgets the later records, so nothing of a rolled-back subtransaction reaches the WAL.
 */
import { withReplicaIdentity } from '../logical/identity.ts';
import type { WriteTxn } from '../sql/env.ts';
import type { DbState } from '../state/state.ts';
import { redo } from '../state/redo.ts';
import type { WalRecord } from '../wal/record.ts';
import { isTempRecord, type TempSpace } from '../sql/temp-tables.ts';

interface Savepoint {
  name: string;
  /** Never written again: the transaction continues on a fork of it. */
  state: DbState;
  records: number;
  deferred: number;
}

/** Never written: `records` until the first one (write replaces it). */
const NO_RECORDS: WalRecord[] = [];

const NO_TABLES: ReadonlySet<number> = new Set();
/** One shared set per table oid for the transactions that touch only it (read-only by contract); let go past 1,024 oids. */
const singles = new Map<number, ReadonlySet<number>>();
function tableSet(table: number): ReadonlySet<number> {
  let set = singles.get(table);
  if (!set) {
    if (singles.size >= 1024) singles.clear();
    set = new Set([table]);
    singles.set(table, set);
  }
  return set;
}

export class OpenTxn implements WriteTxn {
  /** Made with its first record: a point write's one record in an array of one, not one grown for seventeen. */
  records: WalRecord[] = NO_RECORDS;
  /** Sequence advances: logged even when the transaction rolls back, as in PostgreSQL. */
  readonly sequenceWrites: WalRecord[] = [];
  /** The one table touched while there is one (most transactions): no Set of its own until a second. */
  private oneTable: number | undefined;
  private tableSet: Set<number> | undefined;
  /** Made on first use, as is `deferred`: an autocommit statement has neither. */
  private savepoints: Savepoint[] | undefined;
  /** Checks of DEFERRABLE INITIALLY DEFERRED constraints, run by `checkDeferred` before COMMIT. */
  private deferred: ((state: DbState) => void)[] | undefined;
  private released = false;
  private current: DbState;
  /** The WAL epoch it forked in under the writer lock (a failed flush ends an epoch); -1 for a snapshot block, which may never commit writes. */
  epoch = -1;
  /** The session whose temporary tables this transaction's state holds (sql/temp-tables.ts). */
  temp?: TempSpace;

  /** `base` is the committed state the transaction forked: it may commit only while that is still the committed state; `unlock` (the writer lock's release) runs once, at the first `release`. */
  constructor(readonly base: DbState, readonly xid: number, readonly now: Date, private readonly unlock: () => void) {
    this.current = base.fork();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.unlock();
  }

  get state(): DbState {
    return this.current;
  }

  /** Tables the transaction touched (a superset after ROLLBACK TO: live queries only re-run needlessly). Never written by the reader: one table's set is shared. */
  get tables(): ReadonlySet<number> {
    return this.tableSet ?? (this.oneTable === undefined ? NO_TABLES : tableSet(this.oneTable));
  }

  private touch(table: number): void {
    if (this.tableSet) this.tableSet.add(table);
    else if (this.oneTable === undefined || this.oneTable === table) this.oneTable = table;
    else this.tableSet = new Set([this.oneTable, table]);
  }

  write(rec: WalRecord): void {
    // a temporary table's change is the session's alone: applied, never logged
    if (isTempRecord(rec)) {
      redo(this.current, rec);
      return;
    }
    if (rec.kind === 'update' || rec.kind === 'delete') rec = withReplicaIdentity(this.current, rec);
    redo(this.current, rec);
    if (this.records === NO_RECORDS) this.records = [rec];
    else this.records.push(rec);
    if ('table' in rec && typeof rec.table === 'number') this.touch(rec.table);
    else if (rec.kind === 'create_table' || rec.kind === 'rewrite_table') this.touch(rec.table.oid);
    else if (rec.kind === 'create_index') this.touch(rec.index.table);
  }

  defer(check: (state: DbState) => void): void {
    (this.deferred ??= []).push(check);
  }

  /** Throws the first deferred constraint violation: the caller then rolls back instead of committing. */
  checkDeferred(): void {
    if (this.deferred) for (const check of this.deferred) check(this.current);
  }

  savepoint(name: string): void {
    (this.savepoints ??= []).push({ name, state: this.current, records: this.records.length, deferred: this.deferred?.length ?? 0 });
    this.current = this.current.fork();
  }

  /** The innermost savepoint called `name` (PostgreSQL searches from the newest), or -1. */
  private find(name: string): number {
    const list = this.savepoints ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.name === name) return i;
    return -1;
  }

  has(name: string): boolean {
    return this.find(name) >= 0;
  }

  /** RELEASE: forget the savepoint and every later one, keeping their changes. */
  releaseSavepoint(name: string): void {
    this.savepoints!.length = this.find(name);
  }

  /** ROLLBACK TO: undo everything after the savepoint; the savepoint itself stays. */
  rollbackTo(name: string): void {
    const at = this.find(name);
    const sp = this.savepoints![at]!;
    this.savepoints!.length = at + 1;
    if (this.records !== NO_RECORDS) this.records.length = sp.records;
    if (this.deferred) this.deferred.length = sp.deferred;
    this.current = sp.state.fork();
    // advances of a sequence created after the savepoint go with it: its oid may be reused
    const kept = this.sequenceWrites.filter((w) => (w.kind !== 'sequence_set' && w.kind !== 'sequence_reset') || this.current.sequences.has(w.sequence));
    this.sequenceWrites.splice(0, this.sequenceWrites.length, ...kept);
  }
}
