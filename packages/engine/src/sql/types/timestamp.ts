/**
 * Microsecond timestamps. A timestamp, timestamptz or date value is a Date (the millisecond instant,
 * which is what clients get, as from PGlite); a value with microseconds below the millisecond is a
 * Timestamp, a Date that also carries them (0–999). So every reader of the millisecond instant keeps
 * working, comparisons, keys and text output see the microseconds, and a value is exact from
 * PostgreSQL's first day (4714-11-24 BC) to JavaScript's last (275760-09-13; PostgreSQL's range
 * goes on to 294276). Arithmetic that may cross 2^53 µs (about 285 years) goes through BigInt.
 */
export class Timestamp extends Date {
  constructor(ms: number, readonly us: number) {
    super(ms);
  }
}

/** PostgreSQL's first timestamp, 4714-11-24 00:00:00 BC, in Unix milliseconds. */
export const MIN_TIMESTAMP_MS = -210_866_803_200_000;

/** The microseconds below the millisecond (0–999). */
export const subMillis = (d: Date): number => (d instanceof Timestamp ? d.us : 0);

/** A timestamp value from a millisecond instant and microseconds of any size (carried into the milliseconds). */
export function timestampOf(ms: number, us = 0): Date {
  if (us < 0 || us > 999) {
    const r = ((us % 1000) + 1000) % 1000;
    ms += (us - r) / 1000;
    us = r;
  }
  return us ? new Timestamp(ms, us) : new Date(ms);
}

/** Microseconds since 1970-01-01, exact. */
export const epochMicros = (d: Date): bigint => BigInt(d.getTime()) * 1000n + BigInt(subMillis(d));

/** The timestamp `us` microseconds after 1970-01-01. */
export function fromEpochMicros(us: bigint): Date {
  let r = us % 1000n;
  if (r < 0n) r += 1000n;
  return timestampOf(Number((us - r) / 1000n), Number(r));
}

/** `d` moved by `us` microseconds (a safe integer). */
export function addMicros(d: Date, us: number): Date {
  const total = subMillis(d) + us;
  if (Number.isSafeInteger(total)) return timestampOf(d.getTime(), total);
  return fromEpochMicros(epochMicros(d) + BigInt(us));
}

/** Round half to even, as C's rint: PostgreSQL's float → integer casts and fractions of a second to microseconds. */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Order of two timestamps, microseconds included. */
export const compareTimestamps = (a: Date, b: Date): number => a.getTime() - b.getTime() || subMillis(a) - subMillis(b);

/** A key equal exactly when the instants are (microseconds included): a number for whole milliseconds. */
export const timestampKey = (d: Date): number | string => (d instanceof Timestamp && d.us ? `t${d.getTime()}.${d.us}` : d.getTime());

/** PostgreSQL's epoch, 2000-01-01, in Unix microseconds. */
const PG_EPOCH_US = 946_684_800_000_000n;

/**
 * Round to `precision` fractional digits of a second (0–6) as AdjustTimestampForTypmod: half away
 * from zero counted from 2000-01-01, so a half before 2000 rounds to the earlier value.
 */
export function roundTimestamp(d: Date, precision: number): Date {
  if (precision >= 6 || (!(d instanceof Timestamp) && precision >= 3)) return d;
  const unit = 10n ** BigInt(6 - precision);
  const us = epochMicros(d) - PG_EPOCH_US;
  const half = unit / 2n;
  const rounded = us >= 0n ? ((us + half) / unit) * unit : -((-us + half) / unit) * unit;
  return fromEpochMicros(rounded + PG_EPOCH_US);
}
