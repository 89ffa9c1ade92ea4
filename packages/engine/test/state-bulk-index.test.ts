/**
 * An index bulk-built when a node opens (state/bulk.ts: a radix sort for int32 keys, a comparator
 * sort for every other key) holds exactly what inserting the rows one by one gives: same keys in
 * the same order, equal keys' row ids in row-id order.
 */
import { describe, expect, it } from 'vitest';
import type { IndexDef, TableDef } from '../src/catalog/types.ts';
import type { Value } from '../src/sql/types.ts';
import { bulkIndex } from '../src/state/bulk.ts';
import { buildIndex, TableData } from '../src/state/state.ts';
import { prng } from '../../../test/prng.ts';

const def: TableDef = { oid: 1, name: 't', checks: [], columns: [{ name: 'id' }, { name: 'n' }] as TableDef['columns'] };
const index: IndexDef = { oid: 2, name: 't_n', table: 1, columns: ['n'], unique: false, primary: false, constraint: false };

function entries(t: TableData, viaBulk: boolean): [unknown, unknown][] {
  return (viaBulk ? bulkIndex(index, t) : buildIndex(index, t)).tree.toArray() as [unknown, unknown][];
}

/** Built from the arrays the row tree was loaded from, as opening a node does. */
function fromArrays(t: TableData): [unknown, unknown][] {
  const ids: number[] = [];
  const rows: Value[][] = [];
  t.rows.forEachPair((id, row) => void (ids.push(id), rows.push(row)));
  return bulkIndex(index, t, { ids, rows }).tree.toArray() as [unknown, unknown][];
}

describe('bulk-built indexes', () => {
  const cases: Array<[string, (r: () => number) => Value]> = [
    ['int32 keys with negatives and many duplicates (radix sort)', (r) => Math.floor(r() * 2001) - 1000],
    ['keys at the ends of the int32 range', (r) => [-2147483648, 2147483647, 0, -1, 1][Math.floor(r() * 5)]!],
    ['keys beyond int32, fractions and NULLs (comparator sort)', (r) => [2 ** 40, -(2 ** 35), 1.5, null, 7][Math.floor(r() * 5)]!],
    ['text keys', (r) => `k${Math.floor(r() * 300)}`],
  ];
  // keys that follow the row ids: already in order, with and without equal neighbours
  let serial = 0;
  cases.push(['keys strictly in row-id order (a serial key: loaded as is)', () => ++serial]);
  cases.push(['keys in row-id order with runs of equal keys', (r) => (serial += r() < 0.5 ? 0 : 1)]);
  for (const [name, key] of cases) {
    it(name, () => {
      const random = prng(name.length);
      const t = new TableData(def);
      // row ids with gaps, as deletes leave them
      for (let id = 1; id <= 5000; id++) if (random() < 0.8) t.insert(id, [id, key(random)]);
      const expected = entries(t, false);
      expect(entries(t, true)).toEqual(expected);
      expect(fromArrays(t)).toEqual(expected);
    });
  }
});
