/**
 * Which tables a statement may read or write, known from its parse tree before it runs: what a
 * statement waits to be decoded before it runs (state/index-builds.ts `decoded`), so that its
 * first touch of a table still encoded does not decode it in one long task. A superset errs on the
 * safe side (the statement only waits longer); a table it misses is decoded at its first touch, as
 * before, so no answer depends on it. A view stands for the relations it depends on; a call of a
 * user function, or a name that resolves to nothing this can follow, stands for every table.
 */
import type { Oid } from '../catalog/types.ts';
import type { DbState, TableData } from './state.ts';

/** The tables `stmt` may touch in `state`, or 'all'. */
export function statementTables(stmt: unknown, state: DbState): TableData[] | 'all' {
  const found = { names: [] as { relname: string; schemaname?: string }[], ctes: new Set<string>(), calls: false };
  walk(stmt, found);
  if (found.calls && state.functions.size) return 'all';
  const out = new Set<TableData>();
  for (const r of found.names) {
    if (!r.schemaname && found.ctes.has(r.relname)) continue;
    const oid = (r.schemaname ? state.tableNames.get(`${r.schemaname}.${r.relname}`) : undefined) ?? state.tableNames.get(r.relname);
    // a system relation, or none: nothing of the user's rows stands behind it
    if (oid === undefined) continue;
    if (!add(state, oid, out, 0)) return 'all';
  }
  return [...out];
}

/** Adds table `oid`, or what the view `oid` depends on; false when that cannot be followed. */
function add(state: DbState, oid: Oid, out: Set<TableData>, depth: number): boolean {
  const t = state.tables.get(oid);
  if (!t) return depth > 0;
  const view = t.def.view;
  if (!view) {
    out.add(t);
    return true;
  }
  if (depth > 16) return false;
  for (const d of view.dependsOn) if (!add(state, d, out, depth + 1)) return false;
  return true;
}

function walk(node: unknown, found: { names: { relname: string; schemaname?: string }[]; ctes: Set<string>; calls: boolean }): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, found);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  // a RangeVar, wrapped as a Node or bare as a statement's target relation
  if (typeof o.relname === 'string') found.names.push(o as { relname: string; schemaname?: string });
  if (typeof o.ctename === 'string') found.ctes.add(o.ctename);
  if ('FuncCall' in o) found.calls = true;
  for (const k in o) walk(o[k], found);
}
