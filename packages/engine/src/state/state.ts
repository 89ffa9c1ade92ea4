/**
 * The in-memory database: tables (rows in a B+ tree keyed by row id), their indexes, sequences
 * and the catalog maps that name them. A transaction works on `fork()`, which shares everything
 * with its parent and copies a table's trees (O(1), copy-on-write) only when it first writes to it;
 * commit publishes the fork, rollback drops it.
 */
import BTree from './btree.ts';
import type { IndexDef, Oid, SequenceDef, TableDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
import { compareKeys, hasNull, type IndexKey } from './keys.ts';

export class IndexData {
  readonly cols: number[];
  readonly composite: boolean;
  constructor(readonly def: IndexDef, table: TableDef, readonly tree = new BTree<IndexKey, RowId[]>(undefined, compareKeys)) {
    this.cols = def.columns.map((c) => table.columns.findIndex((col) => col.name === c));
    this.composite = this.cols.length > 1;
  }

  keyOf(row: readonly Value[]): IndexKey {
    if (!this.composite) return row[this.cols[0]!] ?? null;
    return this.cols.map((c) => row[c] ?? null);
  }

  lookup(key: IndexKey): readonly RowId[] {
    return this.tree.get(key) ?? EMPTY;
  }

  /** Row ids other than `self` that hold `key`: a unique index's conflicts. NULLs never conflict. */
  conflicts(key: IndexKey, self?: RowId): RowId | undefined {
    if (hasNull(key, this.composite)) return undefined;
    for (const id of this.lookup(key)) if (id !== self) return id;
    return undefined;
  }

  add(key: IndexKey, id: RowId): void {
    const ids = this.tree.get(key);
    // row-id arrays are shared with forks: replace, never mutate
    this.tree.set(key, ids ? [...ids, id] : [id]);
  }

  remove(key: IndexKey, id: RowId): void {
    const ids = this.tree.get(key);
    if (!ids) return;
    if (ids.length === 1) this.tree.delete(key);
    else this.tree.set(key, ids.filter((x) => x !== id));
  }

  clone(table: TableDef): IndexData {
    return new IndexData(this.def, table, this.tree.clone());
  }
}

const EMPTY: readonly RowId[] = [];

export class TableData {
  constructor(
    public def: TableDef,
    public rows = new BTree<RowId, Value[]>(),
    public nextRowId = 1,
    public indexes: IndexData[] = [],
  ) {}

  clone(): TableData {
    return new TableData(this.def, this.rows.clone(), this.nextRowId, this.indexes.map((i) => i.clone(this.def)));
  }

  column(name: string): number {
    return this.def.columns.findIndex((c) => c.name === name);
  }

  insert(id: RowId, row: Value[]): void {
    this.rows.set(id, row);
    if (id >= this.nextRowId) this.nextRowId = id + 1;
    for (const ix of this.indexes) ix.add(ix.keyOf(row), id);
  }

  update(id: RowId, row: Value[]): void {
    const old = this.rows.get(id);
    if (!old) return;
    for (const ix of this.indexes) {
      const before = ix.keyOf(old);
      const after = ix.keyOf(row);
      if (compareKeys(before, after) !== 0) {
        ix.remove(before, id);
        ix.add(after, id);
      }
    }
    this.rows.set(id, row);
  }

  delete(id: RowId): void {
    const old = this.rows.get(id);
    if (!old) return;
    for (const ix of this.indexes) ix.remove(ix.keyOf(old), id);
    this.rows.delete(id);
  }

  /** Rebuild every index after the row shape or definition changed. */
  reindex(): void {
    this.indexes = this.indexes.map((ix) => buildIndex(ix.def, this));
  }
}

export function buildIndex(def: IndexDef, table: TableData): IndexData {
  const ix = new IndexData(def, table.def);
  table.rows.forEachPair((id, row) => ix.add(ix.keyOf(row), id));
  return ix;
}

/** A sequence's counter is shared by every fork: nextval is not rolled back, as in PostgreSQL. */
export interface SequenceState {
  def: SequenceDef;
  value: number;
  called: boolean;
}

let catalogVersions = 0;
/** Catalog versions are unique in the process, so two forks' different DDL never share one. */
export function nextCatalogVersion(): number {
  return ++catalogVersions;
}

export class DbState {
  tables = new Map<Oid, TableData>();
  tableNames = new Map<string, Oid>();
  /** index name → index oid, and index oid → owning table oid */
  indexNames = new Map<string, Oid>();
  indexTables = new Map<Oid, Oid>();
  sequences = new Map<Oid, SequenceState>();
  sequenceNames = new Map<string, Oid>();
  nextOid = 16384;
  /** Bumped by every DDL change: cached plans compiled against an older version are recompiled. */
  catalogVersion = 0;
  private owned = new Set<Oid>();

  fork(): DbState {
    const f = new DbState();
    f.tables = new Map(this.tables);
    f.tableNames = new Map(this.tableNames);
    f.indexNames = new Map(this.indexNames);
    f.indexTables = new Map(this.indexTables);
    f.sequences = new Map(this.sequences);
    f.sequenceNames = new Map(this.sequenceNames);
    f.nextOid = this.nextOid;
    f.catalogVersion = this.catalogVersion;
    return f;
  }

  table(oid: Oid): TableData {
    const t = this.tables.get(oid);
    if (!t) throw new Error(`table ${oid} missing from state`);
    return t;
  }

  /** The table, copied on first write in this fork so the parent never sees the change. */
  writable(oid: Oid): TableData {
    const t = this.table(oid);
    if (this.owned.has(oid)) return t;
    const copy = t.clone();
    this.tables.set(oid, copy);
    this.owned.add(oid);
    return copy;
  }

  adopt(oid: Oid, table: TableData): void {
    this.tables.set(oid, table);
    this.owned.add(oid);
  }

  allocateOid(): Oid {
    return this.nextOid++;
  }
}
