/**
 * Logical decoding (PostgreSQL's reorderbuffer + pgoutput): walrtc's WAL, read from a slot's
 * restart point, turned into whole committed transactions in commit order, each change carrying
 * its relation (name, columns, key) as of that point in the WAL, filtered by publication and
 * publish options. A transaction's records are contiguous in walrtc's WAL and end with its
 * commit or abort, so decoding needs no reordering; it keeps a catalog-only copy of the state
 * (table definitions and the logical catalogs' rows), advanced by the DDL it reads, so a change is
 * described by the definitions it was written under even after later DDL.
 */
import type { Oid, TableDef } from '../catalog/types.ts';
import { ValuePackr } from '../msgpack.ts';
import type { SqlType, Value } from '../sql/types.ts';
import { redo } from '../state/redo.ts';
import { restoreSnapshot, takeSnapshot } from '../state/snapshot.ts';
import { IndexData, TableData, type DbState } from '../state/state.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { PositionedRecord, WalRecord } from '../wal/record.ts';
import { publishedTables, type PublishedTables } from './publication.ts';

export interface RelationInfo {
  oid: Oid;
  name: string;
  columns: { name: string; type: SqlType }[];
  /** The primary key's columns (the replica identity); empty without one. */
  key: string[];
}

/** `rel`: the index in the transaction's `relations` of the description the change was written under. */
export type Change =
  | { op: 'insert'; rel: number; row: Value[] }
  | { op: 'update'; rel: number; row: Value[]; old: Value[] | null }
  | { op: 'delete'; rel: number; old: Value[] | null }
  | { op: 'truncate'; rels: number[] };

/**
 * One committed transaction as pgoutput sends it: BEGIN, relations, changes, COMMIT. A table
 * changed by DDL inside the transaction has one description before and one after, as pgoutput
 * sends a new RELATION message.
 */
export interface DecodedTxn {
  xid: number;
  commitTime: number;
  /** Where the commit record ends: the transaction's position in the publisher's WAL. */
  end: Lsn;
  relations: RelationInfo[];
  changes: Change[];
}

const packr = new ValuePackr();

/** The catalog part of a state: every table definition, the system catalogs' rows, no user rows. */
export function catalogOf(state: DbState): DbState {
  const out = state.fork();
  for (const t of state.tables.values()) {
    if (t.def.system) continue;
    const empty = new TableData(t.def, undefined, t.nextRowId);
    empty.indexes = t.indexes.map((ix) => new IndexData(ix.def, t.def));
    out.adopt(t.def.oid, empty);
  }
  return out;
}

export function packCatalog(catalog: DbState): Uint8Array {
  return packr.pack(takeSnapshot(catalog));
}

export function unpackCatalog(bytes: Uint8Array): DbState {
  return restoreSnapshot(packr.unpack(bytes));
}

const CATALOG_RECORDS = new Set<WalRecord['kind']>([
  'create_table', 'drop_table', 'rename_table', 'add_column', 'drop_column', 'rename_column', 'alter_table_def', 'rewrite_table', 'create_index', 'drop_index', 'rename_index',
]);

export function relationInfo(def: TableDef, state: DbState): RelationInfo {
  const pk = state.tables.get(def.oid)?.indexes.find((ix) => ix.def.primary);
  return { oid: def.oid, name: def.name, columns: def.columns.map((c) => ({ name: c.name, type: c.type })), key: pk?.def.columns ?? [] };
}

export class LogicalDecoder {
  private pending: WalRecord[] = [];
  private published: PublishedTables | undefined;
  /** Catalogs as of each decoded commit that changed them, oldest first: the slot's restart point picks one. */
  private history: { end: Lsn; catalog: DbState }[] = [];

  constructor(private catalog: DbState, private readonly publications: readonly string[], start: Lsn) {
    this.history.push({ end: start, catalog });
  }

  get betweenTransactions(): boolean {
    return this.pending.length === 0;
  }

  /** Feed one record; at a commit, the decoded transaction (undefined when it publishes nothing). */
  feed(pr: PositionedRecord): DecodedTxn | undefined {
    const rec = pr.record;
    if (rec.kind === 'abort') {
      this.pending = [];
      return undefined;
    }
    if (rec.kind !== 'commit') {
      if (rec.kind !== 'checkpoint' && rec.kind !== 'timeline_switch') this.pending.push(rec);
      return undefined;
    }
    const records = this.pending;
    this.pending = [];
    return this.decode(records, rec.xid, rec.time, pr.end);
  }

  /** The catalog in force at `lsn` (a commit boundary at or after the decoder's start). */
  catalogAt(lsn: Lsn): DbState {
    let found = this.history[0]!;
    for (const h of this.history) if (h.end <= lsn) found = h;
    return found.catalog;
  }

  /** Forget catalogs older than the one in force at `lsn`. */
  forgetBefore(lsn: Lsn): void {
    let keep = 0;
    for (let i = 0; i < this.history.length; i++) if (this.history[i]!.end <= lsn) keep = i;
    if (keep) this.history = this.history.slice(keep);
  }

  private decode(records: WalRecord[], xid: number, time: number, end: Lsn): DecodedTxn | undefined {
    let catalog = this.catalog;
    let forked = false;
    const changes: Change[] = [];
    const relations: RelationInfo[] = [];
    /** The index of each table's current description in `relations`. */
    const described = new Map<Oid, number>();
    const rel = (oid: Oid, action: 'insert' | 'update' | 'delete' | 'truncate'): number | undefined => {
      this.published ??= this.publicationsIn(catalog);
      if (!this.published.get(oid)?.has(action)) return undefined;
      let at = described.get(oid);
      if (at === undefined) {
        at = relations.push(relationInfo(catalog.table(oid).def, catalog)) - 1;
        described.set(oid, at);
      }
      return at;
    };
    for (const rec of records) {
      const system = 'table' in rec && typeof rec.table === 'number' && catalog.tables.get(rec.table)?.def.system;
      if (CATALOG_RECORDS.has(rec.kind) || system) {
        if (!forked) {
          catalog = catalog.fork();
          forked = true;
        }
        redo(catalog, rec);
        this.published = undefined;
        // DDL (or a publication change) may change any description: later changes describe their tables afresh
        if (!system) described.clear();
        continue;
      }
      let at: number | undefined;
      switch (rec.kind) {
        case 'insert':
          if ((at = rel(rec.table, 'insert')) !== undefined) changes.push({ op: 'insert', rel: at, row: rec.row });
          break;
        case 'update':
          if ((at = rel(rec.table, 'update')) !== undefined) changes.push({ op: 'update', rel: at, row: rec.row, old: rec.old ?? null });
          break;
        case 'delete':
          if ((at = rel(rec.table, 'delete')) !== undefined) changes.push({ op: 'delete', rel: at, old: rec.old ?? null });
          break;
        case 'truncate':
          if ((at = rel(rec.table, 'truncate')) !== undefined) changes.push({ op: 'truncate', rels: [at] });
          break;
        default:
          break;
      }
    }
    if (forked) {
      this.catalog = catalog;
      this.history.push({ end, catalog });
    }
    if (!changes.length) return undefined;
    return { xid, commitTime: time, end, relations, changes };
  }

  private publicationsIn(catalog: DbState): PublishedTables {
    try {
      return publishedTables(catalog, this.publications);
    } catch {
      // a publication dropped (or not yet created) at this point of the WAL publishes nothing
      return new Map();
    }
  }
}
