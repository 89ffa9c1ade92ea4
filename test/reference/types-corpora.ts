/**
 * The corpora of SQL functions, procedures, VARIADIC calls and domains (issue 10, helper "types"), by
 * fixture name: recorded by scripts/record-values.ts, replayed by test/sql-types-reference.test.ts.
 */
import { DOMAIN_CORPUS } from './domain-corpus.ts';
import { SQLFUNC_CORPUS, VARIADIC_CORPUS } from './sqlfunc-corpus.ts';

export const TYPES_CORPORA: Record<string, readonly string[]> = {
  sqlfunc: SQLFUNC_CORPUS,
  variadic: VARIADIC_CORPUS,
  domain: DOMAIN_CORPUS,
};

/** Statements PostgreSQL runs that walrtc refuses with 0A000: other procedural languages, functions outside public, named like built-ins or polymorphic. */
export const TYPES_REFUSED: ReadonlySet<string> = new Set([
  "CREATE FUNCTION fn_app.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
  "CREATE FUNCTION lower(int) RETURNS int LANGUAGE sql AS 'SELECT 1'",
  "CREATE FUNCTION fn_poly(anyelement) RETURNS int LANGUAGE sql AS 'SELECT 1'",
  "CREATE FUNCTION fn_plpgsql() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'",
]);
