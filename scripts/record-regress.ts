/**
 * Records what PostgreSQL answers to its own regression files (test/regress/corpus.ts) into
 * test/regress/fixtures/<area>.json: per area a fresh database `regression`, the setup, then every
 * statement in order; per statement its text's hash (never the text: it is PostgreSQL's), and the
 * columns, rows as PostgreSQL's text output, row count, or SQLSTATE and message.
 *   npx tsx scripts/regress-provision.ts && scripts/postgres.sh start 54411
 *   node --conditions=walrtc-source --import tsx scripts/record-regress.ts postgres://postgres@127.0.0.1:54411/postgres [area …]
 * COPY runs as the server's own COPY: inline `stdin` data is written to a file in /tmp first,
 * and COPY … TO stdout goes to a file (its row count is recorded).
 * The area `setup` records the setup files themselves (test/regress/fixtures/setup.json): each
 * extra file in a fresh database after test_setup, so `sql:regress --setup` can judge them.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { AREAS, readArea, SETUP_EXTRA, setupFiles, setupStatements, statementHash, type Statement } from '../test/regress/corpus.ts';
import { compact, type AreaFixture, type Outcome, type SetupFixture } from '../test/regress/outcome.ts';
import { REGRESS_DIR } from './regress-provision.ts';
import { loadParser } from '../packages/engine/src/sql/parse.ts';
import { recordedFields } from './record-outcomes.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: record-regress.ts <postgres url> [area …]');
const only = process.argv.slice(3);
const types = { getTypeParser: () => (text: string) => text };
const scratch = `/tmp/walrtc-regress-${process.pid}`;

/** The statement as the server runs it: COPY's stdin/stdout and data-file markers become server files. */
function serverSide(s: Statement, n: number): string {
  let sql = s.sql.replaceAll('@abs_srcdir@', REGRESS_DIR);
  if (s.copyData !== undefined) {
    const file = `${scratch}/copy-${n}.data`;
    writeFileSync(file, s.copyData);
    chmodSync(file, 0o644);
    sql = sql.replace(/\bfrom\s+(stdin|stdout)\b/i, `FROM '${file}'`);
  }
  return sql.replace(/\bto\s+stdout\b/i, `TO '${scratch}/copy-out-${n}.data'`);
}

async function run(client: pg.Client, sql: string): Promise<Outcome> {
  try {
    const res = await client.query({ text: sql, rowMode: 'array' });
    const r = Array.isArray(res) ? (res[res.length - 1] as pg.QueryResult) : res;
    return r.fields.length ? { fields: await recordedFields(client, r.fields), rows: r.rows as (string | null)[][] } : { rowCount: r.rowCount };
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (!err.code) throw e;
    return { error: { code: err.code, message: err.message } };
  }
}

async function runStatement(client: pg.Client, s: Statement, n: number): Promise<Outcome> {
  const first = await run(client, serverSide(s, n));
  if (!s.gexec || first.error) return compact(s.sql, first);
  let last = first;
  for (const row of first.rows ?? []) for (const cell of row) if (cell !== null) last = await run(client, cell);
  return compact(s.sql, last);
}

async function freshDatabase(): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('drop database if exists regression');
  await admin.query('create database regression');
  await admin.end();
  const target = new URL(url!);
  target.pathname = '/regression';
  const client = new pg.Client({ connectionString: target.href, types });
  await client.connect();
  // an error event between queries (a backend that went away) must fail the recording, not the process
  client.on('error', (e) => console.error(`regression: ${e.message}`));
  return client;
}

async function recordArea(area: string): Promise<AreaFixture> {
  const client = await freshDatabase();
  const version = (await client.query('show server_version')).rows[0].server_version as string;
  let n = 0;
  for (const s of setupStatements(area)) await runStatement(client, s, n++);
  await client.query('rollback');
  const { statements, meta } = readArea(area);
  const recorded = [];
  for (const s of statements) recorded.push({ hash: statementHash(s.sql), ...(await runStatement(client, s, n++)) });
  await client.end();
  return { area, postgres: version, setup: setupFiles(area), meta, statements: recorded };
}

/** Each setup file's outcomes, test_setup first and every SETUP_EXTRA file after it. */
async function recordSetup(): Promise<SetupFixture> {
  const files: SetupFixture['files'] = {};
  let n = 0;
  for (const file of ['test_setup', ...new Set(Object.values(SETUP_EXTRA).flat())]) {
    const client = await freshDatabase();
    if (file !== 'test_setup') for (const s of readArea('test_setup').statements) await runStatement(client, s, n++);
    const recorded = [];
    for (const s of readArea(file!).statements) recorded.push({ hash: statementHash(s.sql), ...(await runStatement(client, s, n++)) });
    await client.query('rollback');
    files[file!] = recorded;
    await client.end();
  }
  return { files };
}

// compact() asks the parser whether a query orders its rows
await loadParser();
mkdirSync(scratch, { recursive: true });
chmodSync(scratch, 0o777);
try {
  if (only.includes('setup')) {
    writeFileSync(new URL('../test/regress/fixtures/setup.json', import.meta.url), JSON.stringify(await recordSetup()).replace(/,\{"hash"/g, ',\n{"hash"') + '\n');
  }
  for (const area of only.length ? only.filter((a) => a !== 'setup') : AREAS) {
    const started = Date.now();
    const fixture = await recordArea(area);
    writeFileSync(new URL(`../test/regress/fixtures/${area}.json`, import.meta.url), JSON.stringify(fixture).replace(/,\{"hash"/g, ',\n{"hash"') + '\n');
    console.log(`${area}: ${fixture.statements.length} statements, ${fixture.statements.filter((s) => s.error).length} errors (${Date.now() - started} ms)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
