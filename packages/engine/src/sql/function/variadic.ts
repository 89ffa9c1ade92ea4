/**
 * `f(a, VARIADIC arr)` of a built-in VARIADIC function (concat, concat_ws, format, …): the array's
 * elements are the trailing arguments, as if written one by one; a NULL array makes the call NULL.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { castFunction } from '../cast.ts';
import { constant, expr, retype, type Expr } from '../compiled.ts';
import { compileJsonFunction } from '../functions/json.ts';
import type { Overload } from '../functions.ts';
import { implicit } from '../functions.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { elementType, flatElements, isArrayType } from '../types/array.ts';
import { formatValue } from '../values.ts';

const JSON_BUILDERS = new Set(['json_build_object', 'json_build_array', 'jsonb_build_object', 'jsonb_build_array']);

/**
 * json(b)_build_object/array(VARIADIC arr) over a constant array: its elements become the
 * arguments (their number decides the call's shape, so a computed array is refused).
 */
function spreadConstant(name: string, args: Expr[], elem: SqlType): Expr {
  const last = args[args.length - 1]!;
  if (!JSON_BUILDERS.has(name) || !last.konst) throw featureNotSupported(`VARIADIC argument of ${name}`);
  if (last.value === null) return constant(null, name.startsWith('jsonb') ? 'jsonb' : 'json');
  const spread = flatElements(last.value as Value[]).map((v) => constant(v, elem));
  const call = compileJsonFunction(name, [...args.slice(0, -1), ...spread]);
  if (!call) throw featureNotSupported(`VARIADIC argument of ${name}`);
  return call;
}

export function compileVariadicCall(name: string, args: Expr[], overloads: readonly Overload[] | undefined): Expr {
  const last = args[args.length - 1];
  if (!last) throw new SqlError(SQLSTATE.syntax_error, 'VARIADIC argument must be the last one');
  if (!isArrayType(last.type)) throw new SqlError(SQLSTATE.datatype_mismatch, 'VARIADIC argument must be an array');
  const elem = elementType(last.type);
  const o = overloads?.find((c) => c.variadic && c.params.length === args.length && c.params.every((p, i) => {
    const from = i === args.length - 1 ? elem : args[i]!.type;
    return p === 'any' || implicit(from, p);
  }));
  if (!o) {
    if (!overloads) return spreadConstant(name, args, elem);
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const fixed = args.slice(0, -1).map((a, i) => {
    const p = o.params[i]!;
    return p === 'any' ? expr('text', (row, ctx) => formatValue(a.eval(row, ctx), a.type)) : retype(a, p);
  }).map((a) => a.eval);
  const target = o.params[o.params.length - 1]!;
  const convert: (v: Value) => Value = target === 'any' ? (v) => (v === null ? null : formatValue(v, elem)) : castFunction(elem, target as SqlType, -1, false);
  const array = last.eval;
  return expr(o.ret, (row, ctx) => {
    let arr = array(row, ctx);
    // format() takes a NULL array as no arguments; the others' result is NULL
    if (arr === null) {
      if (name !== 'format') return null;
      arr = [];
    }
    const vals = [...fixed.map((e) => e(row, ctx)), ...flatElements(arr as Value[]).map((v) => (v === null ? null : convert(v)))];
    if (!o.nullable && vals.some((v) => v === null)) return null;
    return o.fn(vals, ctx);
  });
}
