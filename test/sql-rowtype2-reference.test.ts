/**
 * Differential test against PostgreSQL 15 for table row types (issue 10): replays each corpus of
 * test/reference/rowtype2-corpora.ts, recorded by `scripts/record-values.ts <url> <name>`, on a
 * fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { ROWTYPE2_CORPORA } from './reference/rowtype2-corpora.ts';

replayCorpora(ROWTYPE2_CORPORA);
