/**
 * Differential test against PostgreSQL 15 for the sql:regress setup and chain-root fixes (issue 10):
 * replays each corpus of test/reference/setup-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { SETUP_CORPORA, SETUP_REFUSED } from './reference/setup-corpora.ts';

replayCorpora(SETUP_CORPORA, SETUP_REFUSED);
