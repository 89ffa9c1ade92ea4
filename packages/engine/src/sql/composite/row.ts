/**
 * `ROW(…)::t` and `(…)::t` for a composite t: each field expression converted to its attribute's
 * type as PostgreSQL's coerce_record_to_complex does, an untyped literal read by the attribute's
 * input function (`row('x', 3, '2012-12-31')::jpop`).
 */
import type { Node, RowExpr } from '@pgsql/types';
import { expr, type Expr } from '../compiled.ts';
import { compileRowConstructor, fieldsOf } from '../row-expr.ts';
import type { Scope } from '../scope.ts';
import type { SqlType, Value } from '../types.ts';
import { RowValue } from '../types/record.ts';
import { compositeOf, type CompositeType } from './type.ts';
import { fieldCasts } from './value.ts';

type Compile = (node: Node, scope: Scope) => Expr;

const isStar = (a: Node): boolean => 'ColumnRef' in a && (a.ColumnRef.fields ?? []).some((f) => 'A_Star' in f);

export function compileRowAs(r: RowExpr, to: CompositeType, scope: Scope, compile: Compile): Expr {
  const c = compositeOf(to);
  const args = r.args ?? [];
  // ROW(t.*, …) spreads t's columns: the constructor's own fields then
  const fields = args.some(isStar) ? splitRow(compileRowConstructor(r, scope, compile)) : args.map((a) => compile(a, scope));
  const casts = fieldCasts(fields.map((f) => f.type), to);
  const evals = fields.map((f) => f.eval);
  return expr(to, (row, ctx) => new RowValue(evals.map((e, i) => casts[i]!(e(row, ctx)) as Value), c.types, c.names));
}

function splitRow(row: Expr & { fields?: readonly SqlType[] }): Expr[] {
  const ev = row.eval;
  return (row.fields ?? []).map((type, i) => expr(type, (r, ctx) => (ev(r, ctx) as RowValue).values[i]));
}

/**
 * `(x).*` in a select list: one target per field of x's (composite or row) type, each the field
 * selection `(x).f`; undefined when `val` is no such indirection or x's fields are not known.
 */
export function expandFieldStar(val: Node, scope: Scope, compile: Compile): { name: string; node: Node }[] | undefined {
  if (!('A_Indirection' in val)) return undefined;
  const steps = val.A_Indirection.indirection ?? [];
  if (!steps.length || !('A_Star' in steps[steps.length - 1]!)) return undefined;
  const head = steps.slice(0, -1);
  const base: Node = head.length ? { A_Indirection: { arg: val.A_Indirection.arg, indirection: head } } : val.A_Indirection.arg!;
  const known = fieldsOf(compile(base, scope));
  if (!known) return undefined;
  return known.names.map((name) => ({ name, node: { A_Indirection: { arg: val.A_Indirection.arg, indirection: [...head, { String: { sval: name } }] } } }));
}
