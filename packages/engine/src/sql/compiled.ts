/**
 * The compiler's internal form of a compiled expression: a Compiled plus what fast paths and
 * literal coercion need to know (is it a constant, a plain column slot), and implicit coercion.
 */
import { castFunction, parseInput } from './cast.ts';
import type { Compiled, Evaluator } from './scope.ts';
import type { SqlType, Value } from './types.ts';

export interface Expr extends Compiled {
  /** True for a constant; `value` then holds it, already of `type` (a string when type is unknown). */
  konst?: boolean;
  value?: Value;
  /** Index into the row when the expression is a plain column reference. */
  slot?: number;
  /** An untyped parameter: its index in the parameters (`$n` is n - 1), whose type its use decides. */
  param?: number;
}

/**
 * Where the conversions of parameters to the types their uses decide are collected while a query
 * is planned (fold/fold.ts): PostgreSQL converts every parameter at bind time, so `$1` = 2.5 for
 * an integer fails with 22P02 even where no row reaches the comparison.
 */
export const parameterCasts: { into?: Expr[] } = {};

export function constant(value: Value, type: SqlType): Expr {
  return { type, eval: () => value, konst: true, value };
}

export function column(index: number, type: SqlType): Expr {
  return { type, eval: (row) => row[index], slot: index };
}

export function expr(type: SqlType, evaluate: Evaluator): Expr {
  return { type, eval: evaluate };
}

/**
 * Implicitly coerce `e` to `to`: an unknown literal is parsed with `to`'s input syntax now (so
 * `id = 'abc'` fails at compile time, as in PostgreSQL); an untyped parameter is converted at run
 * time; a typed expression goes through the assignment-level cast. Callers check compatibility.
 */
export function retype(e: Expr, to: SqlType): Expr {
  if (e.type === to || to === 'unknown') return e;
  if (e.konst) {
    if (e.value === null) return constant(null, to);
    const v = e.type === 'unknown' ? parseInput(e.value as string, to) : castFunction(e.type, to, -1, false)(e.value);
    return constant(v, to);
  }
  const cast = castFunction(e.type, to, -1, false);
  const inner = e.eval;
  const out = expr(to, (row, ctx) => cast(inner(row, ctx)));
  const p = e.param;
  // a parameter not given (EXPLAIN of a statement with $n) fails where it is read, as before
  if (p !== undefined) parameterCasts.into?.push(expr(to, (row, ctx) => (ctx.params[p] === undefined ? null : out.eval(row, ctx))));
  return out;
}
