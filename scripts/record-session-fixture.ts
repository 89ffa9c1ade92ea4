// Records the session scenario (packages/engine/test/session-scenario.ts) from a real PostgreSQL,
// through node-postgres, into packages/engine/test/fixtures/session-postgres.json, which
// session.test.ts compares walrtc's log against. Not run by the tests.
//   scripts/postgres.sh start 54331
//   npx tsx scripts/record-session-fixture.ts postgres://postgres@127.0.0.1:54331/postgres
//   scripts/postgres.sh stop 54331
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { scenario, type Db, type Options, type Result } from '../packages/engine/test/session-scenario.ts';

const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:54331/postgres';
const admin = new pg.Client(url);
await admin.connect();
await admin.query('drop database if exists walrtc_session');
await admin.query('create database walrtc_session');
const client = new pg.Client(url.replace(/\/[^/]*$/, '/walrtc_session'));
await client.connect();

let onNotice: Options['onNotice'];
client.on('notice', (n) => onNotice?.({ severity: n.severity, code: n.code, message: n.message }));

// PGlite's affectedRows: INSERT/UPDATE/DELETE/MERGE counts, summed over one call's statements
const counted = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
function shape(results: pg.QueryResult[]): Result[] {
  let affected = 0;
  return results.map((r) => {
    if (counted.has(r.command)) affected += r.rowCount ?? 0;
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), command: r.command, affectedRows: affected };
  });
}

const db: Db = {
  async query(sql, params, options) {
    onNotice = options?.onNotice;
    const parsers = options?.parsers;
    const r = await client.query({
      text: sql,
      values: params,
      ...(options?.rowMode === 'array' ? { rowMode: 'array' } : {}),
      ...(parsers ? { types: { getTypeParser: ((oid: number) => parsers[oid] ?? pg.types.getTypeParser(oid)) as typeof pg.types.getTypeParser } } : {}),
    });
    return shape([r])[0]!;
  },
  async exec(sql, options) {
    onNotice = options?.onNotice;
    const r = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
    return shape(Array.isArray(r) ? r : [r]);
  },
  transaction: () => {
    throw new Error('transaction() is PGlite API; the recorded scenario does not use it');
  },
  close: () => client.end(),
};

const log = await scenario(db);
await db.close();
await admin.query('drop database walrtc_session');
await admin.end();
const server = 'PostgreSQL 15 (Debian), through node-postgres';
writeFileSync(new URL('../packages/engine/test/fixtures/session-postgres.json', import.meta.url), `${JSON.stringify({ server, log }, null, 2)}\n`);
console.log(`recorded ${log.length} lines from ${server}`);
