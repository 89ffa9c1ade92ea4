/**
 * A FROM clause of one base table: its rows through the best access path with the WHERE clause
 * applied on the way (no copy of the table), and on request the same rows in an index's order so
 * ORDER BY … LIMIT stops after the rows it returns.
 */
import type { Node } from '@pgsql/types';
import type { TableData } from '../../state/state.ts';
import type { RowScope, RowSource, RowStream } from '../from.ts';
import type { Compiled } from '../scope.ts';
import type { RunContext } from '../env.ts';
import type { Value } from '../types.ts';
import { columnResolver, conjuncts } from './access.ts';
import { compileFilter } from './filter.ts';
import { isConstant } from '../fold/fold.ts';
import type { PlanNode } from './explain.ts';
import { planOrderedScan, planScan, type RowTest, type Scan, type ScanInput, type SortColumn } from './scan.ts';

/** Rows in a requested order (any order when none is asked), at most `limit(ctx)` of them; undefined when no index gives that order. */
export type OrderedSource = (order: SortColumn[], limit: (ctx: RunContext) => number) => { source: RowSource; node: PlanNode } | undefined;

export function singleTableSource(table: TableData, alias: string, whereNode: Node | undefined, where: Compiled | undefined, scope: RowScope) {
  // the outer row of a correlated sub-select, for the filter: set by each run before it scans
  let outerRow: readonly Value[] | undefined;
  // a WHERE that folded to a constant is not split: its later conjuncts stay unfolded, as in PostgreSQL
  const conds = whereNode && !isConstant(where) ? conjuncts(whereNode) : [];
  const width = table.def.columns.length;
  // an index bound may be a column of the outer row: it sits after the table's own slots
  const boundRow = (o: readonly Value[]): Value[] => {
    const r: Value[] = new Array(width + o.length).fill(null);
    for (let i = 0; i < o.length; i++) r[width + i] = o[i];
    return r;
  };
  // a WHERE that reads the outer row sees it appended; otherwise each conjunct runs over the stored row
  const correlated = scope.correlated;
  const filter = where && !correlated && conds.length > 0 ? compileFilter(conds, scope, table.def.columns.length) : undefined;
  // set by each run before it scans (constants and parameters evaluated once), cleared after
  let prepared: ((row: readonly Value[]) => boolean) | undefined;
  const test: RowTest | undefined = !where
    ? undefined
    : filter
      ? (row) => prepared!(row)
      : (row, ctx) => where.eval(outerRow && scope.correlated ? [...row, ...outerRow] : row, ctx) === true;
  const input: ScanInput = { table, alias, conds, scope, columnOf: columnResolver(scope, 0, table.def.columns.length), test, filterNodes: conds };
  // every row the scan passes, with the outer row appended when correlated, until `emit` says stop
  const each = (scan: Scan, ctx: RunContext, o: readonly Value[] | undefined, emit: (row: Value[]) => boolean): void => {
    const extend = o && scope.correlated;
    const saved = outerRow;
    outerRow = o;
    prepared = filter?.(ctx);
    try {
      scan.run(ctx, (_id, row) => emit(extend ? [...row, ...o] : row), extend ? boundRow(o) : undefined);
    } finally {
      outerRow = saved;
      prepared = undefined;
    }
  };
  const run = (scan: Scan, limit?: (ctx: RunContext) => number): RowSource => (ctx, o) => {
    const out: Value[][] = [];
    const max = limit ? limit(ctx) : Infinity;
    if (max > 0) each(scan, ctx, o, (row) => out.push(row) < max);
    return out;
  };
  const scan = planScan(input);
  const stream: RowStream = (ctx, o, emit) => each(scan, ctx, o, (row) => {
    emit(row);
    return true;
  });
  const source = run(scan);
  source.stream = stream;
  const ordered: OrderedSource = (order, limit) => {
    if (!order.length) return { source: run(scan, limit), node: scan.node };
    if (order.some((o) => o.column >= table.def.columns.length)) return undefined;
    const walk = planOrderedScan(input, order);
    // equalities through another index usually read far fewer rows than walking in order and filtering
    if (!walk || (scan.path && scan.path.eq.length > 0 && !walk.path?.used.length)) return undefined;
    return { source: run(walk, limit), node: walk.node };
  };
  return { source, node: scan.node, ordered };
}
