/**
 * The array functions (array_length, cardinality, array_position, array_append, array_remove,
 * array_to_string, string_to_array, …) and PostgreSQL 15's resolution of their polymorphic
 * arguments: anyarray takes one exact type, anycompatible(array) arguments meet at a common type.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { comparatorFor, unify } from '../operators.ts';
import type { SqlType, Value } from '../types.ts';
import { arrayTypeOf, dimensions, elementType, flatElements, isArrayType } from '../types/array.ts';
import { formatValue } from '../values.ts';
import { appendElement, arrayCat, nullableBinary, prependElement } from './array.ts';
import { ARRAY_ASSIGN, compileArrayAssign, compileSubscriptsAssign } from './array-assign.ts';
import { JSONB_ASSIGN } from './jsonb-assign.ts';

/**
 * Parameter kinds: A anycompatiblearray, E anycompatible, X anyarray (exact), i integer, t text;
 * a trailing `?` makes the rest optional.
 */
interface ArrayFunction {
  sig: string;
  build: (args: Expr[]) => Expr;
}

function strict(type: SqlType, args: Expr[], f: (vals: Value[]) => Value): Expr {
  const evals = args.map((a) => a.eval);
  return expr(type, (row, ctx) => {
    const vals: Value[] = [];
    for (const e of evals) {
      const v = e(row, ctx);
      if (v === null) return null;
      vals.push(v);
    }
    return f(vals);
  });
}

function oneDim(a: Value[], what: string): void {
  if (dimensions(a).length > 1) throw new SqlError(SQLSTATE.feature_not_supported, `${what} multidimensional arrays is not supported`);
}

const matches = (cmp: (a: Value, b: Value) => number) => (e: Value, x: Value): boolean =>
  (x === null ? e === null : e !== null && cmp(e, x) === 0);

function positions(a: Value[], x: Value, same: (e: Value, x: Value) => boolean, start = 1): number[] {
  oneDim(a, 'searching for elements in');
  const out: number[] = [];
  for (let i = Math.max(start, 1) - 1; i < a.length; i++) if (same(a[i], x)) out.push(i + 1);
  return out;
}

function dimLength(a: Value[], dim: number): Value {
  const d = dimensions(a);
  return dim >= 1 && dim <= d.length ? d[dim - 1]! : null;
}

const cmpOf = (a: Expr) => comparatorFor(elementType(a.type as never));

const FUNCTIONS: Record<string, ArrayFunction> = {
  array_length: { sig: 'Xi', build: ([a, d]) => strict('int4', [a!, d!], ([x, n]) => dimLength(x as Value[], n as number)) },
  array_lower: { sig: 'Xi', build: ([a, d]) => strict('int4', [a!, d!], ([x, n]) => (dimLength(x as Value[], n as number) === null ? null : 1)) },
  array_upper: { sig: 'Xi', build: ([a, d]) => strict('int4', [a!, d!], ([x, n]) => dimLength(x as Value[], n as number)) },
  array_ndims: { sig: 'X', build: ([a]) => strict('int4', [a!], ([x]) => dimensions(x as Value[]).length || null) },
  array_dims: {
    sig: 'X',
    build: ([a]) => strict('text', [a!], ([x]) => {
      const d = dimensions(x as Value[]);
      return d.length ? d.map((n) => `[1:${n}]`).join('') : null;
    }),
  },
  cardinality: { sig: 'X', build: ([a]) => strict('int4', [a!], ([x]) => flatElements(x as Value[]).length) },
  array_append: { sig: 'AE', build: ([a, e]) => nullableBinary(a!.type, a!, e!, appendElement) },
  array_prepend: { sig: 'EA', build: ([e, a]) => nullableBinary(a!.type, e!, a!, prependElement) },
  array_cat: { sig: 'AA', build: ([a, b]) => nullableBinary(a!.type, a!, b!, arrayCat) },
  array_remove: {
    sig: 'AE',
    build: ([a, e]) => {
      const same = matches(cmpOf(a!)), ae = a!.eval, xe = e!.eval;
      return expr(a!.type, (row, ctx) => {
        const arr = ae(row, ctx);
        if (arr === null) return null;
        oneDim(arr as Value[], 'removing elements from');
        const v = xe(row, ctx);
        return (arr as Value[]).filter((el) => !same(el, v));
      });
    },
  },
  array_replace: {
    sig: 'AEE',
    build: ([a, e, f]) => {
      const same = matches(cmpOf(a!)), ae = a!.eval, xe = e!.eval, ye = f!.eval;
      const swap = (arr: Value[], v: Value, w: Value): Value[] => arr.map((el) => (Array.isArray(el) ? swap(el, v, w) : same(el, v) ? w : el));
      return expr(a!.type, (row, ctx) => {
        const arr = ae(row, ctx);
        return arr === null ? null : swap(arr as Value[], xe(row, ctx), ye(row, ctx));
      });
    },
  },
  array_position: {
    sig: 'AE?i',
    build: ([a, e, s]) => {
      const same = matches(cmpOf(a!)), ae = a!.eval, xe = e!.eval, se = s?.eval;
      return expr('int4', (row, ctx) => {
        const arr = ae(row, ctx);
        if (arr === null) return null;
        const start = se ? se(row, ctx) : 1;
        if (start === null) throw new SqlError('22004', 'initial position must not be null');
        return positions(arr as Value[], xe(row, ctx), same, start as number)[0] ?? null;
      });
    },
  },
  array_positions: {
    sig: 'AE',
    build: ([a, e]) => {
      const same = matches(cmpOf(a!)), ae = a!.eval, xe = e!.eval;
      return expr('int4[]', (row, ctx) => {
        const arr = ae(row, ctx);
        return arr === null ? null : positions(arr as Value[], xe(row, ctx), same);
      });
    },
  },
  array_to_string: {
    sig: 'Xt?t',
    build: ([a, sep, nul]) => {
      const elem = elementType(a!.type as never), ae = a!.eval, se = sep!.eval, ne = nul?.eval;
      return expr('text', (row, ctx) => {
        const arr = ae(row, ctx), s = se(row, ctx);
        if (arr === null || s === null) return null;
        const n = ne ? ne(row, ctx) : null;
        return flatElements(arr as Value[])
          .flatMap((v) => (v === null ? (n === null ? [] : [n as string]) : [formatValue(v, elem)!]))
          .join(s as string);
      });
    },
  },
  string_to_array: {
    sig: 'tt?t',
    build: ([s, sep, nul]) => {
      const te = s!.eval, se = sep!.eval, ne = nul?.eval;
      return expr('text[]', (row, ctx) => {
        const str = te(row, ctx);
        if (str === null) return null;
        const d = se(row, ctx), n = ne ? ne(row, ctx) : null;
        if (str === '') return [];
        const parts = d === null ? Array.from(str as string) : d === '' ? [str as string] : (str as string).split(d as string);
        return parts.map((p) => (n !== null && p === n ? null : p));
      });
    },
  },
};

const textish = (t: SqlType): boolean => t === 'text' || t === 'varchar' || t === 'unknown';
const intish = (t: SqlType): boolean => t === 'int2' || t === 'int4' || t === 'unknown';

/** Bring the arguments to the signature's types, or undefined when they do not fit it (42883 follows). */
function resolve(sig: string, args: Expr[]): Expr[] | undefined {
  const required = sig.indexOf('?') < 0 ? sig.length : sig.indexOf('?');
  const kinds = sig.replace('?', '');
  if (args.length < required || args.length > kinds.length) return undefined;
  let elem: SqlType | undefined;
  let exact: SqlType | undefined;
  for (let i = 0; i < args.length; i++) {
    const k = kinds[i]!, t = args[i]!.type;
    if (k === 'i' && !intish(t)) return undefined;
    if (k === 't' && !textish(t)) return undefined;
    if ((k === 'A' || k === 'X' || k === 'E') && t !== 'unknown') {
      if (k !== 'E' && !isArrayType(t)) return undefined;
      const e = k === 'E' ? t : elementType(t as never);
      if (k === 'X') exact = e;
      if (elem === undefined) elem = e;
      else {
        const u = unify(elem, e);
        if (!u) return undefined;
        elem = u;
      }
    }
  }
  if (/[AXE]/.test(kinds) && elem === undefined) {
    throw new SqlError(SQLSTATE.datatype_mismatch, 'could not determine polymorphic type because input has type unknown');
  }
  if (exact !== undefined && elem !== exact) return undefined;
  return args.map((a, i) => {
    switch (kinds[i]) {
      case 'A': case 'X': return retype(a, arrayTypeOf(elem!));
      case 'E': return retype(a, elem!);
      case 'i': return retype(a, 'int4');
      default: return retype(a, 'text');
    }
  });
}

/** An array function call, or undefined when `name` is not one or the arguments do not fit it. */
export function compileArrayFunction(name: string, args: Expr[]): Expr | undefined {
  if (name === 'unnest' || name === 'generate_series') throw featureNotSupported(`set-returning function ${name} outside FROM`);
  if (name === ARRAY_ASSIGN) return compileArrayAssign(args);
  if (name === JSONB_ASSIGN) return compileSubscriptsAssign(args);
  const f = FUNCTIONS[name];
  if (!f) return undefined;
  const typed = resolve(f.sig, args);
  return typed && f.build(typed);
}
