/**
 * Scanning one base table: the access path (an index range, points or an ordered index walk, else
 * every row), the filter applied to each row on the way, and the EXPLAIN node that describes it.
 * A scan calls a visitor per matching row and stops when the visitor says so, so LIMIT over an
 * index walk reads only what it returns and nothing is materialised here.
 */
import type { Node } from '@pgsql/types';
import type { TableData } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import type { Scope } from '../scope.ts';
import type { Value } from '../types.ts';
import { compareForSort } from '../values.ts';
import { bestPath, betweenPredicates, columnPredicates, indexPath, type ColumnOf, type ColumnPredicate, type IndexPath } from './access.ts';
import { deparseAll, planNode, type PlanNode } from './explain.ts';
import { indexUsable } from './expr-index.ts';
import { walkIndex, walkTable, type Visitor, type WalkOptions } from './walk.ts';
import { scanInstead, scannedInstead } from './build-fallback.ts';
import { ownName } from '../schema/keys.ts';

/** Whether a row passes the scan's filter (the caller's whole WHERE, or the conditions local to this table). */
export type RowTest = (row: Value[], ctx: RunContext) => boolean;

export interface Scan {
  node: PlanNode;
  /** The index path, when one is used. */
  path?: IndexPath;
  /** `boundRow`: a correlated sub-select's outer row at its slots, which bounds may read. */
  run(ctx: RunContext, visit: Visitor, boundRow?: readonly Value[]): void;
}

export interface ScanInput {
  table: TableData;
  alias: string;
  /** The AND-ed conditions that may narrow the scan (WHERE's conjuncts, join conditions pushed down). */
  conds: readonly Node[];
  scope: Scope;
  columnOf: ColumnOf;
  test?: RowTest;
  /** The conditions `test` checks, for EXPLAIN's Filter line. */
  filterNodes?: readonly Node[];
}

export function predicatesOf(input: ScanInput): ColumnPredicate[] {
  return [...columnPredicates(input.conds, input.table, input.columnOf, input.scope), ...betweenPredicates(input.conds, input.table, input.columnOf, input.scope)];
}

/** The cheapest unordered scan: the best index path, or every row. */
export function planScan(input: ScanInput): Scan {
  return makeScan(input, bestPath(input.table, predicatesOf(input), (ix) => indexUsable(ix, input.table, input.conds, input.columnOf)), [{}], undefined, true);
}

/** A scan over a given index path (an index nested loop's lookups). */
export function planPathScan(input: ScanInput, path: IndexPath): Scan {
  return makeScan(input, path, [{}]);
}

/** One requested sort column, as a table column index. */
export interface SortColumn {
  column: number;
  desc: boolean;
  nullsFirst: boolean;
}

/**
 * A scan returning rows already in `order`, from an index whose columns (after those pinned by
 * equalities) are the sort columns, all in one direction, each with the NULLS placement that
 * direction gives (NULLS LAST ascending, FIRST descending; either for a NOT NULL column, and the
 * other one for a single-column index, walked in two passes). Undefined when no index fits.
 */
export function planOrderedScan(input: ScanInput, order: readonly SortColumn[]): Scan | undefined {
  if (!order.length) return undefined;
  const preds = predicatesOf(input);
  const desc = order[0]!.desc;
  if (order.some((o) => o.desc !== desc)) return undefined;
  const notNull = (c: number) => input.table.def.columns[c]!.notNull || input.table.indexes.some((ix) => ix.def.primary && ix.cols.includes(c));
  let best: { scan: Scan; score: number } | undefined;
  for (const ix of input.table.indexes) {
    if (!indexUsable(ix, input.table, input.conds, input.columnOf)) continue;
    const path = indexPath(ix, preds) ?? { index: ix, eq: [], used: [] };
    // columns pinned to one value do not change the order; IN lists would interleave
    const pinned = path.eq.length;
    if (path.eq.some((e) => e.values.length > 1)) continue;
    const rest = ix.cols.slice(pinned);
    const wanted = order.filter((o) => !ix.cols.slice(0, pinned).includes(o.column));
    if (!wanted.length || wanted.length > rest.length || wanted.some((o, i) => o.column !== rest[i])) continue;
    let twoPass = false, fits = true;
    for (const [i, o] of wanted.entries()) {
      if (o.nullsFirst === o.desc || notNull(o.column)) continue;
      // the other NULLS placement: only on the first ordered column of a single-column index
      if (i === 0 && !ix.composite) twoPass = true;
      else fits = false;
    }
    if (!fits) continue;
    // a range excludes NULLs already: one pass
    if (path.lower || path.upper || path.prefix) twoPass = false;
    if (desc && path.prefix) continue;
    const scan = twoPass ? twoPassScan(input, path, desc, order) : makeScan(input, path, [{ desc }], order);
    const score = (path.used.length ? 10 : 0) + pathScoreHint(path);
    if (!best || score > best.score) best = { scan, score };
  }
  return best?.scan;
}

function pathScoreHint(p: IndexPath): number {
  return p.eq.length * 2 + (p.lower || p.upper ? 1 : 0);
}

/** NULLS FIRST ascending or NULLS LAST descending on a single-column index: NULLs in their own pass. */
function twoPassScan(input: ScanInput, path: IndexPath, desc: boolean, order: readonly SortColumn[]): Scan {
  const passes: WalkOptions[] = !desc ? [{ desc, nulls: 'only' }, { desc, nulls: 'skip' }] : [{ desc, nulls: 'skip' }, { desc, nulls: 'only' }];
  return makeScan(input, path, passes, order);
}

/** `mayScan`: an unordered scan run once per statement, which scans the rows while its index is built in the background. */
function makeScan(input: ScanInput, path: IndexPath | undefined, passes: WalkOptions[], order?: readonly SortColumn[], mayScan = false): Scan {
  const { table, alias } = input;
  // EXPLAIN names relations without their schema, as PostgreSQL's (non-VERBOSE) EXPLAIN does
  const own = ownName(table.def.name);
  const name = own === alias ? alias : `${own} ${alias}`;
  const desc = passes[0]?.desc;
  const label = path ? `Index Scan${desc ? ' Backward' : ''} using ${ownName(path.index.def.name)} on ${name}` : `Seq Scan on ${name}`;
  const details: string[] = [];
  const used = path ? path.used.map((p) => p.node).filter((n, i, a) => a.indexOf(n) === i) : [];
  if (used.length) details.push(`Index Cond: ${deparseAll(used)}`);
  const filters = (input.filterNodes ?? []).filter((n) => !path?.used.some((p) => p.node === n && p.op !== 'prefix'));
  if (filters.length && input.test) details.push(`Filter: ${deparseAll(filters)}`);
  const node = planNode(label, [], details);
  return { node, path, run: (ctx, visit, boundRow) => runPath(input, path, ctx, visit, passes, node, order, boundRow, mayScan) };
}

function runPath(input: ScanInput, path: IndexPath | undefined, ctx: RunContext, visit: Visitor, passes: WalkOptions[], node: PlanNode, order?: readonly SortColumn[], boundRow?: readonly Value[], mayScan = false): void {
  const table = ctx.env.state.table(input.table.def.oid);
  const test = input.test;
  node.loops++;
  let stopped = false;
  const v: Visitor = (id, row) => {
    if (test && !test(row, ctx)) {
      node.removed++;
      return true;
    }
    node.rows++;
    if (visit(id, row)) return true;
    stopped = true;
    return false;
  };
  // the index's background build is not done: a scan of the rows (the same rows; one tight loop) instead of finishing the build
  // in this task, until such scans have cost what the build does (build-fallback.ts); a correlated sub-select's scan, run once
  // per outer row, finishes it instead
  const instead = path && mayScan && !boundRow ? scanInstead(table, path) : undefined;
  if (instead) {
    // the rows outside the index's range fail the test here too: not rows a Filter removed
    const removed = node.removed;
    let read = 0;
    try {
      walkTable(table, (id, row) => {
        read++;
        return v(id, row);
      });
    } finally {
      scannedInstead(instead, read);
      node.removed = removed;
    }
    return;
  }
  if (path) {
    for (const opts of passes) {
      // false: a bound cannot be compared with the keys (a parameter of another kind)
      if (!walkIndex(table, path, ctx, v, boundRow ? { ...opts, boundRow } : opts)) break;
      if (stopped || opts === passes[passes.length - 1]) return;
    }
    if (node.rows) throw new Error('index walk gave up after producing rows');
  }
  if (!order?.length) {
    walkTable(table, v);
    return;
  }
  // an ordered scan that cannot use its index: every matching row, sorted as promised
  const rows: Array<[number, Value[]]> = [];
  walkTable(table, (id, row) => {
    if (!test || test(row, ctx)) rows.push([id, row]);
    else node.removed++;
    return true;
  });
  rows.sort((a, b) => {
    for (const o of order) {
      const c = compareForSort(a[1][o.column], b[1][o.column], o.desc, o.nullsFirst);
      if (c !== 0) return c;
    }
    return 0;
  });
  for (const [id, row] of rows) {
    node.rows++;
    if (!visit(id, row)) return;
  }
}

