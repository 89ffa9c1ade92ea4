/**
 * The fixture's shape of one statement's outcome (test/reference/replay.ts's Entry, keyed by the
 * statement's index and text hash instead of its text, which is PostgreSQL's), and how a large
 * result is kept: beyond ROWS_KEPT rows only their count and a hash of them (sorted first when
 * the query leaves their order open), so both engines' outcomes compare the same way.
 */
import { createHash } from 'node:crypto';
import type { Entry } from '../reference/replay.ts';
import { ordered } from '../compat/classify.ts';

export type Outcome = Omit<Entry, 'sql'> & { rowsHash?: string; rowTotal?: number };
export interface RecordedStatement extends Outcome {
  hash: string;
}
export interface AreaFixture {
  area: string;
  postgres: string;
  setup: string[];
  /** psql backslash commands the area file holds (not statements) */
  meta: number;
  statements: RecordedStatement[];
}

const ROWS_KEPT = 60;

export function compact(sql: string, o: Outcome): Outcome {
  if (!o.rows || o.rows.length <= ROWS_KEPT) return o;
  const rows = ordered(sql) ? o.rows : [...o.rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const rest = { ...o };
  delete rest.rows;
  return { ...rest, rowTotal: rows.length, rowsHash: createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 24) };
}

/** The setup files' own outcomes on PostgreSQL (fixtures/setup.json): not counted, judged by `sql:regress --setup`. */
export interface SetupFixture {
  files: Record<string, RecordedStatement[]>;
}
