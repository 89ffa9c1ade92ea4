/**
 * Records PostgreSQL's EXPLAIN ANALYZE of test/reference/explain-corpus.ts into
 * test/reference/explain.json: per statement the plan's lines as `EXPLAIN (ANALYZE, COSTS OFF,
 * TIMING OFF, SUMMARY OFF)` prints them. The tables are ANALYZEd and parallel workers, bitmap scans
 * and JIT are off, so the plans are those of a small serial executor, the closest to walrtc's.
 *   scripts/postgres.sh start 54411
 *   npx tsx scripts/record-explain.ts postgres://postgres@127.0.0.1:54411/postgres
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { EXPLAIN_CORPUS, EXPLAIN_SETUP } from '../test/reference/explain-corpus.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: record-explain.ts <postgres url>');
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query('drop database if exists walrtc_explain');
await admin.query('create database walrtc_explain');
await admin.end();
const target = new URL(url);
target.pathname = '/walrtc_explain';
const client = new pg.Client({ connectionString: target.href });
await client.connect();
const version = (await client.query('show server_version')).rows[0].server_version as string;
for (const sql of EXPLAIN_SETUP) await client.query(sql);
await client.query('analyze');
for (const s of ['max_parallel_workers_per_gather = 0', 'enable_bitmapscan = off', 'jit = off']) await client.query(`set ${s}`);
const entries = [];
for (const sql of EXPLAIN_CORPUS) {
  const r = await client.query(`explain (analyze, costs off, timing off, summary off) ${sql}`);
  entries.push({ sql, plan: r.rows.map((row: Record<string, string>) => row['QUERY PLAN']) });
}
await client.end();
writeFileSync(new URL('../test/reference/explain.json', import.meta.url), JSON.stringify({ version, entries }, null, 1) + '\n');
console.log(`${entries.length} plans recorded from PostgreSQL ${version}`);
