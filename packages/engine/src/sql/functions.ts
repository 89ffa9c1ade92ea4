/**
 * Scalar SQL functions (lower, round, substring, now, …) and PostgreSQL-style overload
 * resolution over them: exact argument types win, then implicit casts, unknown literals preferring
 * text; no match is `42883 function f(integer) does not exist`.
 */
import type { FuncCall } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { checkFloat, checkSmallInt, isNumericType, isTextType } from './cast.ts';
import { int8Neg, type Int8 } from './int8.ts';
import { Numeric } from './numeric.ts';
import { constant, expr, retype, type Expr } from './compiled.ts';
import { foldConstant, strictOverNull } from './fold/fold.ts';
import { arithmetic, category } from './operators.ts';
import type { EvalContext } from './scope.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { formatValue } from './values.ts';
import { compileArrayFunction } from './functions/array-functions.ts';
import { DATETIME_FUNCTIONS } from './functions/datetime.ts';
import { compileJsonFunction } from './functions/json.ts';
import { compileJsonPathFunction } from './jsonpath/functions.ts';
import { compileRowFunction } from './row-expr.ts';
import { TO_CHAR_FUNCTIONS } from './functions/to-char.ts';
import { caseText, repeatText, STRING_FUNCTIONS } from './functions/string.ts';
import { REGEXP_FUNCTIONS } from './functions/regexp.ts';
import { TO_NUMBER_FUNCTIONS } from './functions/to-number.ts';
import { MATH_FUNCTIONS } from './functions/math.ts';
import { functionStyleCast } from './functions/func-cast.ts';
import { SIMILAR_FUNCTIONS, SIMILAR_SUBSTRING } from './functions/similar.ts';
import { compileVariadicCall } from './function/variadic.ts';
import { typeofName } from './types/domain.ts';

/** One overload. `any` accepts every type; `variadic` repeats the last parameter type. */
export interface Overload {
  params: (SqlType | 'any')[];
  ret: SqlType;
  fn: (args: Value[], ctx: EvalContext) => Value;
  variadic?: boolean;
  /** Called with NULL arguments too (concat); otherwise any NULL argument gives NULL. */
  nullable?: boolean;
  /** Evaluated per row even with constant arguments (random, clock_timestamp). */
  volatile?: boolean;
}

const hasSurrogates = (s: string): boolean => /[\uD800-\uDFFF]/.test(s);

/** Length in characters (code points), as PostgreSQL counts them. */
export function charLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Code-point slice [start, end) with zero-based indexes. */
function slice(s: string, start: number, end?: number): string {
  if (!hasSurrogates(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

function substring(s: string, from: number, count?: number): string {
  if (count !== undefined && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const start = Math.max(from, 1);
  if (count === undefined) return slice(s, start - 1);
  const end = from + count;
  return end <= start ? '' : slice(s, start - 1, end - 1);
}

function regexSubstring(s: string, pattern: string): Value {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    throw new SqlError('2201B', `invalid regular expression: ${pattern}`);
  }
  const m = re.exec(s);
  if (!m) return null;
  return m.length > 1 ? m[1] ?? null : m[0];
}

function trimChars(s: string, chars: string, left: boolean, right: boolean): string {
  const set = new Set(Array.from(chars));
  const cps = Array.from(s);
  let a = 0, b = cps.length;
  if (left) while (a < b && set.has(cps[a])) a++;
  if (right) while (b > a && set.has(cps[b - 1])) b--;
  return cps.slice(a, b).join('');
}

function position(haystack: string, needle: string): number {
  const i = haystack.indexOf(needle);
  return i < 0 ? 0 : charLength(haystack.slice(0, i)) + 1;
}

/** rint: round half to even, float8's round(). */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const num = (v: Value): number => v as number;
const str = (v: Value): string => v as string;
const INT_TYPES = ['int2', 'int4', 'int8'] as const;

const dec = (v: Value): Numeric => v as Numeric;

function numericFamily(onNumeric: (x: Numeric) => Numeric, onFloat: (x: number) => number): Overload[] {
  return [
    { params: ['float8'], ret: 'float8', fn: ([x]) => onFloat(num(x)) },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => onNumeric(dec(x)) },
  ];
}

/** numeric's sign(): -1, 0 or 1 at scale 0; NaN stays NaN. */
const numericSign = (x: Numeric): Numeric => (x.isNaN ? x : Numeric.fromInt(x.sign));

/** abs() of an integer type: negating the minimum is out of range. */
function intAbs(t: (typeof INT_TYPES)[number]): (x: Value) => Value {
  if (t === 'int8') return (x) => ((x as Int8) < 0 ? int8Neg(x as Int8) : x);
  return (x) => checkSmallInt(Math.abs(num(x)), t);
}

const now = (_a: Value[], ctx: EvalContext): Value => ctx.now;

const FUNCTIONS: Record<string, Overload[]> = {
  lower: [{ params: ['text'], ret: 'text', fn: ([s]) => caseText(str(s), false) }],
  upper: [{ params: ['text'], ret: 'text', fn: ([s]) => caseText(str(s), true) }],
  length: [
    { params: ['text'], ret: 'int4', fn: ([s]) => charLength(str(s)) },
    { params: ['bytea'], ret: 'int4', fn: ([b]) => (b as Uint8Array).length },
  ],
  char_length: [{ params: ['text'], ret: 'int4', fn: ([s]) => charLength(str(s)) }],
  character_length: [{ params: ['text'], ret: 'int4', fn: ([s]) => charLength(str(s)) }],
  octet_length: [
    // the padding counts here, where length() strips it with the cast to text
    { params: ['bpchar'], ret: 'int4', fn: ([s]) => new TextEncoder().encode(str(s)).length },
    { params: ['text'], ret: 'int4', fn: ([s]) => new TextEncoder().encode(str(s)).length },
    { params: ['bytea'], ret: 'int4', fn: ([b]) => (b as Uint8Array).length },
  ],
  abs: [
    ...INT_TYPES.map((t): Overload => {
      const f = intAbs(t);
      return { params: [t], ret: t, fn: ([x]) => f(x) };
    }),
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => dec(x).abs() },
    { params: ['float4'], ret: 'float4', fn: ([x]) => Math.abs(num(x)) },
    { params: ['float8'], ret: 'float8', fn: ([x]) => Math.abs(num(x)) },
  ],
  round: [
    { params: ['float8'], ret: 'float8', fn: ([x]) => rint(num(x)) },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => dec(x).round() },
    { params: ['numeric', 'int4'], ret: 'numeric', fn: ([x, n]) => dec(x).round(num(n)) },
  ],
  trunc: [
    ...numericFamily((x) => x.trunc(), Math.trunc),
    { params: ['numeric', 'int4'], ret: 'numeric', fn: ([x, n]) => dec(x).trunc(num(n)) },
  ],
  ceil: numericFamily((x) => x.ceil(), Math.ceil),
  ceiling: numericFamily((x) => x.ceil(), Math.ceil),
  floor: numericFamily((x) => x.floor(), Math.floor),
  // float8_sign: NaN and -0 are neither > 0 nor < 0, so 0 (Math.sign keeps them)
  sign: numericFamily(numericSign, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  mod: (['int2', 'int4', 'int8', 'numeric'] as const).map((t): Overload => {
    const rem = arithmetic('%', t, t).fn;
    return { params: [t, t], ret: t, fn: ([a, b]) => rem(a, b) };
  }),
  div: [{ params: ['numeric', 'numeric'], ret: 'numeric', fn: ([a, b]) => dec(a).divTrunc(dec(b)) }],
  scale: [{ params: ['numeric'], ret: 'int4', fn: ([x]) => (dec(x).isFinite ? dec(x).scale : null) }],
  trim_scale: [{ params: ['numeric'], ret: 'numeric', fn: ([x]) => dec(x).trimScale() }],
  btrim: [
    { params: ['text'], ret: 'text', fn: ([s]) => trimChars(str(s), ' ', true, true) },
    { params: ['text', 'text'], ret: 'text', fn: ([s, c]) => trimChars(str(s), str(c), true, true) },
  ],
  ltrim: [
    { params: ['text'], ret: 'text', fn: ([s]) => trimChars(str(s), ' ', true, false) },
    { params: ['text', 'text'], ret: 'text', fn: ([s, c]) => trimChars(str(s), str(c), true, false) },
  ],
  rtrim: [
    { params: ['text'], ret: 'text', fn: ([s]) => trimChars(str(s), ' ', false, true) },
    { params: ['text', 'text'], ret: 'text', fn: ([s, c]) => trimChars(str(s), str(c), false, true) },
  ],
  substr: [
    { params: ['text', 'int4'], ret: 'text', fn: ([s, f]) => substring(str(s), num(f)) },
    { params: ['text', 'int4', 'int4'], ret: 'text', fn: ([s, f, n]) => substring(str(s), num(f), num(n)) },
  ],
  substring: [
    { params: ['text', 'int4'], ret: 'text', fn: ([s, f]) => substring(str(s), num(f)) },
    { params: ['text', 'int4', 'int4'], ret: 'text', fn: ([s, f, n]) => substring(str(s), num(f), num(n)) },
    { params: ['text', 'text'], ret: 'text', fn: ([s, p]) => regexSubstring(str(s), str(p)) },
    SIMILAR_SUBSTRING,
  ],
  replace: [{
    params: ['text', 'text', 'text'], ret: 'text',
    fn: ([s, from, to]) => (str(from) === '' ? s : str(s).split(str(from)).join(str(to))),
  }],
  position: [{ params: ['text', 'text'], ret: 'int4', fn: ([h, n]) => position(str(h), str(n)) }],
  strpos: [{ params: ['text', 'text'], ret: 'int4', fn: ([h, n]) => position(str(h), str(n)) }],
  left: [{
    params: ['text', 'int4'], ret: 'text',
    fn: ([s, n]) => (num(n) >= 0 ? slice(str(s), 0, num(n)) : slice(str(s), 0, Math.max(0, charLength(str(s)) + num(n)))),
  }],
  right: [{
    params: ['text', 'int4'], ret: 'text',
    // text_right negates n in int32: -2147483648 stays negative there, and clips nothing off
    fn: ([s, n]) => (num(n) >= 0 ? slice(str(s), Math.max(0, charLength(str(s)) - num(n))) : num(n) === -2147483648 ? str(s) : slice(str(s), -num(n))),
  }],
  repeat: [{ params: ['text', 'int4'], ret: 'text', fn: ([s, n]) => repeatText(str(s), num(n)) }],
  starts_with: [{ params: ['text', 'text'], ret: 'bool', fn: ([s, p]) => str(s).startsWith(str(p)) }],
  concat: [{ params: ['any'], ret: 'text', variadic: true, nullable: true, fn: (args) => args.filter((a) => a !== null).join('') }],
  concat_ws: [{
    params: ['text', 'any'], ret: 'text', variadic: true, nullable: true,
    fn: ([sep, ...rest]) => (sep === null ? null : rest.filter((a) => a !== null).join(str(sep))),
  }],
  now: [{ params: [], ret: 'timestamptz', fn: now }],
  transaction_timestamp: [{ params: [], ret: 'timestamptz', fn: now }],
  statement_timestamp: [{ params: [], ret: 'timestamptz', fn: (_a, ctx) => ctx.statementNow ?? ctx.now }],
  clock_timestamp: [{ params: [], ret: 'timestamptz', fn: () => new Date(), volatile: true }],
  random: [{ params: [], ret: 'float8', fn: () => Math.random(), volatile: true }],
  gen_random_uuid: [{ params: [], ret: 'uuid', fn: () => crypto.randomUUID(), volatile: true }],
  ...DATETIME_FUNCTIONS,
  ...TO_CHAR_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...REGEXP_FUNCTIONS,
  ...TO_NUMBER_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...SIMILAR_FUNCTIONS,
};

/** Whether `name` is a built-in scalar function of the table above. */
export function isBuiltinFunction(name: string): boolean {
  return Object.hasOwn(FUNCTIONS, name);
}

const NUMERIC_ORDER: SqlType[] = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];
const DATETIME_ORDER: SqlType[] = ['date', 'timestamp', 'timestamptz'];

/** Whether PostgreSQL converts `from` to `to` implicitly when calling a function. */
export function implicit(from: SqlType, to: SqlType): boolean {
  if (from === to || from === 'unknown') return true;
  if (category(from) !== category(to)) return false;
  if (isNumericType(from)) return NUMERIC_ORDER.indexOf(from) <= NUMERIC_ORDER.indexOf(to);
  if (isTextType(from)) return true;
  const d = DATETIME_ORDER.indexOf(from);
  return d >= 0 && d <= DATETIME_ORDER.indexOf(to);
}

function paramTypes(o: Overload, n: number): (SqlType | 'any')[] | undefined {
  if (o.variadic) {
    if (n < o.params.length) return undefined;
    return [...o.params, ...Array<SqlType | 'any'>(n - o.params.length).fill(o.params[o.params.length - 1])];
  }
  return n === o.params.length ? o.params : undefined;
}

/** Pick the overload: most exact type matches, then most unknown-to-text matches, then list order. */
function resolve(overloads: Overload[], args: Expr[]): { o: Overload; params: (SqlType | 'any')[] } | undefined {
  let best: { o: Overload; params: (SqlType | 'any')[]; score: number } | undefined;
  for (const o of overloads) {
    const params = paramTypes(o, args.length);
    if (!params || !params.every((p, i) => p === 'any' || implicit(args[i].type, p))) continue;
    let score = 0;
    params.forEach((p, i) => {
      if (p === args[i].type) score += 2;
      else if (args[i].type === 'unknown' && p !== 'any' && isTextType(p)) score += 1;
    });
    if (!best || score > best.score) best = { o, params, score };
  }
  return best;
}

function noSuchFunction(name: string, args: Expr[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** Arguments for `any` parameters arrive as their output text (concat shows booleans as t/f). */
function anyAsText(a: Expr): Expr {
  if (a.type === 'text' || a.type === 'varchar' || a.type === 'unknown') return a;
  const inner = a.eval, t = a.type;
  return expr('text', (row, ctx) => formatValue(inner(row, ctx), t));
}

export function compileFunction(call: FuncCall, name: string, args: Expr[]): Expr {
  const schema = (call.funcname ?? []).length > 1 && 'String' in call.funcname![0] ? call.funcname![0].String.sval : undefined;
  const aggOnly = call.agg_distinct ? 'DISTINCT' : call.agg_star ? `${name}(*)` : call.agg_order?.length ? 'ORDER BY' : call.agg_filter ? 'FILTER' : '';
  if (aggOnly) throw new SqlError(SQLSTATE.wrong_object_type, `${aggOnly} specified, but ${name} is not an aggregate function`);
  // pg_typeof reports the static type, which only the compiler knows.
  if (name === 'pg_typeof' && args.length === 1) return constant(typeofName(args[0], call.args?.[0]), 'regtype');
  const builtin = schema === undefined || schema === 'pg_catalog';
  if (call.func_variadic) return compileVariadicCall(name, args, builtin ? FUNCTIONS[name] : undefined);
  const arrayFn = builtin ? compileArrayFunction(name, args) ?? compileJsonFunction(name, args) ?? compileJsonPathFunction(name, args) ?? compileRowFunction(name, args) : undefined;
  if (arrayFn) return arrayFn;
  const overloads = builtin ? FUNCTIONS[name] : undefined;
  const found = overloads && resolve(overloads, args);
  const coercion = !found && builtin ? functionStyleCast(name, args) : undefined;
  if (coercion) return coercion;
  if (!found) throw noSuchFunction(schema && schema !== 'pg_catalog' ? `${schema}.${name}` : name, args);
  const { o, params } = found;
  const typed = args.map((a, i) => (params[i] === 'any' ? anyAsText(a) : retype(a, params[i] as SqlType)));
  const evals = typed.map((a) => a.eval);
  const fn = o.fn, nullable = o.nullable;
  const evaluate = (row: readonly Value[], ctx: EvalContext): Value => {
    const vals = new Array<Value>(evals.length);
    // every argument is computed before a strict function's NULL test, as PostgreSQL does: their errors surface
    let sawNull = false;
    for (let i = 0; i < evals.length; i++) {
      const v = evals[i](row, ctx);
      if (v === null) sawNull = true;
      vals[i] = v;
    }
    return sawNull && !nullable ? null : fn(vals, ctx);
  };
  const t = o.ret;
  let compiled = t === 'float4' || t === 'float8'
    ? expr(t, (row, ctx) => {
      const v = evaluate(row, ctx);
      return v === null ? null : checkFloat(v as number, t);
    })
    : expr(t, evaluate);
  // Fold calls over constants once, as PostgreSQL's planner does (its errors surface while planning).
  if (!nullable) compiled = strictOverNull(compiled, typed);
  return !o.volatile && typed.length > 0 && typed.every((a) => a.konst) ? foldConstant(compiled) : compiled;
}
