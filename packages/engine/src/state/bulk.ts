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
import type { Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
import { compareKeys, type IndexKey } from './keys.ts';

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
export class LeafCutter<K, V> {
  private readonly leaves: LeafNode[] = [];
  // entries not yet in a leaf; a leaf is cut once two leaves' worth are waiting, so the last two can share what is left
  private keys: K[] = [];
  private values: V[] = [];

  /** `from`/`to`: a part of the run (a sliced index build adds a few thousand entries a step). */
  add(runKeys: readonly K[], runValues: readonly V[], from = 0, to = runKeys.length): void {
    let { keys, values } = this;
    for (let i = from; i < to; i++) {
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
 * Calls `changed` for every row id whose row differs between `now` and `before` (added, removed or
 * replaced). Subtrees the two share (copy-on-write clones) are skipped without being walked.
 */
export function changedRowIds(now: BTreeType<RowId, Value[]>, before: BTreeType<RowId, Value[]>, changed: (id: RowId) => void): void {
  diff(now, before, (id) => changed(id), (id) => changed(id), (id) => changed(id));
}
