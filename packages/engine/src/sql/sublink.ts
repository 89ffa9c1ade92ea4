/**
 * Subqueries inside expressions: EXISTS, scalar `(SELECT …)`, `x IN (SELECT …)` and
 * `x op ANY/ALL (SELECT …)`. The planner plans the SELECT (scope.subquery); this file applies
 * SQL's NULL rules to the rows it returns.
 */
import type { Node, SelectStmt, SubLink } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { castFunction } from './cast.ts';
import { expr, type Expr } from './compiled.ts';
import { comparatorFor, COMPARISON_OPS, operatorError, relation, strictEqualityWorks, unify } from './operators.ts';
import { hashedRowsCache } from './plan/hashed-any.ts';
import type { Scope } from './scope.ts';
import { arraySubLink } from './functions/array.ts';
import { leaveUnfolded } from './fold/fold.ts';
import { findAggregates } from './group.ts';
import { findWindowCalls } from './window/plan.ts';
import { compileRowSubLink } from './row-sublink.ts';
import type { SqlType, Value } from './types.ts';

/** A sub-select whose target list PostgreSQL's EXISTS may drop: no set operation, grouping, aggregate, window, LIMIT or locking. */
function plainSelect(s: SelectStmt): boolean {
  return !s.op || s.op === 'SETOP_NONE'
    ? !s.groupClause?.length && !s.havingClause && !s.windowClause?.length && !s.limitCount && !s.limitOffset && !s.lockingClause?.length
      && !(s.targetList ?? []).some((t) => findAggregates(t).length || findWindowCalls(t).length)
    : false;
}

export function compileSubLink(s: SubLink, scope: Scope, compile: (n: Node, scope: Scope) => Expr): Expr {
  const select = s.subselect && 'SelectStmt' in s.subselect ? s.subselect.SelectStmt : undefined;
  if (!select) throw featureNotSupported('this kind of subquery');
  const kind = s.subLinkType;
  if (s.testexpr && 'RowExpr' in s.testexpr && (kind === 'ANY_SUBLINK' || kind === 'ALL_SUBLINK' || kind === 'ROWCOMPARE_SUBLINK')) return compileRowSubLink(s, select, s.testexpr.RowExpr, scope, compile);
  if (kind !== 'EXISTS_SUBLINK' && kind !== 'EXPR_SUBLINK' && kind !== 'ANY_SUBLINK' && kind !== 'ALL_SUBLINK' && kind !== 'ARRAY_SUBLINK') {
    throw featureNotSupported(`${kind?.replace('_SUBLINK', '') ?? 'this'} subquery`);
  }
  // simplify_EXISTS_query: PostgreSQL drops a plain EXISTS sub-select's target list before folding
  if (kind === 'EXISTS_SUBLINK' && plainSelect(select)) leaveUnfolded((select.targetList ?? []).flatMap((t) => ('ResTarget' in t && t.ResTarget.val ? [t.ResTarget.val] : [])));
  const sub = scope.subquery(select, s.location);
  const run = sub.run;
  if (kind === 'EXISTS_SUBLINK') return expr('bool', (row, ctx) => run(row, ctx).length > 0);
  if (kind === 'ARRAY_SUBLINK') {
    if (sub.columns.length !== 1) throw new SqlError(SQLSTATE.syntax_error, 'subquery must return only one column');
    return arraySubLink(sub.columns[0]!, run);
  }
  if (kind === 'EXPR_SUBLINK') {
    if (sub.columns.length !== 1) throw new SqlError(SQLSTATE.syntax_error, 'subquery must return only one column');
    const scalar = expr(sub.columns[0], (row, ctx) => {
      const rows = run(row, ctx);
      if (rows.length > 1) {
        throw new SqlError(SQLSTATE.cardinality_violation, 'more than one row returned by a subquery used as an expression');
      }
      return rows.length ? rows[0][0] : null;
    });
    return sub.rowType ? { ...scalar, rowType: sub.rowType } : scalar;
  }

  const names = (s.operName ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
  const op = names[names.length - 1] ?? '=';
  if (!COMPARISON_OPS.has(op)) throw featureNotSupported(`operator ${op} with ANY/ALL`);
  if (sub.columns.length !== 1) {
    throw new SqlError(SQLSTATE.syntax_error, sub.columns.length > 1 ? 'subquery has too many columns' : 'subquery has too few columns');
  }
  const test = compile(s.testexpr!, scope);
  const colType = sub.columns[0];
  let t: SqlType;
  if (test.type === 'unknown') t = colType === 'unknown' ? 'text' : colType;
  else if (colType === 'unknown') t = test.type;
  else {
    const u = unify(test.type, colType);
    if (!u) throw operatorError(op, test.type, colType);
    t = u;
  }
  const castLeft = castFunction(test.type, t, -1, false), castRight = castFunction(colType, t, -1, false);
  const cmp = comparatorFor(t), holds = relation(op)!, te = test.eval;
  const any = kind === 'ANY_SUBLINK';
  if (any && op === '=' && strictEqualityWorks(t)) {
    const hashed = hashedRowsCache(castRight);
    return expr('bool', (row, ctx) => {
      const rows = run(row, ctx);
      if (rows.length === 0) return false;
      const a = castLeft(te(row, ctx));
      if (a === null) return null;
      const h = hashed(rows);
      return h.values.has(a) ? true : h.sawNull ? null : false;
    });
  }
  return expr('bool', (row, ctx) => {
    const rows = run(row, ctx);
    if (rows.length === 0) return !any;
    const a = castLeft(te(row, ctx));
    if (a === null) return null;
    let sawNull = false;
    for (const r of rows) {
      const b: Value = castRight(r[0]);
      if (b === null) { sawNull = true; continue; }
      if (holds(cmp(a, b)) === any) return any;
    }
    return sawNull ? null : !any;
  });
}
