/**
 * A row compared with a sub-select's rows: `(a, b) [NOT] IN (SELECT x, y …)`, `(a, b) op ANY/ALL
 * (SELECT …)` and `(a, b) op (SELECT x, y …)` (one row), with PostgreSQL's row comparison rules
 * (types unified column by column; `=` every pair equal, `<>` some pair unequal, `<` … decided by
 * the first unequal pair, NULL when a NULL pair comes first or decides nothing).
 */
import type { Node, RowExpr, SelectStmt, SubLink } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { castFunction } from './cast.ts';
import { expr, type Expr } from './compiled.ts';
import { pos } from './from.ts';
import { comparatorFor, operatorError, relation, unify } from './operators.ts';
import type { Scope } from './scope.ts';
import type { SqlType, Value } from './types.ts';

type Compile = (n: Node, scope: Scope) => Expr;

/** One row against another, both already in the unified types. */
function compareRows(op: string, a: readonly Value[], b: readonly Value[], cmps: ((x: Value, y: Value) => number)[]): boolean | null {
  const holds = relation(op)!;
  let sawNull = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === null || y === null) {
      if (op !== '=' && op !== '<>') return null;
      sawNull = true;
      continue;
    }
    const c = cmps[i]!(x, y);
    if (op === '=' && c !== 0) return false;
    if (op === '<>' && c !== 0) return true;
    if (op !== '=' && op !== '<>' && c !== 0) return holds(c);
  }
  if (sawNull) return null;
  return op === '=' || op === '<=' || op === '>=';
}

export function compileRowSubLink(s: SubLink, select: SelectStmt, row: RowExpr, scope: Scope, compile: Compile): Expr {
  const names = (s.operName ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
  const op = names[names.length - 1] ?? '=';
  if (!relation(op)) throw new SqlError(SQLSTATE.undefined_function, `could not determine interpretation of row comparison operator ${op}`, { position: pos(s.location) });
  const left = (row.args ?? []).map((a) => compile(a, scope));
  const sub = scope.subquery(select, s.location);
  if (sub.columns.length !== left.length) {
    throw new SqlError(SQLSTATE.syntax_error, sub.columns.length > left.length ? 'subquery has too many columns' : 'subquery has too few columns', { position: pos(s.location) });
  }
  const types: SqlType[] = left.map((l, i) => {
    const c = sub.columns[i]!;
    if (l.type === 'unknown') return c === 'unknown' ? 'text' : c;
    if (c === 'unknown') return l.type;
    const u = unify(l.type, c);
    if (!u) throw operatorError(op, l.type, c);
    return u;
  });
  const castLeft = left.map((l, i) => castFunction(l.type, types[i]!, -1, false));
  const castRight = sub.columns.map((c, i) => castFunction(c, types[i]!, -1, false));
  const cmps = types.map(comparatorFor);
  const evals = left.map((l) => l.eval);
  const run = sub.run;
  const kind = s.subLinkType;
  return expr('bool', (r, ctx) => {
    const rows = run(r, ctx);
    const a = evals.map((e, i) => castLeft[i]!(e(r, ctx)));
    const against = (b: readonly Value[]) => compareRows(op, a, b.map((v, i) => castRight[i]!(v)), cmps);
    if (kind === 'ROWCOMPARE_SUBLINK') {
      if (rows.length > 1) throw new SqlError(SQLSTATE.cardinality_violation, 'more than one row returned by a subquery used as an expression');
      return rows.length ? against(rows[0]!) : null;
    }
    // ANY: some row true; ALL: every row true; else NULL when a row gave NULL
    const any = kind === 'ANY_SUBLINK';
    let sawNull = false;
    for (const b of rows) {
      const v = against(b);
      if (v === null) sawNull = true;
      else if (v === any) return any;
    }
    return sawNull ? null : !any;
  });
}
