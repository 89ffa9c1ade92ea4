/**
 * Ties under a final ORDER BY: PostgreSQL's sort is not stable, so rows whose ORDER BY keys are
 * equal (peers) come in an order SQL leaves open. When every ORDER BY item is an output column (by
 * position, by output name, or as the same expression as a select-list item), two results agree
 * when they have the same sequence of key values and, within each run of equal keys, the same
 * multiset of rows. The direction (ASC, DESC, USING) needs no reading: PostgreSQL's own key
 * sequence is the reference, so a wrong direction shows as another sequence.
 */
import { parse } from '../../packages/engine/src/sql/parse.ts';
import type { Entry } from '../reference/replay.ts';

type Json = unknown;
interface Stmt { sortClause?: { SortBy: { node: Json } }[]; op?: string; targetList?: { ResTarget: { name?: string; val?: Json } }[] }

/** The node without its source positions, as text (two spellings of one expression compare equal). */
function shape(node: Json): string {
  return JSON.stringify(node, (k, v: unknown) => (k === 'location' ? undefined : v));
}

function column(node: Json, stmt: Stmt, names: readonly string[]): number | undefined {
  const n = node as { A_Const?: { ival?: { ival?: number } }; ColumnRef?: { fields?: Json[] } };
  if (n.A_Const) {
    const k = n.A_Const.ival?.ival;
    return k !== undefined && Number.isInteger(k) && k >= 1 && k <= names.length ? k - 1 : undefined;
  }
  const fields = n.ColumnRef?.fields;
  if (fields?.length === 1 && 'String' in (fields[0] as object)) {
    // a bare name is first an output column's name (SQL92), ambiguous when two share it
    const name = (fields[0] as { String: { sval: string } }).String.sval;
    const at = names.flatMap((c, i) => (c === name ? [i] : []));
    if (at.length === 1) return at[0];
    if (at.length > 1) return undefined;
  }
  const targets = stmt.targetList ?? [];
  if ((stmt.op ?? 'SETOP_NONE') !== 'SETOP_NONE' || targets.length !== names.length) return undefined;
  const want = shape(node);
  const at = targets.flatMap((t, i) => (shape(t.ResTarget.val) === want ? [i] : []));
  return at.length === 1 ? at[0] : undefined;
}

/** The output columns a statement's final ORDER BY sorts on, or undefined when one item is not an output column. */
export function sortColumns(sql: string, names: readonly string[]): number[] | undefined {
  let stmt: Stmt | undefined;
  try {
    stmt = (parse(sql)[0]?.stmt as { SelectStmt?: Stmt } | undefined)?.SelectStmt;
  } catch {
    return undefined;
  }
  if (!stmt?.sortClause?.length) return undefined;
  const out: number[] = [];
  for (const item of stmt.sortClause) {
    const k = column(item.SortBy.node, stmt, names);
    if (k === undefined) return undefined;
    out.push(k);
  }
  return out;
}

type Rows = NonNullable<Entry['rows']>;

/** Same key sequence, and the same multiset of rows within each run of equal keys. */
export function samePeerRuns(want: Rows, got: Rows, keys: readonly number[]): boolean {
  if (want.length !== got.length) return false;
  const key = (r: Rows[number]) => JSON.stringify(keys.map((k) => r[k]));
  const sorted = (rs: Rows) => rs.map((r) => JSON.stringify(r)).sort();
  let start = 0;
  for (let i = 0; i <= want.length; i++) {
    if (i < want.length && key(want[i]!) !== key(got[i]!)) return false;
    if (i === want.length || (i > start && key(want[i]!) !== key(want[start]!))) {
      if (JSON.stringify(sorted(want.slice(start, i))) !== JSON.stringify(sorted(got.slice(start, i)))) return false;
      start = i;
    }
  }
  return true;
}
