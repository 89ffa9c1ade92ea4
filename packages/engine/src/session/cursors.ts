/**
 * A session's cursors (DECLARE … CURSOR, FETCH, MOVE, CLOSE), as PostgreSQL's portals behave to a
 * client: the query is planned at DECLARE (so a missing table fails there) and run on the
 * transaction's data as it is then, its rows kept; an error while running it (1/0) surfaces at
 * the first FETCH, after which the cursor cannot run again (55000). Positions move as
 * DoPortalRunFetch / PortalRunSelect move them, so ABSOLUTE, RELATIVE, BACKWARD, ALL and 0 give
 * PostgreSQL's rows and counts. A cursor scrolls backward when declared SCROLL, or, declared
 * neither SCROLL nor NO SCROLL, when its query is one whose PostgreSQL plan can run backward
 * (`scrollable`, kept to plain scans of one table: a plan PostgreSQL cannot reverse refuses). Cursors are
 * not transactional, as in PostgreSQL: ROLLBACK TO drops only those declared after the savepoint,
 * and a FETCH's movement stays. They close at the end of their transaction, but WITH HOLD ones
 * that commit, which live until CLOSE or the session's end.
 */
import type { DeclareCursorStmt, FetchStmt, Node, SelectStmt } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../errors.ts';
import { isAggregateCall } from '../sql/expr.ts';
import type { Value } from '../sql/types.ts';
import type { DbState } from '../state/state.ts';
import type { RawResult } from './result.ts';

const OPT = { binary: 0x1, scroll: 0x2, noScroll: 0x4, hold: 0x20 } as const;
/** What libpg_query gives for ALL. */
const FETCH_ALL_PARSED = 2147483647;

export interface Cursor {
  /** The rows, or the error running the query raised (thrown at the first FETCH). */
  outcome: { result: RawResult; rows: Value[][] } | { error: SqlError };
  /** It failed while running: PostgreSQL's "portal cannot be run" from then on. */
  failed: boolean;
  scroll: boolean;
  hold: boolean;
  /** It survived a COMMIT (WITH HOLD): only CLOSE or the session's end remove it. */
  held: boolean;
  /** How many savepoints were open when it was declared. */
  depth: number;
  /** The executor's place: 0 before the first row, n on row n, rows + 1 after the last. */
  cur: number;
  /** PostgreSQL's portalPos, atStart and atEnd. */
  portalPos: number;
  atStart: boolean;
  atEnd: boolean;
}

export const noCursor = (name: string) => new SqlError('34000', `cursor "${name}" does not exist`);

/** DECLARE's checks before anything runs; what the cursor scrolls. */
export function declareOptions(stmt: DeclareCursorStmt, inBlock: boolean, state: DbState): { scroll: boolean; hold: boolean } {
  const options = stmt.options ?? 0;
  const hold = (options & OPT.hold) !== 0;
  const query = (stmt.query as { SelectStmt?: SelectStmt } | undefined)?.SelectStmt;
  if (!query) throw featureNotSupported('DECLARE CURSOR of this statement');
  if (query.intoClause) throw new SqlError(SQLSTATE.syntax_error, 'SELECT ... INTO is not allowed here');
  if (!hold && !inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'DECLARE CURSOR can only be used in transaction blocks');
  if (options & OPT.binary) throw featureNotSupported('binary cursors');
  if (query.lockingClause?.length) throw featureNotSupported('DECLARE CURSOR … FOR UPDATE/SHARE');
  const scroll = (options & OPT.scroll) !== 0 || ((options & OPT.noScroll) === 0 && scrollable(query, state));
  return { scroll, hold };
}

/**
 * Whether PostgreSQL's plan of `q` can run backward (ExecSupportsBackwardScan), answered
 * conservatively: a scan of one table or a VALUES list, filtered, sorted and limited; a join,
 * an aggregate, a window, DISTINCT, a set operation, a function call in the select list or no
 * FROM at all give plans PostgreSQL may not be able to reverse.
 */
function scrollable(q: SelectStmt, state: DbState): boolean {
  if (q.valuesLists?.length) return true;
  if ((q.op && q.op !== 'SETOP_NONE') || q.groupClause?.length || q.havingClause || q.windowClause?.length || q.distinctClause?.length) return false;
  if (q.fromClause?.length !== 1) return false;
  const from = q.fromClause[0] as { RangeVar?: { relname?: string } };
  const oid = from.RangeVar?.relname === undefined ? undefined : state.tableNames.get(from.RangeVar.relname);
  if (oid === undefined || state.table(oid).def.view) return false;
  return !JSON.stringify(q.targetList ?? []).includes('"FuncCall"') && !(q.targetList ?? []).some((t) => isAggregateCall(t as Node));
}

export function newCursor(outcome: Cursor['outcome'], scroll: boolean, hold: boolean, depth: number): Cursor {
  return { outcome, failed: false, scroll, hold, held: false, depth, cur: 0, portalPos: 0, atStart: true, atEnd: false };
}

const forwardOnly = () => new SqlError('55000', 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });

/** FETCH or MOVE on `c`: the rows it returns (none for MOVE) and its count. */
export function fetch(c: Cursor, name: string, stmt: FetchStmt): { rows: Value[][]; count: number; result: RawResult } {
  if (c.failed) throw new SqlError('55000', `portal "${name}" cannot be run`);
  if ('error' in c.outcome) {
    c.failed = true;
    throw c.outcome.error;
  }
  const { rows: all, result } = c.outcome;
  const n = all.length;
  const emit = !stmt.ismove;

  /** The executor's run: up to `count` rows (0 = all) one way. */
  const execute = (forward: boolean, count: number): Value[][] => {
    const out: Value[][] = [];
    while (count === 0 || out.length < count) {
      if (forward) {
        if (c.cur >= n) { c.cur = n + 1; break; }
        c.cur++;
      } else {
        if (c.cur <= 1) { c.cur = 0; break; }
        c.cur--;
      }
      out.push(all[c.cur - 1]!);
    }
    return out;
  };

  /** PortalRunSelect. */
  const runSelect = (forward: boolean, count: number): Value[][] => {
    if (!forward && !c.scroll) throw forwardOnly();
    const still = forward ? c.atEnd || count <= 0 : c.atStart || count <= 0;
    if (still) return [];
    const got = execute(forward, count === Infinity ? 0 : count);
    if (forward) {
      if (got.length > 0) c.atStart = false;
      if (count === Infinity || got.length < count) c.atEnd = true;
      c.portalPos += got.length;
    } else {
      if (got.length > 0 && c.atEnd) {
        c.atEnd = false;
        c.portalPos++;
      }
      if (count === Infinity || got.length < count) {
        c.atStart = true;
        c.portalPos = 0;
      } else c.portalPos -= got.length;
    }
    return got;
  };

  /** DoPortalRewind. */
  const rewind = (): void => {
    if (c.atStart && !c.atEnd) return;
    if (!c.scroll) throw forwardOnly();
    c.cur = 0;
    c.atStart = true;
    c.atEnd = false;
    c.portalPos = 0;
  };

  const done = (rows: Value[][]) => ({ rows: emit ? rows : [], count: rows.length, result });
  let count = stmt.howMany === undefined ? 0 : Number(stmt.howMany);
  if (count === FETCH_ALL_PARSED) count = Infinity;
  let direction = stmt.direction ?? 'FETCH_FORWARD';
  // DoPortalRunFetch
  if (direction === 'FETCH_FORWARD' && count < 0) { direction = 'FETCH_BACKWARD'; count = -count; }
  else if (direction === 'FETCH_BACKWARD' && count < 0) { direction = 'FETCH_FORWARD'; count = -count; }
  else if (direction === 'FETCH_ABSOLUTE') {
    if (count > 0) {
      if (count - 1 <= c.portalPos / 2) {
        rewind();
        if (count > 1) runSelect(true, count - 1);
      } else {
        const pos = c.portalPos + (c.atEnd ? 1 : 0);
        if (count <= pos) runSelect(false, pos - count + 1);
        else if (count > pos + 1) runSelect(true, count - pos - 1);
      }
      return done(runSelect(true, 1));
    }
    if (count < 0) {
      runSelect(true, Infinity);
      if (count < -1) runSelect(false, -count - 1);
      return done(runSelect(false, 1));
    }
    rewind();
    return done([]);
  } else if (direction === 'FETCH_RELATIVE') {
    if (count > 0) {
      if (count > 1) runSelect(true, count - 1);
      return done(runSelect(true, 1));
    }
    if (count < 0) {
      if (count < -1) runSelect(false, -count - 1);
      return done(runSelect(false, 1));
    }
    direction = 'FETCH_FORWARD';
  }
  let forward = direction === 'FETCH_FORWARD';
  if (count === 0) {
    const onRow = !c.atStart && !c.atEnd;
    if (!emit) return { rows: [], count: onRow ? 1 : 0, result };
    if (onRow) {
      runSelect(false, 1);
      count = 1;
      forward = true;
    }
  }
  if (!forward && count === Infinity && !emit) {
    let moved = c.portalPos;
    if (moved > 0 && !c.atEnd) moved--;
    rewind();
    return { rows: [], count: moved, result };
  }
  return done(runSelect(forward, count));
}

/** The session's cursors by name, with the savepoints that scope them. */
export class Cursors {
  private readonly byName = new Map<string, Cursor>();
  private savepoints: string[] = [];

  get depth(): number {
    return this.savepoints.length;
  }

  get(name: string): Cursor | undefined {
    return this.byName.get(name);
  }

  add(name: string, c: Cursor): void {
    if (this.byName.has(name)) throw new SqlError('42P03', `cursor "${name}" already exists`);
    this.byName.set(name, c);
  }

  /** CLOSE name, or CLOSE ALL (`name` undefined). */
  close(name: string | undefined): void {
    if (name === undefined) this.byName.clear();
    else if (!this.byName.delete(name)) throw noCursor(name);
  }

  savepoint(name: string): void {
    this.savepoints.push(name);
  }

  /** RELEASE keeps the cursors declared since; ROLLBACK TO drops them (the savepoint stays). */
  endSavepoint(name: string, rollback: boolean): void {
    const at = this.savepoints.lastIndexOf(name);
    if (at < 0) return;
    this.savepoints.length = rollback ? at + 1 : at;
    for (const [n, c] of this.byName) {
      if (c.held || c.depth <= at) continue;
      if (rollback) this.byName.delete(n);
      else c.depth = at;
    }
  }

  /** COMMIT: WITH HOLD cursors stay, the others close. */
  commit(): void {
    for (const [n, c] of this.byName) {
      if (c.hold) c.held = true;
      else this.byName.delete(n);
    }
    this.savepoints = [];
  }

  /** The transaction ended without committing them (or after `commit`): only held cursors stay. */
  forget(): void {
    for (const [n, c] of this.byName) if (!c.held) this.byName.delete(n);
    this.savepoints = [];
  }
}
