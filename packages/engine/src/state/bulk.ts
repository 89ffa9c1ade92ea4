/**
 * Building trees from sorted data in one pass (sorted-btree's bulk loader) instead of one insert
 * per entry: what makes opening a node or installing a base backup fast. Also the structural diff
 * incremental checkpoints use to find what changed since the last one. The extended modules are
 * CommonJS like the main one, so the same two-shape import resolution as btree.ts applies.
 */
import * as bulkModule from 'sorted-btree/extended/bulkLoad.js';
import * as diffModule from 'sorted-btree/extended/diffAgainst.js';
import * as btreeModule from 'sorted-btree';
import BTree, { NODE_SIZE, type BTreeType } from './btree.ts';
import type { IndexDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
import { compareKeys, type IndexKey } from './keys.ts';
import { IndexData, type TableData } from './state.ts';

type DiffFn = typeof diffModule.default;
const diffLoaded = diffModule.default as DiffFn | { default: DiffFn };
const diff: DiffFn = typeof diffLoaded === 'function' ? diffLoaded : diffLoaded.default;
const bulkLoad = bulkModule.bulkLoad;

/** sorted-btree's node classes: exported at run time (its extended modules use them), not in its typings. */
interface LeafNode { keys: RowId[]; values: Value[][]; size(): number }
interface NodeClasses {
  BNode: new (keys: RowId[], values: Value[][]) => LeafNode;
  BNodeInternal: new (children: { size(): number }[], size: number) => { size(): number };
  defaultComparator: (a: RowId, b: RowId) => number;
}
const nodeModule = btreeModule as unknown as NodeClasses | { default: NodeClasses };
const { BNode, BNodeInternal, defaultComparator } = 'BNode' in nodeModule ? nodeModule : nodeModule.default;

/** Row ids in strictly ascending order and their rows: one chunk of a checkpoint, or a whole snapshot's table. */
export interface RowRun {
  ids: readonly RowId[];
  rows: readonly Value[][];
}

/**
 * A row tree from runs whose ids ascend strictly across them (a checkpoint's chunks in order). The
 * leaves are cut from each run's own arrays: concatenating a million-row table into one array first
 * made every row pointer an old-to-young store the collector had to track, and an array to drop.
 */
export function bulkRows(runs: readonly RowRun[]): BTreeType<RowId, Value[]> {
  if (runs.length === 1) return bulkLoad<RowId, Value[]>(runs[0]!.ids as RowId[], runs[0]!.rows as Value[][], NODE_SIZE, defaultComparator);
  const builder = new RowTreeBuilder();
  for (const run of runs) builder.add(run);
  return builder.finish();
}

/** `bulkRows` a run at a time, so a caller can decode the next run (and yield) between them. */
export class RowTreeBuilder {
  private readonly leaves = new LeafCutter<RowId, Value[]>();
  private last: RowId | undefined;

  add(run: RowRun): void {
    let last = this.last;
    for (const id of run.ids) {
      if (last !== undefined && !(id > last)) throw new Error('bulkRows: row ids must ascend strictly');
      last = id;
    }
    this.last = last;
    this.leaves.add(run.ids, run.rows);
  }

  finish(): BTreeType<RowId, Value[]> {
    return this.leaves.finish(defaultComparator);
  }
}

/**
 * A unique index whose keys ascend strictly with the row ids (a serial primary key), built a run
 * at a time beside the rows; `finish` is undefined once a key did not ascend (the caller then
 * builds it with `bulkIndex`, which sorts).
 */
export class AscendingKeyBuilder {
  private readonly leaves = new LeafCutter<IndexKey, RowId>();
  private last: IndexKey | undefined;
  private ascending = true;

  /** `keys`: the run's keys as the tree holds them, one per id. */
  add(keys: readonly IndexKey[], ids: readonly RowId[]): void {
    if (!this.ascending) return;
    let last = this.last;
    for (const k of keys) {
      if (last !== undefined && compareKeys(last, k) >= 0) {
        this.ascending = false;
        return;
      }
      last = k;
    }
    this.last = last;
    this.leaves.add(keys, ids);
  }

  finish(): BTreeType<IndexKey, RowId> | undefined {
    return this.ascending ? this.leaves.finish(compareKeys) : undefined;
  }
}

/**
 * Leaves cut from runs of entries already in key order, as sorted-btree's bulk load cuts them
 * (LEAF entries each), then the internal levels over them. The runs' arrays are sliced, never kept.
 */
class LeafCutter<K, V> {
  private readonly leaves: LeafNode[] = [];
  // entries not yet in a leaf; a leaf is cut once two leaves' worth are waiting, so the last two can share what is left
  private keys: K[] = [];
  private values: V[] = [];

  add(runKeys: readonly K[], runValues: readonly V[]): void {
    let { keys, values } = this;
    for (let i = 0; i < runKeys.length; i++) {
      keys.push(runKeys[i]!);
      values.push(runValues[i]!);
    }
    if (keys.length >= 2 * LEAF) {
      let at = 0;
      for (; keys.length - at >= 2 * LEAF; at += LEAF) this.leaves.push(leaf(keys.slice(at, at + LEAF), values.slice(at, at + LEAF)));
      keys = keys.slice(at);
      values = values.slice(at);
    }
    this.keys = keys;
    this.values = values;
  }

  finish(compare: (a: K, b: K) => number): BTreeType<K, V> {
    const { leaves } = this;
    let { keys, values } = this;
    // what is left (under two leaves' worth) ends the tree: too few for a leaf of their own join the one before, and
    // more than a leaf holds is cut in halves, so every leaf is at least half full and none over NODE_SIZE
    if (leaves.length && keys.length < NODE_SIZE / 2) {
      const prev = leaves.pop()!;
      keys = (prev.keys as unknown as K[]).concat(keys);
      values = (prev.values as unknown as V[]).concat(values);
    }
    if (keys.length > NODE_SIZE) {
      const half = Math.ceil(keys.length / 2);
      leaves.push(leaf(keys.slice(0, half), values.slice(0, half)));
      keys = keys.slice(half);
      values = values.slice(half);
    }
    if (keys.length) leaves.push(leaf(keys, values));
    const tree = new BTree<K, V>(undefined, compare, NODE_SIZE);
    if (leaves.length) (tree as unknown as { _root: unknown })._root = rootOver(leaves);
    return tree;
  }
}

const leaf = <K, V>(keys: K[], values: V[]): LeafNode => new BNode(keys as unknown as RowId[], values as unknown as Value[][]);

/** Entries per bulk-built leaf: sorted-btree's bulk load fills leaves to 80 % too, leaving room for inserts. */
const LEAF = Math.ceil(NODE_SIZE * 0.8);

/** Internal levels over `leaves`, as sorted-btree's bulkLoadRoot builds them (every node at least half full). */
function rootOver(leaves: LeafNode[]): unknown {
  let level: { size(): number }[] = leaves;
  while (level.length > 1) {
    if (level.length <= NODE_SIZE) return new BNodeInternal(level, level.reduce((n, c) => n + c.size(), 0));
    const parents = Math.ceil(level.length / LEAF);
    const next: { size(): number }[] = [];
    let at = 0;
    for (let p = 0; p < parents; p++) {
      const take = Math.ceil((level.length - at) / (parents - p));
      const children = level.slice(at, at + take);
      at += take;
      next.push(new BNodeInternal(children, children.reduce((n, c) => n + c.size(), 0)));
    }
    level = next;
  }
  return level[0];
}

/**
 * An index over `table`'s rows: keys sorted once, equal keys grouped in row-id order, then one bulk
 * load. `from`, the runs the row tree was just loaded from, spares a walk over the tree.
 */
export function bulkIndex(def: IndexDef, table: TableData, from?: readonly RowRun[]): IndexData {
  const empty = new IndexData(def, table.def);
  const runs = from ?? [collect(table)];
  let total = 0;
  for (const r of runs) total += r.rows.length;
  // arrays of their final size, filled by position: growing them by push was most of an index build
  const keys = new Array<IndexKey>(total);
  let ids: readonly RowId[];
  let n = 0;
  const plain = !empty.exprs && !empty.composite ? empty.cols[0]! : -1;
  if (plain >= 0 && !empty.strips) {
    const all = runs.length === 1 ? undefined : new Array<RowId>(total);
    for (const r of runs) {
      for (let i = 0; i < r.rows.length; i++, n++) {
        keys[n] = r.rows[i]![plain] ?? null;
        if (all) all[n] = r.ids[i]!;
      }
    }
    ids = all ?? runs[0]!.ids;
  } else {
    // a partial index holds only the rows its predicate covers
    const kept = new Array<RowId>(total);
    for (const r of runs) {
      for (let i = 0; i < r.rows.length; i++) {
        const row = r.rows[i]!;
        if (!empty.covers(row)) continue;
        keys[n] = empty.treeKey(empty.keyOf(row));
        kept[n++] = r.ids[i]!;
      }
    }
    keys.length = n;
    kept.length = n;
    ids = kept;
  }
  const shape = keyOrder(keys);
  // every key distinct and already in order (a serial primary key): nothing to sort or group
  if (shape === 'strict') return new IndexData(def, table.def, bulkLoad<IndexKey, RowId | RowId[]>(keys, ids as RowId[], NODE_SIZE, compareKeys), empty.cols, empty.exprs);
  const ints = shape === 'sorted' ? undefined : int32Order(keys);
  let order: ArrayLike<number> | undefined = ints;
  if (!order && shape !== 'sorted') {
    const sorted = Array.from({ length: n }, (_, j) => j);
    // finite numbers compare as numbers (compareKeys agrees); anything else goes through compareKeys
    const numeric = keys.every((k) => typeof k === 'number' && Number.isFinite(k));
    if (numeric) sorted.sort((a, b) => (keys[a] as number) - (keys[b] as number) || ids[a]! - ids[b]!);
    else sorted.sort((a, b) => compareKeys(keys[a]!, keys[b]!) || ids[a]! - ids[b]!);
    order = sorted;
  }
  const outKeys: IndexKey[] = [];
  const outIds: (RowId | RowId[])[] = [];
  // int32 keys are equal exactly when ===; any other kind asks compareKeys (1 and 1n are one key)
  const same = ints ? (a: IndexKey, b: IndexKey) => a === b : (a: IndexKey, b: IndexKey) => compareKeys(a, b) === 0;
  for (let o = 0; o < n; o++) {
    const j = order ? order[o]! : o;
    const last = outKeys.length - 1;
    if (last >= 0 && same(outKeys[last]!, keys[j]!)) {
      const prev = outIds[last]!;
      outIds[last] = typeof prev === 'number' ? [prev, ids[j]!] : (prev.push(ids[j]!), prev);
    } else {
      outKeys.push(keys[j]!);
      outIds.push(ids[j]!);
    }
  }
  return new IndexData(def, table.def, bulkLoad(outKeys, outIds, NODE_SIZE, compareKeys), empty.cols, empty.exprs);
}

/** The table's row ids and rows in row-id order. */
function collect(table: TableData): RowRun {
  const size = table.rows.size;
  const ids = new Array<RowId>(size);
  const rows = new Array<Value[]>(size);
  let i = 0;
  table.rows.forEachPair((id, row) => {
    ids[i] = id;
    rows[i++] = row;
  });
  return { ids, rows };
}

/**
 * Positions of `keys` in key order, equal keys in position (row id) order, when every key is an
 * integer in int32 range: a radix sort (one 16-bit pass, two for a wider range), ~6× faster at 1M rows than a comparator sort,
 * which was most of an index build when opening a node. Undefined for any other key.
 */
function int32Order(keys: readonly IndexKey[]): Uint32Array | undefined {
  const n = keys.length;
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    const k = keys[j];
    if (typeof k !== 'number' || !Number.isInteger(k) || k < -2147483648 || k > 2147483647) return undefined;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const biased = new Uint32Array(n);
  for (let j = 0; j < n; j++) biased[j] = (keys[j] as number) - min;
  let src = new Uint32Array(n);
  for (let j = 0; j < n; j++) src[j] = j;
  let dst = new Uint32Array(n);
  const count = new Uint32Array(65536);
  // keys within 65,536 of each other (a status, a bucket, a foreign key to a small table): one pass
  for (const shift of max - min < 65536 ? [0] : [0, 16]) {
    count.fill(0);
    for (let j = 0; j < n; j++) count[(biased[j]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    // stable: positions keep their order within a bucket, so equal keys stay in row-id order
    for (let j = 0; j < n; j++) {
      const p = src[j]!;
      dst[count[(biased[p]! >>> shift) & 0xffff]!++] = p;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** Keys already in index order (a key over the row id's order, like a serial primary key): 'strict' when no two are equal. */
function keyOrder(keys: readonly IndexKey[]): 'strict' | 'sorted' | undefined {
  let strict = true;
  for (let i = 1; i < keys.length; i++) {
    const c = compareKeys(keys[i - 1]!, keys[i]!);
    if (c > 0) return undefined;
    if (c === 0) strict = false;
  }
  return strict ? 'strict' : 'sorted';
}

/**
 * Calls `changed` for every row id whose row differs between `now` and `before` (added, removed or
 * replaced). Subtrees the two share (copy-on-write clones) are skipped without being walked.
 */
export function changedRowIds(now: BTreeType<RowId, Value[]>, before: BTreeType<RowId, Value[]>, changed: (id: RowId) => void): void {
  diff(now, before, (id) => changed(id), (id) => changed(id), (id) => changed(id));
}
