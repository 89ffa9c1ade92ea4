/**
 * Access paths through expression and partial indexes. A condition on `lower(email)` names the
 * index's expression column (a virtual column number, state/state.ts) when the expression, with
 * its column references reduced to this table's column names, is the index's; a partial index
 * is usable only when every conjunct of its predicate is among the scan's conditions (the
 * simple case of PostgreSQL's predicate proof: `WHERE active AND …` uses `… WHERE active`).
 */
import type { Node } from '@pgsql/types';
import type { IndexData, TableData } from '../../state/state.ts';
import { bareColumns, canonicalText } from '../index-expr.ts';
import type { SqlType } from '../types.ts';
import type { ColumnOf } from './access.ts';

function conjunctsOf(node: Node): Node[] {
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(conjunctsOf);
  return [node];
}

/** A node with its references reduced to this table's column names, as the index stores its expressions. */
function bareText(node: Node, table: TableData, columnOf: ColumnOf): string | undefined {
  // a sub-select's references name its own tables (resolving them here fails), and no index expression or predicate holds one
  if (JSON.stringify(node).includes('"SubLink"')) return undefined;
  const bare = bareColumns(node, (fields) => {
    const c = columnOf({ ColumnRef: { fields: fields.map((sval) => ({ String: { sval } })) } });
    return c === undefined ? undefined : table.def.columns[c]?.name;
  });
  return bare && canonicalText(bare);
}

/** `columnOf` and the column types, extended with the table's expression index columns. */
export function withExpressionColumns(table: TableData, columnOf: ColumnOf): { columnOf: ColumnOf; typeOf: (c: number) => SqlType } {
  const plainType = (c: number) => table.def.columns[c]!.type;
  const texts = new Map<string, { column: number; type: SqlType }>();
  for (const ix of table.indexes) {
    ix.exprs?.texts.forEach((t, i) => { if (t !== undefined) texts.set(t, { column: ix.cols[i]!, type: ix.exprs!.types[i]! }); });
  }
  if (!texts.size) return { columnOf, typeOf: plainType };
  const types = new Map([...texts.values()].map((v) => [v.column, v.type]));
  const extended: ColumnOf = (node) => {
    const c = columnOf(node);
    if (c !== undefined || 'ColumnRef' in node || 'A_Const' in node || 'ParamRef' in node) return c;
    const text = bareText(node, table, columnOf);
    return text === undefined ? undefined : texts.get(text)?.column;
  };
  if (columnOf.outer) extended.outer = columnOf.outer;
  return { columnOf: extended, typeOf: (c) => types.get(c) ?? plainType(c) };
}

/** Whether a scan with these conditions may read through `ix`: any full index, a partial one whose predicate they imply. */
export function indexUsable(ix: IndexData, table: TableData, conds: readonly Node[], columnOf: ColumnOf): boolean {
  if (!ix.def.where) return true;
  const have = new Set(conds.map((n) => bareText(n, table, columnOf)));
  return conjunctsOf(ix.def.where).every((n) => have.has(canonicalText(n)));
}
