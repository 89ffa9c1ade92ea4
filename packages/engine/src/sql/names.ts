/** Small AST helpers shared by the planners: names out of libpg-query nodes. */
import type { Node } from '@pgsql/types';
import { ownName } from './schema/keys.ts';

/** The string values of a list of `{ String: { sval } }` nodes. */
export function strings(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : ''));
}

/** Last element of a qualified name, e.g. `pg_catalog.int4` → `int4`. */
export function lastName(nodes: readonly Node[] | undefined): string {
  const s = strings(nodes);
  return s[s.length - 1] ?? '';
}

/** The column name PostgreSQL gives an unnamed select-list expression. */
export function outputName(node: Node | undefined): string {
  if (!node) return '?column?';
  if ('ColumnRef' in node) {
    const f = node.ColumnRef.fields ?? [];
    const last = f[f.length - 1];
    return last && 'String' in last ? (last.String.sval ?? '?column?') : '?column?';
  }
  if ('FuncCall' in node) return lastName(node.FuncCall.funcname);
  if ('TypeCast' in node) {
    // FigureColname: a cast names the column unless its argument has a stronger name (a column or
    // a function, through any casts), so 2.5::numeric::int is "int4" and oid::regclass::text "oid"
    const inner = node.TypeCast.arg;
    return weakName(inner) ? ownName(lastName(node.TypeCast.typeName?.names)) : outputName(inner);
  }
  if ('CaseExpr' in node) return 'case';
  if ('GroupingFunc' in node) return 'grouping';
  if ('RowExpr' in node) return 'row';
  if ('A_ArrayExpr' in node) return 'array';
  if ('A_Indirection' in node) {
    // (r).f is named after the field
    const last = node.A_Indirection.indirection?.at(-1);
    return last && 'String' in last ? (last.String.sval ?? '?column?') : outputName(node.A_Indirection.arg);
  }
  if ('CoalesceExpr' in node) return 'coalesce';
  if ('MinMaxExpr' in node) return node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if ('NullIfExpr' in node || ('A_Expr' in node && node.A_Expr.kind === 'AEXPR_NULLIF')) return 'nullif';
  if ('SubLink' in node && node.SubLink.subLinkType === 'EXISTS_SUBLINK') return 'exists';
  if ('SubLink' in node && node.SubLink.subLinkType === 'ARRAY_SUBLINK') return 'array';
  if ('SubLink' in node && node.SubLink.subLinkType === 'EXPR_SUBLINK') return subselectName(node.SubLink.subselect);
  if ('SQLValueFunction' in node) {
    const op = node.SQLValueFunction.op ?? '';
    return op.replace(/^SVFOP_/, '').toLowerCase();
  }
  return '?column?';
}

/** Whether `node`'s name is one a cast around it replaces: none, CASE's, or a cast's own type name. */
function weakName(node: Node | undefined): boolean {
  if (!node || 'CaseExpr' in node || outputName(node) === '?column?') return true;
  return 'TypeCast' in node && weakName(node.TypeCast.arg);
}

/** A scalar sub-select is named after its (first) output column, as PostgreSQL names it. */
function subselectName(node: Node | undefined): string {
  const sel = node && 'SelectStmt' in node ? node.SelectStmt : undefined;
  if (!sel) return '?column?';
  if (sel.op && sel.op !== 'SETOP_NONE') return subselectName(sel.larg ? { SelectStmt: sel.larg } : undefined);
  if (sel.valuesLists) return 'column1';
  const first = sel.targetList?.[0];
  const rt = first && 'ResTarget' in first ? first.ResTarget : undefined;
  return rt?.name ?? outputName(rt?.val);
}

/** Compare two AST nodes ignoring source locations (GROUP BY matching). */
export function sameExpr(a: Node, b: Node): boolean {
  return JSON.stringify(a, dropLocation) === JSON.stringify(b, dropLocation);
}

function dropLocation(key: string, value: unknown): unknown {
  return key === 'location' ? undefined : value;
}
