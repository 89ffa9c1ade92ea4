/**
 * UPDATE … SET (a, b) = (x, DEFAULT) / ROW(…) / (SELECT …): each column takes its item of the row,
 * or its column of the sub-select's one row (NULL for no row, 21000 for several), which runs once
 * per updated row however many columns it feeds.
 */
import type { ResTarget, SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { RowScope } from './from.ts';
import { pos } from './from.ts';
import type { Compiled, EvalContext } from './scope.ts';
import type { Value } from './types.ts';

type SubRun = (row: readonly Value[], ctx: EvalContext) => Value[] | null;

/** The target as a plain `col = expr`, or (sub-select form) with its compiled value. */
export function multiAssignment(rt: ResTarget, scope: RowScope, subs: Map<string, { run: SubRun; types: Compiled['type'][] }>): { rt: ResTarget; expr?: Compiled } {
  const m = rt.val && 'MultiAssignRef' in rt.val ? rt.val.MultiAssignRef : undefined;
  if (!m) return { rt };
  const source = m.source!;
  if ('SubLink' in source) {
    const key = JSON.stringify(source);
    let sub = subs.get(key);
    if (!sub) {
      const q = scope.subquery((source.SubLink.subselect as { SelectStmt: SelectStmt }).SelectStmt);
      if (q.columns.length !== m.ncolumns) throw new SqlError(SQLSTATE.syntax_error, 'number of columns does not match number of values', { position: pos(source.SubLink.location) });
      let lastRow: readonly Value[] | undefined, lastValue: Value[] | null = null;
      const run: SubRun = (row, ctx) => {
        if (row === lastRow) return lastValue;
        const rows = q.run(row, ctx);
        if (rows.length > 1) throw new SqlError(SQLSTATE.cardinality_violation, 'more than one row returned by a subquery used as an expression');
        lastRow = row;
        lastValue = rows[0] ?? null;
        return lastValue;
      };
      sub = { run, types: q.columns };
      subs.set(key, sub);
    }
    const at = m.colno! - 1, run = sub.run;
    return { rt, expr: { type: sub.types[at]!, eval: (row, ctx) => run(row, ctx)?.[at] ?? null } };
  }
  if (!('RowExpr' in source)) throw new SqlError(SQLSTATE.feature_not_supported, 'source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression');
  const args = source.RowExpr.args ?? [];
  if (args.length !== m.ncolumns) throw new SqlError(SQLSTATE.syntax_error, 'number of columns does not match number of values', { position: pos(source.RowExpr.location) });
  return { rt: { ...rt, val: args[m.colno! - 1] } };
}
