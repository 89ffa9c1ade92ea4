/**
 * Records a reference corpus from a real PostgreSQL into test/reference/<name>.json: values
 * (VALUES_CORPUS, the default), sql, fk, window, cte, sequence, view, settings, array, datetime, enum, json, string, ddl, schema, fold, jsonpath, functions, lateral, grouping, rowtype, bpchar (the *-corpus.ts
 * beside it), and merge, like, updview, temp (test/reference/sqlb-corpora.ts). Runs the corpus in order in a fresh database (record-outcomes.ts).
 *   scripts/postgres.sh start 54332
 *   npx tsx scripts/record-values.ts postgres://postgres@127.0.0.1:54332/postgres [values|sql|fk|window|cte|…|string]
 */
import { writeFileSync } from 'node:fs';
import { recordOutcomes } from './record-outcomes.ts';
import { ARRAY_CORPUS } from '../test/reference/array-corpus.ts';
import { DATETIME_CORPUS } from '../test/reference/datetime-corpus.ts';
import { ENUM_CORPUS } from '../test/reference/enum-corpus.ts';
import { JSON_CORPUS } from '../test/reference/json-corpus.ts';
import { STRING_CORPUS } from '../test/reference/string-corpus.ts';
import { FK_CORPUS } from '../test/reference/fk-corpus.ts';
import { SQL_CORPUS } from '../test/reference/sql-corpus.ts';
import { VALUES_CORPUS } from '../test/reference/values-corpus.ts';
import { WINDOW_CORPUS } from '../test/reference/window-corpus.ts';
import { CTE_CORPUS } from '../test/reference/cte-corpus.ts';
import { SEQUENCE_CORPUS } from '../test/reference/sequence-corpus.ts';
import { VIEW_CORPUS } from '../test/reference/view-corpus.ts';
import { SETTINGS_CORPUS } from '../test/reference/settings-corpus.ts';
import { DDL_CORPUS } from '../test/reference/ddl-corpus.ts';
import { SCHEMA_CORPUS } from '../test/reference/schema-corpus.ts';
import { FOLD_CORPUS } from '../test/reference/fold-corpus.ts';
import { JSONPATH_CORPUS } from '../test/reference/jsonpath-corpus.ts';
import { FUNCTIONS_CORPUS } from '../test/reference/functions-corpus.ts';
import { SQLB_CORPORA } from '../test/reference/sqlb-corpora.ts';
import { CATALOG2_CORPORA } from '../test/reference/catalog2-corpora.ts';
import { FUNCS_CORPORA } from '../test/reference/funcs-corpora.ts';
import { TS_CORPORA } from '../test/reference/ts-corpora.ts';
import { INHERIT_CORPORA } from '../test/reference/inherit-corpora.ts';
import { SETTINGS_CORPORA } from '../test/reference/settings-corpora.ts';
import { TYPES_CORPORA } from '../test/reference/types-corpora.ts';
import { ROWTYPE2_CORPORA } from '../test/reference/rowtype2-corpora.ts';
import { LATERAL_CORPUS } from '../test/reference/lateral-corpus.ts';
import { GROUPING_CORPUS } from '../test/reference/grouping-corpus.ts';
import { ROWTYPE_CORPUS } from '../test/reference/rowtype-corpus.ts';
import { BPCHAR_CORPUS } from '../test/reference/bpchar-corpus.ts';
import { HASHPART_CORPORA } from '../test/reference/hashpart-corpora.ts';
import { PGSORT_CORPORA } from '../test/reference/pgsort-corpora.ts';
import { SETUP_CORPORA } from '../test/reference/setup-corpora.ts';
import { COMPOSITE_CORPORA } from '../test/reference/composite-corpora.ts';
import { PGCLASS_CORPORA } from '../test/reference/pgclass-corpora.ts';

const url = process.argv[2];
const name = process.argv[3] ?? 'values';
const CORPORA: Record<string, readonly string[]> = {
  values: VALUES_CORPUS, sql: SQL_CORPUS, fk: FK_CORPUS, window: WINDOW_CORPUS, cte: CTE_CORPUS, sequence: SEQUENCE_CORPUS, view: VIEW_CORPUS,
  settings: SETTINGS_CORPUS, array: ARRAY_CORPUS, datetime: DATETIME_CORPUS, enum: ENUM_CORPUS, json: JSON_CORPUS, string: STRING_CORPUS,
  ddl: DDL_CORPUS,
  schema: SCHEMA_CORPUS,
  fold: FOLD_CORPUS,
  jsonpath: JSONPATH_CORPUS,
  functions: FUNCTIONS_CORPUS,
  ...SQLB_CORPORA,
  ...CATALOG2_CORPORA,
  ...FUNCS_CORPORA,
  ...TS_CORPORA,
  ...INHERIT_CORPORA,
  ...SETTINGS_CORPORA,
  ...TYPES_CORPORA,
  ...HASHPART_CORPORA,
  ...SETUP_CORPORA,
  ...COMPOSITE_CORPORA,
  ...PGCLASS_CORPORA,
  ...ROWTYPE2_CORPORA,
  ...PGSORT_CORPORA,
  lateral: LATERAL_CORPUS,
  grouping: GROUPING_CORPUS,
  rowtype: ROWTYPE_CORPUS,
  bpchar: BPCHAR_CORPUS,
};
const corpus = CORPORA[name];
if (!url || !corpus) throw new Error(`usage: record-values.ts <postgres url> [${Object.keys(CORPORA).join('|')}]`);
const { version, entries } = await recordOutcomes(url, `walrtc_${name}`, corpus);
const file = new URL(`../test/reference/${name}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ postgres: version, entries }, null, 1) + '\n');
console.log(`recorded ${entries.length} statements from PostgreSQL ${version}`);
