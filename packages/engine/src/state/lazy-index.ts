/**
 * Indexes not built when a node opens (a checkpoint, a base backup or a rewind restored the state).
 * Opening loads only the row trees and primary keys; each other index is built right after in the
 * background, a few thousand entries a step (state/index-builds.ts drives the steps, state/bulk-index.ts
 * is the build), or by the first read that needs it before that is done: a scan the planner chose
 * that needs the index's order, a unique check (which reads the index, so it is never skipped), a
 * foreign-key probe, an index-end min/max; such a read runs what is left of the build at once. An
 * unordered scan scans the rows instead while a background build runs (sql/plan/scan.ts). Writes
 * before the index is built (replayed WAL, a standby's replay, DML) are logged on the index
 * (state.ts `pending`, up to MAX_PENDING) and applied in order when it is installed.
 *
 * Why this is exact: every write to a table also writes each of its indexes (state.ts `insert`,
 * `update`, `delete`); DDL that replaces the rows rebuilds the indexes outright (`reindex`). So an
 * unbuilt index is "the index of the rows as they were at open, then the logged writes in order",
 * which is what an index maintained all along holds. The rows at open are kept here as a
 * copy-on-write clone of the row tree, which later writes to the table copy around and never change;
 * every copy of the index (a transaction's fork of the table) shares the one build and its log.
 * That clone keeps the rows at open reachable while the table changes, so every row change counts
 * on the log, key changed or not (`unchanged`), and a log of MAX_PENDING builds the index and lets
 * them go: at most that many changed rows are held twice.
 */
import type { IndexDef, TableDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { RowId } from '../wal/record.ts';
import type { BTreeType } from './btree.ts';
import type { RowRun } from './bulk.ts';
import { bulkIndexSteps, drain } from './bulk-index.ts';
import { TableData, type DeferredIndexTree, type IndexData } from './state.ts';

type IndexTree = ReturnType<DeferredIndexTree['take']>;

/** One build of an index over the rows at open, shared by every copy of the index made before it ran. */
class LazyIndexBuild implements DeferredIndexTree {
  private rows: BTreeType<RowId, Value[]> | undefined;
  private steps: Generator<void, IndexData> | undefined;
  private result: IndexTree | undefined;
  /** Steps run so far by `step` (the background builder), for tests. */
  stepsRun = 0;
  scheduled = false;

  constructor(private readonly def: IndexDef, private readonly table: TableDef, rows: BTreeType<RowId, Value[]>) {
    this.rows = rows.clone();
  }

  get done(): boolean {
    return this.result !== undefined;
  }

  /** One step of the build in slices (state/index-builds.ts); true once it is complete. */
  step(): boolean {
    if (this.result) return true;
    let r: IteratorResult<void, IndexData>;
    try {
      r = this.start().next();
    } catch (e) {
      // the generator is closed now: a read builds the index from the start and meets the error itself
      this.steps = undefined;
      throw e;
    }
    this.stepsRun++;
    if (r.done) this.finished(r.value.tree);
    return r.done === true;
  }

  take(): IndexTree {
    // a read before the background build is complete finishes what is left of it at once (all of it, unsliced, when none ran)
    if (!this.result) this.finished(drain(this.steps ?? this.start(false)).tree);
    return this.result!.clone();
  }

  private start(sliced = true): Generator<void, IndexData> {
    return (this.steps ??= bulkIndexSteps(this.def, new TableData(this.table, this.rows!), leafRuns(this.rows!), sliced));
  }

  private finished(tree: IndexTree): void {
    this.result = tree;
    // the rows at open are needed no longer: later writes no longer keep their old leaves alive for it
    this.rows = undefined;
    this.steps = undefined;
  }
}

/** How many deferred indexes (and tables still encoded) were made in this process: a background builder looks for new ones when it changed. */
export let lazyIndexesMade = 0;

/** A table still encoded was made (checkpoint/encoded-table.ts): the background builder decodes it. */
export function noteDeferredBuild(): void {
  lazyIndexesMade++;
}

/** A deferred index over `rows` as they are now (`table`'s tree just loaded). */
export function lazyIndex(def: IndexDef, table: TableDef, rows: BTreeType<RowId, Value[]>): DeferredIndexTree {
  lazyIndexesMade++;
  return new LazyIndexBuild(def, table, rows);
}

interface TreeNode { keys: RowId[]; values: Value[][]; children?: TreeNode[] }

/** The tree's leaves in key order, each as a run: the bulk index build reads them without walking entry by entry. */
function leafRuns(rows: BTreeType<RowId, Value[]>): RowRun[] {
  const runs: RowRun[] = [];
  const visit = (node: TreeNode): void => {
    if (node.children) for (const child of node.children) visit(child);
    else if (node.keys.length) runs.push({ ids: node.keys, rows: node.values.length === node.keys.length ? node.values : node.values.slice(0, node.keys.length) });
  };
  visit((rows as unknown as { _root: TreeNode })._root);
  return runs;
}
