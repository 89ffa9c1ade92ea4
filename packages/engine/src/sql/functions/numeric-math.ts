/**
 * numeric's square root, with PostgreSQL's result scales (numeric.c): sqrt_var's result is the
 * exact root rounded half away from zero at the scale asked for, and numeric_sqrt asks for enough
 * fractional digits to give at least 16 significant ones (NUMERIC_MIN_SIG_DIGITS), never fewer
 * than the input's. Aggregates (stddev) call sqrtAt with their own scale.
 */
import { SqlError } from '../../errors.ts';
import { Numeric } from '../numeric.ts';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Integer square root (floor) of a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration falls monotonically to the root from any start above it: the float root
  // with a margin where a double holds n, a power of two otherwise
  const f = Number(n);
  let x = f < 2 ** 1000 ? BigInt(Math.ceil(Math.sqrt(f) * (1 + 2 ** -40))) + 1n : 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * PostgreSQL's weight of a finite nonzero value: the power of 10000 (its NBASE) of the leading
 * base-10000 digit. Zero has weight 0.
 */
export function nbaseWeight(x: Numeric): number {
  if (x.coef === 0n) return 0;
  const digits = (x.coef < 0n ? -x.coef : x.coef).toString().length;
  return Math.floor((digits - 1 - x.scale) / 4);
}

/** sqrt_var: √x rounded half away from zero at `rscale` fractional digits (x finite, ≥ 0). */
export function sqrtAt(x: Numeric, rscale: number): Numeric {
  // √(c · 10^-s) at scale r, one guard digit more: isqrt(c · 10^(2(r+1) - s)) / 10^(r+1)
  const shift = 2 * (rscale + 1) - x.scale;
  const radicand = shift >= 0 ? x.coef * pow10(shift) : x.coef / pow10(-shift);
  const root = isqrt(radicand);
  // the floor root with a guard digit rounds exactly as the true root does (a half is representable)
  const q = root / 10n, r = root % 10n;
  return Numeric.of(r >= 5n ? q + 1n : q, rscale);
}

/** numeric_sqrt: 2201F for a negative argument; NaN and Infinity map to themselves. */
export function numericSqrt(x: Numeric): Numeric {
  if (x.isNaN) return x;
  if (x.sign < 0) throw new SqlError('2201F', 'cannot take square root of a negative number');
  if (x.isInfinite) return x;
  // C's integer division truncates toward zero
  const sweight = Math.trunc(((nbaseWeight(x) + 1) * 4) / 2) - 1;
  const rscale = Math.min(Math.max(MIN_SIG_DIGITS - sweight, x.scale, 0), MAX_DISPLAY_SCALE);
  return sqrtAt(x, rscale);
}
