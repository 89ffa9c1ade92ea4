/**
 * ORDER BY … LIMIT k without an index that gives the order: keep the k best rows in a bounded
 * binary heap (the worst of them on top) instead of sorting every row. Ties keep input order, so
 * the result is exactly what a stable full sort followed by LIMIT returns.
 */
import type { Value } from '../types.ts';
import { compareForSort } from '../values.ts';

export interface SortSpec {
  desc: boolean;
  nullsFirst: boolean;
  compare?: (a: Value, b: Value) => number;
}

interface Entry {
  keys: Value[];
  row: Value[];
  seq: number;
}

/**
 * The first `k` rows `each` hands over, in sort order. `keyOf` writes a row's sort keys into `into`
 * (reused, so a row that loses allocates nothing); a row that is kept is copied, so `each` may reuse
 * one array for every row.
 */
export function topN(each: (visit: (row: readonly Value[]) => void) => void, k: number, specs: readonly SortSpec[], keyOf: (row: readonly Value[], into: Value[]) => void): Value[][] {
  if (k <= 0) return [];
  const n = specs.length;
  const cmpKeys = (a: readonly Value[], b: readonly Value[]): number => {
    for (let i = 0; i < n; i++) {
      const s = specs[i]!;
      const c = compareForSort(a[i], b[i], s.desc, s.nullsFirst, s.compare);
      if (c !== 0) return c;
    }
    return 0;
  };
  // heap order: the worst entry (last in sort order) at index 0
  const worse = (a: Entry, b: Entry): boolean => {
    const c = cmpKeys(a.keys, b.keys);
    return c > 0 || (c === 0 && a.seq > b.seq);
  };
  const heap: Entry[] = [];
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[p]!)) return;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  const scratch: Value[] = new Array(n);
  let seq = 0;
  each((row) => {
    keyOf(row, scratch);
    if (heap.length < k) {
      heap.push({ keys: scratch.slice(), row: row.slice(), seq: seq++ });
      up(heap.length - 1);
      return;
    }
    seq++;
    // a later row that only ties with the worst kept one loses (stable order)
    if (cmpKeys(scratch, heap[0]!.keys) >= 0) return;
    heap[0] = { keys: scratch.slice(), row: row.slice(), seq: seq - 1 };
    down(0);
  });
  heap.sort((a, b) => cmpKeys(a.keys, b.keys) || a.seq - b.seq);
  return heap.map((e) => e.row);
}
