/**
 * Differential test against PostgreSQL 15 for the order of peers in window functions (issue 10):
 * replays each corpus of test/reference/pgsort-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node — every first_value, last_value,
 * nth_value, lag, lead and array_agg over tied rows must pick the row PostgreSQL picks.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { PGSORT_CORPORA } from './reference/pgsort-corpora.ts';

replayCorpora(PGSORT_CORPORA);
