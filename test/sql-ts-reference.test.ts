/**
 * Differential test against PostgreSQL 15 for microsecond timestamps and RANGE frames with interval
 * offsets (issue 10): replays each corpus of test/reference/ts-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { TS_CORPORA } from './reference/ts-corpora.ts';

replayCorpora(TS_CORPORA);
