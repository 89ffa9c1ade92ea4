/**
 * What CREATE/ALTER TABLE refuse before anything is logged, as PostgreSQL refuses it: columns
 * named like system columns, sub-selects in DEFAULT and CHECK, and table storage parameters
 * (WITH (oids) and any parameter walrtc does not honour).
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

/** CREATE TABLE … WITH (…): only `oids = false` is accepted (it changes nothing). */
export function checkStorageOptions(options: readonly Node[] | undefined): void {
  for (const o of options ?? []) {
    const d = 'DefElem' in o ? o.DefElem : undefined;
    if (!d) continue;
    const arg = d.arg;
    const off = arg && 'String' in arg ? arg.String.sval === 'false' : arg && 'Integer' in arg ? arg.Integer.ival === undefined || arg.Integer.ival === 0 : arg && 'Boolean' in arg ? !arg.Boolean.boolval : false;
    if (d.defname === 'oids') {
      if (off) continue;
      throw new SqlError(SQLSTATE.feature_not_supported, 'tables declared WITH OIDS are not supported');
    }
    throw new SqlError(SQLSTATE.feature_not_supported, `storage parameter "${d.defname}" is not supported`);
  }
}
