/**
 * power(float8, float8) and `float8 ^ float8` (PostgreSQL's dpow): its explicit NaN, infinity and
 * domain-error rules, then C pow() — whose result walrtc gives only where it is provably the
 * same: when the exact power is itself a normal double. glibc's pow errs by less than one ulp, so
 * it returns an exactly representable result exactly; every other result is refused (0A000)
 * rather than risk a different last digit. Results far outside the double range are PostgreSQL's
 * overflow/underflow errors.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';

const overflow = () => new SqlError(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
const underflow = () => new SqlError(SQLSTATE.numeric_value_out_of_range, 'value out of range: underflow');
const inexact = () => featureNotSupported('a power of double precision values whose result is not exactly representable (its last digit depends on the C library)');

/** A finite nonzero double's magnitude as odd integer m times 2^e. */
function dyadic(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let m = bits & ((1n << 52n) - 1n), e = biased === 0 ? -1074 : biased - 1075;
  if (biased !== 0) m |= 1n << 52n;
  while ((m & 1n) === 0n) { m >>= 1n; e++; }
  return { m, e };
}

const bitLength = (m: bigint): number => m.toString(2).length;

/** The double m·2^e when it is a normal double exactly, else undefined. */
function exactNormal(m: bigint, e: number): number | undefined {
  const len = bitLength(m);
  const top = e + len - 1;
  if (len > 53 || top > 1023 || top < -1022) return undefined;
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, (BigInt(top + 1023) << 52n) | ((m << BigInt(53 - len)) & ((1n << 52n) - 1n)));
  return view.getFloat64(0);
}

/** pow(x, y) for finite x ≠ 0 and finite y, where only exact results are given. */
function finitePower(x: number, y: number): number {
  const sign = x < 0 && Math.abs(y % 2) === 1 ? -1 : 1;
  const { m, e } = dyadic(x);
  if (Number.isInteger(y)) {
    if (y === 0) return 1;
    if (m === 1n || (y > 0 && y * (bitLength(m) - 1) <= 53)) {
      const mp = m === 1n ? 1n : m ** BigInt(y), top = e * y + bitLength(mp) - 1;
      // an exact power of 2^1024 or more is past the largest double however pow rounds
      if (top >= 1024) throw overflow();
      if (top < -1075) throw underflow();
      const v = exactNormal(mp, e * y);
      if (v !== undefined) return sign * v;
    }
  } else if (y === 0.5) {
    // pow(x, 0.5) is the square root; exact when the rounded root squares back to x
    const r = dyadic(Math.sqrt(x));
    if (r.m * r.m === m && 2 * r.e === e) return Math.sqrt(x);
  }
  // |x^y| = 2^(y·log2|x|): far beyond the double range it is PostgreSQL's error, however pow rounds
  const log2 = y * Math.log2(Math.abs(x));
  if (log2 > 1100) throw overflow();
  if (log2 < -1200) throw underflow();
  throw inexact();
}

/** dpow (src/backend/utils/adt/float.c). */
export function floatPower(x: number, y: number): number {
  if (Number.isNaN(x)) return Number.isNaN(y) || y !== 0 ? NaN : 1;
  if (Number.isNaN(y)) return x !== 1 ? NaN : 1;
  if (x === 0 && y < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && Math.floor(y) !== y) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  if (!Number.isFinite(y)) {
    const ax = Math.abs(x);
    if (ax === 1) return 1;
    if (y > 0) return ax > 1 ? y : 0;
    return ax > 1 ? 0 : -y;
  }
  if (!Number.isFinite(x)) {
    if (y === 0) return 1;
    if (x > 0) return y > 0 ? x : 0;
    const odd = Math.floor(y / 2) !== y / 2;
    if (y > 0) return odd ? x : -x;
    return odd ? -0 : 0;
  }
  // pow(±0, y > 0) is +0, or -0 for -0 and an odd integer y
  if (y === 0) return 1;
  if (x === 0) return Object.is(x, -0) && Math.abs(y % 2) === 1 ? -0 : 0;
  return finitePower(x, y);
}
