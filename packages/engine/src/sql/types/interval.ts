/**
 * The interval type: months, days and microseconds kept apart, as PostgreSQL keeps them (a month
 * is not a fixed number of days, nor a day of hours across DST). This file owns the value class,
 * interval_in (PostgreSQL's unit words, `hh:mm:ss`, `@ … ago`, ISO 8601 `P1Y2M…`, SQL `1-2`),
 * interval_out in IntervalStyle postgres, the comparison (a month counts as 30 days, a day as 24
 * hours) and the calendar arithmetic with timestamps.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { addMicros, epochMicros, MIN_TIMESTAMP_MS, rint, subMillis, timestampOf } from './timestamp.ts';

export const USECS_PER_DAY = 86_400_000_000;
const USECS_PER_HOUR = 3_600_000_000;
const USECS_PER_MINUTE = 60_000_000;
export const DAYS_PER_MONTH = 30;

export class Interval {
  constructor(readonly months: number, readonly days: number, readonly micros: number) {}

  /** The span as PostgreSQL compares and hashes it: 30-day months, 24-hour days, in microseconds. */
  span(): bigint {
    return (BigInt(this.months) * 30n + BigInt(this.days)) * 86_400_000_000n + BigInt(this.micros);
  }

  toString(): string {
    return formatInterval(this);
  }
}

export function compareIntervals(a: Interval, b: Interval): number {
  const x = a.span(), y = b.span();
  return x < y ? -1 : x > y ? 1 : 0;
}

const invalid = (text: string): SqlError =>
  new SqlError(SQLSTATE.invalid_datetime_format, `invalid input syntax for type interval: "${text}"`);
const outOfRange = (text: string): SqlError =>
  new SqlError('22015', `interval field value out of range: "${text}"`);

/** Unit words to [kind, amount]: months per unit, days per unit, or microseconds per unit. */
const UNITS: Record<string, ['m' | 'd' | 'u', number]> = {};
function unit(names: string[], kind: 'm' | 'd' | 'u', amount: number): void {
  for (const n of names) UNITS[n] = [kind, amount];
}
unit(['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'microsecon'], 'u', 1);
unit(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'millisecon'], 'u', 1000);
unit(['second', 'seconds', 's', 'sec', 'secs'], 'u', 1_000_000);
unit(['minute', 'minutes', 'm', 'min', 'mins'], 'u', USECS_PER_MINUTE);
unit(['hour', 'hours', 'h', 'hr', 'hrs'], 'u', USECS_PER_HOUR);
unit(['day', 'days', 'd'], 'd', 1);
unit(['week', 'weeks', 'w'], 'd', 7);
unit(['month', 'months', 'mon', 'mons'], 'm', 1);
unit(['year', 'years', 'y', 'yr', 'yrs'], 'm', 12);
unit(['decade', 'decades', 'dec', 'decs'], 'm', 120);
unit(['century', 'centuries', 'c', 'cent'], 'm', 1200);
unit(['millennium', 'millennia', 'mil', 'mils', 'millenniums'], 'm', 12000);

/** A fraction of microseconds rounded as PostgreSQL's AdjustFractMicroseconds: a half rounds toward zero. */
function fractMicros(us: number): number {
  const whole = Math.trunc(us), rest = us - whole;
  return whole + (rest > 0.5 ? 1 : rest < -0.5 ? -1 : 0);
}

/** Accumulates fields, spilling fractions down (months → 30-day days → microseconds) as PostgreSQL does. */
class Fields {
  months = 0;
  days = 0;
  micros = 0;

  add(kind: 'm' | 'd' | 'u', amount: number, value: number): void {
    if (kind === 'u') {
      // the whole units exactly, the fraction rounded to a microsecond (AdjustMicroseconds: a half goes toward zero)
      const whole = Math.trunc(value);
      this.micros += whole * amount + fractMicros((value - whole) * amount);
      return;
    }
    if (kind === 'd') {
      const whole = Math.trunc(value * amount);
      this.days += whole;
      this.micros += fractMicros((value * amount - whole) * USECS_PER_DAY);
      return;
    }
    const total = value * amount;
    const whole = Math.trunc(total);
    this.months += whole;
    // years and larger units keep only whole months, smaller fractions go to days and time
    if (amount >= 12) {
      this.months += Math.round(total - whole);
      return;
    }
    const days = (total - whole) * DAYS_PER_MONTH;
    const wholeDays = Math.trunc(days);
    this.days += wholeDays;
    this.micros += fractMicros((days - wholeDays) * USECS_PER_DAY);
  }
}

const TIME_RE = /^([+-])?(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function parseIso(text: string, body: string): Interval {
  const m = /^P(?:(-?[\d.]+)Y)?(?:(-?[\d.]+)M)?(?:(-?[\d.]+)W)?(?:(-?[\d.]+)D)?(?:T(?:(-?[\d.]+)H)?(?:(-?[\d.]+)M)?(?:(-?[\d.]+)S)?)?$/i.exec(body);
  if (!m || body.length <= 1 || /T$/i.test(body)) throw invalid(text);
  const f = new Fields();
  const parts: Array<[number, 'm' | 'd' | 'u', number]> = [
    [1, 'm', 12], [2, 'm', 1], [3, 'd', 7], [4, 'd', 1], [5, 'u', USECS_PER_HOUR], [6, 'u', USECS_PER_MINUTE], [7, 'u', 1_000_000],
  ];
  for (const [i, kind, amount] of parts) if (m[i] !== undefined) f.add(kind, amount, Number(m[i]));
  return checked(text, f);
}

function checked(text: string, f: Fields): Interval {
  if (!Number.isSafeInteger(f.micros) || Math.abs(f.months) > 2147483647 || Math.abs(f.days) > 2147483647) throw outOfRange(text);
  return new Interval(f.months || 0, f.days || 0, f.micros || 0);
}

/** interval_in. */
export function parseInterval(text: string): Interval {
  let s = text.trim().toLowerCase();
  if (/^p/.test(s)) return parseIso(text, s.toUpperCase());
  if (s.startsWith('@')) s = s.slice(1).trim();
  // split digits from letters ("1day", "3h") and keep signs with their numbers
  const tokens = s.replace(/(\d)([a-z])/g, '$1 $2').replace(/([a-z])(\d)/g, '$1 $2').split(/\s+/).filter((t) => t !== '');
  if (!tokens.length) throw invalid(text);
  let ago = false;
  if (tokens[tokens.length - 1] === 'ago') {
    ago = true;
    tokens.pop();
  }
  const f = new Fields();
  let seenTime = false;
  let bareUnit: ['m' | 'd' | 'u', number] | undefined;
  const seenUnits = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const time = TIME_RE.exec(tok);
    if (time) {
      if (seenTime) throw invalid(text);
      seenTime = true;
      const sign = time[1] === '-' ? -1 : 1;
      const h = Number(time[2]), mi = Number(time[3]), sec = time[4] !== undefined ? Number(time[4]) : 0;
      if (mi > 59 || sec >= 60) throw outOfRange(text);
      f.micros += sign * (h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + rint(sec * 1_000_000));
      continue;
    }
    const ym = /^([+-])?(\d+)-(\d+)$/.exec(tok);
    if (ym) {
      const sign = ym[1] === '-' ? -1 : 1;
      if (Number(ym[3]) > 11) throw outOfRange(text);
      f.months += sign * (Number(ym[2]) * 12 + Number(ym[3]));
      continue;
    }
    // a unit word without a number only names the unit of a bare number after it
    if (UNITS[tok]) {
      bareUnit = UNITS[tok];
      continue;
    }
    if (!NUMBER_RE.test(tok)) throw invalid(text);
    const value = Number(tok);
    const next = tokens[i + 1];
    const u = next !== undefined ? UNITS[next] : undefined;
    if (!u && next !== undefined && TIME_RE.test(next) && !bareUnit && /^[+-]?\d+$/.test(tok)) {
      // `3 4:05`: a bare integer before a time is days (SQL standard day-time form)
      f.add('d', 1, value);
      continue;
    }
    if (!u) {
      // a bare number is seconds; a bare integer after a `y-m` token is days (SQL standard form)
      if (next !== undefined && !TIME_RE.test(next)) throw invalid(text);
      if (bareUnit) {
        f.add(bareUnit[0], bareUnit[1], value);
        continue;
      }
      if (seenUnits.has('second')) throw invalid(text);
      seenUnits.add('second');
      f.add('u', 1_000_000, value);
      continue;
    }
    const canonical = next!.replace(/s$/, '');
    if (seenUnits.has(canonical)) throw invalid(text);
    seenUnits.add(canonical);
    f.add(u[0], u[1], value);
    i++;
  }
  if (ago) {
    f.months = -f.months;
    f.days = -f.days;
    f.micros = -f.micros;
  }
  return checked(text, f);
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** The seconds field: two integer digits and the fraction without trailing zeros. */
function seconds(us: number): string {
  const whole = Math.floor(us / 1_000_000), frac = us % 1_000_000;
  return pad2(whole) + (frac ? '.' + String(frac).padStart(6, '0').replace(/0+$/, '') : '');
}

/** interval_out, IntervalStyle postgres: `1 year 2 mons -3 days +04:05:06.5`. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  let negativeBefore = false;
  const field = (value: number, name: string): void => {
    if (value === 0) return;
    parts.push(`${negativeBefore && value > 0 ? '+' : ''}${value} ${name}${value === 1 ? '' : 's'}`);
    negativeBefore = value < 0;
  };
  field(Math.trunc(iv.months / 12), 'year');
  field(iv.months % 12, 'mon');
  field(iv.days, 'day');
  if (parts.length === 0 || iv.micros !== 0) {
    const neg = iv.micros < 0;
    const us = Math.abs(iv.micros);
    const h = Math.floor(us / USECS_PER_HOUR), m = Math.floor((us % USECS_PER_HOUR) / USECS_PER_MINUTE);
    parts.push(`${neg ? '-' : negativeBefore ? '+' : ''}${pad2(h)}:${pad2(m)}:${seconds(us % USECS_PER_MINUTE)}`);
  }
  return parts.join(' ');
}

export function monthLength(year: number, month0: number): number {
  if (month0 === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month0]!;
}

const timestampOutOfRange = (): SqlError => new SqlError('22008', 'timestamp out of range');

/** timestamp ± interval: months first (clamping the day to the month's end), then days, then time. */
export function addInterval(d: Date, iv: Interval, sign: 1 | -1): Date {
  let t = d.getTime();
  if (iv.months) {
    const y = d.getUTCFullYear(), m = d.getUTCMonth() + sign * iv.months;
    const year = y + Math.floor(m / 12), month0 = ((m % 12) + 12) % 12;
    const day = Math.min(d.getUTCDate(), monthLength(year, month0));
    const r = new Date(t);
    r.setUTCDate(1);
    r.setUTCFullYear(year, month0, day);
    t = r.getTime();
  }
  t += sign * iv.days * 86_400_000;
  const out = addMicros(timestampOf(t, subMillis(d)), sign * iv.micros);
  if (!Number.isFinite(out.getTime()) || out.getTime() < MIN_TIMESTAMP_MS) throw timestampOutOfRange();
  return out;
}

/** timestamp - timestamp: whole days and the rest as time (interval_justify_hours). */
export function subtractTimestamps(a: Date, b: Date): Interval {
  const us = epochMicros(a) - epochMicros(b);
  const days = us / BigInt(USECS_PER_DAY);
  const rest = us - days * BigInt(USECS_PER_DAY);
  return new Interval(0, Number(days) || 0, Number(rest) || 0);
}

export const negateInterval = (iv: Interval): Interval => new Interval(-iv.months || 0, -iv.days || 0, -iv.micros || 0);

// PostgreSQL raises it as ERRCODE_DATETIME_VALUE_OUT_OF_RANGE (interval_pl, interval_mul, interval_um)
const overflow = (): SqlError => new SqlError(SQLSTATE.datetime_field_overflow, 'interval out of range');

function checkedInterval(months: number, days: number, micros: number): Interval {
  if (Math.abs(months) > 2147483647 || Math.abs(days) > 2147483647 || !(Math.abs(micros) < 9.2233720368547758e18)) throw overflow();
  // PostgreSQL's time part is an int64; walrtc's a double, exact to 2^53 microseconds (285 years)
  if (!Number.isSafeInteger(Math.round(micros))) throw featureNotSupported('intervals whose time part passes 2^53 microseconds');
  return new Interval(months || 0, days || 0, Math.round(micros) || 0);
}

export function addIntervals(a: Interval, b: Interval, sign: 1 | -1): Interval {
  return checkedInterval(a.months + sign * b.months, a.days + sign * b.days, a.micros + sign * b.micros);
}

/** Round to microseconds' decimal places, as PostgreSQL's TSROUND. */
const tsround = (x: number): number => Math.round(x * 1e6) / 1e6;

/** interval * factor (interval_mul): fractional months spill into 30-day days, fractional days into time. */
export function multiplyInterval(iv: Interval, factor: number): Interval {
  if (Number.isNaN(factor)) throw overflow();
  // PostgreSQL 17 on answers an infinite interval, which walrtc does not have
  if (!Number.isFinite(factor)) throw featureNotSupported('infinite intervals');
  const months = Math.trunc(iv.months * factor);
  let days = Math.trunc(iv.days * factor);
  const monthRemainderDays = tsround((iv.months * factor - months) * DAYS_PER_MONTH);
  let secRemainder = tsround((iv.days * factor - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86_400);
  if (Math.abs(secRemainder) >= 86_400) {
    days += Math.trunc(secRemainder / 86_400);
    secRemainder -= Math.trunc(secRemainder / 86_400) * 86_400;
  }
  days += Math.trunc(monthRemainderDays);
  return checkedInterval(months, days, rint(iv.micros * factor + secRemainder * 1e6));
}

export function divideInterval(iv: Interval, factor: number): Interval {
  if (factor === 0) throw new SqlError(SQLSTATE.division_by_zero, 'division by zero');
  return multiplyInterval(iv, 1 / factor);
}

export function justifyHours(iv: Interval): Interval {
  let days = iv.days + Math.trunc(iv.micros / USECS_PER_DAY);
  let micros = iv.micros % USECS_PER_DAY;
  if (days > 0 && micros < 0) { micros += USECS_PER_DAY; days--; }
  else if (days < 0 && micros > 0) { micros -= USECS_PER_DAY; days++; }
  return new Interval(iv.months, days || 0, micros || 0);
}

export function justifyDays(iv: Interval): Interval {
  let months = iv.months + Math.trunc(iv.days / DAYS_PER_MONTH);
  let days = iv.days % DAYS_PER_MONTH;
  if (months > 0 && days < 0) { days += DAYS_PER_MONTH; months--; }
  else if (months < 0 && days > 0) { days -= DAYS_PER_MONTH; months++; }
  return new Interval(months || 0, days || 0, iv.micros);
}

export function justifyInterval(iv: Interval): Interval {
  let days = iv.days + Math.trunc(iv.micros / USECS_PER_DAY);
  let micros = iv.micros % USECS_PER_DAY;
  let months = iv.months + Math.trunc(days / DAYS_PER_MONTH);
  days %= DAYS_PER_MONTH;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0))) { days += DAYS_PER_MONTH; months--; }
  else if (months < 0 && (days > 0 || (days === 0 && micros > 0))) { days -= DAYS_PER_MONTH; months++; }
  if (days > 0 && micros < 0) { micros += USECS_PER_DAY; days--; }
  else if (days < 0 && micros > 0) { micros -= USECS_PER_DAY; days++; }
  return new Interval(months || 0, days || 0, micros || 0);
}

