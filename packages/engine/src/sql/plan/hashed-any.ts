/**
 * `x = ANY (SELECT …)` / `x IN (SELECT …)` over a type whose equality is JS `===`: the sub-select's
 * rows (the same array for every outer row when it is uncorrelated, select.ts) go into a Set once,
 * as PostgreSQL hashes an uncorrelated IN sub-select, instead of a scan per outer row.
 */
import type { Value } from '../types.ts';

export interface HashedRows {
  values: Set<Value>;
  sawNull: boolean;
}

export function hashedRowsCache(castRight: (v: Value) => Value): (rows: Value[][]) => HashedRows {
  const cache = new WeakMap<Value[][], HashedRows>();
  return (rows) => {
    let h = cache.get(rows);
    if (!h) {
      h = { values: new Set(), sawNull: false };
      for (const r of rows) {
        const b = castRight(r[0]);
        if (b === null) h.sawNull = true;
        else h.values.add(b);
      }
      cache.set(rows, h);
    }
    return h;
  };
}
