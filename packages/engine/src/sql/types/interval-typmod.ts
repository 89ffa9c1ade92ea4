/**
 * Interval field restrictions and precision (`interval '1' day`, `interval '1-2' year to month`,
 * `interval(3)`, `interval day to second(2)` columns): PostgreSQL's typmod `range << 16 |
 * precision`, the reading of a bare number in the range's last field, `mm:ss` under MINUTE TO
 * SECOND, and AdjustIntervalForTypmod's truncation and rounding.
 */
import type { Node } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { Interval, parseInterval } from './interval.ts';

const MONTH = 1 << 1, YEAR = 1 << 2, DAY = 1 << 3, HOUR = 1 << 10, MINUTE = 1 << 11, SECOND = 1 << 12;
const FULL_RANGE = 0x7fff, FULL_PRECISION = 0xffff;
const USECS_PER_HOUR = 3_600_000_000, USECS_PER_MINUTE = 60_000_000;

/** The unit word of a range's last field, for a bare number. */
const LAST_FIELD: Record<number, string> = {
  [YEAR]: 'year', [MONTH]: 'month', [DAY]: 'day', [HOUR]: 'hour', [MINUTE]: 'minute', [SECOND]: 'second',
  [YEAR | MONTH]: 'month', [DAY | HOUR]: 'hour', [DAY | HOUR | MINUTE]: 'minute', [DAY | HOUR | MINUTE | SECOND]: 'second',
  [HOUR | MINUTE]: 'minute', [HOUR | MINUTE | SECOND]: 'second', [MINUTE | SECOND]: 'second',
};

const constInt = (n: Node): number => ('A_Const' in n ? n.A_Const.ival?.ival ?? 0 : NaN);

/** intervaltypmodin: the typmod of `interval [fields] [(p)]` from the parser's modifiers. */
export function intervalTypmod(mods: readonly Node[]): number {
  const values = mods.map(constInt);
  if (values.some(Number.isNaN)) throw new SqlError(SQLSTATE.syntax_error, 'type modifiers must be simple constants or identifiers');
  const range = values[0] ?? FULL_RANGE;
  if (range !== FULL_RANGE && LAST_FIELD[range] === undefined) throw new SqlError(SQLSTATE.syntax_error, 'invalid INTERVAL type modifier');
  let precision = values.length > 1 ? values[1]! : FULL_PRECISION;
  if (values.length > 2) throw new SqlError(SQLSTATE.syntax_error, 'invalid INTERVAL type modifier');
  if (precision !== FULL_PRECISION) {
    if (precision < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, `INTERVAL(${precision}) precision must not be negative`);
    precision = Math.min(precision, 6);
  }
  return range === FULL_RANGE && precision === FULL_PRECISION ? -1 : (range << 16) | precision;
}

/** interval_in under a typmod: a bare number is in the range's last field, `m:s` is minutes:seconds under MINUTE TO SECOND. */
export function intervalInput(text: string, typmod: number): Interval {
  const range = typmod >> 16;
  let t = text;
  if (range !== FULL_RANGE) {
    if (/^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(t)) t = `${t.trim()} ${LAST_FIELD[range]}`;
    else if (/^\s*[+-]?\d+\s+[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(t)) throw featureNotSupported('interval input of two bare numbers under a field restriction');
    else if (range === (MINUTE | SECOND) && /^\s*[+-]?\d+:\d+(\.\d*)?\s*$/.test(t)) t = t.trim().replace(/^([+-]?)/, '$10:');
  }
  return adjustInterval(parseInterval(t), typmod);
}

const truncTo = (micros: number, unit: number): number => Math.trunc(micros / unit) * unit;

/** AdjustIntervalForTypmod: drop the fields below the range, round seconds to the precision. */
export function adjustInterval(iv: Interval, typmod: number): Interval {
  if (typmod < 0) return iv;
  const range = typmod >> 16, precision = typmod & 0xffff;
  let { months, days, micros } = iv;
  switch (range) {
    case YEAR: months = Math.trunc(months / 12) * 12; days = 0; micros = 0; break;
    case MONTH: case YEAR | MONTH: days = 0; micros = 0; break;
    case DAY: micros = 0; break;
    case HOUR: case DAY | HOUR: micros = truncTo(micros, USECS_PER_HOUR); break;
    case MINUTE: case DAY | HOUR | MINUTE: case HOUR | MINUTE: micros = truncTo(micros, USECS_PER_MINUTE); break;
    default: break;
  }
  if (precision !== FULL_PRECISION) {
    const scale = 10 ** (6 - precision), offset = Math.trunc(scale / 2);
    micros = micros >= 0 ? Math.trunc((micros + offset) / scale) * scale : -Math.trunc((-micros + offset) / scale) * scale;
  }
  return new Interval(months || 0, days || 0, micros || 0);
}
