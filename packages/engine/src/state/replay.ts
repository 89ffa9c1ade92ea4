/**
 * Replay (PostgreSQL's startup process redo loop): feeds positioned WAL records to a state one
 * transaction at a time. A transaction's records go to a private fork that is published only
 * when its commit record arrives; an abort keeps only its sequence advances. Used by crash
 * recovery and by standbys, so both show exactly the committed transactions.
 */
import type { Lsn } from '../wal/lsn.ts';
import type { PositionedRecord, WalRecord } from '../wal/record.ts';
import { redo } from './redo.ts';
import type { DbState } from './state.ts';

export interface ReplayedCommit {
  xid: number;
  time: number;
  end: Lsn;
  /** Oids of tables the transaction changed: live queries re-run when they read one. */
  tables: Set<number>;
  catalogChanged: boolean;
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
        if (this.fork) this.state = this.fork;
        this.reset(pr.end);
        return { xid: rec.xid, time: rec.time, end: pr.end, tables, catalogChanged };
      }
      case 'abort':
        for (const r of this.pending) if (r.kind === 'sequence_set') redo(this.state, r);
        this.reset(pr.end);
        return undefined;
      case 'checkpoint':
      case 'timeline_switch':
        this.replayLsn = pr.end;
        return undefined;
      default:
        this.fork ??= this.state.fork();
        redo(this.fork, rec);
        this.pending.push(rec);
        return undefined;
    }
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
    else if (r.kind === 'create_table') out.add(r.table.oid);
    else if (r.kind === 'create_index') out.add(r.index.table);
  }
  return out;
}
