/**
 * Operators between dates, timestamps and intervals: timestamp ± interval, date ± interval,
 * timestamp - timestamp, interval ± interval, interval * / number and unary minus, with
 * PostgreSQL's result types.
 */
import { Numeric } from '../numeric.ts';
import type { SqlType, Value } from '../types.ts';
import {
  addInterval, addIntervals, divideInterval, Interval, multiplyInterval, negateInterval, subtractTimestamps,
} from '../types/interval.ts';
import { addIntervalToTime, dateAtTime, subtractTimes, type Time } from '../types/time.ts';
import { addIntervalToTimeTz, type TimeTz } from '../types/timetz.ts';

type BinaryFn = (a: Value, b: Value) => Value;
export interface ArithmeticPlan { type: SqlType; operand: [SqlType, SqlType]; fn: BinaryFn }

const isTimestamp = (t: SqlType): t is 'timestamp' | 'timestamptz' => t === 'timestamp' || t === 'timestamptz';
const isNumber = (t: SqlType): boolean =>
  t === 'int2' || t === 'int4' || t === 'int8' || t === 'numeric' || t === 'float4' || t === 'float8';
const toDouble = (v: Value): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : (v as Numeric).toFloat());
const iv = (v: Value): Interval => v as Interval;

/** The plan for `l op r` when an interval or a timestamp difference is involved; undefined otherwise. */
export function datetimeArithmetic(op: string, l: SqlType, r: SqlType): ArithmeticPlan | undefined {
  if (op === '+' || op === '-') {
    const sign = op === '+' ? 1 : -1;
    if ((isTimestamp(l) || l === 'date') && r === 'interval') {
      const type = l === 'date' ? 'timestamp' : l;
      return { type, operand: [l, 'interval'], fn: (a, b) => addInterval(a as Date, iv(b), sign) };
    }
    if (l === 'interval' && (isTimestamp(r) || r === 'date') && op === '+') {
      return { type: r === 'date' ? 'timestamp' : r, operand: ['interval', r], fn: (a, b) => addInterval(b as Date, iv(a), 1) };
    }
    if (l === 'time' && r === 'interval') return { type: 'time', operand: [l, r], fn: (a, b) => addIntervalToTime(a as Time, iv(b), sign) };
    if (l === 'interval' && r === 'time' && op === '+') return { type: 'time', operand: [l, r], fn: (a, b) => addIntervalToTime(b as Time, iv(a), 1) };
    if (l === 'timetz' && r === 'interval') return { type: 'timetz', operand: [l, r], fn: (a, b) => addIntervalToTimeTz(a as TimeTz, iv(b), sign) };
    if (l === 'interval' && r === 'timetz' && op === '+') return { type: 'timetz', operand: [l, r], fn: (a, b) => addIntervalToTimeTz(b as TimeTz, iv(a), 1) };
    if (l === 'time' && r === 'time' && op === '-') return { type: 'interval', operand: [l, r], fn: (a, b) => subtractTimes(a as Time, b as Time) };
    if (op === '+' && l === 'date' && r === 'time') return { type: 'timestamp', operand: [l, r], fn: (a, b) => dateAtTime(a as Date, b as Time) };
    if (op === '+' && l === 'time' && r === 'date') return { type: 'timestamp', operand: [l, r], fn: (a, b) => dateAtTime(b as Date, a as Time) };
    if (l === 'interval' && r === 'interval') return { type: 'interval', operand: [l, r], fn: (a, b) => addIntervals(iv(a), iv(b), sign) };
    if (op === '-' && (isTimestamp(l) || l === 'date') && (isTimestamp(r) || r === 'date') && !(l === 'date' && r === 'date')) {
      // the wider of the two: timestamp with a date, timestamptz with either
      const t = l === 'timestamptz' || r === 'timestamptz' ? 'timestamptz' : 'timestamp';
      return { type: 'interval', operand: [t, t], fn: (a, b) => subtractTimestamps(a as Date, b as Date) };
    }
    return undefined;
  }
  if (op === '*' && l === 'interval' && isNumber(r)) return { type: 'interval', operand: [l, r], fn: (a, b) => multiplyInterval(iv(a), toDouble(b)) };
  if (op === '*' && isNumber(l) && r === 'interval') return { type: 'interval', operand: [l, r], fn: (a, b) => multiplyInterval(iv(b), toDouble(a)) };
  if (op === '/' && l === 'interval' && isNumber(r)) return { type: 'interval', operand: [l, r], fn: (a, b) => divideInterval(iv(a), toDouble(b)) };
  return undefined;
}

/** The type an untyped operand takes beside `other` (`now() + '1 day'` reads an interval). */
export function untypedOperand(op: string, other: SqlType): SqlType | undefined {
  if (op === '+' && (isTimestamp(other) || other === 'time' || other === 'timetz')) return 'interval';
  return undefined;
}

export const negateIntervalValue = (v: Value): Value => negateInterval(v as Interval);
