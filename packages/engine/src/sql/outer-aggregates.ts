/**
 * Aggregates of outer-query columns inside a sub-select (`select (select max(t.x)) from t`).
 * PostgreSQL assigns such a call to the query level its columns come from: it is an aggregate of
 * the OUTER query (which becomes a grouped query of one row), and inside the sub-select it is a
 * constant, read from the outer group row. Here the outer query finds these calls among its
 * sub-selects (`outerLevelAggregates`) and computes them with its own aggregates; the sub-select
 * leaves them out of its own grouping (`ownAggregate`) and reads them through its outer scope
 * (RowScope.precomputed → GroupedOuterScope). A call this cannot place keeps failing with 0A000.
 */
import type { ColumnRef, FuncCall, Node } from '@pgsql/types';
import { isAggregateCall } from './expr.ts';
import type { RowScope } from './from.ts';
import { strings } from './names.ts';

type Obj = Record<string, unknown>;

function columnRefs(node: unknown, out: string[][] = []): string[][] {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const n of node) columnRefs(n, out);
    return out;
  }
  if ('ColumnRef' in (node as Obj)) {
    out.push(strings((node as { ColumnRef: ColumnRef }).ColumnRef.fields));
    return out;
  }
  for (const v of Object.values(node as Obj)) columnRefs(v, out);
  return out;
}

/** The names a sub-select's FROM items (at any depth) could be called by. */
function declaredNames(node: unknown, out = new Set<string>()): Set<string> {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const n of node) declaredNames(n, out);
    return out;
  }
  const o = node as Obj;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'RangeVar' || k === 'RangeSubselect' || k === 'RangeFunction') {
      const r = v as { relname?: string; alias?: { aliasname?: string } };
      const name = r.alias?.aliasname ?? r.relname;
      // a function without an alias is named after itself: only an explicit name is known here
      out.add(name ?? (k === 'RangeFunction' ? '*' : ''));
    }
    declaredNames(v, out);
  }
  return out;
}

/**
 * Aggregate calls inside the sub-selects of `root` that belong to the query of `scope`: every
 * column they read is qualified with one of its FROM names, which no FROM item of the sub-select
 * declares again, or is unqualified in a sub-select without FROM items (any other call is left to
 * the sub-select, which refuses it).
 */
export function outerLevelAggregates(root: Node | undefined, scope: RowScope, out: Node[] = []): Node[] {
  const visitSubLink = (sub: unknown) => {
    const shadowed = declaredNames(sub);
    // an unqualified name is the outer query's only where the sub-select has no FROM item to hold it
    const mine = (f: string[]) => (f.length === 2
      ? scope.entries.some((e) => e.alias === f[0]) && !shadowed.has(f[0]!) && !shadowed.has('*')
      : f.length === 1 && shadowed.size === 0 && scope.entries.some((e) => e.columns.some((c) => c.name === f[0])));
    const visit = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach(visit);
      const o = n as Obj;
      if ('FuncCall' in o && isAggregateCall(o as Node)) {
        const f = (o as { FuncCall: FuncCall }).FuncCall;
        const refs = columnRefs([f.args, f.agg_filter, f.agg_order]);
        if (!f.over && refs.length && refs.every(mine)) out.push(o as Node);
        return;
      }
      for (const v of Object.values(o)) visit(v);
    };
    visit(sub);
  };
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Obj;
    if ('SubLink' in o) return visitSubLink((o.SubLink as { subselect?: Node }).subselect);
    for (const v of Object.values(o)) walk(v);
  };
  walk(root);
  return out;
}

/** Whether an aggregate call is the query's own: false when every column it reads comes from an outer query. */
export function ownAggregate(node: Node, scope: RowScope): boolean {
  if (!scope.outer) return true;
  const f = (node as { FuncCall: FuncCall }).FuncCall;
  const refs = columnRefs([f.args, f.agg_filter, f.agg_order]);
  return !(refs.length && refs.every((r) => scope.isOuter(r)));
}
