/**
 * What CREATE/ALTER TABLE refuse before anything is logged, as PostgreSQL refuses it: columns
 * named like system columns and sub-selects in DEFAULT and CHECK.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { pos } from './from.ts';

export const SYSTEM_COLUMNS = new Set(['tableoid', 'cmax', 'xmax', 'cmin', 'xmin', 'ctid']);

export function checkColumnName(name: string): void {
  if (SYSTEM_COLUMNS.has(name)) throw new SqlError(SQLSTATE.duplicate_column, `column name "${name}" conflicts with a system column name`);
}

/** `what`: "DEFAULT expression" or "check constraint", as PostgreSQL names the clause. */
export function checkNoSubquery(expr: Node, what: string): void {
  let location: number | undefined;
  let found = false;
  JSON.stringify(expr, (k, v: unknown) => {
    if (!found && k === 'SubLink') {
      found = true;
      location = (v as { location?: number }).location;
    }
    return v;
  });
  if (found) throw new SqlError(SQLSTATE.feature_not_supported, `cannot use subquery in ${what}`, { position: pos(location) });
}
