/**
 * The recorders' one way to run statements on a real PostgreSQL: a fresh database per corpus, and
 * per statement the result columns (name, type OID, and type name of a database's own type) and rows as PostgreSQL's text output, the row
 * count, or the error's SQLSTATE and message (the shape test/reference/replay.ts compares).
 */
import pg from 'pg';

// every value as PostgreSQL's text output, never parsed into a JS number
const types = { getTypeParser: () => (text: string) => text };

/** Type OIDs from here on are allocated per database (enums, row types): judges compare them by name. */
export const FIRST_USER_OID = 16384;

/**
 * A result's columns as the fixtures keep them: name and type OID, plus `typeName` for a type of
 * the database's own, looked up right after the statement (a later one may drop the type).
 */
export async function recordedFields(client: pg.Client, fields: readonly { name: string; dataTypeID: number }[]): Promise<{ name: string; type: number; typeName?: string }[]> {
  const own = [...new Set(fields.map((f) => f.dataTypeID).filter((t) => t >= FIRST_USER_OID))];
  const names = new Map<number, string>();
  if (own.length) {
    const r = await client.query({ text: 'select oid::int4, typname::text from pg_type where oid = any($1::oid[])', values: [own] });
    for (const row of r.rows as { oid: string; typname: string }[]) names.set(Number(row.oid), row.typname);
  }
  return fields.map((f) => ({ name: f.name, type: f.dataTypeID, ...(names.has(f.dataTypeID) ? { typeName: names.get(f.dataTypeID)! } : {}) }));
}

/** Run `statements` in order in a new database `db` on the server at `url`. */
export async function recordOutcomes(url: string, db: string, statements: readonly string[]): Promise<{ version: string; entries: unknown[] }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${db}`);
  await admin.query(`create database ${db}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${db}`;
  const client = new pg.Client({ connectionString: target.href, types });
  await client.connect();
  const version = (await client.query('show server_version')).rows[0].server_version as string;
  const entries = [];
  for (const sql of statements) {
    try {
      const r = await client.query({ text: sql, rowMode: 'array' });
      entries.push(r.fields.length
        ? { sql, fields: await recordedFields(client, r.fields), rows: r.rows }
        : { sql, rowCount: r.rowCount });
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (!err.code) throw e;
      entries.push({ sql, error: { code: err.code, message: err.message } });
    }
  }
  await client.end();
  return { version, entries };
}
