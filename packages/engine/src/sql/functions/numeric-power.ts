/**
 * power(numeric, numeric) and `numeric ^ numeric` (PostgreSQL 15's numeric_power / power_var /
 * power_var_int), given only where walrtc provably gets PostgreSQL's digits: a non-negative
 * integer exponent whose exact power has at most the result scale PostgreSQL picks
 * (max(16, the base's scale)) — then PostgreSQL's working precision never rounds, and the result
 * is the exact power shown at that scale. The domain errors come first, as in PostgreSQL; other
 * cases (negative or fractional exponents, NaN, infinity, long results) are refused (0A000).
 */
import { featureNotSupported, SqlError } from '../../errors.ts';
import { Numeric } from '../numeric.ts';

const NUMERIC_MIN_SIG_DIGITS = 16;
const NUMERIC_MAX_DISPLAY_SCALE = 1000;
const INT32_MAX = 2147483647n;

const refused = () => featureNotSupported('power(numeric, numeric) with a negative, fractional or large exponent, NaN or infinity');
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Significant digits of a coefficient, trailing zeros not counted. */
function significant(c: bigint): number {
  const s = (c < 0n ? -c : c).toString().replace(/0+$/, '');
  return s.length;
}

export function numericPower(base: Numeric, exp: Numeric): Numeric {
  if (!base.isFinite || !exp.isFinite) throw refused();
  if (base.sign === 0 && exp.sign < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  const integral = exp.coef % pow10(exp.scale) === 0n;
  if (base.sign < 0 && !integral) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  const rscale = Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS, base.scale), NUMERIC_MAX_DISPLAY_SCALE);
  const at = (coef: bigint, scale: number) => Numeric.of(coef * pow10(rscale - scale), rscale);
  if (!integral) {
    // power_var: zero to a non-integer power is zero at the minimum significant digits
    if (base.sign === 0) return at(0n, 0);
    throw refused();
  }
  const n = exp.coef / pow10(exp.scale);
  if (n < 0n || n > INT32_MAX) throw refused();
  if (n === 0n) return at(1n, 0);
  if (base.sign === 0) return at(0n, 0);
  // the base without its trailing fractional zeros: 10.0 ^ 20 is exact at scale 0
  let b = base.coef, bs = base.scale;
  while (bs > 0 && b % 10n === 0n) { b /= 10n; bs--; }
  const scale = bs * Number(n);
  if (scale > rscale) throw refused();
  // the bound keeps the BigInt power small before it is computed
  if ((b < 0n ? -b : b).toString().length * Number(n) > 2000) throw refused();
  const coef = b ** n;
  // beyond two factors PostgreSQL multiplies at a working precision; within 16 digits it is exact
  if (n > 2n && significant(coef) > NUMERIC_MIN_SIG_DIGITS) throw refused();
  return at(coef, scale);
}
