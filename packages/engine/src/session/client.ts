/**
 * The PGlite-shaped surface of one session, shared by the in-process Node and the WorkerNode so
 * the two cannot drift: query/exec with PGlite's options, transaction(fn), the idle-in-transaction
 * timeout, and live queries. It owns the session's call order: calls run one at a time, in
 * order, and transaction(fn) holds the session for fn (PGlite's transaction mutex).
 *
 * A call on the node from inside fn would wait for fn forever. A call waiting behind a transaction
 * longer than deadlock_timeout (1 s) is logged, as PostgreSQL's log_lock_waits does; on request
 * (checkNestedCalls) and where the host can tell (Node.js: AsyncLocalStorage) it fails at once
 * with 25001 instead. Not by default: while fn runs under an AsyncLocalStorage, Node 20 runs a hook
 * on every promise of the process (bench/README.md, "The transaction() guard, the session's
 * per-statement cost and the full run").
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { QueryResult, Verdict } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import type { RunOutcome, SessionBackend } from './backend.ts';
import { liveApi, type LiveApi } from './live.ts';
import { Notifications, type ChannelCallback, type NotificationCallback } from './notifications.ts';
import { parsedTypes, shapeResults, type QueryOptions } from './result.ts';
import type { TransactionStatus } from './session.ts';

/** PGlite's Transaction: what transaction(fn) hands to fn. */
export interface Transaction {
  query<R = Record<string, Value>>(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult<R>>;
  exec(sql: string, options?: QueryOptions): Promise<QueryResult[]>;
  /** Roll the transaction back now; transaction() then resolves with fn's value. */
  rollback(): Promise<void>;
  readonly closed: boolean;
}

export interface SessionClientOptions {
  /** PostgreSQL's idle_in_transaction_session_timeout, in ms; 0 or absent: off. */
  idleInTransactionSessionTimeout?: number;
  /** Throws when the node is closed. */
  assertOpen(): void;
  log(level: 'log' | 'warning', message: string): void;
  /** The verdict of a queued offline write, attached to the result that queued it. */
  verdict?(seq: number): Promise<Verdict>;
  /** A call on the node from inside its own transaction() fails at once with 25001 (needs AsyncLocalStorage). */
  checkNestedCalls?: boolean;
}

interface AsyncContext<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
  disable(): void;
}

/** Node's AsyncLocalStorage when the host has one, found without an import a browser bundle would trip on. */
function asyncContext<T>(): AsyncContext<T> | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const hooks = proc?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: new () => AsyncContext<T> } | undefined;
  return hooks?.AsyncLocalStorage ? new hooks.AsyncLocalStorage() : undefined;
}

const DEADLOCK_TIMEOUT_MS = 1000;

/** One transaction(fn) holding the session. */
class Scope {
  closed = false;
  /** fn called tx.rollback(): the block ended as fn asked. */
  rolledBack = false;
  /** Set when the idle timeout ended the transaction under fn. */
  killed: SqlError | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  /** fn's statements started and not yet settled. */
  private running = 0;
  private readonly settled = (): void => {
    this.running--;
  };

  constructor(readonly release: () => void) {}

  /** fn's statements run one after another even when fn does not await each; `ending` is transaction()'s own COMMIT or ROLLBACK. */
  serial<T>(fn: () => Promise<T>, ending = false): Promise<T> {
    // none running (fn awaits each call, the usual way): start now, without a turn through the chain
    const run = this.running === 0 ? this.start(fn, ending) : this.tail.then(() => this.start(fn, ending));
    this.running++;
    this.tail = run.then(this.settled, this.settled);
    return run;
  }

  private start<T>(fn: () => Promise<T>, ending: boolean): Promise<T> {
    if (this.killed) return Promise.reject(this.killed);
    if (this.closed && !ending) return Promise.reject(new SqlError(SQLSTATE.no_active_sql_transaction, 'the transaction is closed'));
    return fn();
  }
}

export class SessionClient {
  readonly live: LiveApi;
  readonly notifications: Notifications;
  /** The session is taken (a call or a transaction(fn) runs); waiters get it in arrival order. */
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  private owner: Scope | undefined;
  private status: TransactionStatus = 'I';
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** 25P03, reported to the next call after the idle timeout ended a BEGIN block. */
  private terminated: SqlError | undefined;
  private readonly context: AsyncContext<Scope> | undefined;

  constructor(private readonly backend: SessionBackend, private readonly options: SessionClientOptions) {
    this.context = options.checkNestedCalls ? asyncContext<Scope>() : undefined;
    this.live = liveApi(backend, options.assertOpen);
    this.notifications = new Notifications(backend, (sql) => this.query(sql));
  }

  /** No async frame of its own (an autocommit point write runs this per statement); call() never throws. */
  query<R = Record<string, Value>>(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult<R>> {
    try {
      this.enter();
    } catch (e) {
      return Promise.reject(e);
    }
    // a free session runs the call at once, without exclusive()'s closure and promise chain
    if (this.busy) return this.exclusive(() => this.call(sql, params, true, options)).then(firstOrEmpty) as Promise<QueryResult<R>>;
    this.busy = true;
    // the call's outcome and the hand-off in one step: the only promise of an autocommit write
    // (its Committing runs the backend's and the statement's steps, then this one)
    return this.start(sql, params, true, options).then(options ? (out) => this.answer(out, options) : this.answerPlain, this.handOffAndThrow) as Promise<QueryResult<R>>;
  }

  /** A free session's query settled: its one result, and the session handed on. */
  private answer(out: RunOutcome, options: QueryOptions | undefined): QueryResult {
    try {
      return firstOrEmpty(this.outcome(out, options));
    } finally {
      this.handOff();
    }
  }

  /** `answer` without options and the failure's hand-off, made once per client rather than per query. */
  private readonly answerPlain = (out: RunOutcome): QueryResult => this.answer(out, undefined);
  private readonly handOffAndThrow = (e: unknown): never => {
    this.handOff();
    throw e;
  };

  exec(sql: string, options?: QueryOptions): Promise<QueryResult[]> {
    this.enter();
    return this.exclusive(() => this.call(sql, undefined, false, options));
  }

  /**
   * Run fn with the session to itself: BEGIN before, COMMIT when it resolves (its value is
   * returned), ROLLBACK when it throws. Other callers' statements wait and are not part of it.
   * A COMMIT that rolled back (a statement failed and fn went on) rejects with 25P02 rather than
   * resolving as if fn's writes were kept.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.enter();
    return this.acquire().then(async () => {
      const scope = new Scope(once(() => this.handOff()));
      this.owner = scope;
      try {
        await this.call('BEGIN', undefined, true, undefined);
        const tx = this.transactionFor(scope);
        let value: T;
        try {
          value = this.context ? await this.context.run(scope, () => fn(tx)) : await fn(tx);
        } catch (e) {
          await scope.serial(async () => {
            if (scope.closed) return;
            scope.closed = true;
            await this.call('ROLLBACK', undefined, true, undefined);
          }, true).catch(() => {});
          throw e;
        }
        // fn may have left statements running; they finish before the COMMIT
        const end = await scope.serial(async () => {
          if (scope.closed) return 'ROLLBACK';
          scope.closed = true;
          return (await this.call('COMMIT', undefined, true, undefined))[0]?.command;
        }, true);
        if (end === 'ROLLBACK' && !scope.rolledBack) {
          throw new SqlError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
        }
        return value;
      } finally {
        scope.closed = true;
        if (this.owner === scope) this.owner = undefined;
        // Node 20 runs a hook on every promise of the process while any AsyncLocalStorage is
        // enabled (run() enables it): off again until the next transaction(fn), or every later
        // statement anywhere pays for it (bench/README.md, "Quiet-machine runs and the cost of the transaction() guard")
        this.context?.disable();
        scope.release();
      }
    });
  }

  /**
   * The node is closing: roll back whatever block is open, and end a running transaction(fn)
   * with `reason` so neither its remaining tx calls nor its COMMIT can reach the session.
   */
  async abort(reason: SqlError): Promise<void> {
    this.notifications.close();
    this.stopIdleTimer();
    this.kill(reason);
    await this.backend.abort();
    this.status = 'I';
  }

  private kill(reason: SqlError): void {
    const scope = this.owner;
    if (!scope) return;
    scope.killed = reason;
    this.owner = undefined;
    scope.release();
  }

  private transactionFor(scope: Scope): Transaction {
    return {
      // no async frame of its own: a bulk load runs this per row
      query: <R>(sql: string, params?: readonly Value[], options?: QueryOptions) => {
        try {
          this.options.assertOpen();
        } catch (e) {
          return Promise.reject(e);
        }
        return scope.serial(() => this.call(sql, params, true, options)).then(first) as Promise<QueryResult<R>>;
      },
      exec: (sql: string, options?: QueryOptions) => {
        this.options.assertOpen();
        return scope.serial(() => this.call(sql, undefined, false, options));
      },
      rollback: () => scope.serial(async () => {
        await this.call('ROLLBACK', undefined, true, undefined);
        scope.rolledBack = true;
        scope.closed = true;
      }),
      get closed() {
        return scope.closed || scope.killed !== undefined;
      },
    };
  }

  /** Checks every call makes before it queues. */
  private enter(): void {
    this.options.assertOpen();
    const scope = this.context?.getStore();
    if (scope && scope === this.owner && !scope.closed) {
      throw new SqlError(SQLSTATE.active_sql_transaction, 'the node was called from inside its own transaction(): it would wait for that transaction forever', {
        hint: 'Run the statement through the transaction\'s tx argument.',
      });
    }
  }

  /** Run fn when the session is free; calls run in arrival order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // a free session runs the call at once: no promise chain per statement when nobody waits
    if (!this.busy) {
      this.busy = true;
      return this.holding(fn);
    }
    const blocker = this.owner;
    // where a call from inside fn cannot be recognised, a long wait behind a transaction is logged
    const watch = !this.context && blocker
      ? setTimeout(() => {
        if (this.owner === blocker) {
          this.options.log('warning', `a statement has waited ${DEADLOCK_TIMEOUT_MS} ms for a transaction() to finish; if it was called on the node from inside that transaction's callback, it waits forever: use the callback's tx`);
        }
      }, DEADLOCK_TIMEOUT_MS)
      : undefined;
    return new Promise<void>((r) => this.waiting.push(r)).then(() => {
      clearTimeout(watch);
      return this.holding(fn);
    });
  }

  /** Take the session: at once when it is free, else after the calls before this one. */
  private acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((r) => this.waiting.push(r));
  }

  /** Run fn with the session taken, then hand it on. */
  private async holding<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.handOff();
    }
  }

  /** Give the session to the next waiter, or mark it free. */
  private handOff(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  /** Not async: each async frame on a statement's path cost 500–700 bytes of garbage (bench/README.md, sixth round). */
  private call(sql: string, params: readonly Value[] | undefined, single: boolean, options: QueryOptions | undefined): Promise<QueryResult[]> {
    return this.start(sql, params, single, options).then((out) => this.outcome(out, options)) as Promise<QueryResult[]>;
  }

  /** The backend's run of a call; never throws (a 25P03 to report, or parameters that cannot be serialised, reject). */
  private start(sql: string, params: readonly Value[] | undefined, single: boolean, options: QueryOptions | undefined): PromiseLike<RunOutcome> {
    if (this.terminated) {
      const e = this.terminated;
      this.terminated = undefined;
      return Promise.reject(e);
    }
    this.stopIdleTimer();
    try {
      return this.backend.run(sql, params && serialize(params, options), single, parsedTypes(options), options?.optimistic === false);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** What a call's outcome means to the caller: its shaped results, or its error thrown. */
  private outcome(out: RunOutcome, options: QueryOptions | undefined): QueryResult[] {
    this.status = out.status;
    this.startIdleTimer();
    for (let i = 0; i < out.notices.length; i++) options?.onNotice?.(out.notices[i]!);
    if (out.error !== undefined) throw out.error;
    const results = shapeResults(out.results, options);
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (!r.pending || !this.options.verdict) continue;
      const verdict = this.options.verdict(r.pending.seq);
      // a caller that never awaits it (the node closed first) must not get an unhandled rejection
      verdict.catch(() => {});
      r.pending.verdict = verdict;
    }
    return results;
  }

  private startIdleTimer(): void {
    const ms = this.options.idleInTransactionSessionTimeout;
    if (!ms || this.status === 'I') return;
    this.idleTimer = setTimeout(() => this.idleTimeout(), ms);
  }

  private stopIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** The block sat idle too long: roll it back and free the session for other callers. */
  private idleTimeout(): void {
    this.idleTimer = undefined;
    const error = new SqlError(SQLSTATE.idle_in_transaction_session_timeout, 'terminating connection due to idle-in-transaction timeout');
    this.status = 'I';
    void this.backend.abort().catch((e) => this.options.log('warning', `rolling back an idle transaction failed: ${e instanceof Error ? e.message : String(e)}`));
    this.options.log('log', 'an idle transaction block was rolled back (idleInTransactionSessionTimeout)');
    if (this.owner) this.kill(error);
    else this.terminated = error;
  }
}

const first = (results: readonly QueryResult[]): QueryResult | undefined => results[0];
const firstOrEmpty = (results: readonly QueryResult[]): QueryResult => results[0] ?? { rows: [], fields: [], rowCount: 0, command: '', affectedRows: 0 };

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** Serializers are keyed by the parameter's type OID, which the surface does not know yet: refused loudly. */
function serialize(params: readonly Value[], options: QueryOptions | undefined): readonly Value[] {
  if (!options?.serializers || !Object.keys(options.serializers).length) return params;
  throw new SqlError(SQLSTATE.feature_not_supported, 'query option "serializers" is not supported');
}

/**
 * PGlite's query surface over a SessionClient: the base of Node and WorkerNode (PGlite's own
 * pattern for its in-process and worker clients), so the two hosts cannot drift.
 */
export abstract class SessionSurface {
  protected abstract readonly client: SessionClient;
  /** PGlite's readiness API: a node is ready once it is opened. */
  readonly ready = true;
  readonly waitReady: Promise<void> = Promise.resolve();

  /** `live(sql, params, cb)` → unsubscribe; `live.query` / `live.incrementalQuery` as PGlite's live extension. */
  get live(): LiveApi {
    return this.client.live;
  }

  /** PGlite's `listen(channel, cb)`: LISTEN, then cb(payload) per committed NOTIFY; resolves to the unsubscribe. */
  listen(channel: string, cb: ChannelCallback): Promise<() => Promise<void>> {
    return this.client.notifications.listen(channel, cb);
  }

  /** PGlite's `unlisten(channel, cb?)`: drop cb (or every callback) and UNLISTEN once none is left. */
  unlisten(channel: string, cb?: ChannelCallback): Promise<void> {
    return this.client.notifications.unlisten(channel, cb);
  }

  /** PGlite's `onNotification(cb)`: cb(channel, payload) for every channel the session listens on. */
  onNotification(cb: NotificationCallback): () => void {
    return this.client.notifications.onNotification(cb);
  }

  /** One statement, with PGlite's options; runs in the session (inside its open block, if any). */
  query<R = Record<string, Value>>(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult<R>> {
    return this.client.query<R>(sql, params, options);
  }

  /** Every statement of `sql`, one result each (PostgreSQL's simple-query protocol). */
  exec(sql: string, options?: QueryOptions): Promise<QueryResult[]> {
    return this.client.exec(sql, options);
  }

  /** Run `fn` with the session to itself, in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.client.transaction(fn);
  }
}
