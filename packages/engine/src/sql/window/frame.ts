/**
 * Window frames: which rows of a sorted partition each row's frame holds, for ROWS, RANGE and
 * GROUPS with UNBOUNDED / offset PRECEDING and FOLLOWING / CURRENT ROW bounds and the EXCLUDE
 * options, with PostgreSQL's errors for bad offsets. The bits are PostgreSQL's FRAMEOPTION_* flags
 * as libpg-query hands them over in WindowDef.frameOptions.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { isNumericType } from '../cast.ts';
import { Numeric } from '../numeric.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { compareValues } from '../values.ts';
import { addInterval, addIntervals, Interval, parseInterval } from '../types/interval.ts';
import { Time } from '../types/time.ts';
import { TimeTz } from '../types/timetz.ts';

export const FRAME = {
  NONDEFAULT: 0x1, RANGE: 0x2, ROWS: 0x4, GROUPS: 0x8, BETWEEN: 0x10,
  START_UNBOUNDED_PRECEDING: 0x20, END_UNBOUNDED_PRECEDING: 0x40, START_UNBOUNDED_FOLLOWING: 0x80, END_UNBOUNDED_FOLLOWING: 0x100,
  START_CURRENT_ROW: 0x200, END_CURRENT_ROW: 0x400,
  START_OFFSET_PRECEDING: 0x800, END_OFFSET_PRECEDING: 0x1000, START_OFFSET_FOLLOWING: 0x2000, END_OFFSET_FOLLOWING: 0x4000,
  EXCLUDE_CURRENT_ROW: 0x8000, EXCLUDE_GROUP: 0x10000, EXCLUDE_TIES: 0x20000,
} as const;
export const DEFAULT_FRAME = FRAME.RANGE | FRAME.START_UNBOUNDED_PRECEDING | FRAME.END_CURRENT_ROW;
const START_OFFSET = FRAME.START_OFFSET_PRECEDING | FRAME.START_OFFSET_FOLLOWING;
const END_OFFSET = FRAME.END_OFFSET_PRECEDING | FRAME.END_OFFSET_FOLLOWING;
const EXCLUDE = FRAME.EXCLUDE_CURRENT_ROW | FRAME.EXCLUDE_GROUP | FRAME.EXCLUDE_TIES;

/** A sorted partition: its rows' ORDER BY keys and, per position, the bounds of its peer group. */
export interface Partition {
  size: number;
  /** First and last position of each position's peer group (rows equal in every ORDER BY key). */
  groupStart: Int32Array;
  groupEnd: Int32Array;
  /** Peer group number of each position (0-based). */
  group: Int32Array;
  /** The single ORDER BY key of each position (RANGE with an offset only). */
  key?: Value[];
  desc?: boolean;
  nullsFirst?: boolean;
}

/** Offsets evaluated for one run: the frame's start and end offsets (undefined when not offsets). */
export interface FrameOffsets {
  start?: Value;
  end?: Value;
}

/** Arithmetic for RANGE offsets on the ORDER BY key's type, exact (no overflow: int keys go through BigInt). */
interface RangeDomain {
  of(v: Value): Value;
  add(a: Value, b: Value): Value;
  sub(a: Value, b: Value): Value;
  negative(v: Value): boolean;
}

const bigDomain: RangeDomain = {
  of: (v) => BigInt(v as number | bigint),
  add: (a, b) => (a as bigint) + (b as bigint),
  sub: (a, b) => (a as bigint) - (b as bigint),
  negative: (v) => (v as bigint) < 0n,
};
const floatDomain: RangeDomain = {
  of: (v) => (v instanceof Numeric ? v.toFloat() : Number(v)),
  add: (a, b) => (a as number) + (b as number),
  sub: (a, b) => (a as number) - (b as number),
  negative: (v) => (v as number) < 0 || Number.isNaN(v as number),
};
const numericDomain: RangeDomain = {
  of: (v) => (v instanceof Numeric ? v : Numeric.fromInt(v as number | bigint)),
  add: (a, b) => (a as Numeric).add(b as Numeric),
  sub: (a, b) => (a as Numeric).sub(b as Numeric),
  negative: (v) => (v as Numeric).sign < 0 || (v as Numeric).toString() === 'NaN',
};

/** date, timestamp and timestamptz keys with interval offsets (in_range_timestamp_interval): a date counts as its midnight. */
const datetimeDomain: RangeDomain = {
  of: (v) => (typeof v === 'string' ? parseInterval(v) : v),
  add: (a, b) => addInterval(a as Date, b as Interval, 1),
  sub: (a, b) => addInterval(a as Date, b as Interval, -1),
  negative: (v) => (v as Interval).span() < 0n,
};
/** interval keys with interval offsets (in_range_interval_interval). */
const intervalDomain: RangeDomain = {
  of: (v) => (typeof v === 'string' ? parseInterval(v) : v),
  add: (a, b) => addIntervals(a as Interval, b as Interval, 1),
  sub: (a, b) => addIntervals(a as Interval, b as Interval, -1),
  negative: (v) => (v as Interval).span() < 0n,
};

/**
 * time and timetz keys with interval offsets (in_range_time(tz)_interval): the offset's time field
 * added without wrapping around midnight, the zone kept; a negative time field is refused.
 */
const timeDomain: RangeDomain = {
  of: (v) => (typeof v === 'string' ? parseInterval(v) : v),
  add: (a, b) => shiftTime(a, (b as Interval).micros),
  sub: (a, b) => shiftTime(a, -(b as Interval).micros),
  negative: (v) => (v as Interval).micros < 0,
};
const shiftTime = (t: Value, us: number): Value => (t instanceof TimeTz ? new TimeTz(t.us + us, t.zone) : new Time((t as Time).us + us));

const isInt = (t: SqlType) => t === 'int2' || t === 'int4' || t === 'int8';
const isDateTime = (t: SqlType) => t === 'date' || t === 'timestamp' || t === 'timestamptz';

/** The domain for RANGE offsets of a key of type `key` with offsets of type `offset` (PostgreSQL's in_range support). */
export function rangeDomain(key: SqlType, offset: SqlType): RangeDomain {
  // an untyped offset takes the one offset type PostgreSQL's in_range functions have for the key
  const off = offset === 'unknown' ? (isDateTime(key) || key === 'time' || key === 'timetz' ? 'interval' : key) : offset;
  if ((key === 'time' || key === 'timetz') && off === 'interval') return timeDomain;
  if (isInt(key) && isInt(off)) return bigDomain;
  if ((isDateTime(key) || key === 'interval') && off === 'interval') return key === 'interval' ? intervalDomain : datetimeDomain;
  if ((key === 'float4' || key === 'float8') && isNumericType(off)) return floatDomain;
  if (key === 'numeric' && (isInt(off) || off === 'numeric')) return numericDomain;
  // varchar compares as text, and PostgreSQL names it so
  const name = (t: SqlType) => TYPE_NAME[t === 'varchar' ? 'text' : t];
  if (!isNumericType(key) && !isDateTime(key) && key !== 'interval' && key !== 'time' && key !== 'timetz') {
    throw new SqlError(SQLSTATE.feature_not_supported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${name(key)}`);
  }
  throw new SqlError(SQLSTATE.feature_not_supported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${name(key)} and offset type ${name(off)}`);
}

/** Frame bounds of every position of a partition, as inclusive [start, end] (start > end: empty). */
export class FrameBounds {
  constructor(
    private readonly options: number,
    private readonly domain: RangeDomain | undefined,
  ) {}

  get startsUnbounded(): boolean {
    return (this.options & FRAME.START_UNBOUNDED_PRECEDING) !== 0;
  }

  get excludes(): number {
    return this.options & EXCLUDE;
  }

  /** Check the offsets once per run, as PostgreSQL does when the window starts. */
  check(offsets: FrameOffsets): { start?: Value; end?: Value } {
    const o = this.options;
    const out: { start?: Value; end?: Value } = {};
    if (o & START_OFFSET) out.start = this.offset(offsets.start, 'starting');
    if (o & END_OFFSET) out.end = this.offset(offsets.end, 'ending');
    return out;
  }

  private offset(v: Value, which: string): Value {
    if (v === null || v === undefined) throw new SqlError('22004', `frame ${which} offset must not be null`);
    if (this.options & FRAME.RANGE) {
      const d = this.domain!.of(v);
      if (this.domain!.negative(d)) throw new SqlError('22013', 'invalid preceding or following size in window function');
      return d;
    }
    const n = v instanceof Numeric ? Number(v.toBigInt()) : Number(v);
    if (n < 0) throw new SqlError('22013', `frame ${which} offset must not be negative`);
    return n;
  }

  start(p: Partition, i: number, off: Value): number {
    const o = this.options;
    if (o & FRAME.START_UNBOUNDED_PRECEDING) return 0;
    if (o & FRAME.START_CURRENT_ROW) return o & FRAME.ROWS ? i : p.groupStart[i]!;
    const preceding = (o & FRAME.START_OFFSET_PRECEDING) !== 0;
    if (o & FRAME.ROWS) return preceding ? Math.max(0, i - (off as number)) : i + (off as number);
    if (o & FRAME.GROUPS) {
      const g = p.group[i]! + (preceding ? -(off as number) : (off as number));
      return groupFirst(p, g);
    }
    return this.rangeStart(p, i, off, preceding);
  }

  end(p: Partition, i: number, off: Value): number {
    const o = this.options;
    if (o & FRAME.END_UNBOUNDED_FOLLOWING) return p.size - 1;
    if (o & FRAME.END_CURRENT_ROW) return o & FRAME.ROWS ? i : p.groupEnd[i]!;
    const preceding = (o & FRAME.END_OFFSET_PRECEDING) !== 0;
    if (o & FRAME.ROWS) return Math.min(p.size - 1, preceding ? i - (off as number) : i + (off as number));
    if (o & FRAME.GROUPS) {
      const g = p.group[i]! + (preceding ? -(off as number) : (off as number));
      return groupFirst(p, g + 1) - 1;
    }
    return this.rangeEnd(p, i, off, preceding);
  }

  /** Whether position j is excluded from the frame of position i. */
  excluded(p: Partition, i: number, j: number): boolean {
    const x = this.options & EXCLUDE;
    if (!x) return false;
    if (x & FRAME.EXCLUDE_CURRENT_ROW) return i === j;
    const peer = p.group[i] === p.group[j];
    return x & FRAME.EXCLUDE_GROUP ? peer : peer && i !== j;
  }

  /**
   * RANGE offsets: the frame of a row with key v holds the rows whose key lies in
   * [v - start, v + end] (mirrored for DESC). NULL keys are peers of each other only.
   */
  private rangeStart(p: Partition, i: number, off: Value, preceding: boolean): number {
    const v = p.key![i];
    if (v === null) return p.groupStart[i]!;
    const d = this.domain!;
    const forward = preceding === !!p.desc;
    const bound = forward ? d.add(d.of(v), off) : d.sub(d.of(v), off);
    // first position whose key is not before the bound in sort order
    for (let j = 0; j < p.size; j++) {
      const k = p.key![j];
      if (k === null) {
        if (!p.nullsFirst) return j;
        continue;
      }
      const c = compareValues(d.of(k), bound);
      if (p.desc ? c <= 0 : c >= 0) return j;
    }
    return p.size;
  }

  private rangeEnd(p: Partition, i: number, off: Value, preceding: boolean): number {
    const v = p.key![i];
    if (v === null) return p.groupEnd[i]!;
    const d = this.domain!;
    const forward = preceding === !!p.desc;
    const bound = forward ? d.add(d.of(v), off) : d.sub(d.of(v), off);
    // last position whose key is not after the bound in sort order
    for (let j = p.size - 1; j >= 0; j--) {
      const k = p.key![j];
      if (k === null) {
        if (p.nullsFirst) return j;
        continue;
      }
      const c = compareValues(d.of(k), bound);
      if (p.desc ? c >= 0 : c <= 0) return j;
    }
    return -1;
  }
}

/** First position of peer group g (0 before the first group, size past the last). */
function groupFirst(p: Partition, g: number): number {
  if (g <= 0) return 0;
  const last = p.group[p.size - 1] ?? -1;
  if (g > last) return p.size;
  let lo = 0, hi = p.size - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p.group[mid]! < g) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
