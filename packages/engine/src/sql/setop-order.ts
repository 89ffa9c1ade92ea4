/**
 * ORDER BY and LIMIT on UNION/INTERSECT/EXCEPT: the sort keys may only be result columns (by
 * name or position), as PostgreSQL requires; the select list is the result's columns as they are.
 */
import type { SelectStmt, SortBy } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { pos, RowScope, type SubqueryPlanner } from './from.ts';
import type { Target } from './select.ts';
import type { SqlType } from './types.ts';

export function setOperationResult(columns: readonly { name: string; type: SqlType }[], stmt: SelectStmt, planner: SubqueryPlanner): { scope: RowScope; targets: Target[] } {
  for (const s of stmt.sortClause ?? []) {
    const node = (s as { SortBy: SortBy }).SortBy.node!;
    const ok = ('A_Const' in node && node.A_Const.ival !== undefined) || ('ColumnRef' in node && (node.ColumnRef.fields?.length ?? 0) === 1);
    if (!ok && !('ColumnRef' in node)) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', {
        position: pos((Object.values(node)[0] as { location?: number }).location),
        detail: 'Only result column names can be used, not expressions or functions.',
        hint: 'Add the expression/function to every SELECT, or move the UNION into a FROM clause.',
      });
    }
  }
  // no alias: a qualified name (t.x) finds no FROM-clause entry, as in PostgreSQL
  const scope = new RowScope([{ alias: '', columns: [...columns], offset: 0 }], columns.length, planner);
  const targets: Target[] = columns.map((c, i) => ({
    name: c.name,
    node: { ColumnRef: { fields: [{ String: { sval: c.name } }] } },
    compiled: { type: c.type, eval: (row) => row[i] },
  }));
  return { scope, targets };
}
