/**
 * The `tableoid` system column. A plain table (no inheritance children, not partitioned) stores
 * every row itself, so its tableoid is the table's oid, a constant (so does any table read with
 * FROM ONLY); a scan of an inheritance or
 * partition tree carries each row's own table oid in a hidden slot past its columns (inherit/scan.ts).
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import { functionCatalog } from './function/context.ts';

interface Entry { alias: string; relname?: string; columns: readonly { name: string }[]; offset?: number; tableOidAt?: number; ownRows?: true }

/** The slot `fields` (`tableoid` or `alias.tableoid`) reads among `entries`, when it names a tree scan's hidden table oid. */
export function treeTableOid(entries: readonly Entry[], fields: readonly string[]): { index: number; type: 'oid' } | undefined {
  if (fields[fields.length - 1] !== 'tableoid' || fields.length > 2) return undefined;
  const named = fields.length === 2 ? entries.filter((e) => e.alias === fields[0]) : entries.filter((e) => e.relname);
  const entry = named[0];
  if (named.length !== 1 || entry?.tableOidAt === undefined || entry.columns.some((c) => c.name === 'tableoid')) return undefined;
  // a bare reference with another FROM item holding a column of that name is ambiguous: the ordinary lookup says so
  if (fields.length === 1 && entries.some((e) => e.columns.some((c) => c.name === 'tableoid'))) return undefined;
  return { index: (entry.offset ?? 0) + entry.tableOidAt, type: 'oid' };
}

/** The oid `fields` (`tableoid` or `alias.tableoid`) reads among `entries`, when it is one constant. */
export function constantTableOid(entries: readonly Entry[], fields: readonly string[]): number | undefined {
  if (fields[fields.length - 1] !== 'tableoid' || fields.length > 2) return undefined;
  const named = fields.length === 2 ? entries.filter((e) => e.alias === fields[0]) : entries.filter((e) => e.relname);
  if (fields.length === 1 && named.length > 1) throw new SqlError(SQLSTATE.ambiguous_column, 'column reference "tableoid" is ambiguous');
  const entry = named[0];
  // a FROM item's own column of that name makes a bare reference ambiguous
  const clash = fields.length === 1 ? entries : named;
  if (named.length !== 1 || !entry?.relname || clash.some((e) => e.columns.some((c) => c.name === 'tableoid'))) return undefined;
  const state = functionCatalog()?.state;
  const oid = state?.tableNames.get(entry.relname);
  if (!state || oid === undefined || !(entry.ownRows || isPlainTable(state, oid))) return undefined;
  return oid;
}

function isPlainTable(state: DbState, oid: number): boolean {
  const def = state.tables.get(oid)?.def;
  if (!def || def.view || def.partitionKey) return false;
  for (const t of state.tables.values()) if (t.def.inherits?.includes(oid)) return false;
  return true;
}
