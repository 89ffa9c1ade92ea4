/**
 * Keyed diffs of a live query's successive results (PGlite's `live.changes` and
 * `live.incrementalQuery`): which rows were inserted, updated (and which columns) or deleted,
 * and a result that reuses the previous row objects for rows that did not change, so a view
 * re-renders only what changed. One instance per subscription; it remembers the last result.
 */
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';

type Row = Record<string, Value>;

/** PGlite's Change: the row (only key and changed columns for UPDATE, the key for DELETE) with its operation. */
export type Change<R = Row> = R & {
  __op__: 'INSERT' | 'UPDATE' | 'DELETE';
  __changed_columns__: string[];
  /** The key of the row it now follows in the result's order (null: first); undefined for DELETE. */
  __after__: Value | undefined;
};

export class KeyedDiff {
  private last = new Map<unknown, { row: Row; after: unknown }>();

  constructor(private readonly key: string) {}

  /** Diff `result` against the previous one; `rows` is `result.rows` with unchanged rows replaced by the previous objects. */
  next(result: QueryResult): { changes: Change[]; rows: Row[] } {
    const { key } = this;
    if (result.rows.length && !result.fields.some((f) => f.name === key)) {
      throw new Error(`live query key column "${key}" is not in the result`);
    }
    const seen = new Map<unknown, { row: Row; after: unknown }>();
    const changes: Change[] = [];
    const rows: Row[] = [];
    let after: Value = null;
    let afterId: unknown = null;
    for (const row of result.rows as Row[]) {
      const k = row[key] as Value;
      const id = identity(k);
      if (seen.has(id)) throw new Error(`live query key column "${key}" is not unique: ${String(k)} appears twice`);
      const before = this.last.get(id);
      if (!before) {
        changes.push({ ...row, __op__: 'INSERT', __changed_columns__: Object.keys(row), __after__: after });
        rows.push(row);
        seen.set(id, { row, after: afterId });
      } else {
        const changed = Object.keys(row).filter((c) => !sameValue(row[c] as Value, before.row[c] as Value));
        const moved = before.after !== afterId;
        if (changed.length || moved) {
          const partial: Row = { [key]: k };
          for (const c of changed) partial[c] = row[c] as Value;
          changes.push({ ...partial, __op__: 'UPDATE', __changed_columns__: changed, __after__: after });
        }
        const kept = changed.length ? row : before.row;
        rows.push(kept);
        seen.set(id, { row: kept, after: afterId });
      }
      after = k;
      afterId = id;
    }
    for (const [id, { row }] of this.last) {
      if (!seen.has(id)) changes.push({ [key]: row[key] as Value, __op__: 'DELETE', __changed_columns__: [], __after__: undefined });
    }
    this.last = seen;
    return { changes, rows };
  }
}

/**
 * The microseconds below the millisecond an in-process timestamp carries (sql/types/timestamp.ts),
 * read by name: this file runs in pages too, which load no engine module; a Date that crossed the
 * worker boundary has none.
 */
const subMillis = (d: Date): number => (d as Date & { us?: number }).us ?? 0;

/** A Map key for a key value: primitives as they are, dates and bytes by content. */
function identity(v: Value): unknown {
  if (v instanceof Date) return `date:${v.getTime()}.${subMillis(v)}`;
  if (v instanceof Uint8Array) return `bytes:${Array.from(v).join(',')}`;
  if (v !== null && typeof v === 'object') return `json:${JSON.stringify(v)}`;
  return v;
}

function sameValue(a: Value, b: Value): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime() && subMillis(a) === subMillis(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
