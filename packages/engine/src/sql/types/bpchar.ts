/**
 * `character(n)` / `char(n)` / `bpchar` (PostgreSQL's blank-padded char): values are stored and
 * replicated padded with spaces to n; comparison, equality and hashing ignore trailing spaces, and
 * a cast to text or varchar strips them. `bpchar` without a length neither pads nor limits.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { SqlType, Value } from '../types.ts';
import { distinctKey } from '../values.ts';

// PostgreSQL's MaxAttrSize in characters
const MAX_LENGTH = 10485760;

/** typmod of char(n): n + 4, with PostgreSQL's range errors. */
export function bpcharTypmod(n: number): number {
  if (n < 1) throw new SqlError(SQLSTATE.invalid_parameter_value, 'length for type char must be at least 1');
  if (n > MAX_LENGTH) throw new SqlError(SQLSTATE.invalid_parameter_value, `length for type char cannot exceed ${MAX_LENGTH}`);
  return n + 4;
}

/** The value without its trailing spaces: what comparisons, hashing and casts to text see. */
export function stripBpchar(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** bpchar's ordering: the strings without trailing spaces, compared as text is. */
export function bpcharComparator(compare: (a: string, b: string) => number): (a: Value, b: Value) => number {
  return (a, b) => compare(stripBpchar(a as string), stripBpchar(b as string));
}

/**
 * Fit a string to char(n): pad with spaces; longer input fails 22001 unless only spaces are cut,
 * except in an explicit cast, which truncates silently (bpchar's typmod coercion).
 */
export function bpcharLimit(typmod: number, explicit: boolean): (v: Value) => Value {
  const n = typmod - 4;
  return (v) => {
    const s = v as string;
    const chars = s.length <= n ? undefined : Array.from(s);
    if (chars === undefined || chars.length <= n) {
      const len = chars ? chars.length : Array.from(s).length;
      return len === n ? s : s + ' '.repeat(n - len);
    }
    if (!explicit && chars.slice(n).some((c) => c !== ' ')) {
      throw new SqlError(SQLSTATE.string_data_right_truncation, `value too long for type character(${n})`);
    }
    return chars.slice(0, n).join('');
  };
}

/** distinctKey for a value of `type`: bpchar keys without its trailing spaces, so 'a' and 'a ' group together. */
export function keyFor(type: SqlType): (v: Value) => Value {
  return type === 'bpchar' ? (v) => distinctKey(typeof v === 'string' ? stripBpchar(v) : v) : distinctKey;
}

/** The DISTINCT / set-operation key of a row whose columns have `types`. */
export function rowKeyFor(types: readonly SqlType[]): (row: readonly Value[]) => string {
  const keys = types.map(keyFor);
  return (row) => JSON.stringify(keys.map((k, i) => k(row[i])));
}
