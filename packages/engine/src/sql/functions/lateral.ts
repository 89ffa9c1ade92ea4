/**
 * A function in FROM that reads the FROM item before it (`FROM t, unnest(t.tags) AS tag`,
 * `CROSS JOIN LATERAL jsonb_array_elements(t.doc)`): PostgreSQL's implicit LATERAL for functions.
 * The two become one item whose rows are each row of the first followed by each row the function
 * returns for it (a nested loop); a function reaching further back is refused with 0A000.
 */
import type { RangeFunction } from '@pgsql/types';
import type { RunContext } from '../env.ts';
import { compileExpr } from '../expr.ts';
import { RowScope, type RangeEntry, type RowSource, type SubqueryPlanner } from '../from.ts';
import { planNode, type PlanNode } from '../plan/explain.ts';
import { count } from '../plan/explain-count.ts';
import type { Value } from '../types.ts';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { LateralReference, planFunctionItem, type FunctionItem } from './srf.ts';

interface Item {
  entries: RangeEntry[];
  width: number;
  source: RowSource;
  tables: Map<string, { oid: number; offset: number }>;
  node: PlanNode;
}

/**
 * The function on the right of a JOIN when it reads the JOIN's left side (`LEFT JOIN LATERAL
 * jsonb_array_elements(t.doc) e ON true`): an item whose source takes the left row (then the
 * enclosing query's row) in place of the outer row. Undefined when the function stands on its own.
 */
export function lateralFunctionItem(rf: RangeFunction, left: Item, planner: SubqueryPlanner, outer: RowScope | undefined, kind: string): Item | undefined {
  try {
    planFunctionItem(rf, new RowScope([], 0, planner, outer), compileExpr);
    return undefined;
  } catch (e) {
    if (!(e instanceof LateralReference)) return undefined;
  }
  if (kind === 'JOIN_RIGHT' || kind === 'JOIN_FULL') {
    throw new SqlError(SQLSTATE.invalid_column_reference, `invalid reference to FROM-clause entry for table "${left.entries[0]?.alias ?? ''}"`, {
      detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
    });
  }
  const f = planFunctionItem(rf, new RowScope(left.entries, left.width, planner, outer), compileExpr, true);
  const alias = rf.alias?.aliasname ?? f.columns[0]!.name;
  return {
    entries: [{ alias, columns: f.columns, offset: 0 }], width: f.columns.length, tables: new Map(),
    node: planNode(f.label), source: (ctx: RunContext, row: readonly Value[] | undefined) => f.rows(row ?? [], ctx),
  };
}

/** The previous item joined with the function, or undefined when the function stands on its own. */
export function lateralFunction(rf: RangeFunction, prev: Item, planner: SubqueryPlanner, outer: RowScope | undefined): Item | undefined {
  try {
    planFunctionItem(rf, new RowScope([], 0, planner, outer), compileExpr);
    return undefined;
  } catch (e) {
    if (!(e instanceof LateralReference)) return undefined;
  }
  const scope = new RowScope(prev.entries, prev.width, planner, outer);
  let f: FunctionItem;
  try {
    f = planFunctionItem(rf, scope, compileExpr, true);
  } catch (e) {
    if (e instanceof SqlError && (e.code === SQLSTATE.undefined_table || e.code === SQLSTATE.undefined_column)) {
      throw featureNotSupported(`a function in FROM that refers to FROM items other than the one just before it (LATERAL): ${e.message}`);
    }
    throw e;
  }
  const alias = rf.alias?.aliasname ?? f.columns[0]!.name;
  const inner = prev.source;
  const fnNode = planNode(f.label);
  return {
    entries: [...prev.entries, { alias, columns: f.columns, offset: prev.width }],
    width: prev.width + f.columns.length,
    tables: prev.tables,
    node: planNode('Nested Loop', [prev.node, fnNode]),
    source: (ctx: RunContext, o: readonly Value[] | undefined) => {
      const out: Value[][] = [];
      for (const row of inner(ctx, o)) {
        // the arguments see this row, then the outer query's row when they name its columns
        const argsRow = scope.correlated && o ? [...row, ...o] : row;
        const rows = f.rows(argsRow, ctx);
        count(fnNode, rows.length);
        for (const fr of rows) out.push([...row, ...fr]);
      }
      return out;
    },
  };
}
