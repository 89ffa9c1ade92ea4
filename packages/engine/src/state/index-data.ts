/**
 * A table's index: its key columns or compiled expressions, and its entries (key → row ids) in a
 * copy-on-write B+ tree, built at once or deferred (state/lazy-index.ts) with the writes made
 * meanwhile logged and applied when it is built. Owned by its TableData (state.ts).
 */
import BTree, { NODE_SIZE, type BTreeType } from './btree.ts';
import type { IndexDef, TableDef } from '../catalog/types.ts';
import type { SqlType, Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
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
export function oldestFirst<W extends { readonly prev: W | undefined }>(newest: W | undefined): W[] {
  const out: W[] = [];
  for (let w = newest; w; w = w.prev) out.push(w);
  return out.reverse();
}
/** `op`: 1 adds the entry, -1 removes it, 0 counts a row change that left it as it was. */
interface PendingWrite { readonly op: 1 | -1 | 0; readonly key: IndexKey; readonly id: RowId; readonly prev: PendingWrite | undefined; readonly count: number }
/** Writes logged before a deferred index is built; past this many it is built (and the rows at open it kept are let go). */
export const MAX_PENDING = 1 << 16;

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

