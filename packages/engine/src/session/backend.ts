/**
 * The seam between the PGlite-shaped surface (client.ts) and the engine: what a host offers to
 * run statements in its one Session. The in-process Node implements it directly (below); the
 * worker client implements it by forwarding to the worker host, which calls this same class.
 * Outcomes carry notices, the block status and the error as data, so all three cross a worker.
 */
import type { Database } from '../database.ts';
import { Committing } from '../wal/committing.ts';
import { live, type LiveOptions } from '../live/live.ts';
import type { Value } from '../sql/types.ts';
import { withText } from './raw.ts';
import type { RawResult } from './result.ts';
import { Session, type Notice, type TransactionStatus } from './session.ts';
import type { Notification } from '../sql/notify.ts';
import { heard } from './listen.ts';
import { parse } from '../sql/parse.ts';

/** What a statement waits for before it runs (state/index-builds.ts `decoded`): undefined for nothing, with no promise made. */
export type DecodedWait = (sql: string, parsed: (sql: string) => unknown) => Promise<void> | undefined;

export interface RunOutcome {
  results: RawResult[];
  notices: Notice[];
  status: TransactionStatus;
  /** Set when a statement failed (`results` is then empty, as PGlite's exec returns nothing). */
  error?: unknown;
}

export interface SessionBackend {
  /** `textTypes`: type OIDs whose columns come back as PostgreSQL's text form (for the caller's parsers). */
  run(sql: string, params: readonly Value[] | undefined, single: boolean, textTypes?: readonly number[], confirmed?: boolean): PromiseLike<RunOutcome>;
  /** Roll back the open block, if any (idle-in-transaction timeout, close). */
  abort(): Promise<void>;
  /** One statement on the committed state, outside the session (live query refresh). */
  read(sql: string, params: readonly Value[]): Promise<RawResult>;
  /** Subscribe to a live query; returns the unsubscribe. */
  live(sql: string, params: readonly Value[], cb: (r: RawResult) => void, options: LiveOptions): () => void;
  /** Committed NOTIFYs on the channels the session listens on, in commit order; returns the unsubscribe. */
  notifications(cb: (n: Notification) => void): () => void;
}

export class DatabaseBackend implements SessionBackend {
  private readonly session = new Session();

  /** `decoded`: the wait of a statement that may touch a table still encoded (none: it never waits). */
  constructor(private readonly db: Database, private readonly decoded?: DecodedWait) {}

  /**
   * Not async (one frame fewer per statement): the outcome is made in `.then`, as the try/catch/finally
   * of an async frame would; an autocommit write's outcome is a step of its Committing (no promise here).
   */
  run(sql: string, params: readonly Value[] | undefined, single: boolean, textTypes?: readonly number[], confirmed = false): PromiseLike<RunOutcome> {
    // a table it may touch still encoded: decoded in slices first, rather than in one task at its first touch
    const waiting = this.decoded?.(sql, parsedOrNone);
    if (waiting) return waiting.then(() => this.runNow(sql, params, single, textTypes, confirmed));
    return this.runNow(sql, params, single, textTypes, confirmed);
  }

  private runNow(sql: string, params: readonly Value[] | undefined, single: boolean, textTypes: readonly number[] | undefined, confirmed: boolean): PromiseLike<RunOutcome> {
    const { session } = this;
    session.confirmed = confirmed;
    let running: Promise<RawResult[] | RawResult | undefined>;
    try {
      // one statement: its result is wrapped here, not in a promise step of its own
      if (single) {
        const one = this.db.runOne(sql, params, session);
        if (one instanceof Committing) return one.map(textTypes ? (ran) => this.ran(ran, textTypes) : this.ranPlain, this.failed);
        running = one instanceof Promise ? one : Promise.resolve(one);
      } else running = this.db.run(sql, params, session, false);
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(textTypes ? (ran) => this.ran(ran, textTypes) : this.ranPlain, this.failed);
  }

  /** The steps without text types, made once per backend rather than per statement. */
  private readonly ranPlain = (ran: RawResult[] | RawResult | undefined): RunOutcome => this.ran(ran, undefined);

  private ran(ran: RawResult[] | RawResult | undefined, textTypes: readonly number[] | undefined): RunOutcome {
    const { session } = this;
    session.confirmed = false;
    const results = ran === undefined ? [] : Array.isArray(ran) ? ran : [ran];
    if (textTypes) for (let i = 0; i < results.length; i++) results[i] = withText(results[i]!, textTypes);
    return { results, notices: takeNotices(session), status: session.status };
  }

  private readonly failed = (error: unknown): RunOutcome => {
    const { session } = this;
    session.confirmed = false;
    return { results: [], notices: takeNotices(session), status: session.status, error };
  };

  async abort(): Promise<void> {
    this.db.rollback(this.session);
  }

  async read(sql: string, params: readonly Value[]): Promise<RawResult> {
    await this.decoded?.(sql, parsedOrNone);
    const [r] = await this.db.run(sql, params, outside(this.session), true);
    return r ?? { command: '', fields: [], rows: [], rowCount: 0 };
  }

  live(sql: string, params: readonly Value[], cb: (r: RawResult) => void, options: LiveOptions): () => void {
    // the search_path as it is when the query is subscribed
    const template = outside(this.session);
    return live(this.db, sql, params, cb, options, () => outside(template));
  }

  notifications(cb: (n: Notification) => void): () => void {
    // after the commit's own work: a callback that queries the node finds it settled
    return this.db.onCommit((info) => { for (const n of heard(this.session, info.notifications)) queueMicrotask(() => cb(n)); });
  }
}

/** The parse trees of `sql`; none when it does not parse (running it reports why). */
function parsedOrNone(sql: string): unknown[] {
  try {
    return parse(sql).map((s) => s.stmt);
  } catch {
    return [];
  }
}

const NO_NOTICES: readonly Notice[] = Object.freeze([]);

/** The notices the call raised, taken from the session (most calls raise none: no array then). */
function takeNotices(session: Session): Notice[] {
  return session.notices.length ? session.notices.splice(0) : (NO_NOTICES as Notice[]);
}

/** A session of its own (committed state only) that reads through `from`'s search_path. */
function outside(from: Session): Session {
  const s = new Session();
  s.settings.adoptSearchPath(from.settings);
  return s;
}
