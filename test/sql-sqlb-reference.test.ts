/**
 * Differential test against PostgreSQL 15 for MERGE, temporary tables, CREATE TABLE (LIKE …) and
 * updatable views (issue 10): replays each corpus of test/reference/sqlb-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { SQLB_CORPORA } from './reference/sqlb-corpora.ts';

replayCorpora(SQLB_CORPORA);
