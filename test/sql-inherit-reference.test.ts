/**
 * Differential test against PostgreSQL 15 for table inheritance and declarative partitioning
 * (issue 10): replays each corpus of test/reference/inherit-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { INHERIT_CORPORA, INHERIT_REFUSED } from './reference/inherit-corpora.ts';

replayCorpora(INHERIT_CORPORA, INHERIT_REFUSED);
