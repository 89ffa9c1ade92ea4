/**
 * Operator semantics at the value level: type resolution between operands (PostgreSQL's
 * categories and preferred types), arithmetic with overflow/division checks, comparators, LIKE.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import { checkFloat, checkSmallInt, isDateTimeType, isNumericType, isTextType } from './cast.ts';
import { int8Add, int8Compare, int8Div, int8Mod, int8Mul, int8Neg, int8Sub, type Int8 } from './int8.ts';
import { Numeric } from './numeric.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { compareJsonb, compareNumbers, compareStrings, compareValues } from './values.ts';
import { arrayComparator, elementType, isArrayType } from './types/array.ts';
import { bpcharComparator } from './types/bpchar.ts';
import { compareChars } from './types/char.ts';
import { compareIntervals } from './types/interval.ts';
import { enumComparator, isEnumType } from './types/enum.ts';
import { datetimeArithmetic, negateIntervalValue } from './functions/datetime-ops.ts';
import { compareRecords, type RowValue } from './types/record.ts';
import { isRowType } from './composite/type.ts';
import { compareTimestamps } from './types/timestamp.ts';
import { compareTimes } from './types/time.ts';
import { compareTimeTzs } from './types/timetz.ts';
import { addDays } from './datetime.ts';

export type Comparator = (a: Value, b: Value) => number;
export type BinaryFn = (a: Value, b: Value) => Value;

const NUMERIC_RANK: Partial<Record<SqlType, number>> = { int2: 0, int4: 1, int8: 2, numeric: 3, float4: 4, float8: 5 };
const DATETIME_RANK: Partial<Record<SqlType, number>> = { date: 0, timestamp: 1, timestamptz: 2 };

export function category(t: SqlType): string {
  if (isNumericType(t)) return 'N';
  if (isTextType(t)) return 'S';
  if (isDateTimeType(t)) return 'D';
  return t;
}

export function operatorError(op: string, l: SqlType, r: SqlType | undefined): SqlError {
  const sig = r === undefined ? `${op} ${TYPE_NAME[l]}` : `${TYPE_NAME[l]} ${op} ${TYPE_NAME[r]}`;
  return new SqlError(SQLSTATE.undefined_function, `operator does not exist: ${sig}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** The type two known operand types meet at, or undefined when they are in different categories. */
export function unify(a: SqlType, b: SqlType): SqlType | undefined {
  if (a === b) return a;
  // the implicit casts int2/int4 → oid, oid → int8, int2/int4/int8 → regclass and regclass → oid
  if (a === 'oid' || b === 'oid' || a === 'regclass' || b === 'regclass') {
    const [id, other] = a === 'oid' || a === 'regclass' ? [a, b] : [b, a];
    if (other === 'oid' || other === 'regclass') return 'oid';
    if (id === 'regclass') return other === 'int2' || other === 'int4' || other === 'int8' ? 'regclass' : undefined;
    return other === 'int2' || other === 'int4' ? 'oid' : other === 'int8' ? 'int8' : undefined;
  }
  // anyarray operators (=, <, @>, …) want one array type; only literals adapt
  if (isArrayType(a) || isArrayType(b)) return undefined;
  // "char" meets a string type through its implicit cast to text
  if ((a === 'char' && isTextType(b)) || (b === 'char' && isTextType(a))) return 'text';
  const ca = category(a);
  if (ca !== category(b)) return undefined;
  if (ca === 'N') {
    // float4 with anything wider than int8 resolves to float8 (the category's preferred type).
    if ((a === 'float4' && b === 'numeric') || (a === 'numeric' && b === 'float4')) return 'float8';
    return NUMERIC_RANK[a]! >= NUMERIC_RANK[b]! ? a : b;
  }
  if (ca === 'S') return 'text';
  if (ca === 'D') return DATETIME_RANK[a]! >= DATETIME_RANK[b]! ? a : b;
  return undefined;
}

/**
 * select_common_type within the string category: text (the preferred type) stays; otherwise the
 * earlier type stays unless it converts implicitly to the next and not back — only name is such a
 * target (varchar/bpchar → name are implicit casts, name → varchar/bpchar are not). So
 * `varchar UNION text` is varchar and `text UNION varchar` is text, as in PostgreSQL.
 */
function stringCommonType(earlier: SqlType, next: SqlType): SqlType {
  if (earlier === 'text') return earlier;
  return next === 'name' ? next : earlier;
}

/** select_common_type: CASE/COALESCE/GREATEST/IN branches. Unknown-only lists resolve to text. */
export function commonType(types: readonly SqlType[], context: string): SqlType {
  let common: SqlType | undefined;
  for (const t of types) {
    if (t === 'unknown') continue;
    if (common === undefined) { common = t; continue; }
    if (common !== t && category(common) === 'S' && category(t) === 'S') {
      common = stringCommonType(common, t);
      continue;
    }
    // numeric converts implicitly to real and not back, so real wins here (operators meet at float8)
    if ((common === 'float4' && t === 'numeric') || (common === 'numeric' && t === 'float4')) {
      common = 'float4';
      continue;
    }
    const u = unify(common, t);
    if (!u) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `${context} types ${TYPE_NAME[common]} and ${TYPE_NAME[t]} cannot be matched`);
    }
    common = u;
  }
  return common ?? 'text';
}

/** A three-way comparator specialised for one SqlType. */
export function comparatorFor(t: SqlType): Comparator {
  switch (t) {
    case 'int2': case 'int4':
      return (a, b) => (a as number) - (b as number);
    case 'int8':
      return int8Compare as Comparator;
    case 'numeric':
      return Numeric.compare as Comparator;
    case 'float4': case 'float8':
      return (a, b) => compareNumbers(a as number, b as number);
    case 'text': case 'varchar': case 'name':
      return (a, b) => compareStrings(a as string, b as string);
    case 'bpchar':
      return bpcharComparator(compareStrings);
    case 'char':
      return compareChars;
    case 'bool':
      return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'date': case 'timestamp': case 'timestamptz':
      return compareTimestamps as (a: Value, b: Value) => number;
    case 'time':
      return compareTimes as (a: Value, b: Value) => number;
    case 'timetz':
      return compareTimeTzs as (a: Value, b: Value) => number;
    case 'interval':
      return compareIntervals as (a: Value, b: Value) => number;
    case 'jsonb':
      return compareJsonb;
    default:
      if (isEnumType(t)) return enumComparator(t);
      if (isRowType(t)) return (a, b) => compareRecords(a as RowValue, b as RowValue, comparatorFor);
      return isArrayType(t) ? arrayComparator(comparatorFor(elementType(t))) : compareValues;
  }
}

/** Whether `=` can be JS `===` for this type (NaN aside, which float columns handle via comparatorFor). */
export function strictEqualityWorks(t: SqlType): boolean {
  return t === 'int2' || t === 'int4' || t === 'int8' || t === 'text' || t === 'varchar' || t === 'name' || t === 'bool';
}

/** Turn a three-way result into the boolean for a comparison operator. */
export function relation(op: string): ((c: number) => boolean) | undefined {
  switch (op) {
    case '=': return (c) => c === 0;
    case '<>': return (c) => c !== 0;
    case '<': return (c) => c < 0;
    case '<=': return (c) => c <= 0;
    case '>': return (c) => c > 0;
    case '>=': return (c) => c >= 0;
  }
  return undefined;
}

export const COMPARISON_OPS = new Set(['=', '<>', '<', '<=', '>', '>=']);
export const ARITHMETIC_OPS = new Set(['+', '-', '*', '/', '%']);

const divisionByZero = (): SqlError => new SqlError(SQLSTATE.division_by_zero, 'division by zero');

function smallIntArith(op: string, t: 'int2' | 'int4'): BinaryFn {
  // products of two int4 may round as doubles, but only beyond the range, where they fail anyway
  switch (op) {
    case '+': return (a, b) => checkSmallInt((a as number) + (b as number), t);
    case '-': return (a, b) => checkSmallInt((a as number) - (b as number), t);
    case '*': return (a, b) => checkSmallInt((a as number) * (b as number), t);
    case '/': return (a, b) => {
      if (b === 0) throw divisionByZero();
      return checkSmallInt(Math.trunc((a as number) / (b as number)), t);
    };
    default: return (a, b) => {
      if (b === 0) throw divisionByZero();
      return (a as number) % (b as number) || 0;
    };
  }
}

function int8Arith(op: string): BinaryFn {
  switch (op) {
    case '+': return int8Add as BinaryFn;
    case '-': return int8Sub as BinaryFn;
    case '*': return int8Mul as BinaryFn;
    case '/': return (a, b) => {
      if (b === 0) throw divisionByZero();
      return int8Div(a as Int8, b as Int8);
    };
    default: return (a, b) => {
      if (b === 0) throw divisionByZero();
      return int8Mod(a as Int8, b as Int8);
    };
  }
}

function numericArith(op: string): BinaryFn {
  switch (op) {
    case '+': return (a, b) => (a as Numeric).add(b as Numeric);
    case '-': return (a, b) => (a as Numeric).sub(b as Numeric);
    case '*': return (a, b) => (a as Numeric).mul(b as Numeric);
    case '/': return (a, b) => (a as Numeric).div(b as Numeric);
    default: return (a, b) => (a as Numeric).mod(b as Numeric);
  }
}

function floatArith(op: string, t: 'float4' | 'float8'): BinaryFn {
  const finite = (a: Value, b: Value): boolean => Number.isFinite(a) && Number.isFinite(b);
  switch (op) {
    case '+': return (a, b) => checkFloat((a as number) + (b as number), t, finite(a, b));
    case '-': return (a, b) => checkFloat((a as number) - (b as number), t, finite(a, b));
    case '*': return (a, b) => checkFloat((a as number) * (b as number), t, finite(a, b));
    default: return (a, b) => {
      // float8div: NaN / 0 is NaN, any other / 0 an error
      if (b === 0 && !Number.isNaN(a)) throw divisionByZero();
      return checkFloat((a as number) / (b as number), t, finite(a, b));
    };
  }
}

const DAY_MS = 86_400_000;

/**
 * Resolve `l op r` for arithmetic on known types: the result type and the function (both operands
 * non-null and already converted to `operand` type). Throws 42883 like PostgreSQL when undefined.
 */
export function arithmetic(op: string, l: SqlType, r: SqlType): { type: SqlType; operand: [SqlType, SqlType]; fn: BinaryFn } {
  const dt = datetimeArithmetic(op, l, r);
  if (dt) return dt;
  if (isNumericType(l) && isNumericType(r)) {
    let t = unify(l, r)!;
    // real combined with any other type computes in double precision.
    if (t === 'float4' && l !== r) t = 'float8';
    if (op === '%' && (t === 'float4' || t === 'float8')) throw operatorError(op, l, r);
    const fn = t === 'numeric' ? numericArith(op) : t === 'float4' || t === 'float8' ? floatArith(op, t)
      : t === 'int8' ? int8Arith(op) : smallIntArith(op, t as 'int2' | 'int4');
    return { type: t, operand: [t, t], fn };
  }
  const isInt = (t: SqlType): boolean => t === 'int2' || t === 'int4';
  if (l === 'date' && isInt(r) && (op === '+' || op === '-')) {
    const sign = op === '+' ? 1 : -1;
    return { type: 'date', operand: ['date', r], fn: (a, b) => addDays(a as Date, sign * (b as number)) };
  }
  if (isInt(l) && r === 'date' && op === '+') {
    return { type: 'date', operand: [l, 'date'], fn: (a, b) => addDays(b as Date, a as number) };
  }
  if (l === 'date' && r === 'date' && op === '-') {
    return { type: 'int4', operand: ['date', 'date'], fn: (a, b) => Math.round(((a as Date).getTime() - (b as Date).getTime()) / DAY_MS) };
  }
  throw operatorError(op, l, r);
}

/** Unary minus on a number of type t, with integer overflow (negating the minimum). */
export function negate(t: SqlType): (v: Value) => Value {
  if (t === 'int2' || t === 'int4') return (v) => checkSmallInt(-(v as number), t);
  if (t === 'int8') return (v) => int8Neg(v as Int8);
  if (t === 'numeric') return (v) => (v as Numeric).neg();
  if (isNumericType(t)) return (v) => -(v as number);
  if (t === 'interval') return negateIntervalValue;
  throw operatorError('-', t, undefined);
}

/**
 * Compile a LIKE pattern to a RegExp. `_` is one character, `%` any run; `escape` (default
 * backslash, '' for none) makes the next character literal.
 */
export function likeRegExp(pattern: string, escape: string | null, insensitive: boolean): RegExp {
  const esc = escape ?? '\\';
  if (Array.from(esc).length > 1) {
    throw new SqlError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  let src = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (esc !== '' && c === esc) {
      if (i + 1 >= chars.length) throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      src += chars[++i].replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    } else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, insensitive ? 'isu' : 'su');
}
