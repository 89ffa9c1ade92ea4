/**
 * Array expressions: ARRAY[…] and ARRAY(SELECT …), subscripts and slices, `op ANY/ALL (array)`,
 * the operators @> <@ && || on arrays, and the array functions (array_length, array_position,
 * cardinality, array_append/prepend/cat/remove/replace, array_to_string, string_to_array, …).
 * Element types follow PostgreSQL's anyarray/anyelement resolution.
 */
import type { A_ArrayExpr, A_Indirection, Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { castFunction } from '../cast.ts';
import { constant, expr, retype, type Expr } from '../compiled.ts';
import { commonType, comparatorFor, likeRegExp, operatorError, relation } from '../operators.ts';
import type { EvalContext, Scope } from '../scope.ts';
import { TYPE_NAME, type ArrayType, type SqlType, type Value } from '../types.ts';
import { arrayTypeOf, dimensions, elementType, flatElements, isArrayType } from '../types/array.ts';
import { formatValue } from '../values.ts';

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
      const t = commonType([l.type, elem], 'ANY/ALL');
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

/** Two operands brought to one array type (an unknown literal takes the other side's). */
function sameArrays(op: string, left: Expr, right: Expr): [Expr, Expr, ArrayType] {
  let l = left, r = right;
  if (l.type === 'unknown' && isArrayType(r.type)) l = retype(l, r.type);
  if (r.type === 'unknown' && isArrayType(l.type)) r = retype(r, l.type);
  if (!isArrayType(l.type) || !isArrayType(r.type)) throw operatorError(op, l.type, r.type);
  if (l.type !== r.type) {
    const t = arrayTypeOf(commonType([elementType(l.type), elementType(r.type)], 'operator'));
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

/** array || array (array_cat), array || element (array_append), element || array (array_prepend). */
function compileArrayConcat(left: Expr, right: Expr): Expr {
  const la = isArrayType(left.type), ra = isArrayType(right.type);
  if (la && (ra || (right.type === 'unknown' && right.konst && typeof right.value === 'string' && right.value.trimStart().startsWith('{')))) {
    const [l, r, t] = sameArrays('||', left, right);
    return nullableBinary(t, l, r, arrayCat);
  }
  if (la) {
    const t = left.type as ArrayType;
    return nullableBinary(t, left, elementOf(right, t, '||', left), (a, e) => appendElement(a, e));
  }
  const t = right.type as ArrayType;
  return nullableBinary(t, elementOf(left, t, '||', right), right, (e, a) => prependElement(e, a));
}

function elementOf(e: Expr, t: ArrayType, op: string, other: Expr): Expr {
  const elem = elementType(t);
  if (e.type === elem || e.type === 'unknown') return retype(e, elem);
  if (commonType([e.type, elem], 'operator') === elem) return retype(e, elem);
  throw operatorError(op, other === e ? t : e.type, other === e ? e.type : t);
}

/** NULL arrays act as empty ones (array_cat and friends are not strict). */
function nullableBinary(type: SqlType, l: Expr, r: Expr, f: (a: Value, b: Value) => Value): Expr {
  const le = l.eval, re = r.eval;
  return expr(type, (row, ctx) => f(le(row, ctx), re(row, ctx)));
}

function arrayCat(a: Value, b: Value): Value {
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

function appendElement(a: Value, e: Value): Value {
  if (a === null) return [e];
  if (dimensions(a as Value[]).length > 1) throw new SqlError(SQLSTATE.feature_not_supported, 'argument must be empty or one-dimensional array');
  return [...(a as Value[]), e];
}

function prependElement(e: Value, a: Value): Value {
  if (a === null) return [e];
  if (dimensions(a as Value[]).length > 1) throw new SqlError(SQLSTATE.feature_not_supported, 'argument must be empty or one-dimensional array');
  return [e, ...(a as Value[])];
}

type ArrayFn = (args: Expr[]) => Expr | undefined;

function arrayArg(e: Expr | undefined): e is Expr & { type: ArrayType } {
  return e !== undefined && isArrayType(e.type);
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

function oneDim(a: Value[]): void {
  if (dimensions(a).length > 1) throw new SqlError(SQLSTATE.feature_not_supported, 'searching for elements in multidimensional arrays is not supported');
}

function positions(a: Value[], x: Value, cmp: (a: Value, b: Value) => number, start = 1): number[] {
  oneDim(a);
  const out: number[] = [];
  for (let i = Math.max(start, 1) - 1; i < a.length; i++) {
    const e = a[i];
    if (x === null ? e === null : e !== null && cmp(e, x) === 0) out.push(i + 1);
  }
  return out;
}

function dimLength(a: Value[], dim: number): Value {
  const d = dimensions(a);
  return dim >= 1 && dim <= d.length ? d[dim - 1]! : null;
}

function withElement(name: string, a: Expr, e: Expr): Expr {
  const t = a.type as ArrayType;
  const elem = elementType(t);
  if (e.type !== elem && e.type !== 'unknown' && commonType([e.type, elem], name) !== elem) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${TYPE_NAME[a.type]}, ${TYPE_NAME[e.type]}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  return retype(e, elem);
}

const ARRAY_FUNCTIONS: Record<string, ArrayFn> = {
  array_length: ([a, d, ...rest]) => (arrayArg(a) && d && !rest.length ? strict('int4', [a, retype(d, 'int4')], ([x, n]) => dimLength(x as Value[], n as number)) : undefined),
  array_lower: ([a, d, ...rest]) => (arrayArg(a) && d && !rest.length ? strict('int4', [a, retype(d, 'int4')], ([x, n]) => (dimLength(x as Value[], n as number) === null ? null : 1)) : undefined),
  array_upper: ([a, d, ...rest]) => (arrayArg(a) && d && !rest.length ? strict('int4', [a, retype(d, 'int4')], ([x, n]) => dimLength(x as Value[], n as number)) : undefined),
  array_ndims: ([a, ...rest]) => (arrayArg(a) && !rest.length ? strict('int4', [a], ([x]) => dimensions(x as Value[]).length || null) : undefined),
  array_dims: ([a, ...rest]) => (arrayArg(a) && !rest.length
    ? strict('text', [a], ([x]) => {
      const d = dimensions(x as Value[]);
      return d.length ? d.map((n) => `[1:${n}]`).join('') : null;
    })
    : undefined),
  cardinality: ([a, ...rest]) => (arrayArg(a) && !rest.length ? strict('int4', [a], ([x]) => flatElements(x as Value[]).length) : undefined),
  array_append: ([a, e, ...rest]) => (arrayArg(a) && e && !rest.length ? nullableBinary(a.type, a, withElement('array_append', a, e), appendElement) : undefined),
  array_prepend: ([e, a, ...rest]) => (arrayArg(a) && e && !rest.length ? nullableBinary(a.type, withElement('array_prepend', a, e), a, prependElement) : undefined),
  array_cat: ([a, b, ...rest]) => {
    if (!arrayArg(a) || !b || rest.length) return undefined;
    const [l, r, t] = sameArrays('array_cat', a, b);
    return nullableBinary(t, l, r, arrayCat);
  },
  array_remove: ([a, e, ...rest]) => {
    if (!arrayArg(a) || !e || rest.length) return undefined;
    const cmp = comparatorFor(elementType(a.type)), x = withElement('array_remove', a, e);
    const ae = a.eval, xe = x.eval;
    return expr(a.type, (row, ctx) => {
      const arr = ae(row, ctx);
      if (arr === null) return null;
      oneDim(arr as Value[]);
      const v = xe(row, ctx);
      return (arr as Value[]).filter((el) => (v === null ? el !== null : el === null || cmp(el, v) !== 0));
    });
  },
  array_replace: ([a, e, f, ...rest]) => {
    if (!arrayArg(a) || !e || !f || rest.length) return undefined;
    const cmp = comparatorFor(elementType(a.type)), x = withElement('array_replace', a, e), y = withElement('array_replace', a, f);
    const ae = a.eval, xe = x.eval, ye = y.eval;
    const swap = (arr: Value[], v: Value, w: Value): Value[] =>
      arr.map((el) => (Array.isArray(el) ? swap(el, v, w) : (v === null ? el === null : el !== null && cmp(el, v) === 0) ? w : el));
    return expr(a.type, (row, ctx) => {
      const arr = ae(row, ctx);
      return arr === null ? null : swap(arr as Value[], xe(row, ctx), ye(row, ctx));
    });
  },
  array_position: ([a, e, s, ...rest]) => {
    if (!arrayArg(a) || !e || rest.length) return undefined;
    const cmp = comparatorFor(elementType(a.type)), x = withElement('array_position', a, e);
    const ae = a.eval, xe = x.eval, se = s ? retype(s, 'int4').eval : undefined;
    return expr('int4', (row, ctx) => {
      const arr = ae(row, ctx);
      if (arr === null) return null;
      const start = se ? se(row, ctx) : 1;
      if (start === null) throw new SqlError('22004', 'initial position must not be null');
      return positions(arr as Value[], xe(row, ctx), cmp, start as number)[0] ?? null;
    });
  },
  array_positions: ([a, e, ...rest]) => {
    if (!arrayArg(a) || !e || rest.length) return undefined;
    const cmp = comparatorFor(elementType(a.type)), x = withElement('array_positions', a, e);
    const ae = a.eval, xe = x.eval;
    return expr('int4[]', (row, ctx) => {
      const arr = ae(row, ctx);
      return arr === null ? null : positions(arr as Value[], xe(row, ctx), cmp);
    });
  },
  array_to_string: ([a, sep, nul, ...rest]) => {
    if (!arrayArg(a) || !sep || rest.length) return undefined;
    const elem = elementType(a.type), ae = a.eval, se = retype(sep, 'text').eval, ne = nul ? retype(nul, 'text').eval : undefined;
    return expr('text', (row, ctx) => {
      const arr = ae(row, ctx), s = se(row, ctx);
      if (arr === null || s === null) return null;
      const n = ne ? ne(row, ctx) : null;
      return flatElements(arr as Value[])
        .flatMap((v) => (v === null ? (n === null ? [] : [n as string]) : [formatValue(v, elem)!]))
        .join(s as string);
    });
  },
  string_to_array: ([s, sep, nul, ...rest]) => {
    if (!s || !sep || rest.length) return undefined;
    const textish = (t: SqlType) => t === 'text' || t === 'varchar' || t === 'unknown';
    if (!textish(s.type) || !textish(sep.type) || (nul && !textish(nul.type))) return undefined;
    const te = retype(s, 'text').eval, se = retype(sep, 'text').eval, ne = nul ? retype(nul, 'text').eval : undefined;
    return expr('text[]', (row, ctx) => {
      const str = te(row, ctx);
      if (str === null) return null;
      const d = se(row, ctx), n = ne ? ne(row, ctx) : null;
      if (str === '') return [];
      const parts = d === null ? Array.from(str as string) : d === '' ? [str as string] : (str as string).split(d as string);
      return parts.map((p) => (n !== null && p === n ? null : p));
    });
  },
};

/** An array function call, or undefined when `name` is not one (or these argument types do not fit it). */
export function compileArrayFunction(name: string, args: Expr[]): Expr | undefined {
  if (name === 'unnest' || name === 'generate_series') throw featureNotSupported(`set-returning function ${name} outside FROM`);
  const f = ARRAY_FUNCTIONS[name];
  if (!f) return undefined;
  if (name !== 'string_to_array' && args[0]?.type === 'unknown') {
    throw new SqlError(SQLSTATE.datatype_mismatch, 'could not determine polymorphic type because input has type unknown');
  }
  return f(args);
}
