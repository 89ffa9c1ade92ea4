/**
 * Differential test against PostgreSQL 15 for composite types (issue 10): replays each corpus of
 * test/reference/composite-corpora.ts, recorded by `scripts/record-values.ts <url> <name>`, on a
 * fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { COMPOSITE_CORPORA, COMPOSITE_REFUSED } from './reference/composite-corpora.ts';

replayCorpora(COMPOSITE_CORPORA, COMPOSITE_REFUSED);
