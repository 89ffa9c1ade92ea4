/**
 * WHERE conditions on one table compiled for tight scan loops: `column op constant/parameter`
 * compares the row's slot with a value computed once per run (not once per row: a parameter's
 * conversion to the column's type then costs nothing per row); other conditions use their compiled
 * closure. Comparison goes through the operator layer's comparators, like the general path.
 */
import type { Node } from '@pgsql/types';
import type { Expr } from '../compiled.ts';
import { compile, unifyPair } from '../expr.ts';
import { strings } from '../names.ts';
import { comparatorFor, COMPARISON_OPS, relation, strictEqualityWorks } from '../operators.ts';
import type { EvalContext, Scope } from '../scope.ts';
import type { Value } from '../types.ts';

/** Per run: the row test, with every constant side already evaluated. */
export type PreparedFilter = (ctx: EvalContext) => (row: readonly Value[]) => boolean;

const EMPTY: readonly Value[] = [];

function isConstant(node: Node): boolean {
  if ('A_Const' in node || 'ParamRef' in node) return true;
  if ('TypeCast' in node) return node.TypeCast.arg !== undefined && isConstant(node.TypeCast.arg);
  return false;
}

export function compileFilter(conds: readonly Node[], scope: Scope, width: number): PreparedFilter {
  const parts = conds.map((c) => slotComparison(c, scope, width) ?? general(c, scope));
  if (parts.length === 1) return parts[0]!;
  return (ctx) => {
    const tests = parts.map((p) => p(ctx));
    return (row) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(row)) return false;
      return true;
    };
  };
}

function general(node: Node, scope: Scope): PreparedFilter {
  const e = compile(node, scope).eval;
  return (ctx) => (row) => e(row, ctx) === true;
}

function slotComparison(node: Node, scope: Scope, width: number): PreparedFilter | undefined {
  if (!('A_Expr' in node) || node.A_Expr.kind !== 'AEXPR_OP') return undefined;
  const e = node.A_Expr;
  const op = strings(e.name).join('.');
  if (!COMPARISON_OPS.has(op) || !e.lexpr || !e.rexpr) return undefined;
  const flip: Record<string, string> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
  for (const [col, val, o] of [[e.lexpr, e.rexpr, op], [e.rexpr, e.lexpr, flip[op]!]] as const) {
    if (!('ColumnRef' in col) || !isConstant(val)) continue;
    const c = compile(col, scope);
    if (c.slot === undefined || c.slot >= width) return undefined;
    const [l, r, t] = unifyPair(o, c, compile(val, scope));
    // only when the column keeps its own type: the stored value is compared as it is
    if ((l as Expr).slot !== c.slot || l !== c) return undefined;
    const slot = c.slot, value = r.eval;
    if ((o === '=' || o === '<>') && strictEqualityWorks(t)) {
      const eq = o === '=';
      return (ctx) => {
        const v = value(EMPTY, ctx);
        if (v === null) return () => false;
        return (row) => {
          const a = row[slot];
          return a !== null && (a === v) === eq;
        };
      };
    }
    const cmp = comparatorFor(t), test = relation(o)!;
    return (ctx) => {
      const v = value(EMPTY, ctx);
      if (v === null) return () => false;
      return (row) => {
        const a = row[slot];
        return a !== null && test(cmp(a, v));
      };
    };
  }
  return undefined;
}
