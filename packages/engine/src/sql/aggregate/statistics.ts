/**
 * Statistical aggregates: var_pop/var_samp/variance, stddev_pop/stddev_samp/stddev (one argument)
 * and covar_pop/covar_samp/corr/regr_* (two, Y then X). float4/float8 inputs accumulate as
 * PostgreSQL's float8_accum / float8_regr_accum do (Youngs–Cramer: N, Sx, Sxx, Sy, Syy, Sxy updated
 * per row, so the digits match); integer and numeric inputs accumulate exactly and finish with
 * numeric_stddev_internal's numeric arithmetic and result scale.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { Aggregate } from '../aggregates.ts';
import { isNumericType } from '../cast.ts';
import { Numeric } from '../numeric.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { sqrtAt } from '../functions/numeric-math.ts';

/** The one-argument aggregates and what they finish with: sample (N - 1) or population, variance or its root. */
const ONE: Record<string, { sample: boolean; variance: boolean }> = {
  var_pop: { sample: false, variance: true },
  var_samp: { sample: true, variance: true },
  variance: { sample: true, variance: true },
  stddev_pop: { sample: false, variance: false },
  stddev_samp: { sample: true, variance: false },
  stddev: { sample: true, variance: false },
};

type Regr = [n: number, sx: number, sxx: number, sy: number, syy: number, sxy: number];

/** The two-argument aggregates' final functions over float8_regr_accum's state (float.c). */
const TWO: Record<string, (s: Regr) => Value> = {
  regr_count: ([n]) => n,
  regr_sxx: ([n, , sxx]) => (n < 1 ? null : sxx),
  regr_syy: ([n, , , , syy]) => (n < 1 ? null : syy),
  regr_sxy: ([n, , , , , sxy]) => (n < 1 ? null : sxy),
  regr_avgx: ([n, sx]) => (n < 1 ? null : sx / n),
  regr_avgy: ([n, , , sy]) => (n < 1 ? null : sy / n),
  covar_pop: ([n, , , , , sxy]) => (n < 1 ? null : sxy / n),
  covar_samp: ([n, , , , , sxy]) => (n < 2 ? null : sxy / (n - 1)),
  corr: ([n, , sxx, , syy, sxy]) => (n < 1 || sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy)),
  regr_r2: ([n, , sxx, , syy, sxy]) => (n < 1 || sxx === 0 ? null : syy === 0 ? 1 : (sxy * sxy) / (sxx * syy)),
  regr_slope: ([n, , sxx, , , sxy]) => (n < 1 || sxx === 0 ? null : sxy / sxx),
  regr_intercept: ([n, sx, sxx, sy, , sxy]) => (n < 1 || sxx === 0 ? null : (sy - (sx * sxy) / sxx) / n),
};

export const STATISTICS = new Set([...Object.keys(ONE), ...Object.keys(TWO)]);

const overflow = (): SqlError => new SqlError(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');

function noSuch(name: string, types: (SqlType | undefined)[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${types.map((t) => (t ? TYPE_NAME[t] : '')).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** float8_accum: one value into [N, Sx, Sxx]. */
function floatAccum(s: number[], x: number): void {
  const n0 = s[0]!, sx0 = s[1]!;
  const n = n0 + 1, sx = sx0 + x;
  let sxx = s[2]!;
  if (n0 > 0) {
    const tmp = x * n - sx;
    sxx += (tmp * tmp) / (n * n0);
    if (!Number.isFinite(sx) && !Number.isNaN(sx) || !Number.isFinite(sxx) && !Number.isNaN(sxx)) {
      if (Number.isFinite(sx0) && Number.isFinite(x)) throw overflow();
      sxx = NaN;
    }
  } else if (!Number.isFinite(x)) {
    // a lone Inf or NaN must not report variance zero
    sxx = NaN;
  }
  s[0] = n; s[1] = sx; s[2] = sxx;
}

const isInf = (v: number): boolean => v === Infinity || v === -Infinity;

/** float8_regr_accum: one (Y, X) pair into [N, Sx, Sxx, Sy, Syy, Sxy]. */
function regrAccum(s: Regr, y: number, x: number): void {
  const [n0, sx0, , sy0] = s;
  let [, , sxx, , syy, sxy] = s;
  const n = n0 + 1, sx = sx0 + x, sy = sy0 + y;
  if (n0 > 0) {
    const tmpX = x * n - sx, tmpY = y * n - sy, scale = 1 / (n * n0);
    sxx += tmpX * tmpX * scale;
    syy += tmpY * tmpY * scale;
    sxy += tmpX * tmpY * scale;
    if (isInf(sx) || isInf(sxx) || isInf(sy) || isInf(syy) || isInf(sxy)) {
      if (((isInf(sx) || isInf(sxx)) && !isInf(sx0) && !isInf(x))
        || ((isInf(sy) || isInf(syy)) && !isInf(sy0) && !isInf(y))
        || (isInf(sxy) && !isInf(sx0) && !isInf(x) && !isInf(sy0) && !isInf(y))) throw overflow();
      if (isInf(sxx)) sxx = NaN;
      if (isInf(syy)) syy = NaN;
      if (isInf(sxy)) sxy = NaN;
    }
  } else {
    if (!Number.isFinite(x)) sxx = sxy = NaN;
    if (!Number.isFinite(y)) syy = sxy = NaN;
  }
  s[0] = n; s[1] = sx; s[2] = sxx; s[3] = sy; s[4] = syy; s[5] = sxy;
}

interface ExactState { n: number; sum: Numeric; sum2: Numeric; special: number }

/** numeric_stddev_internal over exact sums; NaN or an infinite input makes the result NaN. */
function numericFinal(s: ExactState, sample: boolean, variance: boolean): Value {
  // N counts NaN and infinite inputs too (do_numeric_accum), so one NaN has no sample variance
  if (s.n + s.special <= (sample ? 1 : 0)) return null;
  if (s.special > 0) return Numeric.NaN;
  const n = Numeric.fromInt(s.n);
  const numerator = n.mul(s.sum2).sub(s.sum.mul(s.sum));
  if (numerator.sign <= 0) return Numeric.ZERO;
  const denominator = n.mul(sample ? Numeric.fromInt(s.n - 1) : n);
  // both products carry scale 2 · dscale(sumX), the scale numeric_stddev_internal's mul_var asks for
  const q = numerator.div(denominator);
  return variance ? q : sqrtAt(q, q.scale);
}

/** The aggregate for one of the one-argument statistics, or undefined for other names. */
export function statisticsAggregate(name: string, argType: SqlType | undefined): Aggregate | undefined {
  const how = ONE[name];
  if (!how) return undefined;
  const t = argType === 'unknown' ? 'float8' : argType;
  if (!t || !isNumericType(t)) throw noSuch(name, [argType]);
  const { sample, variance } = how;
  if (t === 'float4' || t === 'float8') {
    const agg: Aggregate<number[]> = {
      type: 'float8',
      init: () => [0, 0, 0],
      step: (s, v) => { if (v !== null) floatAccum(s, v as number); return s; },
      final: ([n, , sxx]) => {
        if (n! <= (sample ? 1 : 0)) return null;
        const q = sxx! / (sample ? n! - 1 : n!);
        return variance ? q : Math.sqrt(q);
      },
    };
    return agg as unknown as Aggregate;
  }
  const agg: Aggregate<ExactState> = {
    type: 'numeric',
    init: () => ({ n: 0, sum: Numeric.ZERO, sum2: Numeric.ZERO, special: 0 }),
    step: (s, v) => {
      if (v === null) return s;
      const x = v instanceof Numeric ? v : Numeric.fromInt(v as number | bigint);
      if (!x.isFinite) { s.special++; return s; }
      s.n++;
      s.sum = s.sum.add(x);
      s.sum2 = s.sum2.add(x.mul(x));
      return s;
    },
    final: (s) => numericFinal(s, sample, variance),
  };
  return agg as unknown as Aggregate;
}

/** Whether `name` is a two-argument statistic (regr_*, covar_*, corr). */
export function isTwoArgumentStatistic(name: string): boolean {
  return name in TWO;
}

/**
 * The aggregate for a two-argument statistic over (Y, X) float8 pairs; it steps on a [y, x]
 * tuple and skips pairs with a NULL, as PostgreSQL's strict transition function does.
 */
export function regressionAggregate(name: string, types: SqlType[]): Aggregate {
  if (types.length !== 2 || !types.every((t) => t === 'unknown' || isNumericType(t))) throw noSuch(name, types);
  const final = TWO[name]!;
  const agg: Aggregate<Regr> = {
    type: name === 'regr_count' ? 'int8' : 'float8',
    init: () => [0, 0, 0, 0, 0, 0],
    step: (s, v) => {
      const [y, x] = v as Value[];
      if (y !== null && x !== null && y !== undefined && x !== undefined) regrAccum(s, y as number, x as number);
      return s;
    },
    final,
  };
  return agg as unknown as Aggregate;
}
