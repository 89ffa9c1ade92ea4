/**
 * numeric's exp, ln and log with PostgreSQL's result scales (numeric_exp, numeric_ln's
 * estimate_ln_dweight, log_var): each value is computed in fixed point with guard digits well
 * beyond the result scale and rounded half away from zero there, which is the value PostgreSQL's
 * own guard-digit arithmetic rounds to.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { Numeric } from '../numeric.ts';
import { isqrt, nbaseWeight } from './numeric-math.ts';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;
const GUARD = 20;

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const digitsOf = (c: bigint): number => (c < 0n ? -c : c).toString().length;

function divRound(x: bigint, d: bigint): bigint {
  const q = x / d, r = x % d;
  if (r === 0n) return q;
  const twice = 2n * (r < 0n ? -r : r);
  return twice >= (d < 0n ? -d : d) ? q + ((x < 0n) === (d < 0n) ? 1n : -1n) : q;
}

/** A fixed-point value v · 10^-w rounded at `rscale` fractional digits. */
function rounded(v: bigint, w: number, rscale: number): Numeric {
  return Numeric.of(w >= rscale ? divRound(v, pow10(w - rscale)) : v * pow10(rscale - w), rscale);
}

/** ln(m) for a fixed-point m (at w digits) between 1 and 10: eight square roots, then 2·atanh. */
function lnNear(m: bigint, w: number): bigint {
  const one = pow10(w);
  for (let i = 0; i < 8; i++) m = isqrt(m * one);
  const z = ((m - one) * one) / (m + one), z2 = (z * z) / one;
  let sum = 0n, power = z;
  for (let k = 1n; power !== 0n; k += 2n) {
    sum += power / k;
    power = (power * z2) / one;
  }
  return 2n * 256n * sum;
}

/** ln(x) for a finite x > 0 in fixed point at w digits. */
function lnFixed(x: Numeric, w: number): bigint {
  const d = digitsOf(x.coef);
  // x = m · 10^k with 1 ≤ m < 10
  const k = d - 1 - x.scale, shift = w - (d - 1);
  const m = shift >= 0 ? x.coef * pow10(shift) : x.coef / pow10(-shift);
  const lnm = lnNear(m, w);
  return k === 0 ? lnm : lnm + BigInt(k) * lnNear(10n * pow10(w), w);
}

/** estimate_ln_dweight: the decimal weight PostgreSQL expects ln(x) to have. */
function lnDweight(x: Numeric): number {
  if (x.sign <= 0) return 0;
  const cmpPoint9 = Numeric.compare(x, Numeric.parse('0.9')!), cmp1point1 = Numeric.compare(x, Numeric.parse('1.1')!);
  if (cmpPoint9 >= 0 && cmp1point1 <= 0) {
    const t = x.sub(Numeric.fromInt(1));
    if (t.coef === 0n) return 0;
    // weight of the most significant decimal digit of x - 1
    return digitsOf(t.coef) - 1 - t.scale;
  }
  // the leading one or two base-10000 digits, as a double
  const weight = nbaseWeight(x);
  const groupShift = x.scale + 4 * (weight - 1);
  const c = x.coef;
  const two = groupShift >= 0 ? c / pow10(groupShift) : c * pow10(-groupShift);
  const hasSecond = groupShift > 0 ? c % pow10(groupShift) !== 0n || two % 10000n !== 0n : two % 10000n !== 0n;
  let digits: number, dweight: number;
  if (hasSecond) {
    digits = Number(two);
    dweight = (weight - 1) * 4;
  } else {
    digits = Number(two / 10000n);
    dweight = weight * 4;
  }
  const lnVar = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnVar)));
}

function logError(x: Numeric): SqlError {
  return new SqlError('2201E', x.sign === 0 ? 'cannot take logarithm of zero' : 'cannot take logarithm of a negative number');
}

const clampScale = (r: number): number => Math.min(Math.max(r, 0), MAX_DISPLAY_SCALE);

/** numeric ln(x). */
export function numericLn(x: Numeric): Numeric {
  if (x.isNaN) return x;
  if (x.sign <= 0) throw logError(x);
  if (x.isInfinite) return x;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - lnDweight(x), x.scale));
  const w = rscale + GUARD + String(Math.abs(digitsOf(x.coef) - x.scale)).length;
  return rounded(lnFixed(x, w), w, rscale);
}

/** numeric log(base, x): ln(x) / ln(base) at log_var's scale. */
export function numericLog(base: Numeric, x: Numeric): Numeric {
  if (base.isNaN || x.isNaN) return Numeric.NaN;
  if (base.sign <= 0) throw logError(base);
  if (x.sign <= 0) throw logError(x);
  if (base.isInfinite || x.isInfinite) throw new SqlError(SQLSTATE.feature_not_supported, 'log() of infinity is not supported');
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - (lnDweight(x) - lnDweight(base)), base.scale, x.scale));
  const w = rscale + 2 * GUARD + String(Math.abs(digitsOf(x.coef) - x.scale)).length + String(Math.abs(digitsOf(base.coef) - base.scale)).length;
  const lnBase = lnFixed(base, w);
  if (lnBase === 0n) throw new SqlError(SQLSTATE.division_by_zero, 'division by zero');
  const q = (lnFixed(x, w) * pow10(w)) / lnBase;
  return rounded(q, w, rscale);
}

/** numeric exp(x). */
export function numericExp(x: Numeric): Numeric {
  if (x.isNaN) return x;
  if (x.isInfinite) return x.sign > 0 ? x : Numeric.ZERO;
  const approx = x.toFloat();
  if (approx > 6000) throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
  const dweight = Math.max(Math.min(approx * 0.434294481903252, 2000), -2000);
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(dweight), x.scale));
  if (approx < -6000) return Numeric.of(0n, rscale);
  // e^|x| = (e^(|x| / 2^k))^(2^k) with |x| / 2^k below 1/1000; each squaring doubles the relative error
  const ax = x.abs();
  const k = Math.max(0, Math.ceil(Math.log2(Math.abs(approx) * 1000 + 1)));
  const w = rscale + GUARD + Math.ceil(k * 0.302) + Math.ceil(Math.abs(dweight));
  const one = pow10(w);
  const r = (ax.coef * pow10(w)) / (pow10(ax.scale) << BigInt(k));
  let sum = one, term = one;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * r) / one / n;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  const v = x.sign < 0 ? (one * one) / sum : sum;
  return rounded(v, w, rscale);
}
