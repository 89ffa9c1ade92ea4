/**
 * Differential test against PostgreSQL 15 for the oid and regclass types (issue 10): replays each corpus of test/reference/catalog2-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { CATALOG2_CORPORA } from './reference/catalog2-corpora.ts';

replayCorpora(CATALOG2_CORPORA);
