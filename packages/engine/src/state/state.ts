/**
 * The in-memory database: tables (rows in a B+ tree keyed by row id), their indexes, sequences
 * and the catalog maps that name them. A transaction works on `fork()`, which shares everything
 * with its parent and copies a table's trees (O(1), copy-on-write) only when it first writes to it;
 * commit publishes the fork, rollback drops it.
 */
import BTree, { NODE_SIZE, type BTreeType } from './btree.ts';
import type { DomainDef, TypeDef, FunctionDef, IndexDef, Oid, SequenceDef, TableDef } from '../catalog/types.ts';
import type { SqlType, Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
import { CowMap } from './cow-map.ts';
import { compareKeys, hasNull, NAN_KEY, type IndexKey } from './keys.ts';
import { stripBpchar } from '../sql/types/bpchar.ts';

/**
 * An index entry's row ids: one id as a plain number (every key of a unique index), more as an
 * array. Entries are shared with forks: replaced, never mutated.
 */
type RowIds = RowId | readonly RowId[];

/**
 * The compiled key expressions and predicate of an expression or partial index. The SQL layer
 * compiles them (sql/index-expr.ts registers itself here), so the state never parses SQL.
 */
export interface IndexExpressions {
  /** Per key column: its value from a row (expression columns compiled, plain ones read). */
  keys: ((row: readonly Value[]) => Value)[];
  /** Per key column: its SQL type. */
  types: SqlType[];
  /** Per key column: its canonical text (for plan matching), undefined for a plain column. */
  texts: (string | undefined)[];
  covers?: (row: readonly Value[]) => boolean;
}
type ExpressionCompiler = (def: IndexDef, table: TableDef) => IndexExpressions;
let compileExpressions: ExpressionCompiler | undefined;
export function registerIndexExpressions(compiler: ExpressionCompiler): void {
  compileExpressions = compiler;
}

/**
 * An expression key column has no row position: it gets a number above every real column, the
 * same for the same canonical text everywhere, so a plan's predicate on `lower(email)` names it.
 */
const VIRTUAL_BASE = 1 << 20;
const virtualNumbers = new Map<string, number>();
export function virtualColumn(text: string): number {
  let n = virtualNumbers.get(text);
  if (n === undefined) virtualNumbers.set(text, (n = VIRTUAL_BASE + virtualNumbers.size));
  return n;
}

const sameKey = (k: IndexKey): IndexKey => k;

export class IndexData {
  readonly cols: number[];
  readonly composite: boolean;
  /** Set for an expression or partial index. */
  readonly exprs: IndexExpressions | undefined;
  /** The entries once built; until then `deferred` builds them on first read (state/lazy-index.ts). */
  private built: IndexTree | undefined;
  private deferred: DeferredIndexTree | undefined;
  /** Writes to a deferred index, newest first, applied in order once it is built: a write alone does not build it. */
  private pending: PendingWrite | undefined;
  /** `like`: an index of the same table shape whose key handling this one shares (a fork's copy). */
  constructor(readonly def: IndexDef, table: TableDef, tree: IndexTree | DeferredIndexTree = new BTree<IndexKey, RowIds>(undefined, compareKeys, NODE_SIZE), cols?: number[], exprs?: IndexExpressions, like?: IndexData) {
    if ('take' in tree) this.deferred = tree;
    else this.built = tree;
    if (!exprs && (def.exprs || def.where)) {
      if (!compileExpressions) throw new Error('index expressions are not available');
      exprs = compileExpressions(def, table);
    }
    this.exprs = exprs;
    this.cols = cols ?? def.columns.map((c, i) => (exprs?.texts[i] !== undefined ? virtualColumn(exprs.texts[i]) : table.columns.findIndex((col) => col.name === c)));
    this.composite = this.cols.length > 1;
    if (like) {
      this.strips = like.strips;
      this.treeKey = like.treeKey;
      return;
    }
    const types = this.cols.map((c, i) => (exprs ? exprs.types[i] : table.columns[c]?.type));
    if (!this.composite && (types[0] === 'float8' || types[0] === 'float4')) {
      this.strips = true;
      this.treeKey = (k) => (k !== k ? NAN_KEY : k);
      return;
    }
    const strip = types.map((t) => t === 'bpchar');
    // bpchar keys go into the tree without trailing spaces: 'a' and 'a ' are one key, as PostgreSQL's indexes see them
    if (strip.includes(true)) {
      this.strips = true;
      this.treeKey = this.composite
        ? (k) => (k as Value[]).map((v, i) => (strip[i] && typeof v === 'string' ? stripBpchar(v) : v))
        : (k) => (typeof k === 'string' ? stripBpchar(k) : k);
    }
  }

  /** The entries: every read of the index goes through here, so a deferred index is built, and the writes logged meanwhile applied, before its first read. */
  get tree(): IndexTree {
    return this.built ?? this.build();
  }

  private build(): IndexTree {
    this.built = this.deferred!.take();
    this.deferred = undefined;
    const writes = oldestFirst(this.pending);
    this.pending = undefined;
    for (const w of writes) {
      if (w.op === 1) this.add(w.key, w.id);
      else if (w.op === -1) this.remove(w.key, w.id);
    }
    return this.built;
  }

  /** Whether the entries exist yet (false only for an index opened lazily and not used since). */
  get isBuilt(): boolean {
    return this.built !== undefined;
  }

  /** The build this index waits for, while it is not built. */
  get deferredBuild(): DeferredIndexTree | undefined {
    return this.built ? undefined : this.deferred;
  }

  /** Whether a background build of it is under way: a read now would finish it at once, in one task. */
  get building(): boolean {
    const d = this.deferredBuild;
    return d !== undefined && d.scheduled && !d.done;
  }

  /** Whether treeKey changes keys (a bpchar key column, or a float one: NaN). */
  readonly strips: boolean = false;
  /** The key as the tree holds it (keyOf's value, but bpchar without trailing spaces): bulk loads must use it too. */
  readonly treeKey: (key: IndexKey) => IndexKey = sameKey;

  keyOf(row: readonly Value[]): IndexKey {
    const e = this.exprs;
    if (e) return this.composite ? e.keys.map((k) => k(row) ?? null) : e.keys[0]!(row) ?? null;
    if (!this.composite) return row[this.cols[0]!] ?? null;
    return this.cols.map((c) => row[c] ?? null);
  }

  /** Whether the row has an entry: always, but for a partial index whose predicate it fails. */
  covers(row: readonly Value[]): boolean {
    return this.exprs?.covers?.(row) ?? true;
  }

  /** Key column types (an expression's own type). */
  keyTypes(table: TableDef): SqlType[] {
    return this.exprs?.types ?? this.cols.map((c) => table.columns[c]!.type);
  }

  lookup(key: IndexKey): readonly RowId[] {
    const ids = this.tree.get(this.treeKey(key));
    return ids === undefined ? EMPTY : typeof ids === 'number' ? [ids] : ids;
  }

  /** Row ids other than `self` that hold `key`: a unique index's conflicts. NULLs never conflict. */
  conflicts(key: IndexKey, self?: RowId): RowId | undefined {
    if (hasNull(key, this.composite)) return undefined;
    const ids = this.tree.get(this.treeKey(key));
    if (ids === undefined) return undefined;
    if (typeof ids === 'number') return ids !== self ? ids : undefined;
    for (const id of ids) if (id !== self) return id;
    return undefined;
  }

  add(key: IndexKey, id: RowId): void {
    if (this.defer(1, key, id)) return;
    key = this.treeKey(key);
    // one descent for a new key (every insert into a unique index); a second only when the key is there
    if (this.tree.set(key, id, false)) return;
    const ids = this.tree.get(key)!;
    this.tree.set(key, typeof ids === 'number' ? [ids, id] : [...ids, id]);
  }

  remove(key: IndexKey, id: RowId): void {
    if (this.defer(-1, key, id)) return;
    key = this.treeKey(key);
    const ids = this.tree.get(key);
    if (ids === undefined) return;
    if (typeof ids === 'number' || ids.length === 1) this.tree.delete(key);
    else {
      const rest = ids.filter((x) => x !== id);
      this.tree.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }

  /** A copy-on-write copy for a fork (once per table per write transaction); a change of column positions rebuilds indexes (`reindex`), so they carry over. */
  clone(table: TableDef): IndexData {
    // a copy of an index not built yet stays unbuilt: it shares the pending build, which has the same entries
    const copy = new IndexData(this.def, table, this.built ? this.built.clone() : this.deferred!, this.cols, this.exprs, this);
    copy.pending = this.pending;
    return copy;
  }

  /** Logs a write to an index not built yet (the log is shared with copies: each adds in front of it); past MAX_PENDING it is built instead. */
  private defer(op: 1 | -1 | 0, key: IndexKey, id: RowId): boolean {
    if (this.built) return false;
    if ((this.pending?.count ?? 0) >= MAX_PENDING) {
      this.build();
      return false;
    }
    this.pending = { op, key, id, prev: this.pending, count: (this.pending?.count ?? 0) + 1 };
    return true;
  }

  /**
   * A row changed without changing its entry here. Counted for an index not built yet: its build
   * keeps the rows as they were at open reachable, so enough changes build it and let them go.
   */
  unchanged(id: RowId): void {
    if (!this.built) this.defer(0, null, id);
  }
}

const EMPTY: readonly RowId[] = [];
/** A write log (newest first, each entry pointing at the one before) in the order to apply it. */
function oldestFirst<W extends { readonly prev: W | undefined }>(newest: W | undefined): W[] {
  const out: W[] = [];
  for (let w = newest; w; w = w.prev) out.push(w);
  return out.reverse();
}
/** A row write logged on a table still encoded: 1 insert, 0 update, -1 delete. */
interface RowWrite { readonly op: 1 | 0 | -1; readonly id: RowId; readonly row: Value[] | undefined; readonly prev: RowWrite | undefined; readonly count: number }
/** `op`: 1 adds the entry, -1 removes it, 0 counts a row change that left it as it was. */
interface PendingWrite { readonly op: 1 | -1 | 0; readonly key: IndexKey; readonly id: RowId; readonly prev: PendingWrite | undefined; readonly count: number }
/** Writes logged before a deferred index is built; past this many it is built (and the rows at open it kept are let go). */
const MAX_PENDING = 1 << 16;

type IndexTree = BTreeType<IndexKey, RowIds>;
/**
 * An index's entries built on first use or in the background (state/lazy-index.ts, index-builds.ts);
 * `take` gives each caller its own copy-on-write copy of one build, finishing it first if need be.
 */
export interface DeferredIndexTree {
  take(): IndexTree;
  /** Whether the build is complete (`take` is cheap). */
  readonly done: boolean;
  /** Set once a background builder is to run it: until it is done, reads that can do without the index scan the rows instead. */
  scheduled: boolean;
  /** Runs one short step of the build; true once it is complete. */
  step(): boolean;
  /** How many steps `step` ran (tests see how a build went). */
  readonly stepsRun: number;
}

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
