/**
 * PostgreSQL's quicksort (sql/sort/pg-qsort.ts): a sort (every input comes out ordered with the
 * same elements), deterministic, and for inputs with ties exactly the permutation PostgreSQL 15
 * gives. The hand inputs' permutations were read from PostgreSQL 15 as
 * `select string_agg(id::text, ',') from (select id, row_number() over (order by k) rn from t) s
 * where rn > 0` over a table loaded with (id, k) in id order; test/sql-pgsort-reference.test.ts
 * checks the same end to end through window functions; incrementalSort is checked there against
 * PostgreSQL's Incremental Sort (several windows over the same PARTITION BY).
 */
import { describe, expect, it } from 'vitest';
import { incrementalSort } from '../packages/engine/src/sql/sort/incremental.ts';
import { pgQsort } from '../packages/engine/src/sql/sort/pg-qsort.ts';
import { prng } from './prng.ts';

/** The ids 0…n-1 of `keys` in the order PostgreSQL's sort by key leaves them. */
function permutation(keys: readonly number[]): number[] {
  const ids = keys.map((_k, i) => i);
  pgQsort(ids, (a, b) => keys[a]! - keys[b]!);
  return ids;
}

// [keys in load order, PostgreSQL's order of the ids]: insertion sort (6), median of three (30),
// ninther (45, 100)
const FROM_POSTGRES: [string, string][] = [
  ['1,0,1,2,2,1', '1,0,2,5,3,4'],
  ['3,3,0,3,0,0,3,0,1,0,0,2,3,3,2,0,2,1,0,3,0,3,0,0,2,2,3,3,3,2', '18,2,15,22,4,5,20,7,10,23,9,8,17,29,11,14,16,24,25,19,6,21,3,1,28,0,26,27,13,12'],
  ['0,1,0,3,1,1,3,1,4,2,1,2,2,2,1,4,3,1,3,2,1,2,1,0,2,2,2,1,2,0,3,1,0,4,3,3,4,1,2,1,3,3,1,0,3,0,1,3,3,2,1,2,1,1,4,1,2,0,4,3,2,0,4,1,1,2,3,1,0,2,0,4,1,2,2,4,3,4,1,1,2,1,3,2,4,3,2,4,1,2,4,2,1,3,4,4,0,1,1,0', '96,2,32,23,0,57,70,45,99,61,68,29,43,5,20,98,22,7,97,27,1,81,31,79,78,72,37,10,39,67,42,64,46,63,50,52,53,55,4,14,92,17,88,24,9,11,12,13,19,21,25,26,28,38,49,51,56,60,65,69,73,74,80,83,86,89,91,41,40,16,35,93,76,34,30,82,85,18,6,59,48,47,44,3,66,36,71,58,8,94,75,87,77,62,33,95,90,54,15,84'],
  ['0,1,2,0,1,0,0,1,1,2,2,0,2,0,2,1,0,2,0,2,1,0,1,1,1,2,1,2,0,1,1,0,1,2,1,0,2,1,1,2,2,0,2,0,0', '5,16,31,18,28,6,21,3,44,43,41,11,35,13,0,34,1,4,7,8,15,20,22,23,24,26,29,30,32,37,38,17,42,33,14,12,36,9,2,25,39,27,19,40,10'],
  // tenk1 where unique1 < 10 in heap order (unique1 4,2,1,6,9,8,5,3,7,0), ordered by four (window.sql)
  ['0,2,1,2,1,0,1,3,3,0', '9,5,0,6,4,2,3,1,7,8'],
];

describe('pgQsort: PostgreSQL 15\'s sort_template.h quicksort', () => {
  it('orders ties exactly as PostgreSQL does', () => {
    for (const [keys, want] of FROM_POSTGRES) expect(permutation(keys.split(',').map(Number)).join(',')).toBe(want);
  });

  it('sorts random inputs of every size, keeping the multiset, the same way every time', () => {
    const rnd = prng(42);
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(rnd() * (round < 200 ? 60 : 2000));
      const range = 1 + Math.floor(rnd() * (n + 1));
      const input = Array.from({ length: n }, () => Math.floor(rnd() * range));
      const a = input.slice();
      pgQsort(a, (x, y) => x - y);
      expect(a).toEqual(input.slice().sort((x, y) => x - y));
      const again = input.map((k, i) => ({ k, i }));
      const twice = again.slice();
      pgQsort(again, (x, y) => x.k - y.k);
      pgQsort(twice, (x, y) => x.k - y.k);
      expect(twice.map((e) => e.i)).toEqual(again.map((e) => e.i));
    }
  });

  it('leaves sorted input untouched and sorts reversed and constant input', () => {
    const ids = Array.from({ length: 500 }, (_v, i) => i);
    const sorted = ids.slice();
    pgQsort(sorted, () => 0);
    expect(sorted).toEqual(ids);
    const reversed = ids.slice().reverse();
    pgQsort(reversed, (x, y) => x - y);
    expect(reversed).toEqual(ids);
  });

  it('sorts a sub-range only', () => {
    const a = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    pgQsort(a, (x, y) => x - y, 2, 5);
    expect(a).toEqual([9, 8, 3, 4, 5, 6, 7, 2, 1, 0]);
  });
});

describe('incrementalSort: PostgreSQL 15\'s Incremental Sort batching', () => {
  const byPrefix = (a: number[], b: number[]) => a[0]! - b[0]!;
  const byAll = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]!;

  it('sorts input presorted by its prefix, keeping the rows, for small and large prefix groups', () => {
    const rnd = prng(7);
    for (let round = 0; round < 100; round++) {
      const n = Math.floor(rnd() * 600), groups = 1 + Math.floor(rnd() * 40);
      const input = Array.from({ length: n }, (_v, i) => [Math.floor(rnd() * groups), Math.floor(rnd() * 5), i]);
      pgQsort(input, byPrefix);
      const out = incrementalSort(input, (a, b) => a[0] === b[0], byAll);
      expect(out.map((r) => r[2]).sort((x, y) => x! - y!)).toEqual(input.map((r) => r[2]).sort((x, y) => x! - y!));
      for (let i = 1; i < out.length; i++) expect(byAll(out[i - 1]!, out[i]!)).toBeLessThanOrEqual(0);
    }
  });

  it('sorts fewer than 32 rows as one quicksort, like a plain Sort', () => {
    const input = [[0, 1, 0], [0, 0, 1], [0, 1, 2], [1, 0, 3], [1, 0, 4], [1, 1, 5], [1, 0, 6], [2, 0, 7]];
    const whole = input.slice();
    pgQsort(whole, byAll);
    expect(incrementalSort(input, (a, b) => a[0] === b[0], byAll)).toEqual(whole);
  });
});
