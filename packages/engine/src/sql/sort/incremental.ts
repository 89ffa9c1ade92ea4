/**
 * PostgreSQL's Incremental Sort without a bound, for input already sorted by a prefix of the sort
 * keys (a window whose PARTITION BY the window below it already sorted). PostgreSQL does not sort
 * such input as a whole: it sorts batches, so which tied rows share a quicksort — and so their
 * order — follows the batching of src/backend/executor/nodeIncrementalSort.c (PostgreSQL 15):
 * full-sort batches of at least 32 rows that end where the prefix changes, and once a batch passes
 * 64 rows of one prefix group, that group alone (presorted prefix mode).
 */
import { pgQsort } from './pg-qsort.ts';

const MIN_GROUP_SIZE = 32;
const MAX_FULL_SORT_GROUP_SIZE = 2 * MIN_GROUP_SIZE;

/**
 * `input` (sorted by the prefix keys) in the order PostgreSQL's Incremental Sort returns it.
 * `samePrefix` compares the presorted keys; `cmp` all sort keys.
 */
export function incrementalSort<T>(input: readonly T[], samePrefix: (a: T, b: T) => boolean, cmp: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  const emit = (batch: T[]): void => {
    pgQsort(batch, cmp);
    for (const t of batch) out.push(t);
  };
  let pos = 0;
  // the row read past the end of the last batch, which opens the next one
  let carried: T | undefined;
  while (pos < input.length || carried !== undefined) {
    // full sort mode: at least MIN_GROUP_SIZE rows, then on to the end of the last row's prefix group
    const batch: T[] = [];
    if (carried !== undefined) batch.push(carried);
    carried = undefined;
    let pivot: T | undefined;
    let large = false;
    while (pos < input.length) {
      const t = input[pos++]!;
      if (batch.length < MIN_GROUP_SIZE) {
        batch.push(t);
        if (batch.length === MIN_GROUP_SIZE) pivot = t;
      } else if (samePrefix(pivot!, t)) {
        batch.push(t);
      } else {
        carried = t;
        break;
      }
      if (batch.length > MAX_FULL_SORT_GROUP_SIZE) {
        large = true;
        break;
      }
    }
    if (!large) {
      emit(batch);
      continue;
    }
    // presorted prefix mode: the sorted batch's prefix groups one by one; the last stays open
    pgQsort(batch, cmp);
    let at = 0;
    for (;;) {
      const group = [batch[at]!];
      for (at++; at < batch.length && samePrefix(group[0]!, batch[at]!); at++) group.push(batch[at]!);
      if (at < batch.length) {
        emit(group);
        continue;
      }
      while (pos < input.length) {
        const t = input[pos++]!;
        if (!samePrefix(group[0]!, t)) {
          carried = t;
          break;
        }
        group.push(t);
      }
      emit(group);
      break;
    }
  }
  return out;
}
