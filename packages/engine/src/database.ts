/**
 * The database proper: the committed state, the WAL writer, one writer at a time, and the
 * transaction lifecycle (PostgreSQL's xact.c). A write statement or an open transaction works
 * on a fork of the committed state; COMMIT appends its records plus a commit record to the WAL,
 * publishes the fork, and waits for the durability `synchronousCommit` asks for.
 */
import { SqlError, SQLSTATE } from './errors.ts';
import type { ExecEnv, Field, NodeHooks, QueryResult, RunContext, WriteTxn } from './sql/env.ts';
import { PlanCache } from './sql/executor.ts';
import { parse, type ParsedStatement } from './sql/parse.ts';
import { TYPE_OID, type Value } from './sql/types.ts';
import { redo } from './state/redo.ts';
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

/** A transaction block opened by BEGIN or transaction(): it holds the writer lock until it ends. */
export class Session {
  txn?: OpenTxn;
  failed = false;
  /** The block was opened by a multi-statement exec(), not by BEGIN: it commits when the exec ends. */
  implicit = false;
}

class OpenTxn implements WriteTxn {
  readonly records: WalRecord[] = [];
  readonly sequenceWrites: WalRecord[] = [];
  readonly tables = new Set<number>();
  constructor(readonly state: DbState, readonly xid: number, readonly now: Date, readonly release: () => void) {}

  write(rec: WalRecord): void {
    redo(this.state, rec);
    this.records.push(rec);
    if ('table' in rec && typeof rec.table === 'number') this.tables.add(rec.table);
    else if (rec.kind === 'create_table') this.tables.add(rec.table.oid);
    else if (rec.kind === 'create_index') this.tables.add(rec.index.table);
  }
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

  private readonly visibility: CommitVisibility;
  private readonly epochOf = new WeakMap<OpenTxn, number>();

  constructor(public state: DbState, readonly wal: WalWriter, readonly options: DatabaseOptions) {
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

  /** Run every statement of `sql` (exec), or exactly one with parameters (query). */
  async run(sql: string, params: readonly Value[] | undefined, session: Session | undefined, single: boolean): Promise<QueryResult[]> {
    const statements = parse(sql);
    if (single && statements.length > 1) throw new SqlError(SQLSTATE.syntax_error, 'cannot insert multiple commands into a prepared statement');
    const results: QueryResult[] = [];
    // exec() without transaction(): statements between BEGIN and COMMIT share one session, and
    // like PostgreSQL's simple-query protocol, several statements outside BEGIN … COMMIT form an
    // implicit transaction block: all of them commit, or none does
    const s = session ?? new Session();
    const implicitBlock = !session && statements.length > 1;
    try {
      for (const st of statements) {
        if (implicitBlock && !s.txn && !('TransactionStmt' in st.stmt)) {
          s.txn = await this.begin();
          s.implicit = true;
        }
        results.push(await this.statement(st, params ?? [], s));
      }
      if (s.implicit && s.txn) await this.transactionStatement('TRANS_STMT_COMMIT', s);
    } finally {
      if (!session && s.txn) this.rollback(s);
    }
    return results;
  }

  private async statement(st: ParsedStatement, params: readonly Value[], session: Session): Promise<QueryResult> {
    const stmt = st.stmt;
    if ('TransactionStmt' in stmt) return this.transactionStatement(stmt.TransactionStmt.kind ?? '', session);
    if (session.failed) {
      throw new SqlError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    try {
      return await this.execute(st, params, session);
    } catch (e) {
      if (session.txn) session.failed = true;
      throw e;
    }
  }

  private async execute(st: ParsedStatement, params: readonly Value[], session: Session): Promise<QueryResult> {
    const hooks = this.options.hooks;
    const open = session.txn;
    const readState = open ? open.state : this.state;
    const plan = this.plans.get(st.text, st.stmt, readState, hooks);
    if (plan.writes && hooks.readOnly()) {
      throw new SqlError(SQLSTATE.read_only_sql_transaction, `cannot execute ${plan.command} in a read-only transaction`, { detail: hooks.readOnlyDetail?.() });
    }
    if (!plan.writes) {
      const env: ExecEnv = { state: readState, txn: open, hooks, sequenceWrites: [] };
      const ctx: RunContext = { params, now: open?.now ?? new Date(), env };
      const out = plan.run(ctx);
      if (env.sequenceWrites.length) {
        if (open) open.sequenceWrites.push(...env.sequenceWrites);
        else if (!hooks.readOnly()) await this.durable(this.wal.append([...env.sequenceWrites, { kind: 'commit', xid: this.nextXid++, time: Date.now() }]).end);
      }
      return result(plan.command, plan.columns, out.rows, out.rowCount);
    }
    if (open) {
      const env: ExecEnv = { state: open.state, txn: open, hooks, sequenceWrites: [] };
      try {
        const out = plan.run({ params, now: open.now, env });
        return result(plan.command, plan.columns, out.rows, out.rowCount);
      } finally {
        open.sequenceWrites.push(...env.sequenceWrites);
      }
    }
    // autocommit: a one-statement transaction
    const txn = await this.begin();
    const env: ExecEnv = { state: txn.state, txn, hooks, sequenceWrites: [] };
    let out: { rows: Value[][]; rowCount: number };
    try {
      // the plan was made against the committed state; a DDL commit while waiting for the lock invalidates it
      const current = txn.state.catalogVersion === readState.catalogVersion ? plan : this.plans.get(st.text, st.stmt, txn.state, hooks);
      out = current.run({ params, now: txn.now, env });
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

  private async transactionStatement(kind: string, session: Session): Promise<QueryResult> {
    switch (kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        // PostgreSQL only warns "there is already a transaction in progress"
        if (!session.txn) session.txn = await this.begin();
        session.implicit = false;
        return result('BEGIN', [], [], 0);
      case 'TRANS_STMT_COMMIT': {
        if (!session.txn) return result('COMMIT', [], [], 0);
        if (session.failed) {
          this.rollback(session);
          return result('ROLLBACK', [], [], 0);
        }
        const end = this.commit(session.txn);
        session.txn = undefined;
        session.implicit = false;
        if (end !== undefined) await this.durable(end);
        return result('COMMIT', [], [], 0);
      }
      case 'TRANS_STMT_ROLLBACK':
        this.rollback(session);
        return result('ROLLBACK', [], [], 0);
      default:
        throw new SqlError(SQLSTATE.feature_not_supported, `${kind.replace('TRANS_STMT_', '')} is not supported`);
    }
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
    const txn = new OpenTxn(this.latest().fork(), this.nextXid++, new Date(), release);
    this.epochOf.set(txn, this.visibility.epoch);
    return txn;
  }

  rollback(session: Session): void {
    if (session.txn) this.abort(session.txn);
    session.txn = undefined;
    session.failed = false;
    session.implicit = false;
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

function result(command: string, columns: { name: string; type: keyof typeof TYPE_OID }[], rows: Value[][], rowCount: number): QueryResult {
  const fields: Field[] = columns.map((c) => ({ name: c.name, dataTypeID: TYPE_OID[c.type], type: c.type }));
  const objects = rows.map((r) => {
    const o: Record<string, Value> = {};
    for (let i = 0; i < fields.length; i++) o[fields[i]!.name] = r[i];
    return o;
  });
  return { rows: objects, fields, rowCount, command };
}
