/**
 * int8 (bigint) values: exact 64-bit integers in one canonical form — a JS number when it is a
 * safe integer (|x| ≤ 2^53 - 1), a JS bigint beyond — which is also how PGlite returns int8. One
 * form per value keeps `===`, Map keys and B-tree keys correct, and leaves the common case on
 * plain numbers; arithmetic falls back to BigInt only when a result leaves the safe range.
 */
import { SqlError, SQLSTATE } from '../errors.ts';

export type Int8 = number | bigint;

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const bigintOutOfRange = (): SqlError => new SqlError(SQLSTATE.numeric_value_out_of_range, 'bigint out of range');

export function inInt8Range(x: bigint): boolean {
  return x >= MIN && x <= MAX;
}

/** The canonical form of an integer already known to be in range. */
export function canonical(x: bigint): Int8 {
  return x >= -SAFE && x <= SAFE ? Number(x) : x;
}

/** Range-check (22003 bigint out of range) and canonicalise. */
export function toInt8(x: bigint): Int8 {
  if (!inInt8Range(x)) throw bigintOutOfRange();
  return canonical(x);
}

export function int8Add(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    // rounding is monotone, so a safe rounded result means the exact one was representable
    if (Number.isSafeInteger(r)) return r;
  }
  return toInt8(BigInt(a) + BigInt(b));
}

export function int8Sub(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return toInt8(BigInt(a) - BigInt(b));
}

export function int8Mul(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r || 0;
  }
  return toInt8(BigInt(a) * BigInt(b));
}

/** Truncating division; the caller has checked for a zero divisor. */
export function int8Div(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    // a - a % b is an exact multiple of b, so the quotient is exact
    return (a - (a % b)) / b || 0;
  }
  return toInt8(BigInt(a) / BigInt(b));
}

export function int8Mod(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') return a % b || 0;
  return canonical(BigInt(a) % BigInt(b));
}

export function int8Neg(a: Int8): Int8 {
  return typeof a === 'number' ? -a || 0 : toInt8(-a);
}

export function int8Compare(a: Int8, b: Int8): number {
  // < and > compare a number with a bigint exactly
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Exact sum of integers with no range limit (sum(int8) and avg's accumulator). */
export function addExact(acc: number | bigint, x: number | bigint): number | bigint {
  if (typeof acc === 'number' && typeof x === 'number') {
    const r = acc + x;
    if (Number.isSafeInteger(r)) return r;
  }
  return BigInt(acc) + BigInt(x);
}
