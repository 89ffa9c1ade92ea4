/**
 * The sql:regress corpus: PostgreSQL 15's own regression files (src/test/regress/sql/<area>.sql),
 * read at run time from the copy scripts/regress-provision.ts extracted from Debian's source
 * tarball — never committed. Each area runs in a fresh database after the setup the real
 * schedule (parallel_schedule) runs before it, simplified: test_setup.sql, which creates and
 * loads the shared tables (onek, tenk1, int4_tbl, …), and for the few areas that use objects of
 * an earlier schedule group, that group's file (SETUP_EXTRA). Other earlier files are not run:
 * a statement using one of their objects fails alike on PostgreSQL and walrtc (alter_table's
 * rename of create_index's onek_unique1, say: two statements).
 * Statements are identified by their index in the area and a hash of their text.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readPsqlScript, type ScriptItem } from './psql-script.ts';
import { REGRESS_DIR, REGRESS_HOW_TO } from '../../scripts/regress-provision.ts';

/** The regression-suite subset of issue 10, in the schedule's order (select* spelled out). */
export const AREAS = [
  'boolean', 'int4', 'int8', 'text', 'strings', 'insert', 'insert_conflict', 'create_table', 'select',
  'select_into', 'select_distinct', 'select_distinct_on', 'select_implicit', 'select_having', 'subselect',
  'union', 'case', 'join', 'aggregates', 'transactions', 'arrays', 'update', 'delete', 'select_views',
  'foreign_key', 'window', 'json', 'jsonb', 'limit', 'alter_table', 'sequence', 'returning', 'with',
  'select_parallel',
] as const;
export type Area = (typeof AREAS)[number];

/** What the files' `\getenv` reads: fixed markers, so statement texts (and hashes) are machine-independent. */
export const ENV = { PG_ABS_SRCDIR: '@abs_srcdir@', PG_LIBDIR: '@libdir@', PG_DLSUFFIX: '.so' };
/** The earlier schedule files an area needs beyond test_setup (found from PostgreSQL's 42P01/42883 errors without them). */
export const SETUP_EXTRA: Partial<Record<string, readonly string[]>> = {
  aggregates: ['create_aggregate'], // aggfns, newavg, … (CREATE AGGREGATE)
  join: ['create_misc'], // a_star … f_star
  with: ['create_misc'],
  select_parallel: ['create_misc'],
  select_views: ['create_view'], // street, iexit, toyemp
};

export const setupFiles = (area: string): string[] => ['test_setup', ...(SETUP_EXTRA[area] ?? [])];

export type Statement = Extract<ScriptItem, { kind: 'sql' }>;

export interface AreaScript {
  area: string;
  statements: Statement[];
  /** psql's own backslash commands (\d, \pset, …): not SQL, not counted */
  meta: number;
}

export const statementHash = (sql: string): string => createHash('sha256').update(sql).digest('hex').slice(0, 16);

export function regressFile(relative: string): string {
  const path = `${REGRESS_DIR}/${relative}`;
  if (!existsSync(path)) throw new Error(`${path} is missing. ${REGRESS_HOW_TO}`);
  return path;
}

export function readArea(area: string): AreaScript {
  const items = readPsqlScript(readFileSync(regressFile(`sql/${area}.sql`), 'utf8'), ENV);
  const statements = items.filter((x): x is Statement => x.kind === 'sql');
  return { area, statements, meta: items.length - statements.length };
}

/** The setup statements `area` runs first (their outcomes are not counted). */
export function setupStatements(area: string): Statement[] {
  return setupFiles(area).flatMap((file) => readArea(file).statements);
}

/** A data file a COPY names through :'filename', as its text. */
export function dataFileText(path: string): string {
  return readFileSync(path.replace('@abs_srcdir@', REGRESS_DIR), 'utf8');
}
