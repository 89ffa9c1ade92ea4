/**
 * An index bulk-built when a node opens (state/bulk.ts: a radix sort for int32 keys, a comparator
 * sort for every other key) holds exactly what inserting the rows one by one gives: same keys in
 * the same order, equal keys' row ids in row-id order.
 */
import { describe, expect, it } from 'vitest';
import type { IndexDef, TableDef } from '../src/catalog/types.ts';
import type { Value } from '../src/sql/types.ts';
import { bulkRows, type RowRun } from '../src/state/bulk.ts';
import { bulkIndex, bulkIndexSteps } from '../src/state/bulk-index.ts';
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
  return bulkIndex(index, t, [{ ids, rows }]).tree.toArray() as [unknown, unknown][];
}

/** The table's rows cut into runs of random sizes (empty and tiny ones too), as a checkpoint's chunks come. */
function randomRuns(t: TableData, random: () => number): RowRun[] {
  const runs: RowRun[] = [];
  let cur: { ids: number[]; rows: Value[][] } = { ids: [], rows: [] };
  const limit = () => [0, 1, 3, 31, 33, 64, 100, 2048][Math.floor(random() * 8)]!;
  let size = limit();
  t.rows.forEachPair((id, row) => {
    while (cur.ids.length >= size) {
      runs.push(cur);
      cur = { ids: [], rows: [] };
      size = limit();
    }
    cur.ids.push(id);
    cur.rows.push(row);
  });
  runs.push(cur);
  return runs;
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
      expect(bulkIndex(index, t, randomRuns(t, random)).tree.toArray()).toEqual(expected);
    });
  }

  // the background build after open (state/index-builds.ts): short steps, a merge sort of small sorted blocks for keys a radix sort does not take
  for (const [name, key] of cases) {
    it(`built in steps: ${name}`, () => {
      const random = prng(name.length + 1);
      const t = new TableData(def);
      // over several of the merge sort's 4,096-entry blocks, the last one partial
      for (let id = 1; id <= 30_000; id++) if (random() < 0.8) t.insert(id, [id, key(random)]);
      const expected = entries(t, false);
      const steps = bulkIndexSteps(index, t, randomRuns(t, random), true);
      let count = 0;
      let r = steps.next();
      for (; !r.done; r = steps.next()) count++;
      const tree = r.value.tree;
      tree.checkValid();
      expect(tree.toArray()).toEqual(expected);
      // in steps of a few thousand entries each: ~24,000 rows take at least six
      expect(count).toBeGreaterThanOrEqual(6);
    });
  }
});

describe('row trees bulk-built from runs (the chunks of a checkpoint)', () => {
  for (const [rows, seed] of [[0, 1], [1, 2], [40, 3], [64, 4], [65, 5], [130, 6], [5000, 7], [60_000, 8]] as const) {
    it(`${rows} rows in random runs give the tree inserting them one by one gives, and it stays valid under writes`, () => {
      const random = prng(seed);
      const t = new TableData(def);
      for (let id = 1, n = 0; n < rows; id++) if (random() < 0.7) (t.insert(id, [id, n]), n++);
      const tree = bulkRows(randomRuns(t, random));
      tree.checkValid();
      expect(tree.toArray()).toEqual(t.rows.toArray());
      // the bulk-built tree takes inserts, updates and deletes like any other
      for (let i = 0; i < 2000; i++) {
        const id = Math.floor(random() * (rows * 1.5 + 10));
        if (random() < 0.5) (tree.set(id, [id, -1]), t.rows.set(id, [id, -1]));
        else (tree.delete(id), t.rows.delete(id));
      }
      tree.checkValid();
      expect(tree.toArray()).toEqual(t.rows.toArray());
    });
  }

  it('refuses runs whose row ids do not ascend', () => {
    expect(() => bulkRows([{ ids: [1, 2], rows: [[1], [2]] }, { ids: [2, 3], rows: [[2], [3]] }])).toThrow('row ids must ascend strictly');
  });
});
