/**
 * The database proper: the committed state, the WAL writer, one writer at a time, and the
 * transaction lifecycle (PostgreSQL's xact.c). Statements run in a Session (session/), whose
 * block outlives the call that opened it. A write statement or an open block works on a fork of
 * the committed state; COMMIT appends its records plus a commit record to the WAL, publishes the
 * fork, and waits for the durability `synchronousCommit` asks for. Nothing of a block reaches the
 * WAL before its COMMIT, so a rolled-back block is never replayed anywhere.
 */
import type { DeclareCursorStmt, TransactionStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from './errors.ts';
import { OFFLINE_COMMANDS, type OfflineHook } from './offline/hook.ts';
import { encodeParams } from './offline/params.ts';
import { engineValues, rawResult as result, resultRows } from './session/raw.ts';
import { declareOptions, fetch, newCursor, noCursor, type Cursor } from './session/cursors.ts';
import type { RawResult } from './session/result.ts';
import type { Session } from './session/session.ts';
import { OpenTxn } from './session/transaction.ts';
import { attachTemp, autocommitSteps, statementDone, statementFailed } from './session/statement-outcome.ts';
import type { ExecEnv, NodeHooks } from './sql/env.ts';
import { PlanCache } from './sql/executor.ts';
import type { StatementPlan } from './sql/plan.ts';
import { parameterRefs, parse, type ParsedStatement } from './sql/parse.ts';
import type { Value } from './sql/types.ts';
import type { DbState } from './state/state.ts';
import type { Lsn } from './wal/lsn.ts';
import type { WalRecord } from './wal/record.ts';
import { notificationsOf, type Notification } from './sql/notify.ts';
import { listenStatement } from './session/listen.ts';
import { Committing } from './wal/committing.ts';
import { CommitVisibility } from './wal/visibility.ts';
import type { WalWriter } from './wal/xlog.ts';

export type SynchronousCommit = 'off' | 'local' | 'remote_write' | 'on' | 'remote_apply';

export interface CommitInfo {
  end: Lsn;
  tables: ReadonlySet<number>;
  /** The optimistic view changed (an offline write was queued or rebased), not the replicated state. */
  optimistic?: boolean;
  /** NOTIFYs the shown commits made, in commit order (sql/notify.ts). */
  notifications?: readonly Notification[];
  /** The shown commits' records, in order, when known: live queries scoped to a key range look at their rows. */
  records?: readonly WalRecord[];
}

export interface DatabaseOptions {
  synchronousCommit: SynchronousCommit;
  hooks: NodeHooks;
  /** Extra wait after the local flush (synchronous replication); resolves when standbys confirm. */
  waitForStandbys?: (end: Lsn, level: SynchronousCommit) => Promise<void> | undefined;
  /** Throws when the commit must not be reported as done after all (the lease ran out meanwhile). */
  acknowledge?: () => void;
}

export class Database {
  private readonly plans = new PlanCache();
  /** The writer lock: held by one transaction at a time, handed to waiters in arrival order. */
  private locked = false;
  private readonly lockWaiters: Array<() => void> = [];
  private nextXid = 1;
  private readonly commitListeners = new Set<(c: CommitInfo) => void>();
  /** What nextval() and setval() see inside a READ ONLY block. */
  private readonly readOnlyHooks: NodeHooks;

  private readonly visibility: CommitVisibility;
  /** Offline writes (offline/), set once by the node when its offlineWrites option is on. */
  offline: OfflineHook | undefined;
  /** What nextval() sees in an offline transaction: it advances the fork's own copy of the sequence. */
  private readonly offlineHooks: NodeHooks;

  constructor(public state: DbState, readonly wal: WalWriter, readonly options: DatabaseOptions) {
    this.readOnlyHooks = { ...options.hooks, readOnly: () => true, readOnlyDetail: () => undefined };
    this.offlineHooks = { ...options.hooks, readOnly: () => false, readOnlyDetail: () => undefined };
    this.visibility = new CommitVisibility(state, wal, () => this.options.synchronousCommit === 'off', (s, info) => this.show(s, info));
  }

  /** The newest committed state, flushed or not: what a checkpoint or base backup at the WAL's insert position holds. */
  latest(): DbState {
    return this.visibility.latest(this.state);
  }

  onCommit(listener: (c: CommitInfo) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Tell listeners (live queries) that the optimistic view changed these tables. */
  announce(info: CommitInfo): void {
    for (const l of this.commitListeners) l(info);
  }

  /** Publish a state that replay produced (standby) and tell listeners which tables changed. */
  publish(state: DbState, info: CommitInfo): void {
    this.visibility.reset(state);
    this.show(state, info);
  }

  private show(state: DbState, info: CommitInfo): void {
    this.state = state;
    for (const l of this.commitListeners) l(info);
  }

  /**
   * Run every statement of `sql` (exec), or exactly one with parameters (query), in `session`.
   * As in PostgreSQL's simple-query protocol, several statements outside a block form an implicit
   * block that commits at the end or not at all; a BEGIN among them makes it a regular block
   * (statements before it included) that stays open after the call, failed if a statement failed.
   */
  run(sql: string, params: readonly Value[] | undefined, session: Session, single: boolean): Promise<RawResult[]> {
    if (!single) return this.runStatements(sql, params, session);
    let r: Ran | undefined;
    try {
      r = this.runOne(sql, params, session);
    } catch (e) {
      return Promise.reject(e);
    }
    return r === undefined ? Promise.resolve([]) : r instanceof Promise || r instanceof Committing ? r.then(alone) : Promise.resolve([r]);
  }

  /**
   * `run` of exactly one statement (query()), undefined for none; throws what it fails with when
   * that is known at once: no async frame and no promise of its own. An autocommit write's answer
   * is a Committing: the caller adds its steps and makes the one promise.
   */
  runOne(sql: string, params: readonly Value[] | undefined, session: Session): Ran | undefined {
    const statements = parse(sql);
    if (statements.length > 1) throw new SqlError(SQLSTATE.syntax_error, 'cannot insert multiple commands into a prepared statement');
    if (!statements.length) return undefined;
    const st = statements[0]!;
    const refs = parameterRefs(st), supplied = params?.length ?? 0;
    if (refs.unread !== undefined) throw new SqlError(SQLSTATE.indeterminate_datatype, `could not determine data type of parameter $${refs.unread}`);
    if (supplied !== refs.count) throw new SqlError(SQLSTATE.protocol_violation, `bind message supplies ${supplied} parameters, but prepared statement "" requires ${refs.count}`);
    return this.statement(st, params ?? [], session);
  }

  private async runStatements(sql: string, params: readonly Value[] | undefined, session: Session): Promise<RawResult[]> {
    const statements = parse(sql);
    const results: RawResult[] = [];
    const implicitBlock = statements.length > 1;
    try {
      for (const st of statements) {
        if (implicitBlock && !session.txn && !('TransactionStmt' in st.stmt)) {
          session.txn = this.offline?.active() ? this.offlineBlock(session) : await this.begin();
          session.implicit = true;
          session.useDefaults();
        }
        results.push(await this.statement(st, params ?? [], session));
      }
      if (session.implicit && session.txn) {
        const pending = await this.end(session, 'commit');
        // an implicit offline block: the last result carries the queued transaction's handle
        if (pending && results.length) results[results.length - 1] = { ...results[results.length - 1]!, pending };
      }
    } catch (e) {
      if (session.implicit) this.rollback(session);
      throw e;
    }
    return results;
  }

  /**
   * Not async: a statement that completes at once (in a block) returns its result at once, and a
   * point write's chain has no frame of its own here; the bookkeeping runs when it settles.
   */
  private statement(st: ParsedStatement, params: readonly Value[], session: Session): Ran {
    const stmt = st.stmt;
    if ('TransactionStmt' in stmt) return this.transactionStatement(st, stmt.TransactionStmt, session);
    if (session.failed) throw aborted();
    if ('VariableSetStmt' in stmt && stmt.VariableSetStmt.name === 'TRANSACTION') {
      if (!session.txn || session.implicit) session.warn(SQLSTATE.no_active_sql_transaction, 'SET TRANSACTION can only be used in transaction blocks');
      else session.setCharacteristics(stmt.VariableSetStmt.args);
      return result('SET', [], [], 0);
    }
    if ('VariableSetStmt' in stmt) {
      session.settings.apply(stmt.VariableSetStmt, session);
      return result(stmt.VariableSetStmt.kind?.startsWith('VAR_RESET') ? 'RESET' : 'SET', [], [], 0);
    }
    if ('ListenStmt' in stmt || 'UnlistenStmt' in stmt) return listenStatement(stmt, session);
    if ('VariableShowStmt' in stmt) {
      const shown = session.settings.show(stmt.VariableShowStmt.name ?? '', session);
      return result('SHOW', [{ name: shown.column, type: 'text' }], [[shown.value]], 1);
    }
    const autocommit = !session.txn;
    let r: Ran;
    try {
      r = 'DeclareCursorStmt' in st.stmt || 'FetchStmt' in st.stmt || 'ClosePortalStmt' in st.stmt ? this.cursorStatement(st, params, session) : this.execute(st, params, session);
    } catch (e) {
      throw statementFailed(session, autocommit, e);
    }
    // only an autocommit write answers with a Committing
    if (r instanceof Committing) {
      const steps = autocommitSteps(session);
      return r.map(steps.done, steps.failed);
    }
    if (!(r instanceof Promise)) return statementDone(session, autocommit, r);
    return r.then((done) => statementDone(session, autocommit, done), (e: unknown) => {
      throw statementFailed(session, autocommit, e);
    });
  }

  private async transactionStatement(st: ParsedStatement, ts: TransactionStmt, session: Session): Promise<RawResult> {
    try {
      const r = await this.control(ts, session);
      // savepoints of an offline block are queued with it, so the primary undoes what it undid
      if (session.offline && /^(SAVEPOINT|RELEASE|ROLLBACK)$/.test(r.command) && session.txn) session.offline.push({ sql: st.text, params: null });
      return r;
    } catch (e) {
      // RELEASE or ROLLBACK TO an unknown savepoint aborts the block like any other error
      if (session.txn) session.failed = true;
      throw e;
    }
  }

  /** DECLARE … CURSOR, FETCH, MOVE, CLOSE (session/cursors.ts). */
  private async cursorStatement(st: ParsedStatement, params: readonly Value[], session: Session): Promise<RawResult> {
    const stmt = st.stmt;
    if ('ClosePortalStmt' in stmt) {
      session.cursors.close(stmt.ClosePortalStmt.portalname);
      return result('CLOSE CURSOR', [], [], 0);
    }
    if ('FetchStmt' in stmt) {
      const name = stmt.FetchStmt.portalname ?? '';
      const cursor = session.cursors.get(name);
      if (!cursor) throw noCursor(name);
      const fetched = fetch(cursor, name, stmt.FetchStmt);
      return stmt.FetchStmt.ismove ? result('MOVE', [], [], fetched.count) : resultRows(fetched.result, 'FETCH', fetched.rows);
    }
    const declare = (stmt as { DeclareCursorStmt: DeclareCursorStmt }).DeclareCursorStmt;
    const name = declare.portalname ?? '';
    const query: ParsedStatement = { stmt: declare.query!, text: `\0cursor ${st.text}` };
    const open = session.txn;
    if (open && open.epoch >= 0) attachTemp(open, session, query);
    const readState = open ? open.state : session.temp.view(this.state);
    const { scroll, hold } = declareOptions(declare, open !== undefined, readState);
    if (session.cursors.get(name)) throw new SqlError('42P03', `cursor "${name}" already exists`);
    // planning errors (a missing table) fail the DECLARE; an error running the query waits for the first FETCH
    this.plans.get(query.text, query.stmt, readState, this.options.hooks, session.temp.path(session.settings.searchPath(), query.stmt, readState));
    let outcome: Cursor['outcome'];
    try {
      const ran = await this.execute(query, params, session);
      outcome = { result: ran, rows: engineValues(ran) };
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      outcome = { error: e };
    }
    const cursor = newCursor(outcome, scroll, hold, session.cursors.depth);
    // WITH HOLD outside a block: its own transaction committed
    if (!open) cursor.held = true;
    session.cursors.add(name, cursor);
    return result('DECLARE CURSOR', [], [], 0);
  }

  /** A statement in a block whose plan needs no preparing returns its result at once: no async frame per row of a bulk load. */
  private execute(st: ParsedStatement, params: readonly Value[], session: Session): Ran {
    const hooks = this.options.hooks;
    const open = session.txn;
    if (open && open.epoch >= 0) attachTemp(open, session, st);
    const readState = open ? open.state : session.temp.view(session.confirmed ? this.state : (this.offline?.view() ?? this.state));
    const path = session.temp.path(session.settings.searchPath(), st.stmt, readState);
    let plan = this.plans.get(st.text, st.stmt, readState, hooks, path);
    const readOnlyBlock = open !== undefined && session.readOnly;
    if (plan.writes && !readOnlyBlock && (session.offline || (!open && this.offline?.active()))) return this.offlineWrite(st, params, session, plan);
    // PostgreSQL allows NOTIFY in a READ ONLY block; here such a block cannot commit records
    if (plan.writes && readOnlyBlock && (plan.writeName ?? plan.command) === 'NOTIFY') throw new SqlError(SQLSTATE.feature_not_supported, 'NOTIFY in a read-only transaction is not supported');
    if (plan.writes && (readOnlyBlock || hooks.readOnly())) {
      const detail = readOnlyBlock ? undefined : hooks.readOnlyDetail?.();
      throw new SqlError(SQLSTATE.read_only_sql_transaction, `cannot execute ${plan.writeName ?? plan.command} in a read-only transaction`, { detail });
    }
    if (open && !plan.prepare) return this.inBlock(plan, params, session, open);
    // an autocommit write that finds the writer lock free starts without a turn of the event loop
    const txn = !open && plan.writes && !plan.prepare ? this.tryBegin() : undefined;
    if (txn) return this.autocommitWrite(st, params, session, plan, readState, path, false, txn);
    return this.executeAsync(st, params, session, plan, readState, path);
  }

  private async executeAsync(st: ParsedStatement, params: readonly Value[], session: Session, plan: StatementPlan, readState: DbState, path: readonly string[]): Promise<RawResult> {
    const hooks = this.options.hooks;
    const open = session.txn;
    const prepared = plan.prepare !== undefined;
    if (plan.prepare) plan = await plan.prepare({ params, now: new Date(), env: { state: readState, hooks, sequenceWrites: [] } }, open !== undefined);
    if (open) return this.inBlock(plan, params, session, open);
    if (!plan.writes) {
      const env: ExecEnv = { state: readState, txn: undefined, hooks, sequenceWrites: [], sequences: session.sequences, parameters: session.parameters };
      const started = new Date();
      const out = plan.run({ params, now: started, statementNow: started, env });
      if (env.sequenceWrites.length && !hooks.readOnly()) await this.durable(this.wal.appendRecords(env.sequenceWrites, NO_RECORDS, { kind: 'commit', xid: this.nextXid++, time: Date.now() }));
      return result(plan.command, plan.columns, out.rows, out.rowCount);
    }
    // autocommit: a one-statement transaction
    return await this.autocommitWrite(st, params, session, plan, readState, path, prepared, this.tryBegin() ?? (await this.begin()));
  }

  /**
   * An autocommit write in its own transaction `txn`: run it, commit, and wait for the WAL flush
   * (and synchronous standbys) without an async frame: the point writes' path.
   */
  private autocommitWrite(st: ParsedStatement, params: readonly Value[], session: Session, plan: StatementPlan, readState: DbState, path: readonly string[], prepared: boolean, txn: OpenTxn): RawResult | Committing<RawResult> {
    const hooks = this.options.hooks;
    attachTemp(txn, session, st);
    // the statement is the transaction: its sequence advances go straight to the transaction's list
    const env: ExecEnv = { state: txn.state, txn, hooks, sequenceWrites: txn.sequenceWrites, sequences: session.sequences, parameters: session.parameters };
    let out: { rows: Value[][]; rowCount: number };
    try {
      // the plan was made against the committed state; a DDL commit while waiting for the lock invalidates it
      const current = prepared || txn.state.catalogVersion === readState.catalogVersion ? plan : this.plans.get(st.text, st.stmt, txn.state, hooks, path);
      out = current.run({ params, now: txn.now, env });
      txn.checkDeferred();
    } catch (e) {
      this.abort(txn);
      throw e;
    }
    const end = this.commit(txn);
    const r = result(plan.command, plan.columns, out.rows, out.rowCount);
    if (end === undefined || this.options.synchronousCommit === 'off') return r;
    return new Committing<RawResult>(r, end, this.wal, this.confirm);
  }

  /** A planned statement inside the open block `open`: it reads and writes the block's own state. */
  private inBlock(plan: StatementPlan, params: readonly Value[], session: Session, open: OpenTxn): RawResult {
    // nextval() and setval() ask the env's hooks whether they may write
    const hooks = session.readOnly ? this.readOnlyHooks : this.options.hooks;
    const env: ExecEnv = { state: open.state, txn: open, hooks, sequenceWrites: [], sequences: session.sequences, parameters: session.parameters };
    try {
      const out = plan.run({ params, now: open.now, statementNow: new Date(), env });
      return result(plan.command, plan.columns, out.rows, out.rowCount);
    } finally {
      if (env.sequenceWrites.length) open.sequenceWrites.push(...env.sequenceWrites);
    }
  }

  /** BEGIN, COMMIT, ROLLBACK (AND CHAIN), SAVEPOINT, RELEASE, ROLLBACK TO: PostgreSQL's xact.c rules. */
  private async control(ts: TransactionStmt, session: Session): Promise<RawResult> {
    const kind = ts.kind ?? '';
    if (session.failed && kind !== 'TRANS_STMT_COMMIT' && kind !== 'TRANS_STMT_ROLLBACK' && kind !== 'TRANS_STMT_ROLLBACK_TO') throw aborted();
    const inBlock = session.txn !== undefined && !session.implicit;
    const name = ts.savepoint_name ?? '';
    switch (kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START': {
        if (inBlock) session.warn(SQLSTATE.active_sql_transaction, 'there is already a transaction in progress');
        else {
          // as in PostgreSQL, a block begun during recovery stays read-only after a promotion:
          // its snapshot predates what replay published since, so it must never commit writes
          const offline = session.txn === undefined && this.offline?.active() === true;
          const recovery = !offline && session.txn === undefined && this.options.hooks.readOnly();
          session.txn ??= offline ? this.offlineBlock(session) : recovery ? this.snapshotBlock() : await this.begin();
          session.implicit = false;
          if (recovery) session.recovery = true;
          session.useDefaults();
          session.setCharacteristics(ts.options);
        }
        return result(kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION', [], [], 0);
      }
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_ROLLBACK': {
        const verb = kind === 'TRANS_STMT_COMMIT' ? 'COMMIT' : 'ROLLBACK';
        if (!inBlock) {
          if (ts.chain) throw new SqlError(SQLSTATE.no_active_sql_transaction, `${verb} AND CHAIN can only be used in transaction blocks`);
          session.warn(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress');
          // in an implicit block (exec) the statements before it still end here
          if (session.txn) await this.end(session, verb === 'COMMIT' ? 'commit' : 'rollback');
          return result(verb, [], [], 0);
        }
        const { readOnly, isolation, deferrable } = session;
        const outcome = verb === 'COMMIT' && !session.failed ? 'commit' : 'rollback';
        const pending = await this.end(session, outcome);
        if (ts.chain) {
          const offline = this.offline?.active() === true;
          session.recovery = !offline && this.options.hooks.readOnly();
          session.txn = offline ? this.offlineBlock(session) : session.recovery ? this.snapshotBlock() : await this.begin();
          session.readOnly = readOnly || session.recovery;
          session.isolation = isolation;
          session.deferrable = deferrable;
        }
        return { ...result(outcome === 'commit' ? 'COMMIT' : 'ROLLBACK', [], [], 0), ...(pending && { pending }) };
      }
      case 'TRANS_STMT_SAVEPOINT':
        if (!inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'SAVEPOINT can only be used in transaction blocks');
        session.txn!.savepoint(name);
        session.cursors.savepoint(name);
        session.listens.savepoint(name);
        session.settings.savepoint(name);
        return result('SAVEPOINT', [], [], 0);
      case 'TRANS_STMT_RELEASE':
        if (!inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
        if (!session.txn!.has(name)) throw noSavepoint(name);
        session.txn!.releaseSavepoint(name);
        session.cursors.endSavepoint(name, false);
        session.listens.endSavepoint(name, false);
        session.settings.endSavepoint(name, false);
        return result('RELEASE', [], [], 0);
      case 'TRANS_STMT_ROLLBACK_TO':
        if (!inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        if (!session.txn!.has(name)) throw noSavepoint(name);
        session.txn!.rollbackTo(name);
        session.cursors.endSavepoint(name, true);
        session.listens.endSavepoint(name, true);
        session.settings.endSavepoint(name, true);
        session.failed = false;
        return result('ROLLBACK', [], [], 0);
      default:
        throw new SqlError(SQLSTATE.feature_not_supported, `${kind === 'TRANS_STMT_PREPARE' ? 'PREPARE TRANSACTION' : kind.replace('TRANS_STMT_', '').replace(/_/g, ' ')} is not supported`);
    }
  }

  /** End the session's block: log and publish it (commit), or drop it (rollback); an offline block is queued instead. */
  private async end(session: Session, outcome: 'commit' | 'rollback'): Promise<{ origin: string; seq: number } | undefined> {
    if (outcome === 'rollback') {
      this.rollback(session);
      return;
    }
    const txn = session.txn!;
    try {
      txn.checkDeferred();
    } catch (e) {
      this.rollback(session);
      throw e;
    }
    const offline = session.offline;
    session.listens.commit();
    session.settings.end(true);
    session.cursors.commit();
    session.reset();
    if (offline) return offline.some((s) => s.params !== null || !/^(SAVEPOINT|RELEASE|ROLLBACK)/i.test(s.sql)) ? this.offline!.queue(offline, txn) : undefined;
    if (txn.base !== this.latest() && txn.records.length) {
      // replay published other transactions under the block (the node was a standby meanwhile):
      // committing its fork would silently drop them
      this.abort(txn);
      throw new SqlError(SQLSTATE.read_only_sql_transaction, 'cannot execute COMMIT in a read-only transaction', {
        detail: 'The node was a standby while the transaction was open; it was rolled back.',
      });
    }
    // a sequence the block created must exist before its advances replay, so they follow the records
    if (txn.sequenceWrites.length) txn.records = [...txn.records, ...txn.sequenceWrites.splice(0)];
    const end = this.commit(txn);
    if (end !== undefined) await this.durable(end);
  }

  /** Commit records the node itself writes (membership changes) as one transaction. */
  async writeSystem(records: readonly WalRecord[]): Promise<void> {
    const txn = await this.begin();
    try {
      for (const r of records) txn.write(r);
    } catch (e) {
      this.abort(txn);
      throw e;
    }
    const end = this.commit(txn);
    if (end !== undefined) await this.wal.waitFlush(end);
  }

  /** Take the writer lock and fork the committed state. */
  async begin(): Promise<OpenTxn> {
    if (this.locked) await new Promise<void>((r) => this.lockWaiters.push(r));
    else this.locked = true;
    return this.forkTxn();
  }

  /** Hand the writer lock on (each transaction calls it once, OpenTxn.release): one function for all, not a closure per transaction. */
  private readonly unlock = (): void => {
    const next = this.lockWaiters.shift();
    if (next) next();
    else this.locked = false;
  };

  /** Take the writer lock if it is free right now (nobody holds it, so nobody waits for it). */
  private tryBegin(): OpenTxn | undefined {
    if (this.locked) return undefined;
    this.locked = true;
    return this.forkTxn();
  }

  /** Under the writer lock: fork the newest committed state; the release hands the lock on once. */
  private forkTxn(): OpenTxn {
    const txn = new OpenTxn(this.latest(), this.nextXid++, new Date(), this.unlock);
    txn.epoch = this.visibility.epoch;
    return txn;
  }

  /** A block that can never write (begun during recovery): a snapshot, without the writer lock. */
  private snapshotBlock(): OpenTxn {
    return new OpenTxn(this.state, this.nextXid++, new Date(), () => {});
  }

  /** Roll back the session's block, if one is open. */
  rollback(session: Session): void {
    const txn = session.txn;
    const offline = session.offline;
    session.reset();
    // an offline block never took the writer lock and logs nothing, not even sequence advances
    if (txn && !offline) this.abort(txn);
  }

  /** A block on the optimistic view: its statements are queued at COMMIT (offline/). */
  private offlineBlock(session: Session): OpenTxn {
    session.offline = [];
    return this.offline!.fork();
  }

  /** A write on a standby with offline writes: run on the optimistic view; outside a block, queued at once as one transaction. */
  private async offlineWrite(st: ParsedStatement, params: readonly Value[], session: Session, plan: StatementPlan): Promise<RawResult> {
    if (!OFFLINE_COMMANDS.has(plan.command)) {
      throw new SqlError(SQLSTATE.feature_not_supported, `cannot execute ${plan.command} in an offline write transaction`, { detail: 'Offline writes queue INSERT, UPDATE and DELETE; run DDL on the primary.' });
    }
    const txn = session.txn ?? this.offline!.fork();
    const env: ExecEnv = { state: txn.state, txn, hooks: this.offlineHooks, sequenceWrites: [] };
    // planned against the fork: a DDL replayed since the read state was taken changes the catalog
    // the primary runs the statement's text under its default search_path
    const path = session.settings.searchPath();
    if (path.length !== 1 || path[0] !== 'public') throw new SqlError(SQLSTATE.feature_not_supported, 'offline writes with a search_path other than public are not supported');
    const current = this.plans.get(st.text, st.stmt, txn.state, this.options.hooks);
    const out = current.run({ params, now: txn.now, env });
    // an UPDATE or DELETE that changed rows here must change some on the primary too (see offline/apply.ts)
    const expect = (plan.command === 'UPDATE' || plan.command === 'DELETE') && out.rowCount > 0 ? out.rowCount : undefined;
    const statement = { sql: st.text, params: params.length ? encodeParams(params) : null, ...(expect !== undefined && { expect }) };
    const r = result(plan.command, plan.columns, out.rows, out.rowCount);
    // a locking SELECT outside a block locks nothing worth sending
    if (!session.offline && plan.command === 'SELECT') return r;
    if (session.offline) {
      session.offline.push(statement);
      return r;
    }
    txn.checkDeferred();
    return { ...r, pending: await this.offline!.queue([statement], txn) };
  }

  /** Log, publish and release; returns the commit's end LSN, or undefined when nothing was written. */
  private commit(txn: OpenTxn): Lsn | undefined {
    // temporary tables never reach the published state; the session keeps them once this commits
    const temp = txn.temp?.detach(txn.state);
    try {
      if (!txn.records.length && !txn.sequenceWrites.length) {
        temp?.keep();
        return undefined;
      }
      // the node stopped being a writable primary while this transaction ran: it must not reach the WAL
      const hooks = this.options.hooks;
      if (hooks.readOnly()) {
        throw new SqlError(SQLSTATE.read_only_sql_transaction, 'cannot execute COMMIT in a read-only transaction', {
          detail: hooks.readOnlyDetail?.() ?? 'The node became a standby while the transaction was open; it was rolled back.',
        });
      }
      if (txn.epoch !== this.visibility.epoch) {
        throw new SqlError(SQLSTATE.data_corrupted, 'could not commit: a WAL write this transaction built on failed', { detail: 'The transaction was rolled back.' });
      }
      const end = this.wal.appendRecords(txn.sequenceWrites, txn.records, { kind: 'commit', xid: txn.xid, time: Date.now() });
      temp?.keep();
      // durable before visible: shown to readers, live queries and standbys once flushed (at once for 'off')
      if (txn.records.length) this.visibility.committed(end, txn.state, txn.tables, notificationsOf(txn.records), txn.records);
      return end;
    } finally {
      txn.release();
    }
  }

  /** Roll back: only the sequence advances are logged, as PostgreSQL does not roll those back. */
  private abort(txn: OpenTxn): void {
    try {
      if (txn.sequenceWrites.length && !this.options.hooks.readOnly()) this.wal.appendRecords(txn.sequenceWrites, NO_RECORDS, { kind: 'abort', xid: txn.xid, time: Date.now() });
    } finally {
      txn.release();
    }
  }

  private async durable(end: Lsn): Promise<void> {
    if (this.options.synchronousCommit === 'off') return;
    await this.wal.waitFlush(end);
    const standbys = this.standbys(end);
    if (standbys) await standbys;
  }

  /** `standbys` as one function for every Committing, not a closure per commit. */
  private readonly confirm = (end: Lsn): Promise<void> | undefined => this.standbys(end);

  /** After the local flush: the standbys synchronous_commit waits for (a promise only when there are some), then the acknowledgement check. */
  private standbys(end: Lsn): Promise<void> | undefined {
    const level = this.options.synchronousCommit;
    const wait = level !== 'local' ? this.options.waitForStandbys?.(end, level) : undefined;
    if (wait) return wait.then(() => this.options.acknowledge?.());
    this.options.acknowledge?.();
    return undefined;
  }
}

function alone(r: RawResult): RawResult[] {
  return [r];
}

function aborted(): SqlError {
  return new SqlError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
}

function noSavepoint(name: string): SqlError {
  return new SqlError(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`);
}

const NO_RECORDS: readonly WalRecord[] = [];

/** A statement's answer: at once, later, or once its commit is flushed (wal/committing.ts). */
export type Ran = RawResult | Promise<RawResult> | Committing<RawResult>;
