/**
 * The time type (time without time zone): microseconds since midnight, 00:00:00 to 24:00:00, as
 * PostgreSQL keeps it. This file owns the value class, time_in and time_out, time(p) rounding,
 * the arithmetic with intervals, dates and other times.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { Interval, USECS_PER_DAY } from './interval.ts';
import { addMicros, rint, subMillis } from './timestamp.ts';

export class Time {
  constructor(readonly us: number) {}

  toString(): string {
    return formatTime(this.us);
  }
}

export const compareTimes = (a: Time, b: Time): number => a.us - b.us;

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** time_out: `HH:MM:SS` and the fraction without trailing zeros. */
export function formatTime(us: number): string {
  const sec = Math.floor(us / 1_000_000), frac = us % 1_000_000;
  const text = `${pad2(Math.floor(sec / 3600))}:${pad2(Math.floor(sec / 60) % 60)}:${pad2(sec % 60)}`;
  return frac ? `${text}.${String(frac).padStart(6, '0').replace(/0+$/, '')}` : text;
}

// an optional ISO date before it, an optional numeric zone after it (ignored by time without time zone)
const TIME_RE =
  /^(?:\d{4,}-\d{1,2}-\d{1,2}(?:T|\s+))?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(z|utc|gmt|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?$/i;

/** time_in: `12:34`, `12:34:56.789012`, `1:02 pm`, `allballs`, a timestamp's time of day. */
export function parseTime(text: string): Time {
  return new Time(parseTimeOfDay(text, 'time').us);
}

/** A time of day and its written zone in seconds west of UTC (PostgreSQL's sign), undefined when none is written. */
export function parseTimeOfDay(text: string, type: 'time' | 'time with time zone'): { us: number; zone?: number } {
  const s = text.trim();
  if (/^allballs$/i.test(s)) return { us: 0, zone: 0 };
  // PostgreSQL reads `PM-07` as a POSIX zone name and drops the meridian: refused rather than read otherwise
  const m = /(am|pm|\.m\.)[+-]/i.test(s) ? null : TIME_RE.exec(s);
  if (!m) throw new SqlError(SQLSTATE.invalid_datetime_format, `invalid input syntax for type ${type}: "${text}"`);
  let hour = Number(m[1]);
  const minute = Number(m[2]), second = m[3] ? Number(m[3]) : 0;
  const frac = m[4] ? rint(Number(`0.${m[4]}`) * 1_000_000) : 0;
  const meridian = m[5]?.toLowerCase()[0];
  if (meridian && (hour < 1 || hour > 12)) throw outOfRange(text);
  if (meridian === 'p' && hour < 12) hour += 12;
  if (meridian === 'a' && hour === 12) hour = 0;
  const us = ((hour * 60 + minute) * 60 + second) * 1_000_000 + frac;
  if (minute > 59 || second > 60 || us > USECS_PER_DAY) throw outOfRange(text);
  const off = m[6] ? /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(m[6]) : null;
  if (!m[6]) return { us };
  if (!off) return { us, zone: 0 };
  const east = Number(off[2]) * 3600 + Number(off[3] ?? 0) * 60 + Number(off[4] ?? 0);
  if (east > 15 * 3600 + 59 * 60 + 59) throw new SqlError('22009', `time zone displacement out of range: "${text}"`);
  return { us, zone: (off[1] === '-' ? east : -east) || 0 };
}

const outOfRange = (text: string): SqlError => new SqlError(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);

/** time(p): round to p fractional digits, half up (AdjustTimeForTypmod; 23:59:59.9999999 may become 24:00:00). */
export function roundTime(t: Time, precision: number): Time {
  if (precision >= 6) return t;
  const scale = 10 ** (6 - precision);
  return new Time(Math.trunc((t.us + Math.trunc(scale / 2)) / scale) * scale);
}

/** The time of day of a timestamp. */
export function timeOfTimestamp(d: Date): Time {
  const ms = ((d.getTime() % 86_400_000) + 86_400_000) % 86_400_000;
  return new Time(ms * 1000 + subMillis(d));
}

/** interval → time: the time field modulo a day (interval_time). */
export function timeOfInterval(iv: Interval): Time {
  const us = iv.micros % USECS_PER_DAY;
  return new Time(us < 0 ? us + USECS_PER_DAY : us);
}

/** time ± interval: the interval's time field, wrapped around midnight; months and days are ignored. */
export function addIntervalToTime(t: Time, iv: Interval, sign: 1 | -1): Time {
  const us = (t.us + sign * (iv.micros % USECS_PER_DAY)) % USECS_PER_DAY;
  return new Time(us < 0 ? us + USECS_PER_DAY : us);
}

/** date + time: the timestamp at that time of the day. */
export const dateAtTime = (d: Date, t: Time): Date => addMicros(d, t.us);

export const subtractTimes = (a: Time, b: Time): Interval => new Interval(0, 0, a.us - b.us || 0);
