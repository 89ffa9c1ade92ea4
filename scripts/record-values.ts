/**
 * Records a reference corpus from a real PostgreSQL: test/reference/values.json (VALUES_CORPUS,
 * the default) or test/reference/sql.json (SQL_CORPUS), fk.json (FK_CORPUS). Runs the corpus in order in a fresh
 * database and keeps, per statement, the result columns (name, type OID) and rows as
 * PostgreSQL's text output, the row count, or the error's SQLSTATE and message.
 *   scripts/postgres.sh start 54332
 *   npx tsx scripts/record-values.ts postgres://postgres@127.0.0.1:54332/postgres [values|sql|fk]
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { ARRAY_CORPUS } from '../test/reference/array-corpus.ts';
import { DATETIME_CORPUS } from '../test/reference/datetime-corpus.ts';
import { ENUM_CORPUS } from '../test/reference/enum-corpus.ts';
import { JSON_CORPUS } from '../test/reference/json-corpus.ts';
import { STRING_CORPUS } from '../test/reference/string-corpus.ts';
import { FK_CORPUS } from '../test/reference/fk-corpus.ts';
import { SQL_CORPUS } from '../test/reference/sql-corpus.ts';
import { VALUES_CORPUS } from '../test/reference/values-corpus.ts';

const url = process.argv[2];
const name = process.argv[3] ?? 'values';
const CORPORA: Record<string, readonly string[]> = { values: VALUES_CORPUS, sql: SQL_CORPUS, fk: FK_CORPUS, array: ARRAY_CORPUS, datetime: DATETIME_CORPUS, enum: ENUM_CORPUS, json: JSON_CORPUS, string: STRING_CORPUS };
const corpus = CORPORA[name];
if (!url || !corpus) throw new Error('usage: record-values.ts <postgres url> [values|sql|fk|array|datetime|enum|json|string]');
const DB = `walrtc_${name}`;

// every value as PostgreSQL's text output, never parsed into a JS number
const types = { getTypeParser: () => (text: string) => text };

const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`drop database if exists ${DB}`);
await admin.query(`create database ${DB}`);
await admin.end();

const target = new URL(url);
target.pathname = `/${DB}`;
const client = new pg.Client({ connectionString: target.href, types });
await client.connect();
const version = (await client.query('show server_version')).rows[0].server_version as string;
const entries = [];
for (const sql of corpus) {
  try {
    const r = await client.query({ text: sql, rowMode: 'array' });
    entries.push(r.fields.length
      ? { sql, fields: r.fields.map((f) => ({ name: f.name, type: f.dataTypeID })), rows: r.rows }
      : { sql, rowCount: r.rowCount });
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (!err.code) throw e;
    entries.push({ sql, error: { code: err.code, message: err.message } });
  }
}
await client.end();
const file = new URL(`../test/reference/${name}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ postgres: version, entries }, null, 1) + '\n');
console.log(`recorded ${entries.length} statements from PostgreSQL ${version}`);
