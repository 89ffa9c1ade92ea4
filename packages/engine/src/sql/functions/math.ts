/**
 * Mathematical functions beyond abs/round/trunc: sqrt, exp, ln, log, gcd, lcm, factorial,
 * width_bucket, min_scale and to_hex, with PostgreSQL's overloads (float8 listed first, so an
 * integer argument resolves to it as PostgreSQL's preferred type does), result scales and errors.
 * float8 exp/ln/log/cbrt are refused: libm's last digit differs between platforms, and a
 * different digit is a wrong answer; float8 power gives only provably exact results (float-power.ts).
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { Overload } from '../functions.ts';
import type { Int8 } from '../int8.ts';
import { Numeric } from '../numeric.ts';
import type { Value } from '../types.ts';
import { floatPower } from './float-power.ts';
import { numericSqrt } from './numeric-math.ts';
import { numericPower } from './numeric-power.ts';
import { numericExp, numericLn, numericLog } from './numeric-transcendental.ts';

const num = (v: Value): number => v as number;
const dec = (v: Value): Numeric => v as Numeric;

const INT8_MAX = 2n ** 63n - 1n;

const outOfRange = (what: string): SqlError => new SqlError(SQLSTATE.numeric_value_out_of_range, `${what} out of range`);

function bigGcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** int4gcd/int8gcd: the result must fit, so gcd(min, 0) and gcd(min, min) are out of range. */
function intGcd(bits: 32 | 64): (a: Value, b: Value) => Value {
  const max = bits === 32 ? 2n ** 31n - 1n : INT8_MAX;
  return (a, b) => {
    const g = bigGcd(BigInt(a as number | bigint), BigInt(b as number | bigint));
    if (g > max) throw outOfRange(bits === 32 ? 'integer' : 'bigint');
    return bits === 32 ? Number(g) : normalInt8(g);
  };
}

/** int4lcm/int8lcm: |a / gcd · b|, zero when either is zero, 22003 when it does not fit. */
function intLcm(bits: 32 | 64): (a: Value, b: Value) => Value {
  const max = bits === 32 ? 2n ** 31n - 1n : INT8_MAX;
  return (a, b) => {
    const x = BigInt(a as number | bigint), y = BigInt(b as number | bigint);
    if (x === 0n || y === 0n) return 0;
    const g = bigGcd(x, y);
    if (g > max) throw outOfRange(bits === 32 ? 'integer' : 'bigint');
    let l = (x / g) * y;
    if (l < 0n) l = -l;
    if (l > max) throw outOfRange(bits === 32 ? 'integer' : 'bigint');
    return bits === 32 ? Number(l) : normalInt8(l);
  };
}

/** int8 in its canonical form: a number when safe, a bigint beyond. */
const normalInt8 = (v: bigint): Int8 => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** numeric gcd/lcm: at the larger display scale; NaN or an infinity gives NaN. */
function numericGcdLcm(lcm: boolean): (a: Value, b: Value) => Value {
  return (a, b) => {
    const x = dec(a), y = dec(b);
    if (!x.isFinite || !y.isFinite) return Numeric.NaN;
    const s = Math.max(x.scale, y.scale);
    const cx = x.coef * 10n ** BigInt(s - x.scale), cy = y.coef * 10n ** BigInt(s - y.scale);
    const g = bigGcd(cx, cy);
    if (!lcm) return Numeric.of(g, s);
    if (cx === 0n || cy === 0n) return Numeric.of(0n, s);
    const l = (cx / g) * cy;
    return Numeric.of(l < 0n ? -l : l, s);
  };
}

function toHex(v: Value, bits: 32 | 64): string {
  const n = BigInt(v as number | bigint);
  return (n < 0n ? n + (1n << BigInt(bits)) : n).toString(16);
}

/** numeric_fac: 1 up to 1, 22003 below 0 and past what numeric holds. */
function factorial(v: Value): Value {
  const n = BigInt(v as number | bigint);
  if (n < 0n) throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'factorial of a negative number is undefined');
  if (n > 32177n) throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return Numeric.of(r, 0);
}

const bucketError = (message: string): SqlError => new SqlError('2201G', message);

/** width_bucket_float8. */
function widthBucketFloat([op, b1, b2, count]: Value[]): Value {
  const x = num(op), lo = num(b1), hi = num(b2), n = num(count);
  if (n <= 0) throw bucketError('count must be greater than zero');
  if (Number.isNaN(x) || Number.isNaN(lo) || Number.isNaN(hi)) throw bucketError('operand, lower bound, and upper bound cannot be NaN');
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw bucketError('lower and upper bounds must be finite');
  if (lo === hi) throw bucketError('lower bound cannot equal upper bound');
  const up = lo < hi;
  if (up ? x < lo : x > lo) return 0;
  if (up ? x >= hi : x <= hi) {
    if (n === 2147483647) throw outOfRange('integer');
    return n + 1;
  }
  return Math.trunc((n * (up ? x - lo : lo - x)) / (up ? hi - lo : lo - hi)) + 1;
}

/** width_bucket_numeric: exact, the bucket is the truncated quotient plus one. */
function widthBucketNumeric([op, b1, b2, count]: Value[]): Value {
  const x = dec(op), lo = dec(b1), hi = dec(b2), n = num(count);
  if (n <= 0) throw bucketError('count must be greater than zero');
  if (x.isNaN || lo.isNaN || hi.isNaN) throw bucketError('operand, lower bound, and upper bound cannot be NaN');
  if (!lo.isFinite || !hi.isFinite) throw bucketError('lower and upper bounds must be finite');
  const c = Numeric.compare(lo, hi);
  if (c === 0) throw bucketError('lower bound cannot equal upper bound');
  const up = c < 0;
  if (up ? Numeric.compare(x, lo) < 0 : Numeric.compare(x, lo) > 0) return 0;
  if (up ? Numeric.compare(x, hi) >= 0 : Numeric.compare(x, hi) <= 0) {
    if (n === 2147483647) throw outOfRange('integer');
    return n + 1;
  }
  const span = up ? x.sub(lo) : lo.sub(x), width = up ? hi.sub(lo) : lo.sub(hi);
  return Number(span.mul(Numeric.fromInt(n)).divTrunc(width).toBigInt()!) + 1;
}

function floatSqrt(x: Value): Value {
  if (num(x) < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  return Math.sqrt(num(x));
}

const libm = (name: string) => (): Value => {
  throw featureNotSupported(`${name}(double precision) (its last digit depends on the C library)`);
};

export const MATH_FUNCTIONS: Record<string, Overload[]> = {
  sqrt: [
    { params: ['float8'], ret: 'float8', fn: ([x]) => floatSqrt(x) },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => numericSqrt(dec(x)) },
  ],
  exp: [
    { params: ['float8'], ret: 'float8', fn: libm('exp') },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => numericExp(dec(x)) },
  ],
  ln: [
    { params: ['float8'], ret: 'float8', fn: libm('ln') },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => numericLn(dec(x)) },
  ],
  log: [
    { params: ['float8'], ret: 'float8', fn: libm('log') },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => numericLog(Numeric.fromInt(10), dec(x)) },
    { params: ['numeric', 'numeric'], ret: 'numeric', fn: ([b, x]) => numericLog(dec(b), dec(x)) },
  ],
  log10: [
    { params: ['float8'], ret: 'float8', fn: libm('log10') },
    { params: ['numeric'], ret: 'numeric', fn: ([x]) => numericLog(Numeric.fromInt(10), dec(x)) },
  ],
  cbrt: [{ params: ['float8'], ret: 'float8', fn: libm('cbrt') }],
  power: [
    { params: ['float8', 'float8'], ret: 'float8', fn: ([x, y]) => floatPower(num(x), num(y)) },
    { params: ['numeric', 'numeric'], ret: 'numeric', fn: ([b, e]) => numericPower(dec(b), dec(e)) },
  ],
  pow: [
    { params: ['float8', 'float8'], ret: 'float8', fn: ([x, y]) => floatPower(num(x), num(y)) },
    { params: ['numeric', 'numeric'], ret: 'numeric', fn: ([b, e]) => numericPower(dec(b), dec(e)) },
  ],
  gcd: [
    { params: ['int4', 'int4'], ret: 'int4', fn: ([a, b]) => intGcd(32)(a, b) },
    { params: ['int8', 'int8'], ret: 'int8', fn: ([a, b]) => intGcd(64)(a, b) },
    { params: ['numeric', 'numeric'], ret: 'numeric', fn: ([a, b]) => numericGcdLcm(false)(a, b) },
  ],
  lcm: [
    { params: ['int4', 'int4'], ret: 'int4', fn: ([a, b]) => intLcm(32)(a, b) },
    { params: ['int8', 'int8'], ret: 'int8', fn: ([a, b]) => intLcm(64)(a, b) },
    { params: ['numeric', 'numeric'], ret: 'numeric', fn: ([a, b]) => numericGcdLcm(true)(a, b) },
  ],
  factorial: [{ params: ['int8'], ret: 'numeric', fn: ([n]) => factorial(n) }],
  to_hex: [
    { params: ['int4'], ret: 'text', fn: ([v]) => toHex(v, 32) },
    { params: ['int8'], ret: 'text', fn: ([v]) => toHex(v, 64) },
  ],
  width_bucket: [
    { params: ['float8', 'float8', 'float8', 'int4'], ret: 'int4', fn: widthBucketFloat },
    { params: ['numeric', 'numeric', 'numeric', 'int4'], ret: 'int4', fn: widthBucketNumeric },
  ],
  min_scale: [{ params: ['numeric'], ret: 'int4', fn: ([x]) => (dec(x).isFinite ? dec(x).trimScale().scale : null) }],
};
