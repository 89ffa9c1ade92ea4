/**
 * The corpora of SQL functions, procedures and VARIADIC calls (issue 10, helper "types"), by
 * fixture name: recorded by scripts/record-values.ts, replayed by test/sql-types-reference.test.ts.
 */
import { SQLFUNC_CORPUS, VARIADIC_CORPUS } from './sqlfunc-corpus.ts';

export const TYPES_CORPORA: Record<string, readonly string[]> = {
  sqlfunc: SQLFUNC_CORPUS,
  variadic: VARIADIC_CORPUS,
};

/** Statements PostgreSQL runs that walrtc refuses with 0A000 by design (other procedural languages). */
export const TYPES_REFUSED: ReadonlySet<string> = new Set([
  "CREATE FUNCTION fn_plpgsql() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'",
]);
