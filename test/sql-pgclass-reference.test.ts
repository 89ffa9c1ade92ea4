/**
 * Differential test against PostgreSQL 15 for pg_class / pg_namespace / pg_attribute, the "char"
 * type, COMMENT ON and tableoid through inheritance parents (issue 10): replays each corpus of
 * test/reference/pgclass-corpora.ts, recorded by `scripts/record-values.ts <url> <name>`, on a
 * fresh walrtc node.
 */
import { replayCorpora } from './reference/replay-corpora.ts';
import { PGCLASS_CORPORA, PGCLASS_REFUSED } from './reference/pgclass-corpora.ts';

replayCorpora(PGCLASS_CORPORA, PGCLASS_REFUSED);
