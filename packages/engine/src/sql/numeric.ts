/**
 * numeric: an exact decimal as PostgreSQL keeps it — an unscaled integer and a display scale
 * (dscale), plus NaN and ±Infinity. Results follow PostgreSQL's scale rules (numeric.c): + and -
 * keep the larger scale, * adds them, / picks select_div_scale's scale (at least 16 significant
 * digits), round/trunc set the scale they are asked for. Immutable; every operation returns a
 * new value. Written on BigInt rather than a decimal library because PostgreSQL's rules are about
 * scale, and precision-based libraries (decimal.js, big.js) would have to be steered into them.
 */
import { SqlError, SQLSTATE } from '../errors.ts';

/** Finite, NaN, +Infinity, -Infinity. */
const Kind = { Finite: 0, NaN: 1, PosInf: 2, NegInf: 3 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * PostgreSQL's NUMERIC_DSCALE_MAX, NUMERIC_MAX_DISPLAY_SCALE and NUMERIC_MIN_SIG_DIGITS, and the
 * integer digits its storage holds (NUMERIC_WEIGHT_MAX + 1 groups of 4).
 */
const DSCALE_MAX = 16383;
const MAX_INTEGER_DIGITS = 131072;
const MAX_DISPLAY_SCALE = 1000;
const MIN_SIG_DIGITS = 16;

let HUGE: bigint | undefined;
const TENS: bigint[] = [];
function pow10(n: number): bigint {
  if (n < 64) return (TENS[n] ??= 10n ** BigInt(n));
  return 10n ** BigInt(n);
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** x / d rounded half away from zero (d > 0 or d < 0). */
function divRound(x: bigint, d: bigint): bigint {
  const q = x / d, r = x % d;
  if (r === 0n) return q;
  return 2n * abs(r) >= abs(d) ? q + ((x < 0n) === (d < 0n) ? 1n : -1n) : q;
}

export class Numeric {
  /** The value is coef × 10^-scale. */
  readonly coef: bigint;
  /** Display scale: digits after the decimal point, never negative. */
  readonly scale: number;
  private readonly kind: Kind;

  private constructor(coef: bigint, scale: number, kind: Kind = Kind.Finite) {
    this.coef = coef;
    this.scale = scale;
    this.kind = kind;
  }

  static readonly NaN = new Numeric(0n, 0, Kind.NaN);
  static readonly Infinity = new Numeric(0n, 0, Kind.PosInf);
  static readonly NegativeInfinity = new Numeric(0n, 0, Kind.NegInf);
  static readonly ZERO = new Numeric(0n, 0);

  /** A computed result: rounded to the largest display scale, 22003 past the largest value storage holds. */
  static of(coef: bigint, scale = 0): Numeric {
    if (scale > DSCALE_MAX) return Numeric.of(divRound(coef, pow10(scale - DSCALE_MAX)), DSCALE_MAX);
    // the cheap test first: below 10^131072 the value fits whatever its scale
    if (abs(coef) >= (HUGE ??= pow10(MAX_INTEGER_DIGITS)) && abs(coef) / pow10(scale) >= HUGE) throw overflowsFormat();
    return new Numeric(coef, scale);
  }

  static fromInt(n: number | bigint): Numeric {
    return new Numeric(BigInt(n), 0);
  }

  /**
   * A float as PostgreSQL's float8_numeric/float4_numeric converts it: printed with 15 (float4: 6)
   * significant digits (%g, trailing zeros dropped) and read back, so 0.1::float8::numeric is 0.1.
   */
  static fromFloat(x: number, digits = 15): Numeric {
    if (Number.isNaN(x)) return Numeric.NaN;
    if (x === Infinity) return Numeric.Infinity;
    if (x === -Infinity) return Numeric.NegativeInfinity;
    const [mant, exp] = x.toPrecision(digits).split('e');
    const trimmed = mant!.includes('.') ? mant!.replace(/\.?0+$/, '') : mant!;
    return Numeric.parse(exp === undefined ? trimmed : `${trimmed}e${exp}`)!;
  }

  /** numeric_in's syntax; undefined when the text is not a number. Throws 22003 for absurd exponents. */
  static parse(text: string): Numeric | undefined {
    const s = text.trim();
    const special = SPECIALS[s.toLowerCase()];
    if (special) return special;
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
    if (!m || (m[2] === '' && !m[3])) return undefined;
    const exp = m[4] === undefined ? 0 : Number(m[4]);
    if (Math.abs(exp) >= 2 ** 30) throw overflowsFormat();
    const frac = m[3] ?? '';
    let coef = BigInt((m[2] || '0') + frac);
    let scale = frac.length - exp;
    if (scale < 0) {
      if (coef !== 0n) {
        if (coef.toString().length - scale > MAX_INTEGER_DIGITS) throw overflowsFormat();
        coef *= pow10(-scale);
      }
      scale = 0;
    }
    if (scale > DSCALE_MAX) throw overflowsFormat();
    return new Numeric(m[1] === '-' ? -coef : coef, scale);
  }

  get isNaN(): boolean { return this.kind === Kind.NaN; }
  get isFinite(): boolean { return this.kind === Kind.Finite; }
  get isInfinite(): boolean { return this.kind === Kind.PosInf || this.kind === Kind.NegInf; }

  /** -1, 0 or 1 (NaN: 0, callers check isNaN first). */
  get sign(): number {
    if (this.kind === Kind.PosInf) return 1;
    if (this.kind === Kind.NegInf) return -1;
    return this.coef > 0n ? 1 : this.coef < 0n ? -1 : 0;
  }

  toString(): string {
    switch (this.kind) {
      case Kind.NaN: return 'NaN';
      case Kind.PosInf: return 'Infinity';
      case Kind.NegInf: return '-Infinity';
    }
    const digits = abs(this.coef).toString();
    const sign = this.coef < 0n ? '-' : '';
    if (this.scale === 0) return sign + digits;
    const padded = digits.length <= this.scale ? '0'.repeat(this.scale - digits.length + 1) + digits : digits;
    const cut = padded.length - this.scale;
    return `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }

  /** The same value without trailing fractional zeros, as text: equal numerics get equal keys. */
  normalized(): string {
    return this.scale === 0 ? this.toString() : this.trimScale().toString();
  }

  toFloat(): number {
    switch (this.kind) {
      case Kind.NaN: return NaN;
      case Kind.PosInf: return Infinity;
      case Kind.NegInf: return -Infinity;
    }
    return Number(this.toString());
  }

  /** Coefficient at a larger (or equal) scale. */
  private at(scale: number): bigint {
    return scale === this.scale ? this.coef : this.coef * pow10(scale - this.scale);
  }

  /** Total order: -Infinity < finite < Infinity < NaN; NaN equals NaN (PostgreSQL's btree order). */
  static compare(a: Numeric, b: Numeric): number {
    if (a.kind !== Kind.Finite || b.kind !== Kind.Finite) return rank(a) - rank(b);
    const s = Math.max(a.scale, b.scale);
    const x = a.at(s), y = b.at(s);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  add(b: Numeric): Numeric {
    if (this.kind !== Kind.Finite || b.kind !== Kind.Finite) {
      if (this.isNaN || b.isNaN) return Numeric.NaN;
      if (this.isInfinite && b.isInfinite) return this.kind === b.kind ? this : Numeric.NaN;
      return this.isInfinite ? this : b;
    }
    const s = Math.max(this.scale, b.scale);
    return Numeric.of(this.at(s) + b.at(s), s);
  }

  sub(b: Numeric): Numeric {
    return this.add(b.neg());
  }

  neg(): Numeric {
    switch (this.kind) {
      case Kind.NaN: return this;
      case Kind.PosInf: return Numeric.NegativeInfinity;
      case Kind.NegInf: return Numeric.Infinity;
    }
    return new Numeric(-this.coef, this.scale);
  }

  abs(): Numeric {
    return this.sign < 0 ? this.neg() : this;
  }

  mul(b: Numeric): Numeric {
    if (this.kind !== Kind.Finite || b.kind !== Kind.Finite) {
      if (this.isNaN || b.isNaN) return Numeric.NaN;
      const sign = this.sign * b.sign;
      return sign === 0 ? Numeric.NaN : sign > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
    }
    return Numeric.of(this.coef * b.coef, this.scale + b.scale);
  }

  /** numeric_div: the quotient rounded at select_div_scale's scale; 22012 for a zero divisor. */
  div(b: Numeric): Numeric {
    if (this.isNaN || b.isNaN) return Numeric.NaN;
    if (this.isInfinite) {
      if (b.isInfinite) return Numeric.NaN;
      if (b.sign === 0) throw divisionByZero();
      return this.sign * b.sign > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
    }
    if (b.isInfinite) return Numeric.ZERO;
    if (b.coef === 0n) throw divisionByZero();
    const rscale = divScale(this, b);
    // this/b = (c1 / 10^s1) / (c2 / 10^s2); scaled by 10^rscale, with rscale ≥ s1
    return Numeric.of(divRound(this.coef * pow10(b.scale + rscale - this.scale), b.coef), rscale);
  }

  /** div(): the quotient truncated toward zero, at scale 0. */
  divTrunc(b: Numeric): Numeric {
    if (!this.isFinite || !b.isFinite) return this.div(b).trunc();
    if (b.coef === 0n) throw divisionByZero();
    const s = Math.max(this.scale, b.scale);
    return new Numeric(this.at(s) / b.at(s), 0);
  }

  /** trim_scale(): the same value without trailing fractional zeros. */
  trimScale(): Numeric {
    if (!this.isFinite) return this;
    let c = this.coef, s = this.scale;
    while (s > 0 && c % 10n === 0n) { c /= 10n; s--; }
    return new Numeric(c, s);
  }

  /** numeric_mod: the remainder of truncating division, at the larger scale. */
  mod(b: Numeric): Numeric {
    if (this.isNaN || b.isNaN) return Numeric.NaN;
    if (this.isInfinite) {
      if (b.sign === 0) throw divisionByZero();
      return Numeric.NaN;
    }
    if (b.isInfinite) return this;
    if (b.coef === 0n) throw divisionByZero();
    const s = Math.max(this.scale, b.scale);
    return new Numeric(this.at(s) % b.at(s), s);
  }

  /** round(x, n): half away from zero at n fractional digits (n < 0 rounds left of the point). */
  round(n = 0): Numeric {
    return this.rescale(n, divRound);
  }

  trunc(n = 0): Numeric {
    return this.rescale(n, (x, d) => x / d);
  }

  ceil(): Numeric {
    return this.rescale(0, (x, d) => { const q = x / d; return x % d > 0n ? q + 1n : q; });
  }

  floor(): Numeric {
    return this.rescale(0, (x, d) => { const q = x / d; return x % d < 0n ? q - 1n : q; });
  }

  private rescale(n: number, integral: (x: bigint, d: bigint) => bigint): Numeric {
    if (!this.isFinite || n === this.scale) return this;
    const target = Math.max(-MAX_DISPLAY_SCALE, Math.min(n, MAX_DISPLAY_SCALE));
    const dscale = Math.max(target, 0);
    if (target >= this.scale) return new Numeric(this.at(dscale), dscale);
    const unit = pow10(this.scale - target);
    const q = integral(this.coef, unit);
    return new Numeric(target < 0 ? q * pow10(-target) : q, dscale);
  }

  /** The integer this rounds to (numeric → integer casts), or undefined for NaN/Infinity. */
  toBigInt(): bigint | undefined {
    if (!this.isFinite) return undefined;
    return this.scale === 0 ? this.coef : divRound(this.coef, pow10(this.scale));
  }

}

const SPECIALS: Record<string, Numeric> = {
  nan: Numeric.NaN,
  infinity: Numeric.Infinity, '+infinity': Numeric.Infinity, inf: Numeric.Infinity, '+inf': Numeric.Infinity,
  '-infinity': Numeric.NegativeInfinity, '-inf': Numeric.NegativeInfinity,
};

function rank(x: Numeric): number {
  if (x.isNaN) return 2;
  return x.isFinite ? 0 : x.sign;
}

function overflowsFormat(): SqlError {
  return new SqlError(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
}

function divisionByZero(): SqlError {
  return new SqlError(SQLSTATE.division_by_zero, 'division by zero');
}

/**
 * PostgreSQL's weight and first digit of a finite value in base 10000 (its NBASE): the weight is
 * the power of 10000 of the leading group, the first digit that group's value. Zero gives (0, 0).
 */
function leadingGroup(x: Numeric): { weight: number; first: bigint } {
  if (x.coef === 0n) return { weight: 0, first: 0n };
  const c = abs(x.coef);
  const exp10 = c.toString().length - 1 - x.scale;
  const weight = Math.floor(exp10 / 4);
  const shift = x.scale + 4 * weight;
  return { weight, first: shift >= 0 ? c / pow10(shift) : c * pow10(-shift) };
}

/** select_div_scale: enough fractional digits for 16 significant ones, never fewer than either input's. */
function divScale(a: Numeric, b: Numeric): number {
  const x = leadingGroup(a), y = leadingGroup(b);
  let qweight = x.weight - y.weight;
  if (x.first <= y.first) qweight--;
  let rscale = MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, MAX_DISPLAY_SCALE);
}

/**
 * numeric(p,s)'s typmod as a conversion: round to s digits, then 22003 when more than p - s digits
 * remain left of the point (apply_typmod). NaN passes; Infinity never fits.
 */
export function numericTypmod(precision: number, scale: number): (x: Numeric) => Numeric {
  const limit = precision - scale;
  const overflow = (detail: string): SqlError =>
    new SqlError(SQLSTATE.numeric_value_out_of_range, 'numeric field overflow', { detail: `A field with precision ${precision}, scale ${scale} ${detail}.` });
  // after rounding, the scale is max(s, 0) and |x| < 10^(p - s) means |coef| < 10^(p - s + max(s, 0))
  const bound = pow10(Math.max(limit + Math.max(scale, 0), 0));
  return (x) => {
    if (x.isNaN) return x;
    if (x.isInfinite) throw overflow('cannot hold an infinite value');
    const r = x.round(scale);
    if (abs(r.coef) >= bound && r.coef !== 0n) {
      throw overflow(`must round to an absolute value less than ${limit !== 0 ? `10^${limit}` : '1'}`);
    }
    return r;
  };
}
