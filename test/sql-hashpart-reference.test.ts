/**
 * Differential test against PostgreSQL 15 for HASH partition routing and `^`/power (issue 10): replays each
 * corpus of test/reference/hashpart-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node — every row must land in the
 * partition PostgreSQL puts it in.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { HASHPART_CORPORA, HASHPART_REFUSED } from './reference/hashpart-corpora.ts';

replayCorpora(HASHPART_CORPORA, HASHPART_REFUSED);
