/**
 * Array expressions: ARRAY[…] and ARRAY(SELECT …), subscripts and slices, `op ANY/ALL (array)`,
 * the operators @> <@ && || on arrays, and the array functions (array_length, array_position,
 * cardinality, array_append/prepend/cat/remove/replace, array_to_string, string_to_array, …).
 * Element types follow PostgreSQL's anyarray/anyelement resolution.
 */
import type { A_ArrayExpr, A_Indices, A_Indirection, Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { castFunction } from '../cast.ts';
import { constant, expr, retype, type Expr } from '../compiled.ts';
import { commonType, comparatorFor, likeRegExp, operatorError, relation, unify } from '../operators.ts';
import type { EvalContext, Scope } from '../scope.ts';
import { TYPE_NAME, type ArrayType, type SqlType, type Value } from '../types.ts';
import { arrayTypeOf, dimensions, elementType, flatElements, isArrayType } from '../types/array.ts';
import { compileJsonbSubscript } from './jsonb-subscript.ts';

type Compile = (n: Node, scope: Scope) => Expr;

const indeterminate = (): SqlError =>
  new SqlError('42P18', 'cannot determine type of empty array', {
    hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
  });

/** ARRAY[a, b, …]; nested ARRAY[…] items make a multidimensional array. `target` is a cast's type pushed into the elements. */
export function compileArrayConstructor(a: A_ArrayExpr, scope: Scope, compile: Compile, target?: ArrayType): Expr {
  const nodes = a.elements ?? [];
  const items = nodes.map((n) => ('A_ArrayExpr' in n ? compileArrayConstructor(n.A_ArrayExpr, scope, compile, target) : compile(n, scope)));
  const nested = nodes.some((n) => 'A_ArrayExpr' in n);
  if (!items.length) {
    if (!target) throw indeterminate();
    return constant([], target);
  }
  let type: ArrayType;
  let typed: Expr[];
  if (nested) {
    if (!items.every((i) => isArrayType(i.type))) throw new SqlError(SQLSTATE.syntax_error, 'multidimensional arrays must have array expressions with matching dimensions');
    type = target ?? arrayTypeOf(commonType(items.map((i) => elementType(i.type as ArrayType)), 'ARRAY'));
    typed = items.map((i) => retype(i, type));
  } else {
    const elem = target ? elementType(target) : commonType(items.map((i) => i.type), 'ARRAY');
    type = arrayTypeOf(elem);
    typed = items.map((i) => (target ? castTo(i, elem) : retype(i, elem)));
  }
  const evals = typed.map((t) => t.eval);
  const build = (row: readonly Value[], ctx: EvalContext): Value => {
    const out = evals.map((e) => e(row, ctx));
    if (nested) {
      const parts = out.filter((p) => p !== null && (p as Value[]).length) as Value[][];
      if (!parts.length) return [];
      const dims = JSON.stringify(dimensions(parts[0]!));
      if (parts.length !== out.length || parts.some((p) => JSON.stringify(dimensions(p)) !== dims)) {
        throw new SqlError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
      }
      return parts;
    }
    return out;
  };
  if (typed.every((t) => t.konst)) return constant(build([], { params: [], now: new Date(0) }), type);
  return expr(type, build);
}

/** An explicit cast of an element (ARRAY['1']::int[] casts each item). */
function castTo(e: Expr, t: SqlType): Expr {
  if (e.type === t) return e;
  if (e.type === 'unknown') return retype(e, t);
  const cast = castFunction(e.type, t, -1, true), inner = e.eval;
  if (e.konst) return constant(cast(e.value), t);
  return expr(t, (row, ctx) => cast(inner(row, ctx)));
}

/** ARRAY(SELECT …): one column's values, in the sub-select's order. */
export function arraySubLink(column: SqlType, run: (row: readonly Value[], ctx: EvalContext) => Value[][]): Expr {
  if (isArrayType(column)) throw featureNotSupported('ARRAY() of an array-valued sub-select');
  const type = arrayTypeOf(column === 'unknown' ? 'text' : column);
  return expr(type, (row, ctx) => run(row, ctx).map((r) => r[0] ?? null));
}

function subscriptInt(e: Expr): Expr {
  if (e.type === 'int2' || e.type === 'int4' || e.type === 'unknown') return retype(e, 'int4');
  if (e.type === 'int8' || e.type === 'numeric' || e.type === 'float4' || e.type === 'float8') return castTo(e, 'int4');
  throw new SqlError(SQLSTATE.datatype_mismatch, 'array subscript must have type integer');
}

/** `a[i]`, `a[i][j]`, `a[lo:hi]` (either bound may be left out). Out-of-range subscripts give NULL or an empty slice. */
export function compileIndirection(ind: A_Indirection, scope: Scope, compile: Compile): Expr {
  let base = compile(ind.arg!, scope);
  const steps = ind.indirection ?? [];
  if (steps.some((s) => !('A_Indices' in s))) {
    if (steps.some((s) => 'A_Star' in s)) throw featureNotSupported('(expression).*');
    throw featureNotSupported('field selection from a composite value');
  }
  if (base.type === 'unknown') throw new SqlError(SQLSTATE.datatype_mismatch, 'cannot subscript type unknown because it is not an array');
  if (base.type === 'jsonb') return compileJsonbSubscript(base, steps.map((s) => (s as { A_Indices: A_Indices }).A_Indices), scope, compile);
  if (!isArrayType(base.type)) {
    throw new SqlError(SQLSTATE.datatype_mismatch, `cannot subscript type ${TYPE_NAME[base.type]} because it does not support subscripting`);
  }
  const type = base.type;
  const indices = steps.map((s) => (s as { A_Indices: { is_slice?: boolean; lidx?: Node; uidx?: Node } }).A_Indices);
  const slice = indices.some((i) => i.is_slice);
  const parts = indices.map((i) => ({
    // in a slice, a plain `[n]` means `[1:n]`
    lo: i.is_slice ? (i.lidx ? subscriptInt(compile(i.lidx, scope)).eval : undefined) : slice ? () => 1 : subscriptInt(compile(i.uidx!, scope)).eval,
    hi: i.uidx ? subscriptInt(compile(i.uidx, scope)).eval : undefined,
    single: !i.is_slice,
  }));
  const be = base.eval;
  if (!slice) {
    return expr(elementType(type), (row, ctx) => {
      let v = be(row, ctx);
      for (const p of parts) {
        if (v === null || !Array.isArray(v)) return null;
        const i = p.lo!(row, ctx);
        if (i === null) return null;
        const k = (i as number) - 1;
        v = k >= 0 && k < v.length ? (v[k] as Value) : null;
      }
      return Array.isArray(v) ? null : v;
    });
  }
  return expr(type, (row, ctx) => {
    const v = be(row, ctx);
    if (v === null) return null;
    const bounds: [number, number][] = [];
    for (const p of parts) {
      const lo = p.lo ? p.lo(row, ctx) : 1, hi = p.hi ? p.hi(row, ctx) : Infinity;
      if (lo === null || hi === null) return null;
      bounds.push([lo as number, hi as number]);
    }
    const cut = (a: Value[], d: number): Value[] | null => {
      if (d >= bounds.length) return a;
      const [lo, hi] = bounds[d]!;
      const from = Math.max(lo, 1) - 1, to = Math.min(hi, a.length);
      if (from >= to) return null;
      const out: Value[] = [];
      for (let k = from; k < to; k++) {
        const e = a[k];
        if (Array.isArray(e)) {
          const sub = cut(e, d + 1);
          if (!sub) return null;
          out.push(sub);
        } else out.push(e);
      }
      return out;
    };
    return cut(v as Value[], 0) ?? [];
  });
}

const OPERATOR_TESTS: Record<string, (insensitive: boolean) => (a: Value, b: Value) => boolean> = {
  '~~': (i) => (a, b) => likeRegExp(b as string, null, i).test(a as string),
  '!~~': (i) => (a, b) => !likeRegExp(b as string, null, i).test(a as string),
};

/** `x op ANY (array)` / `x op ALL (array)` with SQL's NULL rules (a NULL element makes a missing match NULL). */
export function compileAnyAll(op: string, all: boolean, left: Expr, right: Expr): Expr {
  let l = left, r = right;
  if (r.type === 'unknown') r = retype(r, arrayTypeOf(l.type === 'unknown' ? 'text' : l.type));
  if (!isArrayType(r.type)) throw new SqlError(SQLSTATE.wrong_object_type, `op ANY/ALL (array) requires array on right side`);
  let elem: SqlType = elementType(r.type);
  let test: (a: Value, b: Value) => boolean;
  const like = op === '~~' || op === '!~~' || op === '~~*' || op === '!~~*';
  if (like) {
    const isText = (t: SqlType) => t === 'text' || t === 'varchar' || t === 'unknown';
    if (!isText(l.type) || !isText(elem)) throw operatorError(op, l.type, elem);
    l = retype(l, 'text');
    const insensitive = op.endsWith('*');
    test = OPERATOR_TESTS[op.replace('*', '')]!(insensitive);
  } else {
    const holds = relation(op);
    if (!holds) throw featureNotSupported(`operator ${op} with ANY/ALL`);
    if (l.type === 'unknown') l = retype(l, elem);
    else if (l.type !== elem) {
      const t = unify(l.type, elem);
      if (!t) throw operatorError(op, l.type, elem);
      if (t !== elem) {
        r = retype(r, arrayTypeOf(t));
        elem = t;
      }
      l = retype(l, t);
    }
    const cmp = comparatorFor(elem);
    test = (a, b) => holds(cmp(a, b));
  }
  const le = l.eval, re = r.eval;
  return expr('bool', (row, ctx) => {
    const arr = re(row, ctx);
    if (arr === null) return null;
    const a = le(row, ctx);
    const items = flatElements(arr as Value[]);
    if (!items.length) return all;
    if (a === null) return null;
    let sawNull = false;
    for (const b of items) {
      if (b === null) { sawNull = true; continue; }
      if (test(a, b) !== all) return !all;
    }
    return sawNull ? null : all;
  });
}

/**
 * Two operands brought to one array type (an unknown literal takes the other side's). `compatible`
 * is PostgreSQL 15's anycompatiblearray (||, array_cat: int[] meets bigint[] as bigint[]); the
 * anyarray operators (@>, <@, &&) want the very same type.
 */
export function sameArrays(op: string, left: Expr, right: Expr, compatible = false): [Expr, Expr, ArrayType] {
  let l = left, r = right;
  if (l.type === 'unknown' && isArrayType(r.type)) l = retype(l, r.type);
  if (r.type === 'unknown' && isArrayType(l.type)) r = retype(r, l.type);
  if (!isArrayType(l.type) || !isArrayType(r.type)) throw operatorError(op, l.type, r.type);
  if (l.type !== r.type) {
    const u = compatible ? unify(elementType(l.type), elementType(r.type)) : undefined;
    if (!u) throw operatorError(op, l.type, r.type);
    const t = arrayTypeOf(u);
    return [retype(l, t), retype(r, t), t];
  }
  return [l, r, l.type];
}

function binary(type: SqlType, l: Expr, r: Expr, f: (a: Value[], b: Value[]) => Value): Expr {
  const le = l.eval, re = r.eval;
  return expr(type, (row, ctx) => {
    const a = le(row, ctx);
    if (a === null) return null;
    const b = re(row, ctx);
    return b === null ? null : f(a as Value[], b as Value[]);
  });
}

/** Whether every non-NULL element of `sub` equals some element of `sup` (arraycontained; NULLs never match). */
function contains(sup: Value[], sub: Value[], cmp: (a: Value, b: Value) => number): boolean {
  const have = flatElements(sup).filter((v) => v !== null);
  return flatElements(sub).every((x) => x !== null && have.some((y) => cmp(x, y) === 0));
}

/** Whether `op` on these operand types is an array operator this module compiles. */
export function isArrayOperator(op: string, l: SqlType, r: SqlType): boolean {
  if (op === '@>' || op === '<@' || op === '&&') return isArrayType(l) || isArrayType(r);
  return op === '||' && (isArrayType(l) || isArrayType(r));
}

export function compileArrayOperator(op: string, left: Expr, right: Expr): Expr {
  if (op === '||') return compileArrayConcat(left, right);
  const [l, r, t] = sameArrays(op, left, right);
  const cmp = comparatorFor(elementType(t));
  if (op === '@>') return binary('bool', l, r, (a, b) => contains(a, b, cmp));
  if (op === '<@') return binary('bool', l, r, (a, b) => contains(b, a, cmp));
  return binary('bool', l, r, (a, b) => {
    const y = flatElements(b).filter((v) => v !== null);
    return flatElements(a).some((x) => x !== null && y.some((v) => cmp(x, v) === 0));
  });
}

/** array || array (array_cat), array || element (array_append), element || array (array_prepend); an unknown literal is an array. */
function compileArrayConcat(left: Expr, right: Expr): Expr {
  const la = isArrayType(left.type), ra = isArrayType(right.type);
  if ((la && (ra || right.type === 'unknown')) || (ra && left.type === 'unknown')) {
    const [l, r, t] = sameArrays('||', left, right, true);
    return nullableBinary(t, l, r, arrayCat);
  }
  if (la) {
    const [a, e, t] = withElement('||', left, right, true);
    return nullableBinary(t, a, e, appendElement);
  }
  const [a, e, t] = withElement('||', right, left, false);
  return nullableBinary(t, e, a, prependElement);
}

/** An array and an element brought to one (anycompatible) element type. */
function withElement(op: string, array: Expr, element: Expr, arrayFirst: boolean): [Expr, Expr, ArrayType] {
  const at = array.type as ArrayType;
  const u = element.type === 'unknown' ? elementType(at) : unify(elementType(at), element.type);
  if (!u) throw arrayFirst ? operatorError(op, at, element.type) : operatorError(op, element.type, at);
  const t = arrayTypeOf(u);
  return [retype(array, t), retype(element, u), t];
}

/** NULL arrays act as empty ones (array_cat and friends are not strict). */
export function nullableBinary(type: SqlType, l: Expr, r: Expr, f: (a: Value, b: Value) => Value): Expr {
  const le = l.eval, re = r.eval;
  return expr(type, (row, ctx) => f(le(row, ctx), re(row, ctx)));
}

export function arrayCat(a: Value, b: Value): Value {
  if (a === null) return b;
  if (b === null) return a;
  const x = a as Value[], y = b as Value[];
  if (!x.length) return y;
  if (!y.length) return x;
  const dx = dimensions(x).length, dy = dimensions(y).length;
  if (dx === dy) {
    if (dx > 1 && JSON.stringify(dimensions(x).slice(1)) !== JSON.stringify(dimensions(y).slice(1))) throw mismatchedCat();
    return [...x, ...y];
  }
  if (dx === dy + 1) {
    if (JSON.stringify(dimensions(x).slice(1)) !== JSON.stringify(dimensions(y))) throw mismatchedCat();
    return [...x, y];
  }
  if (dy === dx + 1) {
    if (JSON.stringify(dimensions(y).slice(1)) !== JSON.stringify(dimensions(x))) throw mismatchedCat();
    return [x, ...y];
  }
  throw new SqlError('2202E', 'cannot concatenate incompatible arrays', {
    detail: `Arrays of ${dx} and ${dy} dimensions are not compatible for concatenation.`,
  });
}

const mismatchedCat = (): SqlError => new SqlError('2202E', 'cannot concatenate incompatible arrays', {
  detail: 'Arrays with differing element dimensions are not compatible for concatenation.',
});

export function appendElement(a: Value, e: Value): Value {
  if (a === null) return [e];
  if (dimensions(a as Value[]).length > 1) throw new SqlError(SQLSTATE.feature_not_supported, 'argument must be empty or one-dimensional array');
  return [...(a as Value[]), e];
}

export function prependElement(e: Value, a: Value): Value {
  if (a === null) return [e];
  if (dimensions(a as Value[]).length > 1) throw new SqlError(SQLSTATE.feature_not_supported, 'argument must be empty or one-dimensional array');
  return [e, ...(a as Value[])];
}
