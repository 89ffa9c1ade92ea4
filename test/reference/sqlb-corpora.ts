/**
 * The corpora of MERGE, temporary tables, CREATE TABLE (LIKE …) and updatable views, by fixture
 * name: recorded by scripts/record-values.ts, replayed by test/sql-sqlb-reference.test.ts.
 */
import { LIKE_CORPUS } from './like-corpus.ts';
import { MERGE_CORPUS } from './merge-corpus.ts';
import { TEMP_CORPUS } from './temp-corpus.ts';
import { UPDATABLE_VIEW_CORPUS } from './updatable-view-corpus.ts';

export const SQLB_CORPORA: Record<string, readonly string[]> = {
  merge: MERGE_CORPUS,
  like: LIKE_CORPUS,
  updview: UPDATABLE_VIEW_CORPUS,
  temp: TEMP_CORPUS,
};
