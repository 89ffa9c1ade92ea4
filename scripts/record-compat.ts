/**
 * Records the sql:compat corpus (test/compat/corpus.ts) from a real PostgreSQL into
 * test/compat/compat.json: each area runs in order in a fresh database; per statement the result
 * columns (name, type OID) and rows as PostgreSQL's text output, the row count, or the error's
 * SQLSTATE and message — the shape test/reference/replay.ts compares.
 *   scripts/postgres.sh start 54332
 *   npx tsx scripts/record-compat.ts postgres://postgres@127.0.0.1:54332/postgres
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { COMPAT } from '../test/compat/corpus.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: record-compat.ts <postgres url>');
const types = { getTypeParser: () => (text: string) => text };
const areas: Record<string, unknown[]> = {};
let version = '';
for (const [area, statements] of Object.entries(COMPAT)) {
  const db = `walrtc_compat_${area}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${db}`);
  await admin.query(`create database ${db}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${db}`;
  const client = new pg.Client({ connectionString: target.href, types });
  await client.connect();
  version = (await client.query('show server_version')).rows[0].server_version as string;
  const entries = [];
  for (const sql of statements) {
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
  areas[area] = entries;
}
writeFileSync(new URL('../test/compat/compat.json', import.meta.url), JSON.stringify({ postgres: version, areas }, null, 1) + '\n');
console.log(`recorded ${Object.values(areas).flat().length} statements in ${Object.keys(areas).length} areas from PostgreSQL ${version}`);
