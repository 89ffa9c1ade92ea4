// The cost of PostgreSQL's quicksort (packages/engine/src/sql/sort/pg-qsort.ts) against the
// engine's former Array.prototype.sort (TimSort) for ORDER BY-shaped sorts: rows of values
// compared column by column with compareForSort, as select.ts sorts them. Medians of ROUNDS runs.
// Run: node --import tsx bench/pg-qsort.bench.ts   (ROWS=100000 ROUNDS=7 by default)
import { pgQsort } from '../packages/engine/src/sql/sort/pg-qsort.ts';
import { compareForSort } from '../packages/engine/src/sql/values.ts';
import type { Value } from '../packages/engine/src/sql/types.ts';
import { median } from './stats.ts';
import { prng } from '../test/prng.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const rnd = prng(1);

const inputs: Record<string, () => Value[][]> = {
  'random int keys': () => Array.from({ length: ROWS }, (_v, i) => [Math.floor(rnd() * 1e9), i]),
  'int keys, 10 distinct (ties)': () => Array.from({ length: ROWS }, (_v, i) => [Math.floor(rnd() * 10), i]),
  'text keys': () => Array.from({ length: ROWS }, (_v, i) => [`k${Math.floor(rnd() * 1e6)}`, i]),
  'presorted int keys': () => Array.from({ length: ROWS }, (_v, i) => [i, i]),
  'reversed int keys': () => Array.from({ length: ROWS }, (_v, i) => [ROWS - i, i]),
};
const cmp = (a: Value[], b: Value[]): number => compareForSort(a[0], b[0], false, false);
const sorts: Record<string, (rows: Value[][]) => void> = {
  'Array.prototype.sort': (rows) => { rows.sort(cmp); },
  pgQsort: (rows) => pgQsort(rows, cmp),
};

console.log(`sorting ${ROWS} rows, median of ${ROUNDS} (ms)`);
console.log(['input', ...Object.keys(sorts)].join('\t'));
for (const [label, make] of Object.entries(inputs)) {
  const times = Object.keys(sorts).map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    const base = make();
    Object.values(sorts).forEach((sort, i) => {
      const rows = base.slice();
      const t = performance.now();
      sort(rows);
      times[i]!.push(performance.now() - t);
    });
  }
  console.log([label, ...times.map((t) => median(t).toFixed(1))].join('\t'));
}
