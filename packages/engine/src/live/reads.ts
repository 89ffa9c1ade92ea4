/**
 * Which tables a query reads, for live queries: every relation named anywhere in the statement
 * (FROM items, joins, sub-selects, sublinks, CTE bodies), resolved to oids in the current
 * catalog. A name that is not a user table (a system view, a table not created yet) or a call
 * to a pg_* function (WAL positions, recovery state) makes the query depend on every commit.
 */
import type { Node } from '@pgsql/types';
import type { Oid } from '../catalog/types.ts';
import { parse } from '../sql/parse.ts';
import type { DbState } from '../state/state.ts';
import { relationKey } from '../sql/schema/keys.ts';
import { childrenOf } from '../sql/inherit/tree.ts';

export interface Reads {
  /** Re-run after every commit. */
  all: boolean;
  tables: Set<Oid>;
}

interface Names {
  relations: { schema: string | undefined; name: string }[];
  ctes: Set<string>;
  nodeFunctions: boolean;
}

const byText = new Map<string, Names>();
const CACHE_LIMIT = 500;

export function readsOf(sql: string, state: DbState): Reads {
  const names = namesOf(sql);
  const tables = new Set<Oid>();
  // a view reads the relations its query names (and theirs, for views over views)
  const add = (oid: Oid): void => {
    if (tables.has(oid)) return;
    tables.add(oid);
    for (const d of state.tables.get(oid)?.def.view?.dependsOn ?? []) add(d);
    // a parent's scan reads its children's rows (and a partitioned table's, its partitions')
    for (const c of childrenOf(state, oid)) add(c.oid);
  };
  let all = names.nodeFunctions;
  for (const r of names.relations) {
    // a bare name may reach any schema through the session's search_path: it depends on each of them
    const keys = r.schema !== undefined ? [relationKey(r.schema, r.name)] : [r.name, ...[...state.schemas].map((s) => relationKey(s, r.name))];
    const oids = keys.map((k) => state.tableNames.get(k)).filter((o) => o !== undefined);
    if (oids.length) oids.forEach(add);
    else if (r.schema !== undefined || !names.ctes.has(r.name)) all = true;
  }
  return { all, tables };
}

function namesOf(sql: string): Names {
  const hit = byText.get(sql);
  if (hit) return hit;
  const names: Names = { relations: [], ctes: new Set(), nodeFunctions: false };
  for (const st of parse(sql)) walk(st.stmt, names);
  if (byText.size >= CACHE_LIMIT) byText.clear();
  byText.set(sql, names);
  return names;
}

/** A generic walk: the AST has many shapes that can hold a relation, and missing one would make a live query stale. */
function walk(value: unknown, names: Names): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, names);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Node;
  if ('RangeVar' in node) {
    const rv = node.RangeVar;
    if (rv.relname) names.relations.push({ schema: rv.schemaname, name: rv.relname });
  } else if ('CommonTableExpr' in node && node.CommonTableExpr.ctename) {
    names.ctes.add(node.CommonTableExpr.ctename);
  } else if ('FuncCall' in node) {
    const last = node.FuncCall.funcname?.at(-1);
    if (last && 'String' in last && last.String.sval?.startsWith('pg_')) names.nodeFunctions = true;
  }
  for (const v of Object.values(node)) walk(v, names);
}
