/**
 * Date/time functions: date_trunc, extract/date_part, age, justify_*, make_date,
 * make_timestamp(tz), to_timestamp, date_bin, AT TIME ZONE (timezone()), with PostgreSQL 15's result types
 * (extract gives numeric, date_part double). The session time zone is UTC, so timestamptz and
 * timestamp differ only in type. Every function keeps the microseconds (types/timestamp.ts). to_char and make_interval live in their own files.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { Numeric } from '../numeric.ts';
import type { EvalContext } from '../scope.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import {
  Interval, justifyDays, justifyHours, justifyInterval, monthLength,
} from '../types/interval.ts';
import type { Overload } from '../functions.ts';
import { addMicros, compareTimestamps, epochMicros, fromEpochMicros, rint, subMillis, timestampOf } from '../types/timestamp.ts';
import { Time } from '../types/time.ts';
import type { TimeTz } from '../types/timetz.ts';

const DAY_MS = 86_400_000;

/** Field names (and their spellings) that date_trunc and extract accept. */
const FIELD_NAMES: Record<string, string> = {};
for (const [field, names] of Object.entries({
  microseconds: ['microseconds', 'microsecond', 'us', 'usec', 'usecs', 'useconds'],
  milliseconds: ['milliseconds', 'millisecond', 'ms', 'msec', 'msecs', 'mseconds'],
  second: ['second', 'seconds', 's', 'sec', 'secs'],
  minute: ['minute', 'minutes', 'm', 'min', 'mins'],
  hour: ['hour', 'hours', 'h', 'hr', 'hrs'],
  day: ['day', 'days', 'd'],
  week: ['week', 'weeks', 'w'],
  month: ['month', 'months', 'mon', 'mons'],
  quarter: ['quarter', 'qtr'],
  year: ['year', 'years', 'y', 'yr', 'yrs'],
  decade: ['decade', 'decades', 'dec', 'decs'],
  century: ['century', 'centuries', 'c', 'cent'],
  millennium: ['millennium', 'millennia', 'mil', 'mils', 'millenniums'],
  epoch: ['epoch'], dow: ['dow'], isodow: ['isodow'], doy: ['doy'], isoyear: ['isoyear'], julian: ['julian', 'j'],
  timezone: ['timezone'], timezone_hour: ['timezone_h', 'timezone_hour'], timezone_minute: ['timezone_m', 'timezone_minute'],
})) for (const n of names) FIELD_NAMES[n] = field;

function fieldOf(text: string, type: SqlType): string {
  const f = FIELD_NAMES[text.toLowerCase()];
  if (!f) throw new SqlError(SQLSTATE.invalid_parameter_value, `unit "${text}" not recognized for type ${TYPE_NAME[type]}`);
  return f;
}

const unsupportedUnit = (text: string, type: SqlType): SqlError =>
  new SqlError(SQLSTATE.feature_not_supported, `unit "${text}" not supported for type ${TYPE_NAME[type]}`);

function utc(year: number, month0: number, day: number, ms = 0): Date {
  // the date first (Date.UTC would map years 0-99 to 1900-1999), then the time, which may pass midnight
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  return new Date(d.getTime() + ms);
}

/** ISO 8601 week-numbering year and week of a date. */
function isoWeek(d: Date): { year: number; week: number } {
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - day * DAY_MS + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = new Date(Date.UTC(year, 0, 1));
  jan1.setUTCFullYear(year);
  return { year, week: 1 + Math.floor((thursday.getTime() - jan1.getTime()) / (7 * DAY_MS)) };
}

function dayOfYear(d: Date): number {
  const jan1 = utc(d.getUTCFullYear(), 0, 1);
  return 1 + Math.round((utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()).getTime() - jan1.getTime()) / DAY_MS);
}

/** A PostgreSQL year (1 BC is 0 in JS): the year as printed, negative BC. */
const pgYear = (d: Date): number => (d.getUTCFullYear() <= 0 ? d.getUTCFullYear() - 1 : d.getUTCFullYear());

/** date_trunc on a timestamp: the start of the field's period, Mondays for weeks, century 2001 style. */
function truncTimestamp(fieldText: string, d: Date, type: SqlType): Date {
  const field = fieldOf(fieldText, type);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth(), day = d.getUTCDate();
  const ms = d.getTime() - utc(y, mo, day).getTime();
  switch (field) {
    case 'microseconds': return d;
    case 'milliseconds': return new Date(d.getTime());
    case 'second': return utc(y, mo, day, Math.floor(ms / 1000) * 1000);
    case 'minute': return utc(y, mo, day, Math.floor(ms / 60_000) * 60_000);
    case 'hour': return utc(y, mo, day, Math.floor(ms / 3_600_000) * 3_600_000);
    case 'day': return utc(y, mo, day);
    case 'week': return new Date(utc(y, mo, day).getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS);
    case 'month': return utc(y, mo, 1);
    case 'quarter': return utc(y, mo - (mo % 3), 1);
    case 'year': return utc(y, 0, 1);
    case 'decade': return utc(y > 0 ? Math.floor(y / 10) * 10 : -Math.floor((-y + 10) / 10) * 10 + 1, 0, 1);
    case 'century': return utc(y > 0 ? Math.floor((y - 1) / 100) * 100 + 1 : -Math.floor((-y) / 100) * 100 - 99, 0, 1);
    case 'millennium': return utc(y > 0 ? Math.floor((y - 1) / 1000) * 1000 + 1 : -Math.floor((-y) / 1000) * 1000 - 999, 0, 1);
    default: throw unsupportedUnit(fieldText, type);
  }
}

function truncInterval(fieldText: string, iv: Interval): Interval {
  const field = fieldOf(fieldText, 'interval');
  const us = iv.micros;
  const cut = (unit: number) => us - (us % unit);
  switch (field) {
    case 'microseconds': return iv;
    case 'milliseconds': return new Interval(iv.months, iv.days, cut(1000));
    case 'second': return new Interval(iv.months, iv.days, cut(1_000_000));
    case 'minute': return new Interval(iv.months, iv.days, cut(60_000_000));
    case 'hour': return new Interval(iv.months, iv.days, cut(3_600_000_000));
    case 'day': return new Interval(iv.months, iv.days, 0);
    case 'month': return new Interval(iv.months, 0, 0);
    case 'quarter': return new Interval(iv.months - (iv.months % 3), 0, 0);
    case 'year': return new Interval(iv.months - (iv.months % 12), 0, 0);
    case 'decade': return new Interval(iv.months - (iv.months % 120), 0, 0);
    case 'century': return new Interval(iv.months - (iv.months % 1200), 0, 0);
    case 'millennium': return new Interval(iv.months - (iv.months % 12000), 0, 0);
    default: throw new SqlError(SQLSTATE.feature_not_supported, `unit "${fieldText}" not supported for type interval`);
  }
}

/** A decimal with `scale` places from an integer count of 10^-scale units. */
function scaled(units: number | bigint, scale: number): Numeric {
  const neg = units < 0;
  const digits = String(neg ? -units : units).padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return Numeric.parse((neg ? '-' : '') + text)!;
}

/** extract(field from timestamp|timestamptz|date) as PostgreSQL 15's numeric. */
function extractTimestamp(fieldText: string, d: Date, type: SqlType): Numeric {
  const field = fieldOf(fieldText, type);
  const date = type === 'date';
  const msOfDay = d.getTime() - utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()).getTime();
  const usOfMinute = (msOfDay % 60_000) * 1000 + subMillis(d);
  const y = pgYear(d);
  const int = (n: number) => Numeric.fromInt(n);
  switch (field) {
    case 'microseconds': if (date) break; return int(usOfMinute);
    case 'milliseconds': if (date) break; return scaled(usOfMinute, 3);
    case 'second': if (date) break; return scaled(usOfMinute, 6);
    case 'minute': if (date) break; return int(Math.floor(msOfDay / 60_000) % 60);
    case 'hour': if (date) break; return int(Math.floor(msOfDay / 3_600_000));
    case 'day': return int(d.getUTCDate());
    case 'month': return int(d.getUTCMonth() + 1);
    case 'quarter': return int(Math.floor(d.getUTCMonth() / 3) + 1);
    case 'year': return int(y);
    case 'week': return int(isoWeek(d).week);
    case 'isoyear': return int(isoWeek(d).year <= 0 ? isoWeek(d).year - 1 : isoWeek(d).year);
    case 'dow': return int(d.getUTCDay());
    case 'isodow': return int(d.getUTCDay() || 7);
    case 'doy': return int(dayOfYear(d));
    case 'decade': return int(Math.floor(y / 10));
    case 'century': return int(y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - (y + 1)) / 100));
    case 'millennium': return int(y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - (y + 1)) / 1000));
    case 'epoch': return date ? int(Math.floor(d.getTime() / 1000)) : scaled(epochMicros(d), 6);
    case 'julian': {
      if (date) return int(Math.floor(d.getTime() / DAY_MS) + 2440588);
      break;
    }
    case 'timezone': case 'timezone_hour': case 'timezone_minute':
      if (type === 'timestamptz') return int(0);
      break;
  }
  throw unsupportedUnit(fieldText, type);
}

function extractInterval(fieldText: string, iv: Interval): Numeric {
  const field = fieldOf(fieldText, 'interval');
  const int = (n: number) => Numeric.fromInt(n);
  const usOfMinute = iv.micros % 60_000_000;
  switch (field) {
    case 'microseconds': return int(usOfMinute);
    case 'milliseconds': return scaled(usOfMinute, 3);
    case 'second': return scaled(usOfMinute, 6);
    case 'minute': return int(Math.trunc((iv.micros % 3_600_000_000) / 60_000_000));
    case 'hour': return int(Math.trunc(iv.micros / 3_600_000_000));
    case 'day': return int(iv.days);
    case 'month': return int(iv.months % 12);
    case 'quarter': return int(Math.trunc((iv.months % 12) / 3) + 1);
    case 'year': return int(Math.trunc(iv.months / 12));
    case 'decade': return int(Math.trunc(iv.months / 120));
    case 'century': return int(Math.trunc(iv.months / 1200));
    case 'millennium': return int(Math.trunc(iv.months / 12000));
    case 'epoch': {
      // a year is 365.25 days and a month 30 days here, as in PostgreSQL
      const years = Math.trunc(iv.months / 12), months = iv.months % 12;
      const secs = BigInt(years) * 31_557_600n + BigInt(months) * 2_592_000n + BigInt(iv.days) * 86_400n;
      return Numeric.parse((secs * 1_000_000n + BigInt(iv.micros)).toString())!.div(Numeric.parse('1000000.000000')!).round(6);
    }
  }
  throw new SqlError(SQLSTATE.feature_not_supported, `unit "${fieldText}" not supported for type interval`);
}

/** extract(field from time) as numeric: the fields of a time of day and its epoch. */
function extractTime(fieldText: string, t: Time): Numeric {
  const field = fieldOf(fieldText, 'time');
  const usOfMinute = t.us % 60_000_000;
  const int = (n: number) => Numeric.fromInt(n);
  switch (field) {
    case 'microseconds': return int(usOfMinute);
    case 'milliseconds': return scaled(usOfMinute, 3);
    case 'second': return scaled(usOfMinute, 6);
    case 'minute': return int(Math.floor(t.us / 60_000_000) % 60);
    case 'hour': return int(Math.floor(t.us / 3_600_000_000));
    case 'epoch': return scaled(t.us, 6);
  }
  throw unsupportedUnit(fieldText, 'time');
}

/** extract(field from timetz): a time's fields, its zone, and an epoch counted in UTC. */
function extractTimeTz(fieldText: string, t: TimeTz): Numeric {
  const field = fieldOf(fieldText, 'timetz');
  const east = -t.zone;
  switch (field) {
    case 'timezone': return Numeric.fromInt(east);
    case 'timezone_hour': return Numeric.fromInt(Math.trunc(east / 3600));
    case 'timezone_minute': return Numeric.fromInt(Math.trunc(east / 60) % 60);
    case 'epoch': return scaled(t.us + t.zone * 1_000_000, 6);
  }
  if (field === 'microseconds' || field === 'milliseconds' || field === 'second' || field === 'minute' || field === 'hour') return extractTime(fieldText, new Time(t.us));
  throw unsupportedUnit(fieldText, 'timetz');
}

/** make_time(hour, min, sec). */
function makeTime(hour: number, min: number, sec: number): Time {
  const us = rint(sec * 1_000_000);
  if (hour < 0 || hour > 24 || min < 0 || min > 59 || sec < 0 || us > 60_000_000 || (hour === 24 && (min > 0 || us > 0))) {
    throw new SqlError(SQLSTATE.datetime_field_overflow, `time field value out of range: ${hour}:${String(min).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
  }
  return new Time((hour * 60 + min) * 60_000_000 + us);
}

/** age(a, b): the symbolic difference in years, months and days, then time (timestamp_age). */
function age(a: Date, b: Date): Interval {
  const sign = compareTimestamps(a, b) >= 0 ? 1 : -1;
  const [hi, lo] = sign > 0 ? [a, b] : [b, a];
  let months = (hi.getUTCFullYear() - lo.getUTCFullYear()) * 12 + hi.getUTCMonth() - lo.getUTCMonth();
  let days = hi.getUTCDate() - lo.getUTCDate();
  const usOf = (d: Date) => (d.getTime() - utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()).getTime()) * 1000 + subMillis(d);
  let us = usOf(hi) - usOf(lo);
  if (us < 0) { us += DAY_MS * 1000; days--; }
  if (days < 0) {
    // borrow the length of the earlier date's month, as PostgreSQL does
    days += monthLength(lo.getUTCFullYear(), lo.getUTCMonth());
    months--;
  }
  return new Interval(sign * months || 0, sign * days || 0, sign * us || 0);
}

const midnight = (d: Date): Date => utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

/** A zone's offset east of UTC in milliseconds at instant `t`: fixed (POSIX sign: '+05' is five hours west), UTC, or an IANA name Intl knows. */
function zoneOffset(zone: string, t: number): number {
  const z = zone.trim();
  if (/^(utc|gmt|z|zulu|universal|etc\/utc|etc\/gmt)$/i.test(z)) return 0;
  const fixed = /^(?:(?:utc|gmt))?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i.exec(z);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0) + Number(fixed[4] ?? 0) / 60;
    return (fixed[1] === '+' ? -1 : 1) * minutes * 60_000;
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: z, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    }).formatToParts(new Date(t));
  } catch {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `time zone "${zone}" not recognized`);
  }
  const get = (k: string) => Number(parts.find((p) => p.type === k)!.value);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  const wall = utc(year, get('month') - 1, get('day'), ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000);
  return wall.getTime() - Math.floor(t / 1000) * 1000;
}

/** timestamptz AT TIME ZONE z: the wall-clock time there. */
function toZone(zone: string, d: Date): Date {
  return timestampOf(d.getTime() + zoneOffset(zone, d.getTime()), subMillis(d));
}

/** timestamp AT TIME ZONE z: the instant when the wall clock there shows `d`. */
function fromZone(zone: string, d: Date): Date {
  const guess = d.getTime() - zoneOffset(zone, d.getTime());
  return timestampOf(d.getTime() - zoneOffset(zone, guess), subMillis(d));
}

/** An interval time zone's offset east of UTC in microseconds. */
const intervalOffset = (iv: Interval): number => {
  if (iv.months || iv.days) throw new SqlError(SQLSTATE.invalid_parameter_value, `interval time zone "${iv.toString()}" must not include months or days`);
  // whole seconds only: timestamptz_izone divides the zone's time by a second
  return Math.trunc(iv.micros / 1_000_000) * 1_000_000;
};

function makeTimestamp(y: number, mo: number, d: number, h: number, mi: number, s: number): Date {
  const ok = y !== 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= monthLength(y < 0 ? y + 1 : y, mo - 1);
  if (!ok) throw new SqlError(SQLSTATE.datetime_field_overflow, `date field value out of range: ${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  // DecodeTimeOnly's limits: a leap second (60) and 24:00:00 are accepted and roll over
  if (h < 0 || mi < 0 || mi > 59 || s < 0 || s > 60 || h > 24 || (h === 24 && (mi > 0 || s > 0))) {
    const sec = Number.isInteger(s) && s >= 0 && s < 10 ? `0${s}` : String(s);
    throw new SqlError(SQLSTATE.datetime_field_overflow, `time field value out of range: ${h}:${String(mi).padStart(2, '0')}:${sec}`);
  }
  // the seconds are a double: rint(sec * 1e6) microseconds, as PostgreSQL
  return addMicros(utc(y < 0 ? y + 1 : y, mo - 1, d, (h * 60 + mi) * 60_000), Math.round(s * 1e6));
}

/** date_bin(stride, source, origin): the start of the stride-long bin, counted from origin, that holds source. */
function dateBin(stride: Interval, source: Date, origin: Date): Date {
  if (stride.months) throw new SqlError(SQLSTATE.feature_not_supported, 'timestamps cannot be binned into intervals containing months or years');
  const step = BigInt(stride.days) * 86_400_000_000n + BigInt(stride.micros);
  if (step <= 0n) throw new SqlError(SQLSTATE.datetime_field_overflow, 'stride must be greater than zero');
  const diff = epochMicros(source) - epochMicros(origin);
  const modulo = diff % step;
  // toward minus infinity when source is before origin
  const delta = diff - modulo - (modulo < 0n ? step : 0n);
  return fromEpochMicros(epochMicros(origin) + delta);
}

const date = (v: Value): Date => v as Date;
const iv = (v: Value): Interval => v as Interval;
const text = (v: Value): string => v as string;
const num = (v: Value): number => v as number;
const dbl = (n: Numeric): number => n.toFloat();

export const DATETIME_FUNCTIONS: Record<string, Overload[]> = {
  date_trunc: [
    { params: ['text', 'timestamptz'], ret: 'timestamptz', fn: ([f, d]) => truncTimestamp(text(f), date(d), 'timestamptz') },
    { params: ['text', 'timestamp'], ret: 'timestamp', fn: ([f, d]) => truncTimestamp(text(f), date(d), 'timestamp') },
    { params: ['text', 'interval'], ret: 'interval', fn: ([f, v]) => truncInterval(text(f), iv(v)) },
  ],
  extract: [
    { params: ['text', 'timestamptz'], ret: 'numeric', fn: ([f, d]) => extractTimestamp(text(f), date(d), 'timestamptz') },
    { params: ['text', 'timestamp'], ret: 'numeric', fn: ([f, d]) => extractTimestamp(text(f), date(d), 'timestamp') },
    { params: ['text', 'date'], ret: 'numeric', fn: ([f, d]) => extractTimestamp(text(f), date(d), 'date') },
    { params: ['text', 'interval'], ret: 'numeric', fn: ([f, v]) => extractInterval(text(f), iv(v)) },
    { params: ['text', 'time'], ret: 'numeric', fn: ([f, v]) => extractTime(text(f), v as Time) },
    { params: ['text', 'timetz'], ret: 'numeric', fn: ([f, v]) => extractTimeTz(text(f), v as TimeTz) },
  ],
  date_part: [
    { params: ['text', 'timestamptz'], ret: 'float8', fn: ([f, d]) => dbl(extractTimestamp(text(f), date(d), 'timestamptz')) },
    { params: ['text', 'timestamp'], ret: 'float8', fn: ([f, d]) => dbl(extractTimestamp(text(f), date(d), 'timestamp')) },
    { params: ['text', 'interval'], ret: 'float8', fn: ([f, v]) => dbl(extractInterval(text(f), iv(v))) },
    { params: ['text', 'time'], ret: 'float8', fn: ([f, v]) => dbl(extractTime(text(f), v as Time)) },
    { params: ['text', 'timetz'], ret: 'float8', fn: ([f, v]) => dbl(extractTimeTz(text(f), v as TimeTz)) },
  ],
  age: [
    { params: ['timestamptz', 'timestamptz'], ret: 'interval', fn: ([a, b]) => age(date(a), date(b)) },
    { params: ['timestamp', 'timestamp'], ret: 'interval', fn: ([a, b]) => age(date(a), date(b)) },
    // reads the transaction's start, so it is never folded at compile time
    { params: ['timestamptz'], ret: 'interval', volatile: true, fn: ([a], ctx: EvalContext) => age(midnight(ctx.now), date(a)) },
    { params: ['timestamp'], ret: 'interval', volatile: true, fn: ([a], ctx: EvalContext) => age(midnight(ctx.now), date(a)) },
  ],
  justify_days: [{ params: ['interval'], ret: 'interval', fn: ([v]) => justifyDays(iv(v)) }],
  justify_hours: [{ params: ['interval'], ret: 'interval', fn: ([v]) => justifyHours(iv(v)) }],
  justify_interval: [{ params: ['interval'], ret: 'interval', fn: ([v]) => justifyInterval(iv(v)) }],
  make_date: [{ params: ['int4', 'int4', 'int4'], ret: 'date', fn: ([y, m, d]) => makeTimestamp(num(y), num(m), num(d), 0, 0, 0) }],
  make_time: [{ params: ['int4', 'int4', 'float8'], ret: 'time', fn: ([h, m, s]) => makeTime(num(h), num(m), num(s)) }],
  make_timestamp: [{
    params: ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], ret: 'timestamp',
    fn: ([y, m, d, h, mi, s]) => makeTimestamp(num(y), num(m), num(d), num(h), num(mi), num(s)),
  }],
  make_timestamptz: [{
    params: ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], ret: 'timestamptz',
    fn: ([y, m, d, h, mi, s]) => makeTimestamp(num(y), num(m), num(d), num(h), num(mi), num(s)),
  }],
  timezone: [
    { params: ['text', 'timestamptz'], ret: 'timestamp', fn: ([z, d]) => toZone(text(z), date(d)) },
    { params: ['text', 'timestamp'], ret: 'timestamptz', fn: ([z, d]) => fromZone(text(z), date(d)) },
    { params: ['interval', 'timestamptz'], ret: 'timestamp', fn: ([z, d]) => addMicros(date(d), intervalOffset(iv(z))) },
    { params: ['interval', 'timestamp'], ret: 'timestamptz', fn: ([z, d]) => addMicros(date(d), -intervalOffset(iv(z))) },
  ],
  date_bin: [
    { params: ['interval', 'timestamptz', 'timestamptz'], ret: 'timestamptz', fn: ([s, d, o]) => dateBin(iv(s), date(d), date(o)) },
    { params: ['interval', 'timestamp', 'timestamp'], ret: 'timestamp', fn: ([s, d, o]) => dateBin(iv(s), date(d), date(o)) },
  ],
  isfinite: [
    { params: ['timestamptz'], ret: 'bool', fn: () => true },
    { params: ['interval'], ret: 'bool', fn: () => true },
  ],
};

