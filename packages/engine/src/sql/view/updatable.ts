/**
 * Which views are automatically updatable (PostgreSQL's rules: one table or view in FROM, no
 * DISTINCT, GROUP BY, HAVING, set operations, WITH, LIMIT/OFFSET, aggregates, window or
 * set-returning functions; a column is updatable when it is a plain column of the relation below),
 * and the chain from a view down to its base table: each level's columns and WHERE compiled over
 * the level below, so a base row can be seen as the view sees it and its CHECK OPTIONs tested.
 */
import { hasChildren } from '../inherit/tree.ts';
import type { FuncCall, Node, RangeVar, SelectStmt, ViewStmt } from '@pgsql/types';
import type { TableDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState, TableData } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import { compileExpr, compilePredicate, isAggregateCall, funcName } from '../expr.ts';
import { RowScope, type SubqueryPlanner } from '../from.ts';
import { SET_RETURNING } from '../functions/srf.ts';
import { strings } from '../names.ts';
import { expandTargets } from '../select.ts';
import type { Compiled } from '../scope.ts';
import type { Value } from '../types.ts';
import { formatValue } from '../values.ts';
import { ownName } from '../schema/keys.ts';

export type ViewAction = 'insert' | 'update' | 'delete';

export interface ViewLevel {
  view: TableDef;
  /** Per view column: its value over the row of the relation below. */
  columns: Compiled[];
  /** Per view column: the column below it is, when it is a plain reference to one. */
  below: (number | undefined)[];
  where?: Compiled;
  check?: 'local' | 'cascaded';
}

/** A view down to its base table; `levels[0]` is the view named in the statement. */
export interface ViewChain {
  levels: ViewLevel[];
  base: TableData;
}

const NOT_UPDATABLE: Record<ViewAction, { verb: string; hint: string }> = {
  insert: { verb: 'insert into', hint: 'To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule.' },
  update: { verb: 'update', hint: 'To enable updating the view, provide an INSTEAD OF UPDATE trigger or an unconditional ON UPDATE DO INSTEAD rule.' },
  delete: { verb: 'delete from', hint: 'To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule.' },
};

export const COLUMN_NOT_UPDATABLE = 'View columns that are not columns of their base relation are not updatable.';

function calls(node: unknown, test: (name: string, over: boolean, n: Node) => boolean): boolean {
  let found = false;
  JSON.stringify(node, (key, value: unknown) => {
    if (found || key === 'SubLink') return undefined;
    if (key === 'FuncCall') {
      const f = value as FuncCall;
      if (test(funcName(f), !!f.over, { FuncCall: f })) found = true;
    }
    return value;
  });
  return found;
}

/** Why a view's query is not automatically updatable (PostgreSQL's detail text), or undefined. */
export function notUpdatableReason(select: SelectStmt, state: DbState, checkColumns: boolean): string | undefined {
  if (select.distinctClause) return 'Views containing DISTINCT are not automatically updatable.';
  if (select.groupClause?.length) return 'Views containing GROUP BY are not automatically updatable.';
  if (select.havingClause) return 'Views containing HAVING are not automatically updatable.';
  if (select.op && select.op !== 'SETOP_NONE') return 'Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.';
  if (select.withClause) return 'Views containing WITH are not automatically updatable.';
  if (select.limitCount || select.limitOffset) return 'Views containing LIMIT or OFFSET are not automatically updatable.';
  if (calls(select.targetList, (_n, over, n) => !over && isAggregateCall(n))) return 'Views that return aggregate functions are not automatically updatable.';
  if (calls(select.targetList, (_n, over) => over)) return 'Views that return window functions are not automatically updatable.';
  if (calls(select.targetList, (name) => SET_RETURNING.has(name))) return 'Views that return set-returning functions are not automatically updatable.';
  const from = select.fromClause ?? [];
  const rv = from.length === 1 && 'RangeVar' in from[0]! ? from[0].RangeVar : undefined;
  if (!rv || rv.schemaname !== undefined || !state.tableNames.has(rv.relname!)) return 'Views that do not select from a single table or view are not automatically updatable.';
  if (checkColumns && !(select.targetList ?? []).some((t) => plainReference((t as { ResTarget: { val?: Node } }).ResTarget.val))) {
    return 'Views that have no updatable columns are not automatically updatable.';
  }
  return undefined;
}

function plainReference(node: Node | undefined): boolean {
  return !!node && 'ColumnRef' in node && !!node.ColumnRef.fields?.every((f) => 'String' in f || 'A_Star' in f);
}

function queryOf(def: TableDef): SelectStmt {
  return (def.view!.query as { SelectStmt: SelectStmt }).SelectStmt;
}

/** The chain from view `def` to its base table, or PostgreSQL's 55000 when some level is not updatable. */
export function viewChain(def: TableDef, state: DbState, planner: SubqueryPlanner, action: ViewAction): ViewChain {
  const levels: ViewLevel[] = [];
  let current = def;
  for (;;) {
    const select = queryOf(current);
    const why = notUpdatableReason(select, state, action !== 'delete');
    if (why) {
      const { verb, hint } = NOT_UPDATABLE[action];
      throw new SqlError('55000', `cannot ${verb} view "${ownName(current.name)}"`, { detail: why, hint });
    }
    const rv = (select.fromClause![0] as { RangeVar: RangeVar }).RangeVar;
    const below = state.table(state.tableNames.get(rv.relname!)!);
    if (rv.inh && (below.def.partitionKey || hasChildren(state, below.def.oid))) throw new SqlError(SQLSTATE.feature_not_supported, `writing through view "${ownName(current.name)}" to a table with children or partitions is not supported`);
    const names = strings(rv.alias?.colnames);
    const columns = below.def.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type }));
    const scope = new RowScope([{ alias: rv.alias?.aliasname ?? rv.relname!, relname: below.def.name, columns, offset: 0 }], columns.length, planner);
    const targets = expandTargets(select.targetList ?? [], scope);
    if (targets.length !== current.columns.length) throw new SqlError(SQLSTATE.feature_not_supported, `writing to view "${ownName(current.name)}", whose relation's columns changed since it was created, is not supported`);
    const level: ViewLevel = {
      view: current,
      columns: targets.map((t) => t.compiled ?? compileExpr(t.node, scope)),
      below: targets.map((t) => (plainReference(t.node) ? scope.column(strings((t.node as { ColumnRef: { fields: Node[] } }).ColumnRef.fields)).index : undefined)),
    };
    scope.clause = 'WHERE';
    if (select.whereClause) level.where = compilePredicate(select.whereClause, scope);
    if (current.view!.checkOption) level.check = current.view!.checkOption;
    levels.push(level);
    if (!below.def.view) return { levels, base: below };
    current = below.def;
  }
}

/** The base column under the top view's column `i`, or undefined when some level computes it. */
export function baseColumn(chain: ViewChain, i: number): number | undefined {
  let at: number | undefined = i;
  for (const level of chain.levels) {
    at = level.below[at];
    if (at === undefined) return undefined;
  }
  return at;
}

/** The rows each level sees: `rows[k]` is the row below level k (rows[levels.length - 1] the base row), rows[-1] the top view's. */
function levelRows(chain: ViewChain, base: readonly Value[], ctx: RunContext): readonly Value[][] {
  const out: Value[][] = new Array(chain.levels.length + 1);
  out[chain.levels.length] = base as Value[];
  for (let k = chain.levels.length - 1; k >= 0; k--) {
    const below = out[k + 1]!;
    out[k] = chain.levels[k]!.columns.map((c) => c.eval(below, ctx));
  }
  return out;
}

/** The base row as the top view shows it, or undefined when some level's WHERE hides it. */
export function viewRow(chain: ViewChain, base: readonly Value[], ctx: RunContext, visibleOnly: boolean): Value[] | undefined {
  const rows = levelRows(chain, base, ctx);
  if (visibleOnly) {
    for (let k = 0; k < chain.levels.length; k++) {
      const where = chain.levels[k]!.where;
      if (where && where.eval(rows[k + 1]!, ctx) !== true) return undefined;
    }
  }
  return rows[0];
}

/**
 * WITH CHECK OPTION: a new base row must be visible through every level whose check applies —
 * its own (LOCAL or CASCADED), and every level below a CASCADED one. PostgreSQL's 44000 otherwise.
 */
export function checkOptions(chain: ViewChain, base: readonly Value[], ctx: RunContext): void {
  if (!chain.levels.some((l) => l.check)) return;
  const rows = levelRows(chain, base, ctx);
  let cascaded = false;
  const failing: ViewLevel[] = [];
  chain.levels.forEach((level, k) => {
    if ((level.check || cascaded) && level.where && level.where.eval(rows[k + 1]!, ctx) !== true) failing.push(level);
    if (level.check === 'cascaded') cascaded = true;
  });
  const level = failing[failing.length - 1];
  if (!level) return;
  const def = chain.base.def;
  throw new SqlError('44000', `new row violates check option for view "${ownName(level.view.name)}"`, {
    detail: `Failing row contains (${def.columns.map((c, i) => formatValue(base[i], c.type) ?? 'null').join(', ')}).`,
  });
}

/** CREATE VIEW … WITH [LOCAL | CASCADED] CHECK OPTION: only on an automatically updatable view, as in PostgreSQL. */
export function viewCheckOption(stmt: ViewStmt, select: SelectStmt, state: DbState): 'local' | 'cascaded' | undefined {
  const option = stmt.withCheckOption;
  if (!option || option === 'NO_CHECK_OPTION') return undefined;
  const why = notUpdatableReason(select, state, true);
  if (why) throw new SqlError(SQLSTATE.feature_not_supported, 'WITH CHECK OPTION is supported only on automatically updatable views', { hint: why });
  return option === 'LOCAL_CHECK_OPTION' ? 'local' : 'cascaded';
}

/** information_schema's is_updatable: the view and every view under it are automatically updatable. */
export function viewUpdatable(def: TableDef, state: DbState): boolean {
  for (let current: TableDef | undefined = def; current?.view; ) {
    const select = queryOf(current);
    if (notUpdatableReason(select, state, true)) return false;
    const rv = (select.fromClause![0] as { RangeVar: RangeVar }).RangeVar;
    current = state.tables.get(state.tableNames.get(rv.relname!)!)?.def;
  }
  return true;
}
