/**
 * The PostgreSQL side of the bridge: what the publication publishes (tables, columns, keys) read
 * from the catalogs and checked before anything is created, the replication connection (pg in
 * `replication=database` mode, text output fixed to ISO dates in UTC), the slot created with its
 * snapshot for the initial copy, and START_REPLICATION's CopyBoth stream.
 */
import pg from 'pg';
import { BridgeError } from './errors.ts';
import type { PgColumn } from './types.ts';
import { columnDdl } from './types.ts';

export interface PgTable {
  /** Table name (schema public). */
  name: string;
  columns: PgColumn[];
  /** Names of the primary key's columns, in key order. */
  key: string[];
}

/** Output settings every value depends on: fixed so the text forms parse the same in walrtc. */
const SESSION_OPTIONS = '-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=postgres -c bytea_output=hex -c extra_float_digits=1';

export function connect(connectionString: string, replication: boolean): pg.Client {
  return new pg.Client({ connectionString, options: SESSION_OPTIONS, ...(replication ? { replication: 'database' } : {}) } as pg.ClientConfig);
}

/** The published tables with their columns and keys; refused (BridgeError) when walrtc cannot hold one exactly. */
export async function publishedTables(client: pg.Client, publication: string): Promise<PgTable[]> {
  const pub = await client.query('select 1 from pg_publication where pubname = $1', [publication]);
  if (!pub.rowCount) throw new BridgeError('42704', `publication "${publication}" does not exist`);
  const rels = await client.query<{ schemaname: string; tablename: string; attnames: string[] | null }>(
    'select schemaname, tablename, attnames::text[] as attnames from pg_publication_tables where pubname = $1 order by schemaname, tablename',
    [publication],
  );
  const tables: PgTable[] = [];
  for (const r of rels.rows) {
    const qualified = `${r.schemaname}.${r.tablename}`;
    if (r.schemaname !== 'public') throw new BridgeError('0A000', `table "${qualified}" is not in schema public: walrtc has one schema, public`);
    const cols = await client.query<{ attname: string; atttypid: number; atttypmod: number; typname: string; typcategory: string; attnotnull: boolean }>(
      `select a.attname, a.atttypid::int as atttypid, a.atttypmod, t.typname, t.typcategory, a.attnotnull
         from pg_attribute a join pg_type t on t.oid = a.atttypid
        where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        order by a.attnum`,
      [`public.${quote(r.tablename)}`],
    );
    const listed = r.attnames && new Set(r.attnames);
    const columns: PgColumn[] = cols.rows
      .filter((c) => !listed || listed.has(c.attname))
      .map((c) => ({ name: c.attname, typeOid: c.atttypid, typmod: c.atttypmod, typeName: c.typname, category: c.typcategory, notNull: c.attnotnull }));
    const pk = await client.query<{ attname: string }>(
      `select a.attname from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, n)
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
        where i.indrelid = $1::regclass and i.indisprimary order by k.n`,
      [`public.${quote(r.tablename)}`],
    );
    if (!pk.rowCount) {
      throw new BridgeError('55000', `table "${qualified}" has no primary key: the walrtc bridge needs one to apply its updates and deletes`, `Add one in PostgreSQL (ALTER TABLE ${qualified} ADD PRIMARY KEY (…)) or remove the table from publication "${publication}".`);
    }
    const key = pk.rows.map((k) => k.attname);
    const missing = key.find((k) => !columns.some((c) => c.name === k));
    if (missing) throw new BridgeError('55000', `the column list of table "${qualified}" in publication "${publication}" leaves out primary key column "${missing}"`);
    for (const c of columns) columnDdl(r.tablename, c);
    tables.push({ name: r.tablename, columns, key });
  }
  return tables;
}

/** Server checks: logical WAL, and whether slots can be failover slots (PostgreSQL 17). */
export async function serverInfo(client: pg.Client): Promise<{ version: number }> {
  const level = (await client.query<{ wal_level: string }>('show wal_level')).rows[0]!.wal_level;
  if (level !== 'logical') throw new BridgeError('55000', `logical decoding requires "wal_level" >= "logical", and the server has "${level}"`, 'Set wal_level = logical in postgresql.conf and restart the server.');
  return { version: Number((await client.query<{ server_version_num: string }>('show server_version_num')).rows[0]!.server_version_num) };
}

export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Escape a literal for replication commands, which take no parameters. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
