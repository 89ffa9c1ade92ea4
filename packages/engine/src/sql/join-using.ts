/**
 * JOIN … USING (cols) and NATURAL JOIN: the join condition is the equality of the named (or all
 * common) columns, and each pair becomes one merged column — the left value, the right one for a
 * RIGHT JOIN, the first non-null for FULL — that comes first in `SELECT *` and answers the
 * unqualified name; `t.col` still names each side's own column. The merged values are appended
 * to the joined row after both sides' columns.
 */
import type { JoinExpr, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { castFunction } from './cast.ts';
import { compileExpr } from './expr.ts';
import { RowScope, type RangeEntry, type SubqueryPlanner } from './from.ts';
import { strings } from './names.ts';
import { commonType } from './operators.ts';
import { hashKeysOf, type HashKeys } from './plan/left-join.ts';
import type { EvalContext } from './scope.ts';
import type { Value } from './types.ts';

interface Side { entries: RangeEntry[]; width: number }

export interface UsingJoin {
  entries: RangeEntry[];
  width: number;
  /** Whether [...left, ...right] satisfies the USING equalities. */
  matches(row: readonly Value[], ctx: EvalContext): boolean;
  /** [...left, ...right] with the merged columns appended. */
  merge(row: Value[]): Value[];
  /** The equalities as hash keys (undefined when a pair's type cannot hash), and PostgreSQL's Hash Cond text. */
  hashKeys(): { keys: HashKeys; cond: string } | undefined;
}

/** Visible (unqualified) columns of a side by name: [slot, type], or 'ambiguous'. */
function visible(side: Side, offset: number): Map<string, { slot: number; type: RangeEntry['columns'][number]['type'] } | 'ambiguous'> {
  const out = new Map<string, { slot: number; type: RangeEntry['columns'][number]['type'] } | 'ambiguous'>();
  for (const e of side.entries) {
    e.columns.forEach((c, i) => {
      if (e.hidden?.has(c.name)) return;
      out.set(c.name, out.has(c.name) ? 'ambiguous' : { slot: offset + e.offset + i, type: c.type });
    });
  }
  return out;
}

export function planUsingJoin(j: JoinExpr, kind: string, left: Side, right: Side, planner: SubqueryPlanner): UsingJoin {
  const lcols = visible(left, 0), rcols = visible(right, left.width);
  const names = j.isNatural ? [...lcols.keys()].filter((n) => rcols.has(n)) : strings(j.usingClause);
  const pairs = names.map((name) => {
    const l = lcols.get(name), r = rcols.get(name);
    for (const [c, where] of [[l, 'left'], [r, 'right']] as const) {
      if (c === undefined) throw new SqlError(SQLSTATE.undefined_column, `column "${name}" specified in USING clause does not exist in ${where} table`);
      if (c === 'ambiguous') throw new SqlError(SQLSTATE.ambiguous_column, `common column name "${name}" appears more than once in ${where} table`);
    }
    const ls = l as { slot: number; type: RangeEntry['columns'][number]['type'] }, rs = r as typeof ls;
    return { name, l: ls, r: rs, type: commonType([ls.type, rs.type], 'JOIN/USING') };
  });
  // one single-column entry per side of each pair, so the equality compiles as PostgreSQL's `=`
  const probe = new RowScope(pairs.flatMap((p, k) => [
    { alias: `l${k}`, columns: [{ name: 'v', type: p.l.type }], offset: p.l.slot },
    { alias: `r${k}`, columns: [{ name: 'v', type: p.r.type }], offset: p.r.slot },
  ]), left.width + right.width, planner);
  const ref = (alias: string): Node => ({ ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: 'v' } }] } });
  const nodes: Node[] = pairs.map((_p, k) => ({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: ref(`l${k}`), rexpr: ref(`r${k}`) } }));
  const equalities = nodes.map((n) => compileExpr(n, probe));
  const casts = pairs.map((p) => ({
    l: p.l.type === p.type ? (v: Value) => v : castFunction(p.l.type, p.type, -1, false),
    r: p.r.type === p.type ? (v: Value) => v : castFunction(p.r.type, p.type, -1, false),
  }));
  const hide = (side: Side): RangeEntry[] => side.entries.map((e) => ({ ...e, hidden: new Set([...(e.hidden ?? []), ...names.filter((n) => e.columns.some((c) => c.name === n))]) }));
  const width = left.width + right.width;
  // `USING (…) AS x` (PostgreSQL 14) names the merged columns, and only them
  const merged: RangeEntry = { alias: j.join_using_alias?.aliasname ?? '', columns: pairs.map((p) => ({ name: p.name, type: p.type })), offset: width };
  return {
    entries: [merged, ...hide(left), ...hide(right).map((e) => ({ ...e, offset: e.offset + left.width }))],
    width: width + pairs.length,
    matches: (row, ctx) => equalities.every((e) => e.eval(row, ctx) === true),
    hashKeys() {
      const keys = hashKeysOf(nodes.length === 1 ? nodes[0]! : { BoolExpr: { boolop: 'AND_EXPR', args: nodes } }, probe, left.width, width);
      if (keys?.left.length !== pairs.length) return undefined;
      const owner = (side: Side, slot: number) => side.entries.find((e) => slot >= e.offset && slot < e.offset + e.columns.length)?.alias;
      const named = (alias: string | undefined, name: string) => (alias ? `${alias}.${name}` : name);
      const cond = pairs.map((p) => `(${named(owner(left, p.l.slot), p.name)} = ${named(owner(right, p.r.slot - left.width), p.name)})`);
      return { keys, cond: cond.length === 1 ? cond[0]! : `(${cond.join(' AND ')})` };
    },
    merge(row) {
      for (let k = 0; k < pairs.length; k++) {
        const p = pairs[k]!, c = casts[k]!;
        const lv = row[p.l.slot] ?? null, rv = row[p.r.slot] ?? null;
        row.push(kind === 'JOIN_RIGHT' ? c.r(rv) : kind === 'JOIN_FULL' && lv === null ? c.r(rv) : c.l(lv));
      }
      return row;
    },
  };
}
