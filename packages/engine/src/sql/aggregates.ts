/**
 * Aggregate functions (count, sum, avg, min, max) as init/step/final state machines with
 * PostgreSQL's result types, NULL skipping and DISTINCT. The planner feeds them one value per row.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { checkFloat, isDateTimeType, isNumericType, isTextType } from './cast.ts';
import { addExact, int8Add, type Int8 } from './int8.ts';
import { Numeric } from './numeric.ts';
import { comparatorFor } from './operators.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { keyFor } from './types/bpchar.ts';
import { addIntervals, divideInterval, type Interval } from './types/interval.ts';
import { isEnumType } from './types/enum.ts';
import { statisticsAggregate } from './aggregate/statistics.ts';
import { bitwiseAggregate } from './aggregate/bitwise.ts';

export interface Aggregate<S = unknown> {
  /** Result type, as PostgreSQL reports it (count → int8, sum(int4) → int8, avg(int) → numeric …). */
  type: SqlType;
  init(): S;
  /** Fold one input value (count(*) gets any non-null placeholder). Returns the new state. */
  step(s: S, v: Value): S;
  final(s: S): Value;
}

export interface AggregateOptions {
  distinct?: boolean;
  /** count(*) */
  star?: boolean;
  location?: number;
}

const SUPPORTED = new Set(['count', 'sum', 'avg', 'min', 'max']);

/** sum's result type by argument type; absent means no such sum(). */
const SUM_TYPE: Partial<Record<SqlType, SqlType>> = {
  int2: 'int8', int4: 'int8', int8: 'numeric', numeric: 'numeric', float4: 'float4', float8: 'float8', interval: 'interval',
};
const AVG_TYPE: Partial<Record<SqlType, SqlType>> = {
  int2: 'numeric', int4: 'numeric', int8: 'numeric', numeric: 'numeric', float4: 'float8', float8: 'float8', interval: 'interval',
};

/**
 * How sum/avg add one value: int2/int4 sums into an int8 (22003 past its range), other integers
 * exactly without limit (sum(int8) and avg are numeric), numeric exactly keeping the largest
 * scale, floats as doubles.
 */
function adder(argType: SqlType, name: 'sum' | 'avg'): (acc: Value, x: Value) => Value {
  if (argType === 'interval') return (acc, x) => addIntervals(acc as Interval, x as Interval, 1);
  if (argType === 'numeric') return (acc, x) => (acc as Numeric).add(x as Numeric);
  if (argType === 'float4' || argType === 'float8') {
    const ft = name === 'sum' ? argType : 'float8';
    // float8pl: an infinite sum of finite values is an overflow (22003)
    return (acc, x) => checkFloat((acc as number) + (x as number), ft, Number.isFinite(acc) && Number.isFinite(x));
  }
  if (name === 'sum' && argType !== 'int8') return (acc, x) => int8Add(acc as Int8, x as number);
  return (acc, x) => addExact(acc as number | bigint, x as Int8);
}

const exact = (v: Value): Numeric => (v instanceof Numeric ? v : Numeric.fromInt(v as number | bigint));

/** sum/avg's result from the sum and count; avg of exact types is numeric_div(sum, count), with its scale. */
function finisher(resultType: SqlType, name: 'sum' | 'avg'): (sum: Value, count: number) => Value {
  if (resultType === 'interval') return name === 'avg' ? (sum, n) => divideInterval(sum as Interval, n) : (sum) => sum;
  if (resultType !== 'numeric') return name === 'avg' ? (sum, n) => (sum as number) / n : (sum) => sum;
  return name === 'avg' ? (sum, n) => exact(sum).div(Numeric.fromInt(n)) : exact;
}

function noSuchAggregate(name: string, argType: SqlType | undefined): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${argType ? TYPE_NAME[argType] : ''}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

function notUnique(name: string): SqlError {
  return new SqlError('42725', `function ${name}(unknown) is not unique`, {
    hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
  });
}

/** Only the first occurrence of each distinct non-null value reaches `inner`. */
function withDistinct<S>(inner: Aggregate<S>, argType: SqlType | undefined): Aggregate<{ seen: Set<Value>; inner: S }> {
  const keyOf = keyFor(argType ?? 'unknown');
  return {
    type: inner.type,
    init: () => ({ seen: new Set<Value>(), inner: inner.init() }),
    step(s, v) {
      if (v === null) return s;
      const key = keyOf(v);
      if (s.seen.has(key)) return s;
      s.seen.add(key);
      s.inner = inner.step(s.inner, v);
      return s;
    },
    final: (s) => inner.final(s.inner),
  };
}

/** States differ per aggregate; callers only hand a state back to the aggregate that made it. */
function erase<S>(a: Aggregate<S>): Aggregate {
  return a as unknown as Aggregate;
}

function build(name: string, argType: SqlType | undefined, star: boolean): Aggregate {
  if (name === 'count') {
    // counts stay far below 2^53, so they are int8 in their canonical (number) form
    return erase<{ n: number }>({
      type: 'int8',
      init: () => ({ n: 0 }),
      step: star ? (s) => { s.n++; return s; } : (s, v) => { if (v !== null) s.n++; return s; },
      final: (s) => s.n,
    });
  }
  if (argType === undefined) throw noSuchAggregate(name, undefined);
  if (name === 'sum' || name === 'avg') {
    if (argType === 'unknown') throw notUnique(name);
    const type = (name === 'sum' ? SUM_TYPE : AVG_TYPE)[argType];
    if (!type) throw noSuchAggregate(name, argType);
    const add = adder(argType, name as 'sum' | 'avg'), final = finisher(type, name as 'sum' | 'avg');
    // sum takes its first value as it is; avg of floats (float8_accum) adds it to 0, so -0 averages to 0
    const first = name === 'avg' && (argType === 'float4' || argType === 'float8') ? (v: Value) => (v as number) + 0 : (v: Value) => v;
    return erase<{ sum: Value; count: number }>({
      type,
      init: () => ({ sum: null, count: 0 }),
      step: (s, v) => {
        if (v === null) return s;
        s.sum = s.count === 0 ? first(v) : add(s.sum, v);
        s.count++;
        return s;
      },
      final: (s) => (s.count === 0 ? null : final(s.sum, s.count)),
    });
  }
  // min / max
  const t = argType === 'unknown' ? 'text' : argType;
  if (!isNumericType(t) && !isTextType(t) && !isDateTimeType(t) && t !== 'interval' && t !== 'time' && t !== 'timetz' && t !== 'oid' && !isEnumType(t)) throw noSuchAggregate(name, argType);
  const cmp = comparatorFor(t), sign = name === 'max' ? 1 : -1;
  // interval_larger/smaller, float8larger/smaller and numeric_larger/smaller keep the later of two
  // equal values ('1 mon' and '30 days' print differently, as 0 and -0 do, and 0.0 and 0.00)
  const tie = t === 'interval' || t === 'float4' || t === 'float8' || t === 'numeric' ? 0 : 1;
  return erase<{ best: Value }>({
    type: t === 'varchar' || t === 'name' ? 'text' : t,
    init: () => ({ best: null as Value }),
    step: (s, v) => {
      if (v !== null && (s.best === null || sign * cmp(v, s.best) >= tie)) s.best = v;
      return s;
    },
    final: (s) => s.best,
  });
}

/**
 * The aggregate `name(arg)` for an argument of type `argType` (undefined for count(*) or no
 * argument). Throws 42883 like PostgreSQL for argument types it lacks (sum(text), min(boolean))
 * and 0A000 for aggregates this engine does not implement.
 */
export function makeAggregate(name: string, argType: SqlType | undefined, opts: AggregateOptions = {}): Aggregate {
  const n = name.toLowerCase();
  const star = !!opts.star;
  const statistic = star ? undefined : statisticsAggregate(n, argType) ?? bitwiseAggregate(n, argType);
  if (statistic) return opts.distinct ? erase(withDistinct(statistic, argType)) : statistic;
  if (!SUPPORTED.has(n)) throw featureNotSupported(`aggregate function ${n}`);
  if (star && n !== 'count') throw noSuchAggregate(n, undefined);
  if (!star && argType === undefined && n === 'count') throw new SqlError(SQLSTATE.wrong_object_type, 'count(*) must be used to call a parameterless aggregate function');
  const agg = build(n, argType, star);
  return opts.distinct && !star ? erase(withDistinct(agg, argType)) : agg;
}

/** The result type makeAggregate would report, without building it. */
export function aggregateType(name: string, argType: SqlType | undefined, star = false): SqlType {
  return makeAggregate(name, argType, { star }).type;
}
