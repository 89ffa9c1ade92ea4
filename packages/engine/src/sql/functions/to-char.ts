/**
 * Template patterns of to_char(timestamp, text) and to_timestamp(text, text): YYYY, MM, DD, HH24,
 * HH12, MI, SS, MS, US, FF1–FF6, AM/PM, Month/Mon, Day/Dy, DDD, D, ID, IW, Q, CC, TZ, OF, the FM and TH
 * modifiers, "quoted text" and backslash escapes; everything else is copied. Also make_interval,
 * whose arguments are usually named (`make_interval(days => 10)`).
 */
import type { FuncCall, Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { constant, expr, retype, type Expr } from '../compiled.ts';
import type { Scope } from '../scope.ts';
import type { Overload } from '../functions.ts';
import { TYPE_NAME, type Value } from '../types.ts';
import { Interval } from '../types/interval.ts';
import { addMicros, fromEpochMicros, rint, subMillis } from '../types/timestamp.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// longest first, so HH24 wins over HH and MONTH over MON
const PATTERNS = [
  'HH24', 'HH12', 'HH', 'MI', 'SSSSS', 'SSSS', 'SS', 'MS', 'US', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'ms', 'us', 'A.M.', 'a.m.', 'P.M.', 'p.m.', 'AM', 'am', 'PM', 'pm',
  'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y', 'IYYY', 'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM', 'DAY', 'Day', 'day',
  'DY', 'Dy', 'dy', 'DDD', 'DD', 'D', 'ID', 'IW', 'WW', 'W', 'Q', 'CC', 'J', 'TZ', 'tz', 'OF',
];

type Token = { literal: string } | { pattern: string; fm: boolean; th: '' | 'TH' | 'th' };

function tokenize(fmt: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < fmt.length) {
    if (fmt[i] === '"') {
      let s = '';
      i++;
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        s += fmt[i++];
      }
      i++;
      out.push({ literal: s });
      continue;
    }
    if (fmt[i] === '\\' && i + 1 < fmt.length) {
      out.push({ literal: fmt[i + 1]! });
      i += 2;
      continue;
    }
    let fm = false;
    let j = i;
    if (fmt.slice(j, j + 2).toUpperCase() === 'FM') {
      fm = true;
      j += 2;
    }
    const p = PATTERNS.find((q) => fmt.startsWith(q, j));
    if (p) {
      j += p.length;
      const th = fmt.startsWith('TH', j) ? 'TH' : fmt.startsWith('th', j) ? 'th' : '';
      out.push({ pattern: p, fm, th });
      i = j + th.length;
      continue;
    }
    out.push({ literal: fmt[i]! });
    i++;
  }
  return out;
}

function ordinal(n: number, upper: boolean): string {
  const last2 = n % 100, last = n % 10;
  const s = last2 >= 11 && last2 <= 13 ? 'th' : last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th';
  return upper ? s.toUpperCase() : s;
}

function isoWeek(d: Date): { year: number; week: number; day: number } {
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - (day - 3) * 86_400_000);
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return { year: thursday.getUTCFullYear(), week: 1 + Math.floor((thursday.getTime() - jan1) / (7 * 86_400_000)), day: day + 1 };
}

function cased(word: string, pattern: string): string {
  if (pattern === pattern.toUpperCase()) return word.toUpperCase();
  if (pattern === pattern.toLowerCase()) return word.toLowerCase();
  return word;
}

/** to_char(timestamp[tz], template). `tz` is true for timestamptz (TZ prints the zone's abbreviation). */
export function toChar(d: Date, fmt: string, tz: boolean): string {
  const y = d.getUTCFullYear(), mo = d.getUTCMonth(), day = d.getUTCDate(), dow = d.getUTCDay();
  const h = d.getUTCHours(), mi = d.getUTCMinutes(), s = d.getUTCSeconds(), us = d.getUTCMilliseconds() * 1000 + subMillis(d);
  const doy = 1 + Math.round((Date.UTC(y, mo, day) - Date.UTC(y, 0, 1)) / 86_400_000);
  let out = '';
  for (const t of tokenize(fmt)) {
    if ('literal' in t) {
      out += t.literal;
      continue;
    }
    const num = (n: number, width: number): string => {
      const text = t.fm ? String(n) : String(Math.abs(n)).padStart(width, '0');
      return (n < 0 && !t.fm ? '-' : '') + text + (t.th ? ordinal(Math.abs(n), t.th === 'TH') : '');
    };
    const word = (w: string, width: number): string => (t.fm ? w : w.padEnd(width, ' '));
    const p = t.pattern;
    switch (p) {
      case 'HH24': out += num(h, 2); break;
      case 'HH12': case 'HH': out += num(h % 12 || 12, 2); break;
      case 'MI': out += num(mi, 2); break;
      case 'SS': out += num(s, 2); break;
      case 'SSSS': case 'SSSSS': out += num((h * 60 + mi) * 60 + s, 0); break;
      // fractions print at their full width whatever FM says, as PostgreSQL's DCH_to_char_fsec
      case 'MS': case 'ms': out += fraction(us, 3, t.th); break;
      case 'US': case 'us': out += fraction(us, 6, t.th); break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6':
      case 'ff1': case 'ff2': case 'ff3': case 'ff4': case 'ff5': case 'ff6': out += fraction(us, Number(p[2]), t.th); break;
      case 'AM': case 'PM': out += h < 12 ? 'AM' : 'PM'; break;
      case 'am': case 'pm': out += h < 12 ? 'am' : 'pm'; break;
      case 'A.M.': case 'P.M.': out += h < 12 ? 'A.M.' : 'P.M.'; break;
      case 'a.m.': case 'p.m.': out += h < 12 ? 'a.m.' : 'p.m.'; break;
      case 'Y,YYY': out += `${Math.floor(y / 1000)},${String(y % 1000).padStart(3, '0')}`; break;
      case 'YYYY': out += num(y, 4); break;
      case 'YYY': out += num(y % 1000, 3); break;
      case 'YY': out += num(y % 100, 2); break;
      case 'Y': out += num(y % 10, 1); break;
      case 'IYYY': out += num(isoWeek(d).year, 4); break;
      case 'MONTH': case 'Month': case 'month': out += word(cased(MONTHS[mo]!, p), 9); break;
      case 'MON': case 'Mon': case 'mon': out += cased(MONTHS[mo]!.slice(0, 3), p); break;
      case 'MM': out += num(mo + 1, 2); break;
      case 'DAY': case 'Day': case 'day': out += word(cased(DAYS[dow]!, p), 9); break;
      case 'DY': case 'Dy': case 'dy': out += cased(DAYS[dow]!.slice(0, 3), p); break;
      case 'DDD': out += num(doy, 3); break;
      case 'DD': out += num(day, 2); break;
      case 'D': out += num(dow + 1, 1); break;
      case 'ID': out += num(isoWeek(d).day, 1); break;
      case 'IW': out += num(isoWeek(d).week, 2); break;
      case 'WW': out += num(Math.floor((doy - 1) / 7) + 1, 2); break;
      case 'W': out += num(Math.floor((day - 1) / 7) + 1, 1); break;
      case 'Q': out += num(Math.floor(mo / 3) + 1, 1); break;
      case 'CC': out += num(Math.floor((y - 1) / 100) + 1, 2); break;
      case 'J': out += num(Math.floor(d.getTime() / 86_400_000) + 2440588, 0); break;
      case 'TZ': out += tz ? 'UTC' : ''; break;
      case 'tz': out += tz ? 'utc' : ''; break;
      // OF prints the session's offset for a timestamp too (TZ prints nothing there); the session is UTC
      case 'OF': out += '+00'; break;
    }
  }
  return out;
}

/** The first `width` digits of the microseconds, as PostgreSQL's MS, US and FFn print them. */
function fraction(us: number, width: number, th: '' | 'TH' | 'th'): string {
  const n = Math.trunc(us / 10 ** (6 - width));
  return String(n).padStart(width, '0') + (th ? ordinal(n, th === 'TH') : '');
}

const badValue = (value: string, pattern: string): SqlError =>
  new SqlError(SQLSTATE.invalid_datetime_format, `invalid value "${value}" for "${pattern}"`);

/** to_timestamp(text, template): the fields the template names, read from the text; the rest default to 0001-01-01 00:00:00. */
export function toTimestamp(input: string, fmt: string): Date {
  // with no year in the template PostgreSQL gives year 0, that is 1 BC
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0, us = 0, pm: boolean | undefined, hour12 = false;
  let i = 0;
  const skipSpaces = (): void => { while (input[i] === ' ') i++; };
  const digits = (max: number, pattern: string, fm: boolean): number => {
    skipSpaces();
    const m = new RegExp(`^[+-]?\\d{1,${fm ? 9 : max}}`).exec(input.slice(i));
    if (!m) throw badValue(input.slice(i, i + max), pattern);
    i += m[0].length;
    return Number(m[0]);
  };
  // a fraction field is the digits after a decimal point: '12.3' read by SS.MS is 300 milliseconds
  const fractionDigits = (width: number, pattern: string): number => {
    const start = i;
    const v = digits(width, pattern, false);
    const len = input.slice(start, i).trim().replace(/^[+-]/, '').length;
    return v * 10 ** (width - len);
  };
  const words = (list: string[], len: number | undefined, pattern: string): number => {
    skipSpaces();
    const rest = input.slice(i).toLowerCase();
    const k = list.findIndex((w) => rest.startsWith((len ? w.slice(0, len) : w).toLowerCase()));
    if (k < 0) throw badValue(input.slice(i), pattern);
    i += len ?? list[k]!.length;
    return k;
  };
  const tokens = tokenize(fmt);
  for (const [k, t] of tokens.entries()) {
    if ('literal' in t) {
      // a separator in the template skips one character of input, spaces any run of spaces
      if (t.literal === ' ') skipSpaces();
      else if (i < input.length) i += 1;
      continue;
    }
    switch (t.pattern) {
      // a year runs past four digits only when no digit field follows it directly
      case 'YYYY': case 'IYYY': year = digits(4, t.pattern, !(tokens[k + 1] && 'pattern' in tokens[k + 1]!)); break;
      case 'YYY': year = 2000 + digits(3, t.pattern, t.fm); break;
      case 'YY': { const v = digits(2, t.pattern, t.fm); year = v < 70 ? 2000 + v : 1900 + v; break; }
      case 'Y': year = 2000 + digits(1, t.pattern, t.fm); break;
      case 'MM': month = digits(2, t.pattern, t.fm); break;
      case 'MONTH': case 'Month': case 'month': month = words(MONTHS, undefined, t.pattern) + 1; break;
      case 'MON': case 'Mon': case 'mon': month = words(MONTHS, 3, t.pattern) + 1; break;
      case 'DD': day = digits(2, t.pattern, t.fm); break;
      case 'DAY': case 'Day': case 'day': words(DAYS, undefined, t.pattern); break;
      case 'DY': case 'Dy': case 'dy': words(DAYS, 3, t.pattern); break;
      case 'HH24': hour = digits(2, t.pattern, t.fm); break;
      case 'HH12': case 'HH': hour = digits(2, t.pattern, t.fm); hour12 = true; break;
      case 'MI': minute = digits(2, t.pattern, t.fm); break;
      case 'SS': second = digits(2, t.pattern, t.fm); break;
      case 'MS': case 'ms': ms = fractionDigits(3, t.pattern); break;
      case 'US': case 'us': us = fractionDigits(6, t.pattern); break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6':
      case 'ff1': case 'ff2': case 'ff3': case 'ff4': case 'ff5': case 'ff6': {
        const n = Number(t.pattern[2]);
        us = fractionDigits(n, t.pattern) * 10 ** (6 - n);
        break;
      }
      case 'AM': case 'PM': case 'am': case 'pm': {
        skipSpaces();
        const w = input.slice(i, i + 2).toLowerCase();
        if (w !== 'am' && w !== 'pm') throw badValue(input.slice(i, i + 2), t.pattern);
        pm = w === 'pm';
        i += 2;
        break;
      }
      default: throw new SqlError(SQLSTATE.feature_not_supported, `template pattern "${t.pattern}" is not supported in to_timestamp`);
    }
  }
  if (hour12) {
    if (hour < 1 || hour > 12) throw new SqlError(SQLSTATE.invalid_datetime_format, `hour "${hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  // the date is set whole before the time is added (Date.UTC maps years 0-99 to 1900-1999); as
  // in PostgreSQL 18, 24:00 and a leap second are out of range here
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new SqlError(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${input}"`);
  }
  return addMicros(new Date(d.getTime() + ((hour * 60 + minute) * 60 + second) * 1000), ms * 1000 + us);
}

export const TO_CHAR_FUNCTIONS: Record<string, Overload[]> = {
  to_char: [
    // stable in PostgreSQL (they read TimeZone and the locale), so not folded while planning: their errors wait for a row
    { params: ['timestamptz', 'text'], ret: 'text', volatile: true, fn: ([d, f]) => toChar(d as Date, f as string, true) },
    { params: ['timestamp', 'text'], ret: 'text', volatile: true, fn: ([d, f]) => toChar(d as Date, f as string, false) },
    // PostgreSQL has them; refused by name rather than "does not exist" (42883), which would say it has not
    ...(['int4', 'int8', 'numeric', 'float8'] as const).map((t): Overload => ({
      params: [t, 'text'], ret: 'text', fn: () => { throw featureNotSupported(`to_char(${TYPE_NAME[t]}, text)`); },
    })),
  ],
  to_timestamp: [
    { params: ['text', 'text'], ret: 'timestamptz', volatile: true, fn: ([s, f]) => toTimestamp(s as string, f as string) },
    {
      params: ['float8'], ret: 'timestamptz',
      fn: ([x]) => {
        const s = x as number;
        if (!Number.isFinite(s)) throw new SqlError(SQLSTATE.feature_not_supported, 'infinite timestamps are not supported');
        if (Math.abs(s) > 8.64e12) throw new SqlError(SQLSTATE.datetime_field_overflow, `timestamp out of range: "${s}"`);
        // PostgreSQL's own double arithmetic, counted from its epoch, so the microseconds come out as there
        return fromEpochMicros(BigInt(rint((s - 946_684_800) * 1e6)) + 946_684_800_000_000n);
      },
    },
  ],
  to_date: [{ params: ['text', 'text'], ret: 'date', volatile: true, fn: ([s, f]) => { const d = toTimestamp(s as string, f as string); return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())); } }],
};

const MAKE_INTERVAL_PARAMS = ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'];

/** make_interval(years, months, weeks, days, hours, mins, secs), by position or by name. */
export function compileMakeInterval(f: FuncCall, scope: Scope, compile: (n: Node, s: Scope) => Expr): Expr {
  const given: (Expr | undefined)[] = new Array(7).fill(undefined);
  let named = false;
  (f.args ?? []).forEach((a, i) => {
    let node = a, at = i;
    if ('NamedArgExpr' in a) {
      named = true;
      at = MAKE_INTERVAL_PARAMS.indexOf(a.NamedArgExpr.name ?? '');
      node = a.NamedArgExpr.arg!;
      if (at < 0) throw new SqlError(SQLSTATE.undefined_function, `function make_interval(${a.NamedArgExpr.name} => ${'unknown'}) does not exist`);
    } else if (named) throw new SqlError(SQLSTATE.syntax_error, 'positional argument cannot follow named argument');
    if (at >= 7) throw new SqlError(SQLSTATE.undefined_function, 'function make_interval with more than 7 arguments does not exist');
    given[at] = retype(compile(node, scope), at === 6 ? 'float8' : 'int4');
  });
  const evals = given.map((g) => (g ?? constant(0, 'int4')).eval);
  return expr('interval', (row, ctx) => {
    const v: Value[] = evals.map((e) => e(row, ctx));
    if (v.some((x) => x === null)) return null;
    const [years, months, weeks, days, hours, mins, secs] = v as number[];
    const micros = Math.round(((hours! * 60 + mins!) * 60 + secs!) * 1e6);
    if (!Number.isSafeInteger(micros)) throw new SqlError(SQLSTATE.datetime_field_overflow, 'interval out of range');
    return new Interval(years! * 12 + months!, weeks! * 7 + days!, micros);
  });
}
