/**
 * Running an IndexPath: walk an index's B+ tree between the path's bounds, forwards or backwards,
 * and hand each row to a visitor that may stop the walk (LIMIT). Keys are compared only with
 * compareKeys, the index's own order (NULL above every value, as PostgreSQL's ASC NULLS LAST).
 */
import type { IndexData, TableData } from '../../state/state.ts';
import { compareKeys, type IndexKey } from '../../state/keys.ts';
import type { RowId } from '../../wal/record.ts';
import type { EvalContext } from '../scope.ts';
import type { SqlType, Value } from '../types.ts';
import { INVALID, keyValue, type IndexPath } from './access.ts';

/** Return false to stop the walk. */
export type Visitor = (id: RowId, row: Value[]) => boolean;

export interface WalkOptions {
  desc?: boolean;
  /** Of the first column after the equality prefix: only NULL keys, or none (ORDER BY's NULLS placement). */
  nulls?: 'only' | 'skip';
  /** The row bounds are evaluated over: a correlated sub-select's outer row at its slots, else empty. */
  boundRow?: readonly Value[];
}

function indexOf(table: TableData, oid: number): IndexData {
  const list = table.indexes;
  for (let i = 0; i < list.length; i++) if (list[i]!.def.oid === oid) return list[i]!;
  throw new Error(`index ${oid} missing from table ${table.def.oid}`);
}

/** Hand the rows of `ids` (one id or several) to `visit`; false once it stopped the walk. */
function emitRows(rows: TableData['rows'], ids: RowId | readonly RowId[], visit: Visitor): boolean {
  if (typeof ids === 'number') {
    const row = rows.get(ids);
    return row ? visit(ids, row) : true;
  }
  for (const id of ids) {
    const row = rows.get(id);
    if (row && !visit(id, row)) return false;
  }
  return true;
}

/**
 * Walk `path` over the current `table` (its index with the path's oid). Returns false when a bound
 * cannot be compared with the keys at run time (a parameter of another kind): the caller scans.
 */
export function walkIndex(table: TableData, path: IndexPath, ctx: EvalContext, visit: Visitor, opts: WalkOptions = {}): boolean {
  const ix = indexOf(table, path.index.def.oid);
  const types = path.types ??= ix.keyTypes(table.def);
  const m = path.eq.length;
  const boundRow = opts.boundRow ?? EMPTY_ROW;

  // one value for the only column: a point lookup (the common `id = $1`), without the closures below
  if (m === 1 && !ix.composite && path.eq[0]!.values.length === 1) {
    const e = path.eq[0]!;
    const v = e.isNull ? null : keyValue(e.values[0]!.eval(boundRow, ctx), types[0]!);
    if (v === INVALID) return false;
    if (v === null && !e.isNull) return true; // `col = NULL` is never true
    const ids = ix.tree.get(v);
    if (ids !== undefined) emitRows(table.rows, ids, visit);
    return true;
  }

  const rangeType = types[m];
  const eval1 = (c: { eval: (r: readonly Value[], x: EvalContext) => Value }, t: SqlType) => keyValue(c.eval(boundRow, ctx), t);
  const rows = table.rows;
  const emit = (ids: RowId | readonly RowId[]): boolean => emitRows(rows, ids, visit);

  // equality alternatives per column, then every combination in index order
  let prefixes: Value[][] = [[]];
  for (let i = 0; i < m; i++) {
    const e = path.eq[i]!;
    const alts: Value[] = [];
    if (e.isNull) alts.push(null);
    else {
      for (const c of e.values) {
        const v = eval1(c, types[i]!);
        if (v === INVALID) return false;
        if (v !== null) alts.push(v); // `col = NULL` is never true
      }
    }
    const next: Value[][] = [];
    for (const p of prefixes) for (const a of alts) next.push([...p, a]);
    prefixes = next;
  }
  if (!prefixes.length) return true;
  if (prefixes.length > 1) {
    prefixes.sort((a, b) => compareKeys(a, b));
    prefixes = prefixes.filter((p, i) => i === 0 || compareKeys(p, prefixes[i - 1]!) !== 0);
    if (opts.desc) prefixes.reverse();
  }

  let lo: Value | undefined, hi: Value | undefined, prefix: string | undefined;
  if (rangeType !== undefined) {
    if (path.lower) {
      const v = eval1(path.lower.value, rangeType);
      if (v === INVALID) return false;
      if (v === null) return true; // `col > NULL` is never true
      lo = v;
    }
    if (path.upper) {
      const v = eval1(path.upper.value, rangeType);
      if (v === INVALID) return false;
      if (v === null) return true;
      hi = v;
    }
    if (path.prefix) prefix = path.prefix.eval(boundRow, ctx) as string;
  }
  if (prefix !== undefined && (lo === undefined || compareKeys(prefix, lo) > 0)) lo = prefix;
  const ranged = lo !== undefined || hi !== undefined || prefix !== undefined;
  const skipNulls = ranged || opts.nulls === 'skip';
  const onlyNulls = !ranged && opts.nulls === 'only';
  const loInclusive = path.lower?.inclusive ?? true, hiInclusive = path.upper?.inclusive ?? true;
  const n = ix.cols.length;
  const composite = ix.composite;

  for (const p of prefixes) {
    if (m === n) {
      // every column pinned: a point lookup
      const ids = ix.tree.get(composite ? p : p[0]);
      if (ids !== undefined && !emit(ids)) return true;
      continue;
    }
    const samePrefix = (k: IndexKey): boolean => {
      for (let i = 0; i < m; i++) if (compareKeys((k as Value[])[i], p[i]) !== 0) return false;
      return true;
    };
    const rangeKey = (k: IndexKey): Value => (composite ? (k as Value[])[m] : k);
    const reused: unknown[] = [];
    if (!opts.desc) {
      let start: IndexKey | undefined;
      const first = onlyNulls ? null : lo;
      if (composite) start = first !== undefined ? [...p, first] : m ? p : undefined;
      else start = first;
      for (const [k, ids] of ix.tree.entries(start, reused as never)) {
        if (composite && m && !samePrefix(k)) break;
        if (m < n) {
          const v = rangeKey(k);
          if (onlyNulls) { if (v !== null) break; }
          else {
            if (v === null && skipNulls) break;
            if (lo !== undefined && !loInclusive && compareKeys(v, lo) === 0) continue;
            if (hi !== undefined) {
              const c = compareKeys(v, hi);
              if (c > 0 || (c === 0 && !hiInclusive)) break;
            }
            if (prefix !== undefined && !(v as string).startsWith(prefix)) break;
          }
        }
        if (!emit(ids)) return true;
      }
    } else {
      // the largest key with this prefix (and at most `hi`): NULL pads above every value
      let start: IndexKey | undefined;
      if (composite) {
        const s: Value[] = [...p];
        if (hi !== undefined && !onlyNulls) s.push(hi);
        while (s.length < n) s.push(null);
        start = s;
      } else start = onlyNulls ? undefined : hi;
      for (const [k, ids] of ix.tree.entriesReversed(start, reused as never)) {
        if (composite && m && !samePrefix(k)) break;
        if (m < n) {
          const v = rangeKey(k);
          if (onlyNulls) {
            if (v === null) { if (!emit(ids)) return true; continue; }
            break;
          }
          if (v === null && skipNulls) continue;
          if (hi !== undefined && !hiInclusive && compareKeys(v, hi) === 0) continue;
          if (lo !== undefined) {
            const c = compareKeys(v, lo);
            if (c < 0 || (c === 0 && !loInclusive)) break;
          }
          if (prefix !== undefined && !(v as string).startsWith(prefix)) {
            if (compareKeys(v, prefix) < 0) break;
            continue;
          }
        }
        if (!emit(ids)) return true;
      }
    }
  }
  return true;
}

const EMPTY_ROW: readonly Value[] = [];

/** Every row of the table in row-id order, until the visitor stops. */
export function walkTable(table: TableData, visit: Visitor): void {
  table.rows.forEachPair((id, row) => (visit(id, row) ? undefined : { break: true }));
}

export type { IndexData };
