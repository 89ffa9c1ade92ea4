/**
 * The logical replication catalogs (pg_publication, pg_publication_rel, pg_subscription,
 * pg_subscription_rel, pg_replication_origin_status) as ordinary tables flagged `system`: their
 * rows are WAL-logged, replicated to standbys, checkpointed and transactional like any other
 * row, so a subscription's progress commits in the same transaction as the data it applied.
 * The tables are created (as WAL records) by the first statement that needs them.
 */
import type { ColumnDef, Oid, TableDef } from '../catalog/types.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { WriteTxn } from '../sql/env.ts';
import type { SqlType, Value } from '../sql/types.ts';
import type { DbState } from '../state/state.ts';

const c = (name: string, type: SqlType): ColumnDef => ({ name, type, typmod: -1, notNull: false });

/** Column lists in PostgreSQL's order (pg_subscription's subset: what walrtc has). */
export const CATALOGS = {
  pg_publication: [c('oid', 'int4'), c('pubname', 'text'), c('pubowner', 'int4'), c('puballtables', 'bool'), c('pubinsert', 'bool'),
    c('pubupdate', 'bool'), c('pubdelete', 'bool'), c('pubtruncate', 'bool'), c('pubviaroot', 'bool')],
  pg_publication_rel: [c('oid', 'int4'), c('prpubid', 'int4'), c('prrelid', 'int4')],
  pg_subscription: [c('oid', 'int4'), c('subdbid', 'int4'), c('subskiplsn', 'text'), c('subname', 'text'), c('subowner', 'int4'),
    c('subenabled', 'bool'), c('subbinary', 'bool'), c('substream', 'text'), c('subtwophasestate', 'text'), c('subdisableonerr', 'bool'),
    c('subpasswordrequired', 'bool'), c('subrunasowner', 'bool'), c('subfailover', 'bool'), c('subconninfo', 'text'), c('subslotname', 'text'),
    c('subsynccommit', 'text'), c('subpublications', 'text'), c('suborigin', 'text')],
  pg_subscription_rel: [c('srsubid', 'int4'), c('srrelid', 'int4'), c('srsubstate', 'text'), c('srsublsn', 'text')],
  pg_replication_origin_status: [c('local_id', 'int4'), c('external_id', 'text'), c('remote_lsn', 'text'), c('local_lsn', 'text')],
} as const satisfies Record<string, readonly ColumnDef[]>;

export type CatalogName = keyof typeof CATALOGS;

/** A catalog row as an object keyed by column name, with the row id it lives at. */
export type CatalogRow = Record<string, Value> & { rowid: number };

export function isCatalogTable(def: TableDef): boolean {
  return def.system === true;
}

/** Every row of a catalog (none when it was never created). */
export function catalogRows(state: DbState, name: CatalogName): CatalogRow[] {
  const oid = state.tableNames.get(name);
  if (oid === undefined) return [];
  const columns = CATALOGS[name];
  const out: CatalogRow[] = [];
  state.table(oid).rows.forEachPair((rowid, row) => {
    const r: CatalogRow = { rowid };
    columns.forEach((col, i) => (r[col.name] = row[i]));
    out.push(r);
  });
  return out;
}

/** The publication or subscription called `name`; `required` makes a missing one PostgreSQL's 42704. */
export function namedObject(state: DbState, kind: 'publication' | 'subscription', name: string, required: true): CatalogRow;
export function namedObject(state: DbState, kind: 'publication' | 'subscription', name: string, required?: false): CatalogRow | undefined;
export function namedObject(state: DbState, kind: 'publication' | 'subscription', name: string, required = false): CatalogRow | undefined {
  const [catalog, column] = kind === 'publication' ? (['pg_publication', 'pubname'] as const) : (['pg_subscription', 'subname'] as const);
  const row = catalogRows(state, catalog).find((r) => r[column] === name);
  if (!row && required) throw new SqlError(SQLSTATE.undefined_object, `${kind} "${name}" does not exist`);
  return row;
}

function toRow(name: CatalogName, values: Record<string, Value>): Value[] {
  return CATALOGS[name].map((col) => values[col.name] ?? null);
}

/** Create the catalogs that do not exist yet, inside `txn` (so a rollback takes them back). */
export function ensureCatalogs(txn: WriteTxn): void {
  for (const name of Object.keys(CATALOGS) as CatalogName[]) {
    if (txn.state.tableNames.has(name)) continue;
    const def: TableDef = { oid: txn.state.allocateOid(), name, columns: [...CATALOGS[name]], checks: [], system: true };
    txn.write({ kind: 'create_table', table: def });
  }
}

function catalogOid(txn: WriteTxn, name: CatalogName): Oid {
  ensureCatalogs(txn);
  return txn.state.tableNames.get(name)!;
}

export function insertCatalog(txn: WriteTxn, name: CatalogName, values: Record<string, Value>): void {
  const table = catalogOid(txn, name);
  txn.write({ kind: 'insert', table, rowid: txn.state.table(table).nextRowId, row: toRow(name, values) });
}

export function updateCatalog(txn: WriteTxn, name: CatalogName, row: CatalogRow, changes: Record<string, Value>): void {
  txn.write({ kind: 'update', table: catalogOid(txn, name), rowid: row.rowid, row: toRow(name, { ...row, ...changes }) });
}

export function deleteCatalog(txn: WriteTxn, name: CatalogName, row: CatalogRow): void {
  txn.write({ kind: 'delete', table: catalogOid(txn, name), rowid: row.rowid });
}

/** PostgreSQL's text form of a name list (`{a,b}`), as subpublications and attnames show. */
export function formatNameArray(names: readonly string[]): string {
  return `{${names.map((n) => (/^[a-z_][a-z0-9_$]*$/.test(n) ? n : `"${n.replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}

export function parseNameArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, '');
  if (!inner) return [];
  return inner.split(',').map((n) => n.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1'));
}
