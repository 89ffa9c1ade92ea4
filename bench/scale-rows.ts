/** The scale benchmarks' table (Node: scale.bench.ts; Chromium: browser/src/checkpoint.ts): t(id, ~45 bytes of text, n) with an index on n, filled 2,000 rows per INSERT. */
export const SCALE_SCHEMA = ['create table t(id int primary key, v text, n int)', 'create index t_n on t(n)'];

/** The INSERT statements that fill `rows` rows. */
export function* scaleInserts(rows: number): Generator<string> {
  for (let from = 1; from <= rows; from += 2000) {
    const values: string[] = [];
    for (let id = from; id < Math.min(from + 2000, rows + 1); id++) values.push(`(${id}, 'row ${id} ${'x'.repeat(30)}', ${id % 1000})`);
    yield `insert into t values ${values.join(', ')}`;
  }
}
