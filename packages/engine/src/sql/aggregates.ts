/**
 * Aggregate functions (count, sum, avg, min, max) as init/step/final state machines with
 * PostgreSQL's result types, NULL skipping and DISTINCT. The planner feeds them one value per row.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { checkFloat, checkInt, isDateTimeType, isNumericType, isTextType } from './cast.ts';
import { comparatorFor, scaleOf } from './operators.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { distinctKey } from './values.ts';

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
  int2: 'int8', int4: 'int8', int8: 'numeric', numeric: 'numeric', float4: 'float4', float8: 'float8',
};
const AVG_TYPE: Partial<Record<SqlType, SqlType>> = {
  int2: 'numeric', int4: 'numeric', int8: 'numeric', numeric: 'numeric', float4: 'float8', float8: 'float8',
};

interface SumState { sum: number; count: number; scale: number }

function adder(argType: SqlType, resultType: SqlType): (s: SumState, x: number) => SumState {
  if (argType === 'numeric') {
    return (s, x) => {
      const scale = Math.max(s.scale, scaleOf(x));
      const r = s.sum + x;
      s.sum = scale > 0 && scale <= 15 && Number.isFinite(r) ? Number(r.toFixed(scale)) : r;
      s.scale = scale;
      s.count++;
      return s;
    };
  }
  if (resultType === 'int8') {
    return (s, x) => {
      s.sum = checkInt(s.sum + x, 'int8');
      s.count++;
      return s;
    };
  }
  const ft = resultType === 'float4' ? 'float4' : 'float8';
  const isFloat = argType === 'float4' || argType === 'float8';
  return (s, x) => {
    s.sum = isFloat ? checkFloat(s.sum + x, ft) : s.sum + x;
    s.count++;
    return s;
  };
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
function withDistinct<S>(inner: Aggregate<S>): Aggregate<{ seen: Set<Value>; inner: S }> {
  return {
    type: inner.type,
    init: () => ({ seen: new Set<Value>(), inner: inner.init() }),
    step(s, v) {
      if (v === null) return s;
      const key = distinctKey(v);
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
    const add = adder(argType, name === 'sum' ? type : argType === 'numeric' ? 'numeric' : 'float8');
    const avg = name === 'avg';
    return erase<SumState>({
      type,
      init: () => ({ sum: 0, count: 0, scale: 0 }),
      step: (s, v) => (v === null ? s : add(s, v as number)),
      final: (s) => (s.count === 0 ? null : avg ? s.sum / s.count : s.sum),
    });
  }
  // min / max
  const t = argType === 'unknown' ? 'text' : argType;
  if (!isNumericType(t) && !isTextType(t) && !isDateTimeType(t)) throw noSuchAggregate(name, argType);
  const cmp = comparatorFor(t), sign = name === 'max' ? 1 : -1;
  return erase<{ best: Value }>({
    type: t === 'varchar' ? 'text' : t,
    init: () => ({ best: null as Value }),
    step: (s, v) => {
      if (v !== null && (s.best === null || sign * cmp(v, s.best) > 0)) s.best = v;
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
  if (!SUPPORTED.has(n)) throw featureNotSupported(`aggregate function ${n}`);
  const star = !!opts.star;
  if (star && n !== 'count') throw noSuchAggregate(n, undefined);
  const agg = build(n, argType, star);
  return opts.distinct && !star ? erase(withDistinct(agg)) : agg;
}

/** The result type makeAggregate would report, without building it. */
export function aggregateType(name: string, argType: SqlType | undefined, star = false): SqlType {
  return makeAggregate(name, argType, { star }).type;
}
