/**
 * Differential test against PostgreSQL 15 for issue 10's functions: aggregates, math, SIMILAR TO,
 * string_to_table, json(b)_to_record(set) and jsonb subscripts. Replays each corpus of test/reference/funcs-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { FUNCS_CORPORA } from './reference/funcs-corpora.ts';

/**
 * Run by PostgreSQL, refused (0A000) here: float8's libm functions are not implemented, nor a
 * set-returning function inside a larger select-list expression.
 */
const REFUSED = new Set(['select exp(1)', "select string_to_table(NULL, '|') IS NULL"]);

replayCorpora(FUNCS_CORPORA, REFUSED);
