/**
 * Replay (PostgreSQL's startup process redo loop): feeds positioned WAL records to a state one
 * transaction at a time. A transaction's records go to a private fork that is published only
 * when its commit record arrives; an abort keeps only its sequence advances. Used by crash
 * recovery and by standbys, so both show exactly the committed transactions.
 */
import type { Lsn } from '../wal/lsn.ts';
import type { PositionedRecord, WalRecord } from '../wal/record.ts';
import { formatLsn } from '../wal/lsn.ts';
import { notificationsOf, type Notification } from '../sql/notify.ts';
import { redo } from './redo.ts';
import type { DbState } from './state.ts';

/** A record replay cannot apply (PostgreSQL stops recovery on one): nothing of its batch may be used. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}

const KINDS = new Set<string>([
  'create_table', 'drop_table', 'rename_table', 'add_column', 'drop_column', 'rename_column', 'alter_table_def', 'rewrite_table', 'create_index', 'drop_index', 'rename_index',
  'create_sequence', 'drop_sequence', 'sequence_set', 'alter_sequence', 'sequence_reset', 'insert', 'update', 'delete', 'commit', 'abort', 'checkpoint',
  'timeline_switch', 'membership', 'create_type', 'drop_type', 'create_function', 'drop_function', 'create_domain', 'drop_domain', 'notify', 'create_schema', 'drop_schema', 'comment',
]);

/** Why `rec` cannot be applied to `state`, if it cannot: unknown kind, missing table, a row of the wrong shape. */
function problem(state: DbState, rec: WalRecord): string | undefined {
  if (!KINDS.has(rec.kind)) return `unknown record kind "${String(rec.kind)}"`;
  if (!('table' in rec) || typeof rec.table !== 'number') return undefined;
  const t = state.tables.get(rec.table);
  if (!t) return `${rec.kind} record for table ${rec.table}, which does not exist`;
  if (rec.kind === 'insert' || rec.kind === 'update' || rec.kind === 'delete') {
    if (!Number.isSafeInteger(rec.rowid)) return `${rec.kind} record with an invalid row id`;
    if (rec.kind !== 'delete' && (!Array.isArray(rec.row) || rec.row.length !== t.def.columns.length)) {
      return `${rec.kind} record for table "${t.def.name}" with ${Array.isArray(rec.row) ? rec.row.length : 'no'} columns, expected ${t.def.columns.length}`;
    }
  }
  return undefined;
}

export interface ReplayedCommit {
  xid: number;
  time: number;
  end: Lsn;
  /** Oids of tables the transaction changed: live queries re-run when they read one. */
  tables: Set<number>;
  catalogChanged: boolean;
  /** Its NOTIFYs, for the node's listeners (sql/notify.ts). */
  notifications: readonly Notification[];
  /** Its records, in order (live queries scoped to a key range look at the rows). */
  records: WalRecord[];
}

export class Replayer {
  private pending: WalRecord[] = [];
  private fork: DbState | undefined;
  /** End of the last record whose effects are visible: PostgreSQL's replay LSN. */
  replayLsn: Lsn;

  constructor(public state: DbState, startLsn: Lsn) {
    this.replayLsn = startLsn;
  }

  /** Apply one record; returns the commit it completed, if any. */
  apply(pr: PositionedRecord): ReplayedCommit | undefined {
    const rec = pr.record;
    switch (rec.kind) {
      case 'commit': {
        const tables = touchedTables(this.pending);
        const catalogChanged = this.fork !== undefined && this.fork.catalogVersion !== this.state.catalogVersion;
        const notifications = notificationsOf(this.pending);
        const records = this.pending;
        if (this.fork) this.state = this.fork;
        this.reset(pr.end);
        return { xid: rec.xid, time: rec.time, end: pr.end, tables, catalogChanged, notifications, records };
      }
      case 'abort':
        for (const r of this.pending) if (r.kind === 'sequence_set' || r.kind === 'sequence_reset') redo(this.state, r);
        this.reset(pr.end);
        return undefined;
      case 'checkpoint':
      case 'timeline_switch':
        this.replayLsn = pr.end;
        return undefined;
      default: {
        this.fork ??= this.state.fork();
        const why = problem(this.fork, rec);
        if (why) throw new ReplayError(`invalid record at ${formatLsn(pr.lsn)}: ${why}`);
        redo(this.fork, rec);
        this.pending.push(rec);
        return undefined;
      }
    }
  }

  /** A copy to try a batch on: the batch is used only if every record applies. Only between transactions. */
  trial(): Replayer {
    if (this.inTransaction) throw new ReplayError('cannot try a batch in the middle of a transaction');
    return new Replayer(this.state, this.replayLsn);
  }

  /** Take over what a successful trial replayed. */
  adopt(trial: Replayer): void {
    this.state = trial.state;
    this.pending = trial.pending;
    this.fork = trial.fork;
    this.replayLsn = trial.replayLsn;
  }

  /** True while a transaction's records have arrived but not its commit or abort. */
  get inTransaction(): boolean {
    return this.pending.length > 0;
  }

  private reset(end: Lsn): void {
    this.pending = [];
    this.fork = undefined;
    this.replayLsn = end;
  }
}

function touchedTables(records: readonly WalRecord[]): Set<number> {
  const out = new Set<number>();
  for (const r of records) {
    if ('table' in r && typeof r.table === 'number') out.add(r.table);
    else if (r.kind === 'create_table' || r.kind === 'rewrite_table') out.add(r.table.oid);
    else if (r.kind === 'create_index') out.add(r.index.table);
  }
  return out;
}
