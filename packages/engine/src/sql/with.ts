/**
 * WITH (common table expressions) is not planned yet: every statement that carries one is refused
 * with 0A000 naming what it holds, so a data-modifying CTE is never dropped silently.
 */
import type { WithClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';

const MODIFYING: Record<string, string> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };

export function withNotSupported(clause: WithClause): SqlError {
  for (const cte of clause.ctes ?? []) {
    const query = 'CommonTableExpr' in cte ? cte.CommonTableExpr.ctequery : undefined;
    const kind = query ? MODIFYING[Object.keys(query)[0]!] : undefined;
    if (kind) return new SqlError(SQLSTATE.feature_not_supported, `data-modifying statements in WITH (${kind}) are not supported`);
  }
  return new SqlError(SQLSTATE.feature_not_supported, clause.recursive ? 'WITH RECURSIVE queries are not supported' : 'WITH queries are not supported');
}
