/**
 * Text input and output for date, timestamp and timestamptz. The session time zone is always UTC,
 * so all three are Date objects holding the UTC instant, with microseconds below the millisecond
 * in a Timestamp (types/timestamp.ts).
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { TYPE_NAME, type SqlType } from './types.ts';
import { MIN_TIMESTAMP_MS, rint, subMillis, timestampOf } from './types/timestamp.ts';

export type DateTimeType = 'date' | 'timestamp' | 'timestamptz';

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

const DATETIME_RE =
  /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?)?\s*(z|utc|gmt|[+-]\d{1,2}(?::?\d{2})?)?(?:\s+(bc|ad))?$/i;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function utc(year: number, month: number, day: number, ms = 0): Date {
  // Date.UTC maps years 0-99 to 1900-1999, so the date is set apart; the time (which may cross a
  // day, month or year boundary through an offset or 24:00) is added only once the date is whole
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return new Date(d.getTime() + ms);
}

function syntaxError(text: string, type: SqlType): SqlError {
  // timestamp_in names its type "timestamp", not format_type's "timestamp without time zone"
  return new SqlError(SQLSTATE.invalid_datetime_format, `invalid input syntax for type ${type === 'timestamp' ? 'timestamp' : TYPE_NAME[type]}: "${text}"`);
}

function startOfDay(d: Date): Date {
  return utc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Parse PostgreSQL date/time input (ISO 8601 forms and the special words). */
export function parseDateTime(text: string, type: DateTimeType, now: Date = new Date()): Date {
  const s = text.trim();
  const word = s.toLowerCase();
  const day = 86_400_000;
  switch (word) {
    case 'now': return type === 'date' ? startOfDay(now) : new Date(now.getTime());
    case 'today': return startOfDay(now);
    case 'tomorrow': return new Date(startOfDay(now).getTime() + day);
    case 'yesterday': return new Date(startOfDay(now).getTime() - day);
    case 'epoch': return new Date(0);
    case 'infinity': case '+infinity': case '-infinity':
      throw new SqlError(SQLSTATE.feature_not_supported, `${TYPE_NAME[type]} value "${s}" is not supported`);
  }
  // Undelimited ISO dates (20240105) are accepted too.
  const m = DATETIME_RE.exec(/^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}` : s);
  if (!m) throw syntaxError(text, type);
  let year = Number(m[1]);
  const month = Number(m[2]), dayOfMonth = Number(m[3]);
  const hour = m[4] ? Number(m[4]) : 0, minute = m[5] ? Number(m[5]) : 0, second = m[6] ? Number(m[6]) : 0;
  // the fraction rounds to microseconds, as PostgreSQL's ParseFractionalSecond
  const frac = m[7] ? rint(Number(`0.${m[7]}`) * 1_000_000) : 0;
  if (m[9]?.toLowerCase() === 'bc') {
    if (year === 0) throw syntaxError(text, type);
    year = 1 - year;
  }
  const outOfRange = month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysInMonth(year, month) ||
    hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0 || frac > 0));
  if (outOfRange) {
    throw new SqlError(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
  }
  let ms = ((hour * 60 + minute) * 60 + second) * 1000;
  let us = frac;
  if (type === 'date') ms = us = 0;
  // timestamp without time zone ignores a written offset, as PostgreSQL does.
  if (type === 'timestamptz' && m[8] && !/^(z|utc|gmt)$/i.test(m[8])) {
    const off = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(m[8])!;
    const minutes = Number(off[2]) * 60 + (off[3] ? Number(off[3]) : 0);
    ms -= (off[1] === '-' ? -minutes : minutes) * 60_000;
  }
  const d = utc(year, month, dayOfMonth, ms);
  const t = d.getTime();
  // PostgreSQL's range starts at 4714-11-24 BC; JavaScript's Date ends at 275760-09-13, before PostgreSQL's
  if (t < MIN_TIMESTAMP_MS || (Number.isNaN(t) && year < 0)) {
    throw new SqlError(SQLSTATE.datetime_field_overflow, `${type === 'date' ? 'date' : 'timestamp'} out of range: "${text}"`);
  }
  if (Number.isNaN(t)) throw new SqlError(SQLSTATE.feature_not_supported, `${TYPE_NAME[type]} values after 275760-09-13 are not supported: "${text}"`);
  return us ? timestampOf(t, us) : d;
}

function formatDatePart(d: Date): { text: string; bc: boolean } {
  const y = d.getUTCFullYear();
  const bc = y <= 0;
  const year = String(bc ? 1 - y : y).padStart(4, '0');
  return { text: `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`, bc };
}

/** PostgreSQL's ISO output: `2024-01-02`, `2024-01-02 03:04:05.12`, `2024-01-02 03:04:05.12+00`. */
export function formatDateTime(d: Date, type: DateTimeType): string {
  if (Number.isNaN(d.getTime())) throw new SqlError(SQLSTATE.datetime_field_overflow, 'timestamp out of range');
  const date = formatDatePart(d);
  const bc = date.bc ? ' BC' : '';
  if (type === 'date') return date.text + bc;
  let time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const us = d.getUTCMilliseconds() * 1000 + subMillis(d);
  if (us) time += '.' + String(us).padStart(6, '0').replace(/0+$/, '');
  return `${date.text} ${time}${type === 'timestamptz' ? '+00' : ''}${bc}`;
}

const DAY_MS = 86_400_000;
/** The day after PostgreSQL's last date (5874897-12-31), in milliseconds from 1970. */
const DATE_END_MS = (2_145_031_949 + 10_957) * DAY_MS;

/**
 * date ± days (date_pli, date_mii): 22008 outside PostgreSQL's range (an Invalid Date here used
 * to flow on and print NaN through date - date); 0A000 past JavaScript's last date, which
 * PostgreSQL still has.
 */
export function addDays(d: Date, days: number): Date {
  const t = d.getTime() + days * DAY_MS;
  if (!(t >= MIN_TIMESTAMP_MS && t < DATE_END_MS)) throw new SqlError(SQLSTATE.datetime_field_overflow, 'date out of range');
  if (t > 8.64e15) throw featureNotSupported('date values after 275760-09-13');
  return new Date(t);
}

/** Truncate to the day, as a cast to date does. */
export function toDate(d: Date): Date {
  return startOfDay(d);
}
