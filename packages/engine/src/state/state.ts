/**
 * The in-memory database: tables (rows in a B+ tree keyed by row id), their indexes, sequences
 * and the catalog maps that name them. A transaction works on `fork()`, which shares everything
 * with its parent and copies a table's trees (O(1), copy-on-write) only when it first writes to it;
 * commit publishes the fork, rollback drops it.
 */
import BTree, { NODE_SIZE, type BTreeType } from './btree.ts';
import type { DomainDef, TypeDef, FunctionDef, IndexDef, Oid, SequenceDef, TableDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
import { CowMap } from './cow-map.ts';
import { compareKeys } from './keys.ts';
import { IndexData, MAX_PENDING, oldestFirst } from './index-data.ts';

export { IndexData, registerIndexExpressions, virtualColumn, type DeferredIndexTree, type IndexExpressions } from './index-data.ts';

/** A row write logged on a table still encoded: 1 insert, 0 update, -1 delete. */
interface RowWrite { readonly op: 1 | 0 | -1; readonly id: RowId; readonly row: Value[] | undefined; readonly prev: RowWrite | undefined; readonly count: number }

export type RowTree = BTreeType<RowId, Value[]>;

/**
 * A table's rows and indexes still in their encoded form (the stored checkpoint's or a base
 * backup's chunks: checkpoint/encoded-table.ts), made into trees on first touch or in background
 * steps. One per loaded table, shared by every copy of it made before that: each copy then takes
 * its own copy-on-write copy of the one materialisation.
 */
export interface DeferredRows {
  /** The rows and indexes as loaded, for a table of definition `def`; decodes what is left first. */
  take(def: TableDef): { rows: RowTree; indexes: IndexData[] };
  /** Whether every chunk is decoded (`take` is cheap). */
  readonly done: boolean;
  /** Decodes one more chunk; true once all are. */
  step(): boolean;
  /** Rows it holds. */
  readonly size: number;
  /** The definitions of the indexes it was loaded with. */
  readonly indexDefs: IndexDef[];
  /** Set once a background builder is to decode it: the indexes it makes are then built in the background too. */
  scheduled: boolean;
}

export class TableData {
  /** The state that copied or created it, and may write it in place (`DbState.writable`). */
  owner: DbState | undefined;
  private tree: RowTree;
  private ixs: IndexData[];
  /** Set while this table's rows are still encoded: `rows` and `indexes` take them from it on first use. */
  private encoded: DeferredRows | undefined;
  /**
   * Row writes made while it is still encoded (a standby's redo right after its base backup, WAL
   * replayed at open), newest first, applied in order when it is materialised: a write alone
   * decodes nothing. Shared with copies, each adding in front, as an unbuilt index's log is.
   */
  private writes: RowWrite | undefined;
  /**
   * Whether another copy of the table holds the same `indexes` (array and entries): the first
   * index write copies them (`ownIndexes`). A fork's UPDATE that changes no key copies none.
   */
  private indexesShared = false;

  constructor(
    public def: TableDef,
    rows: RowTree = new BTree<RowId, Value[]>(undefined, undefined, NODE_SIZE),
    public nextRowId = 1,
    indexes: IndexData[] = [],
  ) {
    this.tree = rows;
    this.ixs = indexes;
  }

  /** A table whose rows and indexes are made from `rows` on first use. */
  static deferred(def: TableDef, nextRowId: number, rows: DeferredRows): TableData {
    const t = new TableData(def, undefined, nextRowId);
    t.encoded = rows;
    return t;
  }

  /**
   * The row tree: every read and write of the rows goes through here (and `indexes`), so a table
   * still encoded is materialised before anything sees it, whole, never half-built.
   */
  get rows(): RowTree {
    return this.encoded ? this.materialise().tree : this.tree;
  }

  set rows(tree: RowTree) {
    // the indexes are replaced or rebuilt after: they must exist first
    if (this.encoded) this.materialise();
    this.tree = tree;
  }

  get indexes(): IndexData[] {
    return this.encoded ? this.materialise().ixs : this.ixs;
  }

  set indexes(ixs: IndexData[]) {
    if (this.encoded) this.materialise();
    this.ixs = ixs;
  }

  /** The encoded rows this table has not taken yet, while they are not all decoded: what a background decoder steps. */
  get stillEncoded(): DeferredRows | undefined {
    return this.encoded && !this.encoded.done ? this.encoded : undefined;
  }

  /** `stillEncoded`, while no write was logged on it either: then its chunks hold exactly its rows (a checkpoint or backup sends them as they are). */
  get encodedAsLoaded(): DeferredRows | undefined {
    return this.writes ? undefined : this.stillEncoded;
  }

  /** Its indexes' definitions, without materialising it: DDL that changes them materialises it first. */
  get indexDefs(): IndexDef[] {
    return this.encoded ? this.encoded.indexDefs : this.ixs.map((i) => i.def);
  }

  private materialise(): this {
    const { rows, indexes } = this.encoded!.take(this.def);
    this.encoded = undefined;
    this.tree = rows;
    this.ixs = indexes;
    const writes = oldestFirst(this.writes);
    this.writes = undefined;
    for (const w of writes) {
      if (w.op === 1) this.insert(w.id, w.row!);
      else if (w.op === 0) this.update(w.id, w.row!);
      else this.delete(w.id);
    }
    return this;
  }

  /** Logs a row write to a table still encoded; past MAX_PENDING writes it is materialised instead (false: apply it now). */
  private logged(op: RowWrite['op'], id: RowId, row: Value[] | undefined): boolean {
    if ((this.writes?.count ?? 0) >= MAX_PENDING) {
      this.materialise();
      return false;
    }
    this.writes = { op, id, row, prev: this.writes, count: (this.writes?.count ?? 0) + 1 };
    return true;
  }

  clone(): TableData {
    // a copy of a table still encoded shares the encoded rows: one materialisation for both
    if (this.encoded) {
      const copy = TableData.deferred(this.def, this.nextRowId, this.encoded);
      copy.writes = this.writes;
      return copy;
    }
    const copy = new TableData(this.def, this.tree.clone(), this.nextRowId, this.ixs);
    copy.indexesShared = this.indexesShared = true;
    return copy;
  }

  /** The indexes to write: this copy's own, each cloned (copy-on-write) first while another copy shares them. */
  private ownIndexes(): IndexData[] {
    if (this.indexesShared) {
      this.indexes = this.indexes.map((i) => i.clone(this.def));
      this.indexesShared = false;
    }
    return this.indexes;
  }

  column(name: string): number {
    return this.def.columns.findIndex((c) => c.name === name);
  }

  insert(id: RowId, row: Value[]): void {
    if (this.encoded && this.logged(1, id, row)) {
      if (id >= this.nextRowId) this.nextRowId = id + 1;
      return;
    }
    flattenStrings(row);
    this.rows.set(id, row);
    if (id >= this.nextRowId) this.nextRowId = id + 1;
    for (const ix of this.ownIndexes()) if (ix.covers(row)) ix.add(ix.keyOf(row), id);
  }

  update(id: RowId, row: Value[]): void {
    if (this.encoded && this.logged(0, id, row)) return;
    const old = this.rows.get(id);
    if (!old) return;
    flattenStrings(row, old);
    // an index is copied only when this update writes it: a key changed, a partial index, or one not built yet (which counts the change)
    for (let i = 0; i < this.indexes.length; i++) {
      const shared = this.indexes[i]!;
      if (shared.exprs?.covers) {
        const ix = this.ownIndexes()[i]!;
        if (ix.covers(old)) ix.remove(ix.keyOf(old), id);
        if (ix.covers(row)) ix.add(ix.keyOf(row), id);
        continue;
      }
      const before = shared.keyOf(old);
      const after = shared.keyOf(row);
      if (compareKeys(before, after) !== 0) {
        const ix = this.ownIndexes()[i]!;
        ix.remove(before, id);
        ix.add(after, id);
      } else if (!shared.isBuilt) this.ownIndexes()[i]!.unchanged(id);
    }
    this.rows.set(id, row);
  }

  delete(id: RowId): void {
    if (this.encoded && this.logged(-1, id, undefined)) return;
    const old = this.rows.get(id);
    if (!old) return;
    for (const ix of this.ownIndexes()) if (ix.covers(old)) ix.remove(ix.keyOf(old), id);
    this.rows.delete(id);
  }

  /** Rebuild every index after the row shape or definition changed. */
  reindex(): void {
    this.indexes = this.indexes.map((ix) => buildIndex(ix.def, this));
    this.indexesShared = false;
  }
}

/**
 * Text built by concatenation (template literals, `a + b`: most parameters) is a rope: a 32-byte
 * cons string over its pieces. Reading a character flattens it in place (the cons now points at a
 * flat copy), and the young-generation collector then hands the flat copy to whoever holds the
 * cons — but a rope already promoted to the old generation (an application's batch built before
 * its INSERTs) stays a cons in front of its flat copy, 32 bytes more per value. `normalize()`
 * returns that flat copy itself for text already in NFC, so the row keeps it and the cons can go;
 * text of any other form, which normalize would change, is only flattened. An UPDATE's text equal
 * to the old row's (`kept`: most often the very same string, an unchanged column) keeps the string
 * already stored, which was handled when it entered.
 */
function flattenStrings(row: Value[], kept?: readonly Value[]): void {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v !== 'string') continue;
    if (kept && v === kept[i]) {
      row[i] = kept[i];
      continue;
    }
    if (v.length < ROPE_MIN || v.length > UNROPE_MAX) {
      v.charCodeAt(0);
      continue;
    }
    const flat = v.normalize();
    if (flat === v) row[i] = flat;
    else v.charCodeAt(0);
  }
}
/** V8 makes no rope (nor sliced string) shorter than this: such text is always flat. */
const ROPE_MIN = 13;
/** Above this the 32-byte cons is small beside the text, and normalize's scan (~1 ns a character) not worth it. */
const UNROPE_MAX = 1024;

export function buildIndex(def: IndexDef, table: TableData): IndexData {
  const ix = new IndexData(def, table.def);
  table.rows.forEachPair((id, row) => { if (ix.covers(row)) ix.add(ix.keyOf(row), id); });
  return ix;
}

/** A sequence's counter is shared by every fork: nextval is not rolled back, as in PostgreSQL. */
export interface SequenceState {
  def: SequenceDef;
  /** int8 in its canonical form (a number up to 2^53, a bigint beyond). */
  value: number | bigint;
  called: boolean;
  /** How many versioned changes it has had (sql/sequence/functions.ts); absent before the first. */
  version?: number;
}

let catalogVersions = 0;
/** Catalog versions are unique in the process, so two forks' different DDL never share one. */
export function nextCatalogVersion(): number {
  return ++catalogVersions;
}

/**
 * The catalog maps but `tables`: only DDL (and loading a snapshot) writes them, so a fork — one per
 * transaction — shares them with its parent until either side's first catalog write copies them
 * all (`DbState.ownCatalog`), rather than wrapping each in a copy-on-write map of its own.
 */
export interface CatalogMaps {
  tableNames: Map<string, Oid>;
  /** index name → index oid, and index oid → owning table oid */
  indexNames: Map<string, Oid>;
  indexTables: Map<Oid, Oid>;
  sequences: Map<Oid, SequenceState>;
  sequenceNames: Map<string, Oid>;
  /** Enum and composite types (CREATE TYPE … AS ENUM | AS (…)) by oid, and their names. */
  types: Map<Oid, TypeDef>;
  typeNames: Map<string, Oid>;
  /** SQL functions and procedures (CREATE FUNCTION … LANGUAGE sql) by oid; overloads share a name. */
  functions: Map<Oid, FunctionDef>;
  /** Domains (CREATE DOMAIN) by oid; their names share typeNames' namespace. */
  domains: Map<Oid, DomainDef>;
}

function emptyCatalog(): CatalogMaps {
  return { tableNames: new Map(), indexNames: new Map(), indexTables: new Map(), sequences: new Map(), sequenceNames: new Map(), types: new Map(), typeNames: new Map(), functions: new Map(), domains: new Map() };
}

function copyCatalog(c: CatalogMaps): CatalogMaps {
  return { tableNames: new Map(c.tableNames), indexNames: new Map(c.indexNames), indexTables: new Map(c.indexTables), sequences: new Map(c.sequences), sequenceNames: new Map(c.sequenceNames), types: new Map(c.types), typeNames: new Map(c.typeNames), functions: new Map(c.functions), domains: new Map(c.domains) };
}

export class DbState {
  tables: Map<Oid, TableData>;
  private catalog: CatalogMaps;
  /** Whether another state may read `catalog`: the next catalog write copies it first. */
  private catalogShared: boolean;
  get tableNames(): ReadonlyMap<string, Oid> { return this.catalog.tableNames; }
  get indexNames(): ReadonlyMap<string, Oid> { return this.catalog.indexNames; }
  get indexTables(): ReadonlyMap<Oid, Oid> { return this.catalog.indexTables; }
  get sequences(): ReadonlyMap<Oid, SequenceState> { return this.catalog.sequences; }
  get sequenceNames(): ReadonlyMap<string, Oid> { return this.catalog.sequenceNames; }
  get types(): ReadonlyMap<Oid, TypeDef> { return this.catalog.types; }
  get typeNames(): ReadonlyMap<string, Oid> { return this.catalog.typeNames; }
  get functions(): ReadonlyMap<Oid, FunctionDef> { return this.catalog.functions; }
  get domains(): ReadonlyMap<Oid, DomainDef> { return this.catalog.domains; }
  nextOid = 16384;
  /**
   * Voting members of the cluster (node ids): replicated like any other state, so every node
   * agrees on what a majority is. Replaced, never mutated, so forks can share it.
   */
  members: ReadonlySet<string>;
  /** Schemas made by CREATE SCHEMA (public is always there). Replaced, never mutated, so forks can share it. */
  schemas: ReadonlySet<string>;
  /** The oid of each CREATE SCHEMA schema (catalog/namespaces.ts). Replaced, never mutated, so forks can share it. */
  schemaOids: ReadonlyMap<string, Oid>;
  /** COMMENT ON text by described object (catalog/comments.ts). Replaced, never mutated, so forks can share it. */
  comments: ReadonlyMap<string, string>;
  /** Bumped by every DDL change: cached plans compiled against an older version are recompiled. */
  catalogVersion = 0;

  /** An empty state, or (through `fork`) one sharing `parent`'s maps (copied on first write) that owns none of its tables. */
  constructor(parent?: DbState) {
    this.tables = new CowMap(parent?.tables);
    if (parent) {
      this.catalog = parent.catalog;
      this.catalogShared = parent.catalogShared = true;
    } else {
      this.catalog = emptyCatalog();
      this.catalogShared = false;
    }
    // a fork (one per transaction) shares its parent's sets rather than making empty ones to drop
    this.members = parent ? parent.members : new Set();
    this.schemas = parent ? parent.schemas : new Set();
    this.schemaOids = parent ? parent.schemaOids : new Map();
    this.comments = parent ? parent.comments : new Map();
    if (parent) {
      this.nextOid = parent.nextOid;
      this.catalogVersion = parent.catalogVersion;
    }
  }

  fork(): DbState {
    return new DbState(this);
  }

  /** The catalog maps to change (DDL, redo, loading): this state's own, copied first while shared with a fork or parent. */
  ownCatalog(): CatalogMaps {
    if (this.catalogShared) {
      this.catalog = copyCatalog(this.catalog);
      this.catalogShared = false;
    }
    return this.catalog;
  }

  table(oid: Oid): TableData {
    const t = this.tables.get(oid);
    if (!t) throw new Error(`table ${oid} missing from state`);
    return t;
  }

  /** The table, copied on first write in this fork so the parent never sees the change. */
  writable(oid: Oid): TableData {
    const t = this.table(oid);
    // the table is this fork's own once it copied or created it (a mark on the table, not a Set per fork)
    if (t.owner === this) return t;
    const copy = t.clone();
    copy.owner = this;
    this.tables.set(oid, copy);
    return copy;
  }

  adopt(oid: Oid, table: TableData): void {
    this.tables.set(oid, table);
    table.owner = this;
  }

  allocateOid(): Oid {
    return this.nextOid++;
  }
}
