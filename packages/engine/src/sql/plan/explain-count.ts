/**
 * EXPLAIN ANALYZE's counters for plan nodes whose producer does not count itself: every FROM item
 * (sql/from.ts) and every planned SELECT (sql/select.ts) goes through `counted`, which counts a
 * run of the node — one loop, the rows it handed on — unless the producer already did (a scan,
 * a join, an aggregate counts its own loops; the wrapper sees its loops move and stays out).
 * PostgreSQL's actual rows are the rows a node emits: a Filter applied to the node's rows after
 * they were counted takes the rows it removes off again (`filteredOut`).
 */
import type { RowSource, RowStream } from '../from.ts';
import type { PlanNode } from './explain.ts';
import { isLazy, lazyStream } from './stop-scan.ts';

/** `source` (and its stream), counting its runs on `node` when nothing else does. */
export function counted<S extends RowSource>(node: PlanNode, source: S): S {
  const run = ((ctx, o) => {
    const loops = node.loops;
    const rows = source(ctx, o);
    if (node.loops === loops) count(node, rows.length);
    return rows;
  }) as S;
  const stream = source.stream;
  if (stream) {
    const each: RowStream = (ctx, o, emit) => {
      const loops = node.loops;
      let n = 0;
      try {
        stream(ctx, o, (row) => {
          n++;
          emit(row);
        });
      } finally {
        // a LIMIT may stop a lazy stream part way: the rows handed on so far are what it emitted
        if (node.loops === loops) count(node, n);
      }
    };
    run.stream = isLazy(stream) ? lazyStream(each) : each;
  }
  return run;
}

/** One run of `node` that emitted `rows` rows. */
export function count(node: PlanNode, rows: number): void {
  node.loops++;
  node.rows += rows;
}

/** A Filter shown on `node` removed `n` of the rows counted on it. */
export function filteredOut(node: PlanNode, n: number): void {
  node.rows -= n;
  node.removed += n;
}
