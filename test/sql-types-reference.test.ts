/**
 * Differential test against PostgreSQL 15 for SQL functions, procedures and VARIADIC calls
 * (issue 10): replays each corpus of test/reference/types-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { TYPES_CORPORA, TYPES_REFUSED } from './reference/types-corpora.ts';

replayCorpora(TYPES_CORPORA, TYPES_REFUSED);
