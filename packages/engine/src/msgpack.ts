/**
 * The msgpack settings every persisted or streamed encoding shares (WAL records, checkpoints,
 * base backups, the control file): int8 values beyond 2^53 travel as msgpack int64 and come back
 * as bigint, numeric values as an extension holding their exact text (scale included), and a
 * timestamp with microseconds below the millisecond as one holding both parts.
 * A float's negative zero travels as an extension too (msgpackr writes -0 as the integer 0), through
 * `ValuePackr`, which every encoder of values uses.
 * Importing this module registers the extension, so encoder and decoder always agree.
 */
import { addExtension, Packr, type Options } from 'msgpackr';
import { Numeric } from './sql/numeric.ts';
import { Interval } from './sql/types/interval.ts';
import { JSON_NULL, JsonNull } from './sql/types/jsonb.ts';
import { Timestamp } from './sql/types/timestamp.ts';
import { Time } from './sql/types/time.ts';
import { TimeTz } from './sql/types/timetz.ts';
import { RowValue } from './sql/types/record.ts';
import type { SqlType, Value } from './sql/types.ts';

/** msgpack extension type of a numeric value (ASCII 'N'). */
const NUMERIC_EXT = 0x4e;

addExtension({
  Class: Numeric,
  type: NUMERIC_EXT,
  write: (n: Numeric) => n.toString(),
  read: (text: string) => {
    const n = typeof text === 'string' ? Numeric.parse(text) : undefined;
    if (!n) throw new Error('invalid numeric value in msgpack data');
    return n;
  },
});

/** msgpack extension type of an interval value (ASCII 'I'): [months, days, microseconds]. */
const INTERVAL_EXT = 0x49;

addExtension({
  Class: Interval,
  type: INTERVAL_EXT,
  write: (iv: Interval) => [iv.months, iv.days, iv.micros],
  read: (parts: unknown) => {
    if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((p) => Number.isSafeInteger(p))) throw new Error('invalid interval value in msgpack data');
    return new Interval(parts[0] as number, parts[1] as number, parts[2] as number);
  },
});

/**
 * msgpack extension type of a microsecond timestamp (ASCII 'T'): [milliseconds since 1970, microseconds
 * 0–999]. A whole-millisecond timestamp is a plain Date and keeps msgpack's own timestamp type.
 */
const TIMESTAMP_EXT = 0x54;

addExtension({
  Class: Timestamp,
  type: TIMESTAMP_EXT,
  write: (t: Timestamp) => [t.getTime(), t.us],
  read: (parts: unknown) => {
    const ok = Array.isArray(parts) && parts.length === 2 && Number.isSafeInteger(parts[0]) && Number.isInteger(parts[1]) && parts[1] > 0 && parts[1] < 1000;
    if (!ok) throw new Error('invalid timestamp value in msgpack data');
    return new Timestamp(parts[0] as number, parts[1] as number);
  },
});

/** msgpack extension type of a time of day (ASCII 'H'): its microseconds since midnight. */
const TIME_EXT = 0x48;

addExtension({
  Class: Time,
  type: TIME_EXT,
  write: (t: Time) => t.us,
  read: (us: unknown) => {
    if (!Number.isSafeInteger(us) || (us as number) < 0 || (us as number) > 86_400_000_000) throw new Error('invalid time value in msgpack data');
    return new Time(us as number);
  },
});

/** msgpack extension type of a time with time zone (ASCII 'Z'): [microseconds since midnight, seconds west of UTC]. */
const TIMETZ_EXT = 0x5a;

addExtension({
  Class: TimeTz,
  type: TIMETZ_EXT,
  write: (t: TimeTz) => [t.us, t.zone],
  read: (parts: unknown) => {
    const ok = Array.isArray(parts) && parts.length === 2 && Number.isSafeInteger(parts[0]) && parts[0] >= 0 && parts[0] <= 86_400_000_000 && Number.isSafeInteger(parts[1]);
    if (!ok) throw new Error('invalid timetz value in msgpack data');
    return new TimeTz(parts[0] as number, parts[1] as number);
  },
});

/** msgpack extension type of a jsonb document that is JSON null itself (ASCII 'J'). */
const JSON_NULL_EXT = 0x4a;

addExtension({
  Class: JsonNull,
  type: JSON_NULL_EXT,
  write: () => 0,
  read: () => JSON_NULL,
});

// useRecords:false keeps the encoding stateless and deterministic: the same value always gives the same bytes.
export const PACK_OPTIONS: Options = { useRecords: false, moreTypes: false, int64AsType: 'bigint' };

/** msgpack extension type of a row value, a composite column's (ASCII 'R'): [values, field types, field names]. */
const ROW_EXT = 0x52;

addExtension({
  Class: RowValue,
  type: ROW_EXT,
  write: (r: RowValue) => [r.values, r.types, r.names],
  read: (parts: unknown) => {
    const ok = Array.isArray(parts) && parts.length === 3 && parts.every(Array.isArray) && parts[0].length === parts[1].length && parts[1].length === parts[2].length;
    if (!ok) throw new Error('invalid row value in msgpack data');
    return new RowValue(parts[0] as Value[], parts[1] as SqlType[], parts[2] as string[]);
  },
});

/** msgpack extension type of a float's negative zero (ASCII '-'): msgpackr would write -0 as the integer 0. */
const NEGATIVE_ZERO_EXT = 0x2d;

class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();

addExtension({
  Class: NegativeZero,
  type: NEGATIVE_ZERO_EXT,
  write: () => 0,
  read: () => -0,
});

const isNegativeZero = (v: unknown): boolean => v === 0 && 1 / (v as number) < 0;

/**
 * `value` with each negative zero in it (in arrays, plain objects, Maps and row values, as deep as
 * they go) replaced by the extension's marker; `value` itself when it holds none, so a value
 * without one costs a walk and no allocation.
 */
export function markNegativeZeros(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return isNegativeZero(value) ? NEGATIVE_ZERO : value;
  if (Array.isArray(value)) return markInArray(value);
  if (value instanceof RowValue) {
    const values = markNegativeZeros(value.values) as Value[];
    return values === value.values ? value : new RowValue(values, value.types, value.names);
  }
  if (value instanceof Map) {
    let out: Map<unknown, unknown> | undefined;
    for (const [k, v] of value as Map<unknown, unknown>) {
      const marked = markNegativeZeros(v);
      if (marked !== v) (out ??= new Map(value)).set(k, marked);
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    const marked = markNegativeZeros(v);
    if (marked !== v) (out ??= { ...(value as Record<string, unknown>) })[key] = marked;
  }
  return out ?? value;
}

// The hot case (a checkpoint chunk's rows): one tight loop per array, a call only for what nests.
function markInArray(values: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (v === 0) {
      if (1 / v < 0) (out ??= values.slice())[i] = NEGATIVE_ZERO;
    } else if (typeof v === 'object' && v !== null) {
      const marked = Array.isArray(v) ? markInArray(v) : markNegativeZeros(v);
      if (marked !== v) (out ??= values.slice())[i] = marked;
    }
  }
  return out ?? values;
}

/** msgpackr's Packr with PACK_OPTIONS (by default) that keeps a float's negative zero. */
export class ValuePackr extends Packr {
  constructor(options: Options = PACK_OPTIONS) {
    super(options);
    const pack = this.pack;
    this.pack = this.encode = (value: unknown, encodeOptions?: number) => pack.call(this, markNegativeZeros(value), encodeOptions);
  }
}
