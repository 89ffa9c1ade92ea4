/**
 * The window functions: ranking (row_number, rank, dense_rank, percent_rank, cume_dist, ntile),
 * offsets (lag, lead), frame values (first_value, last_value, nth_value) and every aggregate of
 * aggregates.ts, array_agg, string_agg, bool_and/bool_or and the json aggregates run over a
 * frame. Each is compiled to `evaluate`, which fills one value per position of a sorted
 * partition; PostgreSQL's result types and argument errors.
 */
import type { FuncCall } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { makeAggregate } from '../aggregates.ts';
import { tupleAggregate } from '../functions/aggregates-ordered.ts';
import { castFunction } from '../cast.ts';
import type { RunContext } from '../env.ts';
import { AGGREGATES } from '../expr.ts';
import { commonType } from '../operators.ts';
import type { Compiled } from '../scope.ts';
import { Numeric } from '../numeric.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import type { FrameBounds, Partition } from './frame.ts';

export const WINDOW_FUNCTIONS = new Set([
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
]);

/** What a window function reads while it fills a partition. */
export interface PartitionInput {
  part: Partition;
  /** The partition's input rows in sort order. */
  rows: readonly (readonly Value[])[];
  frame: FrameBounds;
  offsets: { start?: Value; end?: Value };
  ctx: RunContext;
}

export interface WindowFunction {
  type: SqlType;
  /** The value of each position of the partition, in order. */
  evaluate(input: PartitionInput): Value[];
}

function noSuchFunction(name: string, args: readonly Compiled[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

const toInt = (v: Value): number => (v instanceof Numeric ? Number(v.toBigInt()) : Number(v));

/** The window function `name(args)`; aggregates go through makeAggregate (0A000 for unknown ones). */
export function makeWindowFunction(f: FuncCall, name: string, args: Compiled[], filter: Compiled | undefined): WindowFunction {
  if (!WINDOW_FUNCTIONS.has(name)) return aggregateOverFrame(f, name, args, filter);
  if (filter) throw new SqlError(SQLSTATE.feature_not_supported, 'FILTER is not implemented for non-aggregate window functions');
  if (f.agg_star) throw new SqlError(SQLSTATE.wrong_object_type, `${name}(*) must be used to call a parameterless aggregate function`);
  const arity = (lo: number, hi: number) => {
    // rank(x) and friends with arguments are the hypothetical-set aggregates, which need WITHIN GROUP
    if (args.length && hi === 0 && name !== 'row_number') throw new SqlError(SQLSTATE.wrong_object_type, `WITHIN GROUP is required for ordered-set aggregate ${name}`);
    if (args.length < lo || args.length > hi) throw noSuchFunction(name, args);
  };
  switch (name) {
    case 'row_number': arity(0, 0); return ranking('int8', (p, i) => i + 1);
    case 'rank': arity(0, 0); return ranking('int8', (p, i) => p.groupStart[i]! + 1);
    case 'dense_rank': arity(0, 0); return ranking('int8', (p, i) => p.group[i]! + 1);
    case 'percent_rank': arity(0, 0); return ranking('float8', (p, i) => (p.size > 1 ? p.groupStart[i]! / (p.size - 1) : 0));
    case 'cume_dist': arity(0, 0); return ranking('float8', (p, i) => (p.groupEnd[i]! + 1) / p.size);
    case 'ntile': arity(1, 1); return ntile(intArg(name, args, 0));
    case 'lag': case 'lead': arity(1, 3); return offsetFunction(name, args);
    case 'first_value': case 'last_value': arity(1, 1); return frameValue(name, args[0]!, undefined);
    default: arity(2, 2); return frameValue(name, args[0]!, intArg(name, args, 1));
  }
}

function intArg(name: string, args: readonly Compiled[], i: number): Compiled {
  const a = args[i]!;
  if (a.type === 'int4' || a.type === 'int2' || a.type === 'unknown') return a.type === 'unknown' ? { type: 'int4', eval: (r, c) => { const v = a.eval(r, c); return v === null ? null : castFunction('unknown', 'int4', -1, false)(v); } } : a;
  throw noSuchFunction(name, args);
}

function ranking(type: SqlType, value: (p: Partition, i: number) => number): WindowFunction {
  return {
    type,
    evaluate: ({ part }) => {
      const out = new Array<Value>(part.size);
      for (let i = 0; i < part.size; i++) out[i] = value(part, i);
      return out;
    },
  };
}

function ntile(buckets: Compiled): WindowFunction {
  return {
    type: 'int4',
    evaluate: ({ part, rows, ctx }) => {
      const out = new Array<Value>(part.size).fill(null);
      if (!part.size) return out;
      // PostgreSQL reads the bucket count on the partition's first row
      const nv = buckets.eval(rows[0]!, ctx);
      if (nv === null) return out;
      const n = toInt(nv);
      if (n <= 0) throw new SqlError('22014', 'argument of ntile must be greater than zero');
      const per = Math.floor(part.size / n), extra = part.size % n;
      let bucket = 1, left = per + (extra > 0 ? 1 : 0);
      for (let i = 0; i < part.size; i++) {
        if (left === 0) {
          bucket++;
          left = per + (bucket <= extra ? 1 : 0);
        }
        out[i] = bucket;
        left--;
      }
      return out;
    },
  };
}

/** anyelement cannot take its type from an untyped literal (lag('x'), first_value('x')), as in PostgreSQL. */
function polymorphicUnknown(): SqlError {
  return new SqlError(SQLSTATE.datatype_mismatch, 'could not determine polymorphic type because input has type unknown');
}

function offsetFunction(name: string, args: readonly Compiled[]): WindowFunction {
  const value = args[0]!;
  // with a default both are anycompatible, which resolves unknowns to text
  if (value.type === 'unknown' && !args[2]) throw polymorphicUnknown();
  const offset = args[1] ? intArg(name, args, 1) : undefined;
  let type: SqlType = value.type === 'unknown' ? 'text' : value.type;
  let fallback = args[2];
  if (fallback) {
    type = commonType([value.type, fallback.type], name);
    if (fallback.type !== type) {
      const cast = castFunction(fallback.type, type, -1, false), inner = fallback;
      fallback = { type, eval: (r, c) => cast(inner.eval(r, c)) };
    }
  }
  const castValue = value.type === type ? (v: Value) => v : castFunction(value.type, type, -1, false);
  const sign = name === 'lag' ? -1 : 1;
  return {
    type,
    evaluate: ({ part, rows, ctx }) => {
      const out = new Array<Value>(part.size);
      for (let i = 0; i < part.size; i++) {
        const row = rows[i]!;
        const ov = offset ? offset.eval(row, ctx) : 1;
        if (ov === null) {
          out[i] = null;
          continue;
        }
        const j = i + sign * toInt(ov);
        out[i] = j >= 0 && j < part.size ? castValue(value.eval(rows[j]!, ctx)) : fallback ? fallback.eval(row, ctx) : null;
      }
      return out;
    },
  };
}

function frameValue(name: string, value: Compiled, nth: Compiled | undefined): WindowFunction {
  if (value.type === 'unknown') throw polymorphicUnknown();
  return {
    type: value.type,
    evaluate: ({ part, rows, frame, offsets, ctx }) => {
      const out = new Array<Value>(part.size);
      for (let i = 0; i < part.size; i++) {
        let want = 1;
        if (nth) {
          const nv = nth.eval(rows[i]!, ctx);
          if (nv === null) {
            out[i] = null;
            continue;
          }
          want = toInt(nv);
          if (want <= 0) throw new SqlError('22016', 'argument of nth_value must be greater than zero');
        }
        const s = frame.start(part, i, offsets.start), e = frame.end(part, i, offsets.end);
        let found = -1;
        if (name === 'last_value') {
          for (let j = e; j >= s; j--) if (!frame.excluded(part, i, j)) { found = j; break; }
        } else {
          for (let j = s, seen = 0; j <= e; j++) {
            if (frame.excluded(part, i, j)) continue;
            if (++seen === want) { found = j; break; }
          }
        }
        out[i] = found >= 0 ? value.eval(rows[found]!, ctx) : null;
      }
      return out;
    },
  };
}

/**
 * An aggregate over each row's frame. Frames that start at the partition's first row and exclude
 * nothing grow monotonically, so one running state serves the partition; other frames fold afresh.
 */
function aggregateOverFrame(f: FuncCall, name: string, args: Compiled[], filter: Compiled | undefined): WindowFunction {
  if (!AGGREGATES.has(name)) throw new SqlError(SQLSTATE.wrong_object_type, `OVER specified, but ${name} is not a window function nor an aggregate function`);
  if (f.agg_distinct) throw new SqlError(SQLSTATE.feature_not_supported, 'DISTINCT is not implemented for window functions');
  if (f.agg_order?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'aggregate ORDER BY is not implemented for window functions');
  const tupled = tupleAggregate(name, args, !!f.agg_star);
  if (!tupled && args.length > 1) throw noSuchFunction(name, args);
  const arg = tupled ? tupled.arg : args[0];
  const agg = tupled ? tupled.agg : makeAggregate(name, arg?.type, { star: !!f.agg_star, location: f.location });
  const input = (row: readonly Value[], ctx: RunContext): Value | undefined => {
    if (filter && filter.eval(row, ctx) !== true) return undefined;
    return arg ? arg.eval(row, ctx) : 1;
  };
  // a final value must not change when the state folds on (array results are copied)
  const snapshot = (v: Value): Value => (Array.isArray(v) ? v.slice() : v);
  return {
    type: agg.type,
    evaluate: ({ part, rows, frame, offsets, ctx }) => {
      const out = new Array<Value>(part.size);
      if (frame.startsUnbounded && !frame.excludes) {
        let state = agg.init(), next = 0, lastEnd = -2, last: Value = null;
        for (let i = 0; i < part.size; i++) {
          const e = frame.end(part, i, offsets.end);
          if (e !== lastEnd) {
            for (; next <= e; next++) {
              const v = input(rows[next]!, ctx);
              if (v !== undefined) state = agg.step(state, v);
            }
            last = snapshot(agg.final(state));
            lastEnd = e;
          }
          out[i] = last;
        }
        return out;
      }
      for (let i = 0; i < part.size; i++) {
        const s = frame.start(part, i, offsets.start), e = frame.end(part, i, offsets.end);
        let state = agg.init();
        for (let j = s; j <= e; j++) {
          if (frame.excluded(part, i, j)) continue;
          const v = input(rows[j]!, ctx);
          if (v !== undefined) state = agg.step(state, v);
        }
        out[i] = agg.final(state);
      }
      return out;
    },
  };
}
