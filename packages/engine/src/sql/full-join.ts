/**
 * PostgreSQL runs FULL JOIN only as a merge or hash join, so it refuses a condition without an
 * equality between the two sides (`ON a.x < b.y`, `ON a.x = 1`); ON TRUE is allowed. walrtc's
 * nested loop could answer any condition, but must refuse what PostgreSQL refuses.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { RangeEntry } from './from.ts';
import { lastName, strings } from './names.ts';

export function checkFullJoinCondition(quals: Node | undefined, left: readonly RangeEntry[], right: readonly RangeEntry[]): void {
  if (!quals || ('A_Const' in quals && quals.A_Const.boolval?.boolval === true)) return;
  const conjuncts: Node[] = [];
  const split = (n: Node): void => {
    if ('BoolExpr' in n && n.BoolExpr.boolop === 'AND_EXPR') (n.BoolExpr.args ?? []).forEach(split);
    else conjuncts.push(n);
  };
  split(quals);
  const side = (n: Node | undefined): 'l' | 'r' | 'both' | 'none' => {
    let l = false, r = false;
    JSON.stringify(n, (k, v: unknown) => {
      if (k !== 'ColumnRef') return v;
      const f = strings((v as { fields?: Node[] }).fields);
      const has = (es: readonly RangeEntry[]) => (f.length >= 2 ? es.some((e) => e.alias === f[f.length - 2]) : es.some((e) => e.columns.some((c) => c.name === f[0])));
      if (has(left)) l = true;
      else if (has(right)) r = true;
      return v;
    });
    return l && r ? 'both' : l ? 'l' : r ? 'r' : 'none';
  };
  const equijoin = conjuncts.some((c) => {
    if (!('A_Expr' in c) || c.A_Expr.kind !== 'AEXPR_OP' || lastName(c.A_Expr.name) !== '=') return false;
    const a = side(c.A_Expr.lexpr), b = side(c.A_Expr.rexpr);
    return (a === 'l' && b === 'r') || (a === 'r' && b === 'l');
  });
  if (!equijoin) throw new SqlError(SQLSTATE.feature_not_supported, 'FULL JOIN is only supported with merge-joinable or hash-joinable join conditions');
}
