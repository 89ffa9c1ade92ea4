/**
 * Identity and generated columns on writes: a value given for a GENERATED ALWAYS identity column
 * (without OVERRIDING SYSTEM VALUE) or for a generated column is PostgreSQL's 428C9, and a stored
 * generated column is computed from the row's other columns after defaults and SET, before the
 * constraints are checked.
 */
import type { ColumnDef, TableDef } from '../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { coerceToColumn } from './cast.ts';
import { tableScope } from './constraints.ts';
import type { RunContext } from './env.ts';
import { compileExpr } from './expr.ts';
import type { SubqueryPlanner } from './from.ts';
import type { Value } from './types.ts';

const GENERATED_ALWAYS = '428C9';

function why(col: ColumnDef): string {
  return col.generated ? `Column "${col.name}" is a generated column.` : `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`;
}

/** INSERT giving `col` a value that is not DEFAULT. */
export function checkInsertValue(col: ColumnDef, overridingSystemValue: boolean): void {
  if (col.generated || (col.identity === 'a' && !overridingSystemValue)) {
    throw new SqlError(GENERATED_ALWAYS, `cannot insert a non-DEFAULT value into column "${col.name}"`, {
      detail: why(col),
      ...(col.generated ? {} : { hint: 'Use OVERRIDING SYSTEM VALUE to override.' }),
    });
  }
}

/** UPDATE … SET col = something other than DEFAULT. */
export function checkUpdateValue(col: ColumnDef): void {
  if (col.generated || col.identity === 'a') {
    throw new SqlError(GENERATED_ALWAYS, `column "${col.name}" can only be updated to DEFAULT`, { detail: why(col) });
  }
}

export type FillGenerated = (row: Value[], ctx: RunContext) => void;

const compiled = new WeakMap<TableDef, FillGenerated | null>();

/** What computes the table's generated columns into a row (undefined when it has none); compiled once per definition. */
export function generatedColumns(def: TableDef, planner?: SubqueryPlanner): FillGenerated | undefined {
  const hit = compiled.get(def);
  if (hit !== undefined || !planner) return hit ?? undefined;
  const exprs = def.columns.flatMap((c, i) => {
    if (!c.generated) return [];
    const scope = tableScope(def, planner);
    scope.clause = 'column generation expressions';
    return [{ i, col: c, expr: compileExpr(c.generated, scope) }];
  });
  const fill: FillGenerated | null = exprs.length
    ? (row, ctx) => {
      for (const g of exprs) row[g.i] = coerceToColumn(g.expr.eval(row, ctx), g.col.type, g.col.typmod, g.expr.type);
    }
    : null;
  compiled.set(def, fill);
  return fill ?? undefined;
}
