/**
 * Early stop for a LIMIT over a source that produces its rows lazily (a recursive CTE): the
 * first `n` rows are taken and the producer is abandoned, as PostgreSQL's executor stops pulling
 * rows from a plan once its Limit node is satisfied. Only sources that offer a stream are read
 * this way; the producer unwinds through its own `finally` blocks.
 */
import type { RunContext } from '../env.ts';
import type { RowStream } from '../from.ts';
import type { Value } from '../types.ts';

/** Streams that produce rows as they go, worth stopping (a table scan is cheaper read whole). */
const LAZY = new WeakSet<RowStream>();

export function lazyStream(stream: RowStream): RowStream {
  LAZY.add(stream);
  return stream;
}

export const isLazy = (stream: RowStream | undefined): stream is RowStream => stream !== undefined && LAZY.has(stream);

class Enough {}
const ENOUGH = new Enough();

/** The first `n` rows of `stream` (copies: a streamed row may be reused after its call). */
export function firstRows(stream: RowStream, ctx: RunContext, outer: readonly Value[] | undefined, n: number): Value[][] {
  const rows: Value[][] = [];
  if (n <= 0) return rows;
  try {
    stream(ctx, outer, (row) => {
      rows.push([...row]);
      if (rows.length >= n) throw ENOUGH;
    });
  } catch (e) {
    if (e !== ENOUGH) throw e;
  }
  return rows;
}
