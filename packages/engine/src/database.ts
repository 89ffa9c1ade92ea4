/**
 * The database proper: the committed state, the WAL writer, one writer at a time, and the
 * transaction lifecycle (PostgreSQL's xact.c). Statements run in a Session (session/), whose
 * block outlives the call that opened it. A write statement or an open block works on a fork of
 * the committed state; COMMIT appends its records plus a commit record to the WAL, publishes the
 * fork, and waits for the durability `synchronousCommit` asks for. Nothing of a block reaches the
 * WAL before its COMMIT, so a rolled-back block is never replayed anywhere.
 */
import type { TransactionStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from './errors.ts';
import { rawResult as result } from './session/raw.ts';
import type { RawResult } from './session/result.ts';
import type { Session } from './session/session.ts';
import { OpenTxn } from './session/transaction.ts';
import type { ExecEnv, NodeHooks, RunContext } from './sql/env.ts';
import { PlanCache } from './sql/executor.ts';
import { parse, type ParsedStatement } from './sql/parse.ts';
import type { Value } from './sql/types.ts';
import type { DbState } from './state/state.ts';
import type { Lsn } from './wal/lsn.ts';
import type { WalRecord } from './wal/record.ts';
import { CommitVisibility } from './wal/visibility.ts';
import type { WalWriter } from './wal/xlog.ts';

export type SynchronousCommit = 'off' | 'local' | 'remote_write' | 'on' | 'remote_apply';

export interface CommitInfo {
  end: Lsn;
  tables: Set<number>;
}

export interface DatabaseOptions {
  synchronousCommit: SynchronousCommit;
  hooks: NodeHooks;
  /** Extra wait after the local flush (synchronous replication); resolves when standbys confirm. */
  waitForStandbys?: (end: Lsn, level: SynchronousCommit) => Promise<void>;
  /** Throws when the commit must not be reported as done after all (the lease ran out meanwhile). */
  acknowledge?: () => void;
}

export class Database {
  private readonly plans = new PlanCache();
  private lockTail: Promise<void> = Promise.resolve();
  private nextXid = 1;
  private readonly commitListeners = new Set<(c: CommitInfo) => void>();
  /** What nextval() and setval() see inside a READ ONLY block. */
  private readonly readOnlyHooks: NodeHooks;

  private readonly visibility: CommitVisibility;
  private readonly epochOf = new WeakMap<OpenTxn, number>();

  constructor(public state: DbState, readonly wal: WalWriter, readonly options: DatabaseOptions) {
    this.readOnlyHooks = { ...options.hooks, readOnly: () => true, readOnlyDetail: () => undefined };
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
  async run(sql: string, params: readonly Value[] | undefined, session: Session, single: boolean): Promise<RawResult[]> {
    const statements = parse(sql);
    if (single && statements.length > 1) throw new SqlError(SQLSTATE.syntax_error, 'cannot insert multiple commands into a prepared statement');
    const results: RawResult[] = [];
    const implicitBlock = !single && statements.length > 1;
    try {
      for (const st of statements) {
        if (implicitBlock && !session.txn && !('TransactionStmt' in st.stmt)) {
          session.txn = await this.begin();
          session.implicit = true;
        }
        results.push(await this.statement(st, params ?? [], session));
      }
      if (session.implicit && session.txn) await this.end(session, 'commit');
    } catch (e) {
      if (session.implicit) this.rollback(session);
      throw e;
    }
    return results;
  }

  private async statement(st: ParsedStatement, params: readonly Value[], session: Session): Promise<RawResult> {
    const stmt = st.stmt;
    if ('TransactionStmt' in stmt) {
      try {
        return await this.control(stmt.TransactionStmt, session);
      } catch (e) {
        // RELEASE or ROLLBACK TO an unknown savepoint aborts the block like any other error
        if (session.txn) session.failed = true;
        throw e;
      }
    }
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
    if ('VariableShowStmt' in stmt) {
      const shown = session.settings.show(stmt.VariableShowStmt.name ?? '', session);
      return result('SHOW', [{ name: shown.column, type: 'text' }], [[shown.value]], 1);
    }
    try {
      return await this.execute(st, params, session);
    } catch (e) {
      if (session.txn) session.failed = true;
      throw e;
    } finally {
      if (session.txn) session.queried = true;
    }
  }

  private async execute(st: ParsedStatement, params: readonly Value[], session: Session): Promise<RawResult> {
    const hooks = this.options.hooks;
    const open = session.txn;
    const readState = open ? open.state : this.state;
    const plan = this.plans.get(st.text, st.stmt, readState, hooks);
    const readOnlyBlock = open !== undefined && session.readOnly;
    if (plan.writes && (readOnlyBlock || hooks.readOnly())) {
      const detail = readOnlyBlock ? undefined : hooks.readOnlyDetail?.();
      throw new SqlError(SQLSTATE.read_only_sql_transaction, `cannot execute ${plan.writeName ?? plan.command} in a read-only transaction`, { detail });
    }
    // nextval() and setval() ask the env's hooks whether they may write
    const envHooks = readOnlyBlock ? this.readOnlyHooks : hooks;
    if (!plan.writes) {
      const env: ExecEnv = { state: readState, txn: open, hooks: envHooks, sequenceWrites: [], sequences: session.sequences };
      const ctx: RunContext = { params, now: open?.now ?? new Date(), env };
      const out = plan.run(ctx);
      if (env.sequenceWrites.length) {
        if (open) open.sequenceWrites.push(...env.sequenceWrites);
        else if (!hooks.readOnly()) await this.durable(this.wal.append([...env.sequenceWrites, { kind: 'commit', xid: this.nextXid++, time: Date.now() }]).end);
      }
      return result(plan.command, plan.columns, out.rows, out.rowCount);
    }
    if (open) {
      const env: ExecEnv = { state: open.state, txn: open, hooks, sequenceWrites: [], sequences: session.sequences };
      try {
        const out = plan.run({ params, now: open.now, env });
        return result(plan.command, plan.columns, out.rows, out.rowCount);
      } finally {
        open.sequenceWrites.push(...env.sequenceWrites);
      }
    }
    // autocommit: a one-statement transaction
    const txn = await this.begin();
    const env: ExecEnv = { state: txn.state, txn, hooks, sequenceWrites: [], sequences: session.sequences };
    let out: { rows: Value[][]; rowCount: number };
    try {
      // the plan was made against the committed state; a DDL commit while waiting for the lock invalidates it
      const current = txn.state.catalogVersion === readState.catalogVersion ? plan : this.plans.get(st.text, st.stmt, txn.state, hooks);
      out = current.run({ params, now: txn.now, env });
      txn.checkDeferred();
    } catch (e) {
      txn.sequenceWrites.push(...env.sequenceWrites);
      this.abort(txn);
      throw e;
    }
    txn.sequenceWrites.push(...env.sequenceWrites);
    const end = this.commit(txn);
    if (end !== undefined) await this.durable(end);
    return result(plan.command, plan.columns, out.rows, out.rowCount);
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
          const recovery = session.txn === undefined && this.options.hooks.readOnly();
          session.txn ??= recovery ? this.snapshotBlock() : await this.begin();
          session.implicit = false;
          if (recovery) session.recovery = true;
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
        const { readOnly, isolation } = session;
        const outcome = verb === 'COMMIT' && !session.failed ? 'commit' : 'rollback';
        await this.end(session, outcome);
        if (ts.chain) {
          session.recovery = this.options.hooks.readOnly();
          session.txn = session.recovery ? this.snapshotBlock() : await this.begin();
          session.readOnly = readOnly || session.recovery;
          session.isolation = isolation;
        }
        return result(outcome === 'commit' ? 'COMMIT' : 'ROLLBACK', [], [], 0);
      }
      case 'TRANS_STMT_SAVEPOINT':
        if (!inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'SAVEPOINT can only be used in transaction blocks');
        session.txn!.savepoint(name);
        return result('SAVEPOINT', [], [], 0);
      case 'TRANS_STMT_RELEASE':
        if (!inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
        if (!session.txn!.has(name)) throw noSavepoint(name);
        session.txn!.releaseSavepoint(name);
        return result('RELEASE', [], [], 0);
      case 'TRANS_STMT_ROLLBACK_TO':
        if (!inBlock) throw new SqlError(SQLSTATE.no_active_sql_transaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        if (!session.txn!.has(name)) throw noSavepoint(name);
        session.txn!.rollbackTo(name);
        session.failed = false;
        return result('ROLLBACK', [], [], 0);
      default:
        throw new SqlError(SQLSTATE.feature_not_supported, `${kind === 'TRANS_STMT_PREPARE' ? 'PREPARE TRANSACTION' : kind.replace('TRANS_STMT_', '').replace(/_/g, ' ')} is not supported`);
    }
  }

  /** End the session's block: log and publish it (commit), or drop it (rollback). */
  private async end(session: Session, outcome: 'commit' | 'rollback'): Promise<void> {
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
    session.reset();
    if (txn.base !== this.latest() && txn.records.length) {
      // replay published other transactions under the block (the node was a standby meanwhile):
      // committing its fork would silently drop them
      this.abort(txn);
      throw new SqlError(SQLSTATE.read_only_sql_transaction, 'cannot execute COMMIT in a read-only transaction', {
        detail: 'The node was a standby while the transaction was open; it was rolled back.',
      });
    }
    // a sequence the block created must exist before its advances replay, so they follow the records
    txn.records.push(...txn.sequenceWrites.splice(0));
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
    let release!: () => void;
    const previous = this.lockTail;
    this.lockTail = new Promise<void>((r) => (release = r));
    await previous;
    const txn = new OpenTxn(this.latest(), this.nextXid++, new Date(), release);
    this.epochOf.set(txn, this.visibility.epoch);
    return txn;
  }

  /** A block that can never write (begun during recovery): a snapshot, without the writer lock. */
  private snapshotBlock(): OpenTxn {
    return new OpenTxn(this.state, this.nextXid++, new Date(), () => {});
  }

  /** Roll back the session's block, if one is open. */
  rollback(session: Session): void {
    const txn = session.txn;
    session.reset();
    if (txn) this.abort(txn);
  }

  /** Log, publish and release; returns the commit's end LSN, or undefined when nothing was written. */
  private commit(txn: OpenTxn): Lsn | undefined {
    try {
      if (!txn.records.length && !txn.sequenceWrites.length) return undefined;
      // the node stopped being a writable primary while this transaction ran: it must not reach the WAL
      const hooks = this.options.hooks;
      if (hooks.readOnly()) {
        throw new SqlError(SQLSTATE.read_only_sql_transaction, 'cannot execute COMMIT in a read-only transaction', {
          detail: hooks.readOnlyDetail?.() ?? 'The node became a standby while the transaction was open; it was rolled back.',
        });
      }
      if (this.epochOf.get(txn) !== this.visibility.epoch) {
        throw new SqlError(SQLSTATE.data_corrupted, 'could not commit: a WAL write this transaction built on failed', { detail: 'The transaction was rolled back.' });
      }
      const { end } = this.wal.append([...txn.sequenceWrites, ...txn.records, { kind: 'commit', xid: txn.xid, time: Date.now() }]);
      // durable before visible: shown to readers, live queries and standbys once flushed (at once for 'off')
      if (txn.records.length) this.visibility.committed(end, txn.state, txn.tables);
      return end;
    } finally {
      txn.release();
    }
  }

  /** Roll back: only the sequence advances are logged, as PostgreSQL does not roll those back. */
  private abort(txn: OpenTxn): void {
    try {
      if (txn.sequenceWrites.length && !this.options.hooks.readOnly()) this.wal.append([...txn.sequenceWrites, { kind: 'abort', xid: txn.xid, time: Date.now() }]);
    } finally {
      txn.release();
    }
  }

  private async durable(end: Lsn): Promise<void> {
    const level = this.options.synchronousCommit;
    if (level === 'off') return;
    await this.wal.waitFlush(end);
    if (level !== 'local' && this.options.waitForStandbys) await this.options.waitForStandbys(end, level);
    this.options.acknowledge?.();
  }
}

function aborted(): SqlError {
  return new SqlError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
}

function noSavepoint(name: string): SqlError {
  return new SqlError(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`);
}
