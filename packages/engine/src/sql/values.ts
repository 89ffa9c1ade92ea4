/**
 * Value ordering and text output: the total order behind ORDER BY, DISTINCT and B-tree keys, and
 * PostgreSQL's text rendering of every value kind (wire output and casts to text).
 */
import { formatDateTime } from './datetime.ts';
import { Numeric } from './numeric.ts';
import type { SqlType, Value } from './types.ts';
import { jsonText } from './json-text.ts';
import { elementType, formatArray, isArrayType, mapElements } from './types/array.ts';
import { compareIntervals, Interval } from './types/interval.ts';
import { isEnumType } from './types/enum.ts';
import { JsonNull } from './types/jsonb.ts';
import { recordText, RowValue } from './types/record.ts';
import { isCompositeType } from './composite/type.ts';
import { compareTimestamps, timestampKey } from './types/timestamp.ts';
import { compareTimes, Time } from './types/time.ts';
import { compareTimeTzs, TimeTz } from './types/timetz.ts';
import { RegClass } from './types/regclass-value.ts';

/** Code point order of two strings (the C collation), which UTF-16 `<` gets wrong above U+FFFF. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) encode code points above every BMP character.
    if (x >= 0xd800 && y >= 0xd800) {
      const sx = x <= 0xdfff, sy = y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Numbers with PostgreSQL's float rule: NaN equals NaN and sorts above everything. */
export function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a), bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** jsonb orders object keys by length, then bytes. */
export function compareJsonbKeys(a: string, b: string): number {
  return a.length - b.length || compareStrings(a, b);
}

// Cross-kind rank. Among JSON kinds it follows jsonb: string < number < boolean < array < object.
function rank(v: Value): number {
  switch (typeof v) {
    case 'string': return 1;
    case 'number': case 'bigint': return 2;
    case 'boolean': return 3;
    case 'object':
      if (v === null) return 8;
      if (v instanceof Numeric) return 2;
      if (v instanceof Date) return 4;
      if (v instanceof Uint8Array) return 5;
      if (v instanceof Interval) return 10;
      if (v instanceof Time) return 11;
      if (v instanceof TimeTz) return 12;
      if (v instanceof RegClass) return 13;
      // jsonb orders null below strings
      if (v === null || v instanceof JsonNull) return 0;
      return Array.isArray(v) ? 6 : 7;
    default: return 9;
  }
}

/**
 * Total order over all values. Values of one SQL type compare as PostgreSQL compares them; values
 * of different kinds order by kind so the order stays total. NULL sorts last (callers usually
 * handle NULL themselves, see compareForSort).
 */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 2: return compareNumberKinds(a, b);
    case 3: return (a === b ? 0 : a ? 1 : -1);
    case 4: return compareTimestamps(a as Date, b as Date);
    case 5: return compareBytes(a as Uint8Array, b as Uint8Array);
    case 6: {
      const x = a as Value[], y = b as Value[];
      if (x.length !== y.length) return x.length - y.length;
      for (let i = 0; i < x.length; i++) {
        const c = compareValues(x[i], y[i]);
        if (c) return c;
      }
      return 0;
    }
    case 7: {
      const x = a as Record<string, Value>, y = b as Record<string, Value>;
      const kx = Object.keys(x).sort(compareJsonbKeys), ky = Object.keys(y).sort(compareJsonbKeys);
      if (kx.length !== ky.length) return kx.length - ky.length;
      for (let i = 0; i < kx.length; i++) {
        const c = compareJsonbKeys(kx[i], ky[i]);
        if (c) return c;
      }
      for (const k of kx) {
        const c = compareValues(x[k], y[k]);
        if (c) return c;
      }
      return 0;
    }
    case 10: return compareIntervals(a as Interval, b as Interval);
    case 11: return compareTimes(a as Time, b as Time);
    case 12: return compareTimeTzs(a as TimeTz, b as TimeTz);
    case 13: return (a as RegClass).oid - (b as RegClass).oid;
    default: return 0;
  }
}

/**
 * jsonb's order, PostgreSQL's compareJsonbContainers: null < string < number < boolean < array <
 * object; arrays by element count, then element by element; objects by pair count, then key and
 * value in turn in stored key order (length, then bytes). A top-level scalar is a one-element "raw
 * scalar" array there: above an empty array, below any other top-level array.
 */
export function compareJsonb(a: Value, b: Value): number {
  const sa = !isJsonContainer(a), sb = !isJsonContainer(b);
  if (sa && sb) return compareJsonbNested(a, b);
  if (sa && Array.isArray(b)) return b.length === 0 ? 1 : -1;
  if (sb && Array.isArray(a)) return a.length === 0 ? -1 : 1;
  return compareJsonbNested(a, b);
}

const isJsonContainer = (v: Value): boolean =>
  typeof v === 'object' && v !== null && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);

function jsonbRank(v: Value): number {
  if (v === null || v instanceof JsonNull) return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return isJsonContainer(v) ? 5 : 2;
}

function compareJsonbNested(a: Value, b: Value): number {
  const ra = jsonbRank(a), rb = jsonbRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === 4) {
    const x = a as Value[], y = b as Value[];
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    for (let i = 0; i < x.length; i++) {
      const c = compareJsonbNested(x[i], y[i]);
      if (c) return c;
    }
    return 0;
  }
  if (ra === 5) {
    const x = a as Record<string, Value>, y = b as Record<string, Value>;
    const kx = Object.keys(x).sort(compareJsonbKeys), ky = Object.keys(y).sort(compareJsonbKeys);
    if (kx.length !== ky.length) return kx.length < ky.length ? -1 : 1;
    for (let i = 0; i < kx.length; i++) {
      const c = compareStrings(kx[i], ky[i]) || compareJsonbNested(x[kx[i]], y[ky[i]]);
      if (c) return c;
    }
    return 0;
  }
  return ra === 0 ? 0 : compareValues(a, b);
}

/**
 * ORDER BY comparison including NULLs. PostgreSQL's default is NULLS LAST for ascending and
 * NULLS FIRST for descending order.
 */
export function compareForSort(a: Value, b: Value, desc = false, nullsFirst = desc, compare: (a: Value, b: Value) => number = compareValues): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compare(a, b);
  return desc ? -c : c;
}

/**
 * Numbers of any representation (double, int8 bigint, Numeric): exact between integers and
 * numerics; a numeric against a fractional double compares as double, as PostgreSQL does.
 */
export function compareNumberKinds(a: Value, b: Value): number {
  if (a instanceof Numeric || b instanceof Numeric) {
    const x = asNumeric(a), y = asNumeric(b);
    if (x && y) return Numeric.compare(x, y);
    return compareNumbers(a instanceof Numeric ? a.toFloat() : (a as number), b instanceof Numeric ? b.toFloat() : (b as number));
  }
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

function asNumeric(v: Value): Numeric | undefined {
  if (v instanceof Numeric) return v;
  if (typeof v === 'bigint' || Number.isSafeInteger(v)) return Numeric.fromInt(v as number | bigint);
  return undefined;
}

/** A key equal for exactly the values compareValues calls equal (JSON-safe): for DISTINCT sets and hashing. */
export function distinctKey(v: Value): Value {
  if (v === null || typeof v === 'boolean') return v;
  // JSON writes NaN and ±Infinity as null: as text they stay apart from NULL and from each other
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'f' + v;
  if (typeof v === 'string') return 's' + v;
  if (typeof v === 'bigint') return 'i' + v;
  if (v instanceof Numeric) {
    // a numeric equal to a double keys as that double, so jsonb's 1.0 and 1 group together
    const f = v.toFloat();
    const shortest = Number.isFinite(f) ? Numeric.parse(String(f)) : undefined;
    return shortest && Numeric.compare(shortest, v) === 0 ? f : 'n' + v.normalized();
  }
  if (v instanceof Date) return timestampKey(v);
  if (v instanceof Uint8Array) return 'b' + Array.from(v).join(',');
  // '1 mon' and '30 days' are equal intervals, as PostgreSQL compares and hashes them
  if (v instanceof Interval) return 'v' + v.span();
  if (v instanceof JsonNull) return 'N';
  if (v instanceof Time) return 'h' + v.us;
  if (v instanceof TimeTz) return `z${v.us},${v.zone}`;
  if (v instanceof RowValue) return 'r' + JSON.stringify(v.values.map(distinctKey));
  // SQL arrays hold Dates and numerics that jsonb text cannot tell apart; jsonb arrays key the same way
  if (Array.isArray(v)) return 'a' + JSON.stringify(v.map(distinctKey));
  // a jsonb object keys by its members' keys, so {"a":1.0} and {"a":1} group together as they compare equal
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, Value>;
    return 'o' + JSON.stringify(Object.keys(o).sort(compareJsonbKeys).flatMap((k) => [k, distinctKey(o[k])]));
  }
  return 'j' + jsonbText(v);
}

/** Shortest round-trip digits and decimal exponent: 1234.5 → { digits: '12345', exp: 3 }. */
function decompose(x: number, float4: boolean): { neg: boolean; digits: string; exp: number } {
  let s = Math.abs(x).toExponential();
  if (float4) {
    for (let p = 0; p < 9; p++) {
      const t = Math.abs(x).toExponential(p);
      if (Math.fround(Number(t)) === Math.fround(Math.abs(x))) { s = t; break; }
    }
  }
  const [mant, e] = s.split('e');
  return { neg: x < 0, digits: mant.replace('.', ''), exp: Number(e) };
}

/** float4/float8 output: shortest exact digits, exponent form outside [1e-4, 1e15) (1e6 for float4). */
export function formatFloat(x: number, type: 'float4' | 'float8' = 'float8'): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const { neg, digits, exp } = decompose(x, type === 'float4');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= (type === 'float4' ? 6 : 15)) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return sign + placePoint(digits, exp);
}

function placePoint(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

/** A jsonb number's text: plain decimal notation of its shortest digits. */
function jsonNumberText(x: number): string {
  if (x === 0) return '0';
  const { neg, digits, exp } = decompose(x, false);
  return (neg ? '-' : '') + placePoint(digits, exp);
}

/** jsonb's canonical text: `{"a": 1, "b": [1, 2]}` with keys ordered by length, then bytes. */
export function jsonbText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return jsonNumberText(v);
    case 'bigint': return String(v);
    case 'boolean': return v ? 'true' : 'false';
  }
  if (v instanceof Numeric) return v.toString();
  if (v instanceof JsonNull) return 'null';
  if (Array.isArray(v)) return '[' + v.map(jsonbText).join(', ') + ']';
  const o = v as Record<string, Value>;
  const keys = Object.keys(o).sort(compareJsonbKeys);
  return '{' + keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(o[k])}`).join(', ') + '}';
}

function byteaText(b: Uint8Array): string {
  let s = '\\x';
  for (const byte of b) s += (byte < 16 ? '0' : '') + byte.toString(16);
  return s;
}

/** The SQL type a bare JS value most naturally has, for values whose static type is unknown. */
export function typeOfValue(v: Value): Exclude<SqlType, 'unknown'> {
  switch (typeof v) {
    case 'number':
      if (!Number.isSafeInteger(v)) return 'float8';
      return v <= 2147483647 && v >= -2147483648 ? 'int4' : 'int8';
    case 'string': return 'text';
    case 'boolean': return 'bool';
    case 'bigint': return 'int8';
  }
  if (v instanceof Numeric) return 'numeric';
  if (v instanceof Date) return 'timestamptz';
  if (v instanceof Uint8Array) return 'bytea';
  if (v instanceof Interval) return 'interval';
  if (v instanceof Time) return 'time';
  if (v instanceof TimeTz) return 'timetz';
  if (v instanceof RowValue) return 'record';
  return 'jsonb';
}

/** PostgreSQL's output function (what a client receives): booleans as t/f. */
export function formatValue(v: Value, type: SqlType): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'bool' && typeof v === 'boolean') return v ? 't' : 'f';
  if (isArrayType(type) && Array.isArray(v)) {
    const t = elementType(type);
    return formatArray(v, (e) => formatValue(e, t)!);
  }
  return toText(v, type);
}

/**
 * A result value as the client gets it, as PGlite returns it: numeric as its text (exact, with
 * its scale), int8 as a number when safe and a bigint beyond (already its stored form).
 */
export function outputValue(v: Value): Value {
  if (Array.isArray(v)) return mapElements(v, outputValue);
  // a row reaches the client as its text, as PGlite returns a record
  if (v instanceof RowValue) return recordText(v, formatValue);
  // interval and time reach the client as their text, as PGlite returns them
  return v instanceof Numeric || v instanceof Interval || v instanceof Time || v instanceof TimeTz || v instanceof RegClass ? v.toString() : v;
}

/** The value of `v::text`: like formatValue but booleans read true/false. */
export function toText(v: Value, type: SqlType): string {
  if (type === 'unknown') type = typeOfValue(v);
  if (isArrayType(type)) return formatValue(v, type)!;
  if (isEnumType(type)) return String(v);
  // a client's copy of a composite value is already its text (outputValue)
  if (isCompositeType(type)) return typeof v === 'string' ? v : recordText(v as RowValue, formatValue);
  switch (type) {
    case 'text': case 'varchar': case 'name': case 'bpchar': case 'char': return String(v);
    case 'bool': return v ? 'true' : 'false';
    case 'int2': case 'int4': case 'int8': case 'numeric': return String(v);
    case 'float4': case 'float8': return formatFloat(Number(v), type);
    case 'date': case 'timestamp': case 'timestamptz':
      return v instanceof Date ? formatDateTime(v, type) : String(v);
    case 'json': return jsonText(v);
    case 'jsonb': return jsonbText(v);
    case 'bytea': return v instanceof Uint8Array ? byteaText(v) : String(v);
    case 'uuid': case 'interval': case 'time': case 'timetz': case 'jsonpath': case 'regtype': case 'oid': case 'regclass': return String(v);
    case 'record': return recordText(v as RowValue, formatValue);
  }
}
