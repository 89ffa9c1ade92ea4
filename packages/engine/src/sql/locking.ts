/**
 * Row locking clauses (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE): refused where
 * PostgreSQL refuses them (set operations, VALUES) with its messages, and refused as not supported
 * on plain SELECTs (a node has one writer, but the clause is not implemented).
 */
import type { SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';

const STRENGTH: Record<string, string> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE', LCS_FORSHARE: 'FOR SHARE', LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE', LCS_FORUPDATE: 'FOR UPDATE',
};

export function checkLocking(stmt: SelectStmt): void {
  const first = stmt.lockingClause?.[0];
  if (!first) return;
  const clause = 'LockingClause' in first ? first.LockingClause : undefined;
  const what = STRENGTH[clause?.strength ?? ''] ?? 'FOR UPDATE';
  if (stmt.op && stmt.op !== 'SETOP_NONE') throw new SqlError(SQLSTATE.feature_not_supported, `${what} is not allowed with UNION/INTERSECT/EXCEPT`);
  if (stmt.valuesLists) throw new SqlError(SQLSTATE.feature_not_supported, `${what} cannot be applied to VALUES`);
  throw new SqlError(SQLSTATE.feature_not_supported, `SELECT … ${what} is not supported`);
}
