/**
 * Replays the sql:compat corpus on walrtc and sorts every statement into one of four outcomes
 * against PostgreSQL's recorded one: matched; refused (walrtc's 0A000, an honest "not supported");
 * error (walrtc fails otherwise: another SQLSTATE or message — often a statement after a refused
 * one, whose table is missing); WRONG (walrtc succeeds where PostgreSQL failed, or with other
 * columns, rows or count). A WRONG after an earlier statement of its area changed state
 * differently (a refused CREATE TABLE, say) is counted apart, as `diverged`: it compares two
 * different databases. Rows of a query without a top-level ORDER BY compare as multisets, as SQL
 * leaves their order open; under an ORDER BY of output columns, rows with equal keys may come in
 * any order among themselves (order-keys.ts). An EXPLAIN that succeeds on both with another plan
 * is `plan`: walrtc's plans are its own, and a plan is no answer.
 */
import { openNode, type Node } from '../../packages/engine/src/index.ts';
import { parse } from '../../packages/engine/src/sql/parse.ts';
import { comparable, outcome, type Entry } from '../reference/replay.ts';
import { samePeerRuns, sortColumns } from './order-keys.ts';

export type Verdict = 'matched' | 'refused' | 'error' | 'WRONG' | 'diverged' | 'plan';
export const VERDICTS: readonly Verdict[] = ['matched', 'refused', 'error', 'WRONG', 'diverged', 'plan'];

export interface Judged {
  area: string;
  sql: string;
  verdict: Verdict;
  postgres: Omit<Entry, 'sql'>;
  walrtc: Omit<Entry, 'sql'>;
}

/** Whether the statement may change the database (anything but a plain SELECT or SHOW). */
export function changes(sql: string): boolean {
  try {
    const stmt = parse(sql)[0]?.stmt as { SelectStmt?: { intoClause?: unknown; withClause?: unknown }; VariableShowStmt?: unknown; ExplainStmt?: unknown } | undefined;
    if (stmt?.VariableShowStmt || (stmt?.ExplainStmt && !/\banalyze\b/i.test(sql))) return false;
    return !stmt?.SelectStmt || !!stmt.SelectStmt.intoClause || !!stmt.SelectStmt.withClause;
  } catch {
    return false;
  }
}

/** Whether the statement's rows come in a defined order (a top-level ORDER BY). */
export function ordered(sql: string): boolean {
  try {
    const stmt = parse(sql)[0]?.stmt as { SelectStmt?: { sortClause?: unknown[] } } | undefined;
    return !!stmt?.SelectStmt?.sortClause?.length;
  } catch {
    return true;
  }
}

function isExplain(sql: string): boolean {
  try {
    return !!(parse(sql)[0]?.stmt as { ExplainStmt?: unknown } | undefined)?.ExplainStmt;
  } catch {
    return false;
  }
}

function canonical(e: Omit<Entry, 'sql'>, sortRows: boolean): string {
  const copy = { ...e };
  if (copy.rowCount === null) delete copy.rowCount;
  if (sortRows && copy.rows) copy.rows = [...copy.rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return JSON.stringify(copy);
}

/** Both succeeded alike but for the order of rows whose ORDER BY keys are equal (test/compat/order-keys.ts). */
function tiesOnly(sql: string, want: Omit<Entry, 'sql'>, got: Omit<Entry, 'sql'>): boolean {
  if (!want.rows || !got.rows || !want.fields) return false;
  const keys = sortColumns(sql, want.fields.map((f) => f.name));
  return !!keys && canonical({ ...got, rows: [] }, false) === canonical({ ...want, rows: [] }, false) && samePeerRuns(want.rows, got.rows, keys);
}

export function verdict(sql: string, recorded: Omit<Entry, 'sql'>, walrtc: Omit<Entry, 'sql'>): Verdict {
  const loose = !ordered(sql);
  const want = comparable(recorded, recorded);
  const got = comparable(walrtc, recorded);
  if (want.rowCount === null) delete got.rowCount;
  if (canonical(got, loose) === canonical(want, loose)) return 'matched';
  if (tiesOnly(sql, want, got)) return 'matched';
  if (got.error) return got.error.code === '0A000' ? 'refused' : 'error';
  return !want.error && isExplain(sql) ? 'plan' : 'WRONG';
}

/**
 * Judges one area's statements in order: once a statement that may change the database did not
 * match, the databases differ, and a later WRONG is counted as `diverged`.
 */
export class AreaJudge {
  private divergedAlready = false;

  judge(sql: string, want: Omit<Entry, 'sql'>, got: Omit<Entry, 'sql'>): Verdict {
    let v = verdict(sql, { ...want }, got);
    if (v === 'WRONG' && this.divergedAlready) v = 'diverged';
    if (v !== 'matched' && changes(sql)) this.divergedAlready = true;
    return v;
  }
}

export async function judgeAll(areas: Record<string, Entry[]>): Promise<Judged[]> {
  const out: Judged[] = [];
  let n = 0;
  for (const [area, entries] of Object.entries(areas)) {
    const node: Node = await openNode({ cluster: `compat-${area}-${process.pid}-${n++}`, storage: 'memory', log: () => {} });
    try {
      const judge = new AreaJudge();
      for (const { sql, ...want } of entries) {
        const got = await outcome(node, sql);
        out.push({ area, sql, verdict: judge.judge(sql, want, got), postgres: want, walrtc: got });
      }
      // a block a statement left open (or failed) must not leak into the next area
      await node.query('rollback').catch(() => undefined);
    } finally {
      await node.close();
    }
  }
  return out;
}
