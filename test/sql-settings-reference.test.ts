/**
 * Differential test against PostgreSQL 15 for run-time parameters in transactions, set_config,
 * pg_sequences and the answers the settings branch corrected (issue 10): replays each corpus of
 * test/reference/settings-corpora.ts, recorded by `scripts/record-values.ts <url> <name>`, on a
 * fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { SETTINGS_CORPORA } from './reference/settings-corpora.ts';

replayCorpora(SETTINGS_CORPORA);
