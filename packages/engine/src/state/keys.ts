/**
 * Index keys: a single column's value, or an array of values for a composite index. The order is
 * total over every value kind so one B+ tree can hold any column type; NULL sorts last, as in
 * PostgreSQL's default ASC order. Numbers of every representation (double, int8 bigint, numeric)
 * share one rank and compare exactly, so an int4 constant finds its row in an int8 or numeric key.
 */
import { Numeric } from '../sql/numeric.ts';
import { compareIntervals, Interval } from '../sql/types/interval.ts';
import type { Value } from '../sql/types.ts';
import { compareTimestamps } from '../sql/types/timestamp.ts';
import { compareTimes, Time } from '../sql/types/time.ts';
import { compareTimeTzs, TimeTz } from '../sql/types/timetz.ts';
import { compareNumberKinds, compareNumbers, compareStrings } from '../sql/values.ts';

export type IndexKey = Value;

/**
 * A float NaN as a one-column index holds it: sorted-btree checks by `===` that the key it deletes
 * is the one it found, and NaN !== NaN (state.ts's treeKey puts it in, readers of keys take it out).
 */
export const NAN_KEY = Object.freeze({ nan: true }) as unknown as IndexKey;

function rank(v: Value): number {
  if (v === null || v === undefined) return 9;
  switch (typeof v) {
    case 'boolean': return 0;
    case 'number': case 'bigint': return 1;
    case 'string': return 2;
    default:
      if (v instanceof Numeric) return 1;
      if (v instanceof Date) return 3;
      if (v instanceof Uint8Array) return 4;
      if (Array.isArray(v)) return 5;
      if (v instanceof Interval) return 7;
      if (v instanceof Time) return 8;
      if (v instanceof TimeTz) return 10;
      return 6;
  }
}

export function compareKeys(a: IndexKey, b: IndexKey): number {
  // NaN equals NaN and sorts above every number, as in PostgreSQL (`<`/`>` alone call it equal to all)
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : compareNumbers(a, b);
  // code point order, as SQL compares text (UTF-16 `<` misplaces characters above U+FFFF): index walks return it
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a === NAN_KEY || b === NAN_KEY) return compareKeys(a === NAN_KEY ? NaN : a, b === NAN_KEY ? NaN : b);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0: return (a as boolean) === (b as boolean) ? 0 : a ? 1 : -1;
    case 1: return compareNumberKinds(a, b);
    case 3: return compareTimestamps(a as Date, b as Date);
    case 4: return compareBytes(a as Uint8Array, b as Uint8Array);
    case 5: {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareKeys(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 6: {
      const sa = JSON.stringify(a);
      const sb = JSON.stringify(b);
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
    case 7: return compareIntervals(a as Interval, b as Interval);
    case 8: return compareTimes(a as Time, b as Time);
    case 10: return compareTimeTzs(a as TimeTz, b as TimeTz);
    default: return 0;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** True when a key holds a NULL: such keys never conflict in a unique index. */
export function hasNull(key: IndexKey, composite: boolean): boolean {
  if (!composite) return key === null || key === undefined;
  return (key as Value[]).some((v) => v === null || v === undefined);
}
