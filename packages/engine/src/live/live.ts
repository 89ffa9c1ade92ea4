/**
 * Live queries: a SELECT that re-runs whenever a committed transaction (local, or replayed on a
 * standby) changes a table it reads. It owns the subscription lifecycle (first run, re-runs
 * after commits, unsubscribe); the Database's commit listeners drive it, and bursts of commits
 * are coalesced so a subscriber sees at most one result per scheduler tick (a frame in a page).
 */
import type { CommitInfo, Database } from '../database.ts';
import type { RawResult } from '../session/result.ts';
import { Session } from '../session/session.ts';
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import { readsOf, type Reads } from './reads.ts';
import { keyScopeOf, touches, type KeyScope } from './scope.ts';
import type { DbState } from '../state/state.ts';
import { defaultScheduler, type Scheduler } from './schedule.ts';

export type { Scheduler } from './schedule.ts';

export type LiveCallback<R = Record<string, Value>> = (result: QueryResult<R>) => void;
export type LiveErrorCallback = (error: unknown) => void;

export interface LiveOptions {
  /** A failed run (the table was dropped, a syntax error, …). Default: console.error. */
  onError?: LiveErrorCallback;
  /** How re-runs are deferred; see defaultScheduler. */
  schedule?: Scheduler;
}

/** Subscribe `cb` to the raw results of `sql` (the surface shapes them); returns the unsubscribe function. */
export function live(
  db: Database,
  sql: string,
  params: readonly Value[],
  cb: (result: RawResult) => void,
  options: LiveOptions = {},
  session: () => Session = () => new Session(),
): () => void {
  const onError = options.onError ?? ((e: unknown) => console.error('walrtc: live query failed:', e));
  const schedule = options.schedule ?? defaultScheduler;
  let active = true;
  let reads: Reads | undefined;
  /** A key range the query's rows must fall in (scope.ts), and the state its last run read. */
  let scope: KeyScope | undefined;
  let seen: DbState | undefined;
  let running = false;
  let dirty = false;
  let scheduled = false;

  // Runs are serialised: a commit during a run marks the subscription dirty and the run repeats,
  // so results arrive in commit order and the last one always reflects the latest commit.
  const run = async (): Promise<void> => {
    running = true;
    try {
      do {
        dirty = false;
        // commits during the run are checked against what it started from: a change in range repeats it
        seen = db.state;
        try {
          // its own session: a live query reads committed state, never the node's open block
          const [result] = await db.run(sql, params, session(), true);
          reads = readsOf(sql, db.state);
          // an optimistic view (offline writes) is not db.state: no old rows to compare with there
          scope = !reads.all && reads.tables.size === 1 && !db.offline ? keyScopeOf(sql, params, [...reads.tables][0]!, db.state) : undefined;
          if (active) cb(result ?? { rows: [], fields: [], rowCount: 0, command: '' });
        } catch (e) {
          // a failing query (its table not created yet, say) re-runs after every commit
          reads = { all: true, tables: new Set() };
          scope = undefined;
          if (active) onError(e);
        }
      } while (dirty && active);
    } finally {
      running = false;
    }
  };

  const wake = (): void => {
    if (running) {
      dirty = true;
      return;
    }
    if (scheduled) return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      if (active) void run();
    });
  };

  const unsubscribe = db.onCommit((c: CommitInfo) => {
    if (!active || !affects(reads, c)) return;
    if (scope && seen && c.records && !c.optimistic && !touches(scope, c.records, seen, reads!.tables)) {
      // nothing in range changed: the last result still holds for this state
      seen = db.state;
      return;
    }
    wake();
  });
  void run();
  return () => {
    active = false;
    unsubscribe();
  };
}

function affects(reads: Reads | undefined, c: CommitInfo): boolean {
  // before the first run finishes the reads are unknown: re-run to be safe
  if (!reads || reads.all) return true;
  for (const t of c.tables) if (reads.tables.has(t)) return true;
  return false;
}
