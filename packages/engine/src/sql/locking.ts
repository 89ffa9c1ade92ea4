/**
 * Row locking clauses (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE [OF …] [NOWAIT |
 * SKIP LOCKED]). A node has one writer at a time and a block holds the writer lock from BEGIN, so
 * the rows a SELECT reads cannot change under it: the clause has nothing left to lock, and a
 * locking SELECT runs as a plain one that counts as a write (refused where writes are, as in a
 * read-only transaction or on a standby). Refused where PostgreSQL refuses it, with its messages.
 */
import type { Node, SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { pos } from './from.ts';

const STRENGTH: Record<string, string> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE', LCS_FORSHARE: 'FOR SHARE', LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE', LCS_FORUPDATE: 'FOR UPDATE',
};

/** The clause's name (FOR UPDATE, …), or undefined when the SELECT has none. */
export function lockingStrength(stmt: SelectStmt): string | undefined {
  const first = stmt.lockingClause?.[0];
  if (!first) return undefined;
  const clause = 'LockingClause' in first ? first.LockingClause : undefined;
  return STRENGTH[clause?.strength ?? ''] ?? 'FOR UPDATE';
}

/** What PostgreSQL refuses before planning: locking a set operation, VALUES, DISTINCT or GROUP BY. */
export function checkLocking(stmt: SelectStmt): void {
  const what = lockingStrength(stmt);
  if (!what) return;
  const refuse = (m: string) => new SqlError(SQLSTATE.feature_not_supported, m);
  if (stmt.op && stmt.op !== 'SETOP_NONE') throw refuse(`${what} is not allowed with UNION/INTERSECT/EXCEPT`);
  if (stmt.valuesLists) throw refuse(`${what} cannot be applied to VALUES`);
  if (stmt.distinctClause) throw refuse(`${what} is not allowed with DISTINCT clause`);
  if (stmt.groupClause?.length) throw refuse(`${what} is not allowed with GROUP BY clause`);
  if (stmt.havingClause) throw refuse(`${what} is not allowed with HAVING clause`);
  const aliases = new Set<string>();
  let outer = false;
  const visit = (n: Node): void => {
    if ('RangeVar' in n) aliases.add(n.RangeVar.alias?.aliasname ?? n.RangeVar.relname!);
    else if ('RangeSubselect' in n && n.RangeSubselect.alias?.aliasname) aliases.add(n.RangeSubselect.alias.aliasname);
    else if ('JoinExpr' in n) {
      if ((n.JoinExpr.jointype ?? 'JOIN_INNER') !== 'JOIN_INNER') outer = true;
      visit(n.JoinExpr.larg!);
      visit(n.JoinExpr.rarg!);
    }
  };
  (stmt.fromClause ?? []).forEach(visit);
  let named = false;
  for (const item of stmt.lockingClause ?? []) {
    for (const rel of ('LockingClause' in item ? item.LockingClause.lockedRels : undefined) ?? []) {
      const rv = 'RangeVar' in rel ? rel.RangeVar : undefined;
      named = true;
      if (rv && !aliases.has(rv.relname!)) {
        throw new SqlError(SQLSTATE.undefined_table, `relation "${rv.relname}" in ${what} clause not found in FROM clause`, { position: pos(rv.location) });
      }
    }
  }
  // without OF every relation is locked, the nullable side of an outer join included; with OF,
  // walrtc does not work out which side a name is on, and refuses
  if (outer && !named) throw refuse(`${what} cannot be applied to the nullable side of an outer join`);
  if (outer) throw refuse(`${what} OF … with an outer join is not supported`);
}
