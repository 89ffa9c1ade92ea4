/**
 * The walrtc side of the bridge: the tables made from the publication, the bridge's own row in
 * `walrtc_bridge` (slot, state, the PostgreSQL LSN applied, the schema it copied), and the
 * statements one pgoutput change becomes. Each PostgreSQL transaction (or a run of them) is
 * applied in ONE walrtc transaction together with the LSN it ends at, so a restart knows exactly
 * what is already there: replay after a crash skips it instead of applying it twice.
 */
import type { Node } from '@walrtc/engine';
import type { Relation, TupleValue } from './pgoutput.ts';
import { BridgeError } from './errors.ts';
import type { PgTable } from './source.ts';
import { checkValue, columnDdl, quoteIdent, toParam } from './types.ts';

export const STATE_TABLE = 'walrtc_bridge';

/** How to start over after a stop the bridge cannot resume from. */
export const RESYNC = `Resynchronise: in walrtc drop the bridged tables and the bridge's row of ${STATE_TABLE}, drop the replication slot in PostgreSQL, and start the bridge again (it copies everything anew).`;

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface BridgeState {
  state: 'copying' | 'streaming';
  lsn: bigint;
  /** The published tables as copied: a Relation that differs from them is a schema change. */
  tables: PgTable[];
}

export async function readState(node: Node, slot: string): Promise<BridgeState | undefined> {
  const r = await node.query<{ state: string; lsn: string; tables: string }>(`select state, lsn, tables from ${STATE_TABLE} where slot = $1`, [slot]).catch((e: { code?: string }) => {
    if (e.code === '42P01') return undefined;
    throw e;
  });
  const row = r?.rows[0];
  return row && { state: row.state as BridgeState['state'], lsn: BigInt(row.lsn), tables: JSON.parse(row.tables) as PgTable[] };
}

/** Drop what an earlier, unfinished copy made, create the tables, and record state 'copying': one transaction. */
export async function prepareCopy(node: Node, slot: string, publication: string, tables: PgTable[], previous: PgTable[]): Promise<void> {
  await node.transaction(async (tx) => {
    await tx.query(`create table if not exists ${STATE_TABLE} (slot text primary key, publication text not null, state text not null, lsn numeric not null, tables text not null)`);
    // only what this bridge's own unfinished copy made: a table of the same name made by anyone
    // else is never dropped (its create below fails with 42P07 instead)
    for (const t of previous) await tx.query(`drop table if exists ${quoteIdent(t.name)}`);
    for (const t of tables) {
      const cols = t.columns.map((c) => columnDdl(t.name, c));
      await tx.query(`create table ${quoteIdent(t.name)} (${cols.join(', ')}, primary key (${t.key.map(quoteIdent).join(', ')}))`);
    }
    await tx.query(
      `insert into ${STATE_TABLE} values ($1, $2, 'copying', 0, $3) on conflict (slot) do update set publication = excluded.publication, state = 'copying', lsn = 0, tables = excluded.tables`,
      [slot, publication, JSON.stringify(tables)],
    );
  });
}

/** Rows of one table as PostgreSQL's text forms, in column order: inserted in one walrtc transaction. */
export async function copyRows(node: Node, table: PgTable, rows: (string | null)[][]): Promise<void> {
  const insert = insertStatement(table, table.columns.map(() => null)).sql;
  await node.transaction(async (tx) => {
    // one single-row statement, planned once: faster in walrtc than multi-row VALUES lists
    for (const row of rows) await tx.query(insert, params(table, row, () => true));
  });
}

export async function finishCopy(node: Node, slot: string, lsn: bigint): Promise<void> {
  await node.query(`update ${STATE_TABLE} set state = 'streaming', lsn = $2 where slot = $1`, [slot, lsn.toString()]);
}

/** Statements of a run of PostgreSQL transactions and the LSN it ends at: applied all or nothing. */
export async function applyRun(node: Node, slot: string, statements: readonly Statement[], lsn: bigint): Promise<void> {
  await node.transaction(async (tx) => {
    for (const s of statements) await tx.query(s.sql, s.params);
    await tx.query(`update ${STATE_TABLE} set lsn = $2 where slot = $1`, [slot, lsn.toString()]);
  });
}

/** A table whose Relation message no longer matches what was copied: stop, as PostgreSQL's subscribers stop. */
export function checkRelation(rel: Relation, copied: PgTable | undefined): PgTable {
  const qualified = `${rel.schema}.${rel.name}`;
  if (!copied) throw new BridgeError('55000', `logical replication target relation "${qualified}" does not exist in walrtc: it was added to the publication after the copy`, RESYNC);
  const now = rel.columns.map((c) => `${c.name} ${c.typeOid}(${c.typmod})${c.key ? ' key' : ''}`).join(', ');
  const then = copied.columns.map((c) => `${c.name} ${c.typeOid}(${c.typmod})${copied.key.includes(c.name) ? ' key' : ''}`).join(', ');
  if (now !== then) {
    throw new BridgeError('55000', `logical replication target relation "${qualified}" changed on the PostgreSQL side: its columns were (${then}) and are now (${now})`, `The bridge stopped without acknowledging the change. ${RESYNC}`);
  }
  return copied;
}

const params = (table: PgTable, tuple: TupleValue[], pick: (i: number) => boolean): unknown[] => {
  const out: unknown[] = [];
  tuple.forEach((v, i) => {
    if (!pick(i)) return;
    if (v !== null && typeof v !== 'string') throw new Error('unchanged TOAST value where a value is needed');
    const c = table.columns[i]!;
    if (v !== null) checkValue(table.name, c.name, c.typeOid, v);
    out.push(v === null ? null : toParam(c.typeOid, v));
  });
  return out;
};

const keyWhere = (table: PgTable, from: number) => table.key.map((k, i) => `${quoteIdent(k)} = $${from + i}`).join(' and ');
const keyIndexes = (table: PgTable) => table.key.map((k) => table.columns.findIndex((c) => c.name === k));

export function insertStatement(table: PgTable, tuple: TupleValue[]): Statement {
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  return { sql: `insert into ${quoteIdent(table.name)} (${cols}) values (${table.columns.map((_, i) => `$${i + 1}`).join(', ')})`, params: params(table, tuple, () => true) };
}

export function updateStatement(table: PgTable, old: TupleValue[] | undefined, tuple: TupleValue[]): Statement {
  // a TOASTed value the update did not touch is not sent: it keeps its value
  const changed = tuple.map((v) => v === null || typeof v === 'string');
  const set = params(table, tuple, (i) => changed[i]!);
  const keys = keyIndexes(table);
  const keyValues = keys.map((i) => (old ?? tuple)[i]!) as (string | null)[];
  const keyParams = keyValues.map((v, k) => (v === null ? null : toParam(table.columns[keys[k]!]!.typeOid, v)));
  const assignments = table.columns.filter((_, i) => changed[i]).map((c, i) => `${quoteIdent(c.name)} = $${i + 1}`);
  return { sql: `update ${quoteIdent(table.name)} set ${assignments.join(', ')} where ${keyWhere(table, set.length + 1)}`, params: [...set, ...keyParams] };
}

export function deleteStatement(table: PgTable, old: TupleValue[]): Statement {
  return { sql: `delete from ${quoteIdent(table.name)} where ${keyWhere(table, 1)}`, params: keyIndexes(table).map((i) => (old[i] === null ? null : toParam(table.columns[i]!.typeOid, old[i] as string))) };
}

export function truncateStatement(tables: PgTable[]): Statement {
  return { sql: `truncate ${tables.map((t) => quoteIdent(t.name)).join(', ')}`, params: [] };
}
