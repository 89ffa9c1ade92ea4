/**
 * What an unordered scan does while the index it was planned through is still being built in the
 * background (state/index-builds.ts): scan the table's rows instead — one tight loop, the scan's
 * whole filter checked on each row and stopped as soon as a LIMIT has its rows — or finish the
 * rest of the build and walk the index. Each build keeps the rows scanned in its place so far:
 * once they reach what the whole build costs, the next such scan finishes the build (rent until
 * the rent paid equals the price, then buy: never more than twice the work of the better choice
 * made in hindsight). Why: a single `where n = $1` costs one pass over the rows (28 ms at 1M rows,
 * bench/README.md) where the build is that pass plus a sort and a tree (~4×, 120–220 ms), so
 * scanning wins for a few queries; but every such query until the background build ends pays
 * the pass again, and a steady stream of them would cost without bound. A LIMIT that stops early
 * pays only the rows it read.
 */
import type { DeferredIndexTree, TableData } from '../../state/state.ts';
import type { IndexPath } from './access.ts';

/** A build's cost, in rows of a scan per row of the table (key extraction, sort and tree vs one tight loop; bench/README.md, seventh round). */
export const BUILD_COST_PER_ROW = 4;

/** Rows scanned in place of each build still under way (the build is shared by every copy of its index). */
const scanned = new WeakMap<DeferredIndexTree, number>();

/** The build to scan in place of (when the scan should read the rows instead of the index), else undefined. */
export function scanInstead(table: TableData, path: IndexPath): DeferredIndexTree | undefined {
  const ix = table.indexes.find((i) => i.def.oid === path.index.def.oid);
  const build = ix?.building ? ix.deferredBuild : undefined;
  if (!build) return undefined;
  return (scanned.get(build) ?? 0) < BUILD_COST_PER_ROW * table.rows.size ? build : undefined;
}

/** A scan read `rows` rows in place of `build`. */
export function scannedInstead(build: DeferredIndexTree, rows: number): void {
  scanned.set(build, (scanned.get(build) ?? 0) + rows);
}

/** Rows scanned so far in place of the index's build (0 once it is built): what tests check. */
export function rowsScannedInstead(build: DeferredIndexTree): number {
  return scanned.get(build) ?? 0;
}
