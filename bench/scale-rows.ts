/** The scale benchmarks' table (Node: scale.bench.ts, backup.bench.ts; Chromium: browser/src/checkpoint.ts): t(id, ~45 bytes of text, n) with an index on n, filled 2,000 rows per INSERT; and the commit loop they run against it. */
import type { Node } from '../packages/engine/src/index.ts';

export const SCALE_SCHEMA = ['create table t(id int primary key, v text, n int)', 'create index t_n on t(n)'];

/** The INSERT statements that fill `rows` rows. */
export function* scaleInserts(rows: number): Generator<string> {
  for (let from = 1; from <= rows; from += 2000) {
    const values: string[] = [];
    for (let id = from; id < Math.min(from + 2000, rows + 1); id++) values.push(`(${id}, 'row ${id} ${'x'.repeat(30)}', ${id % 1000})`);
    yield `insert into t values ${values.join(', ')}`;
  }
}

/** Creates the scale table on `node` and fills it with `rows` rows. */
export async function fillScale(node: Node, rows: number): Promise<void> {
  for (const sql of SCALE_SCHEMA) await node.exec(sql);
  for (const sql of scaleInserts(rows)) await node.exec(sql);
}

/** Autocommit UPDATEs of random rows, one per event-loop turn, until stopped: the longest gap between two finishing, and how many; `gap` sees each gap as it ends. */
export function commitLoop(node: Node, rows: number, gap?: (ms: number, end: number) => void): { stop(): Promise<{ longestGap: number; commits: number }> } {
  let done = false;
  let commits = 0;
  let longestGap = 0;
  const loop = (async () => {
    let last = performance.now();
    while (!done) {
      // each commit comes from its own event (a click, a message), as in an application
      await new Promise((resolve) => setImmediate(resolve));
      await node.query('update t set n = n + 1 where id = $1', [1 + Math.floor(Math.random() * rows)]);
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      gap?.(now - last, now);
      last = now;
      commits++;
    }
  })();
  return { stop: async () => ((done = true), await loop, { longestGap, commits }) };
}
