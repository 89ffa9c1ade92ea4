/**
 * What a statement runs against. Plans are compiled once per (SQL text, catalog version) and run
 * many times; each run gets an ExecEnv naming the state it reads (the committed state, or the
 * open transaction's fork) and, for writes, the transaction that logs its WAL records.
 */
import type { SubscriptionHooks } from '../logical/subscription.ts';
import type { DbState } from '../state/state.ts';
import type { WalRecord } from '../wal/record.ts';
import type { EvalContext } from './scope.ts';
import type { SqlType, Value } from './types.ts';

export interface WriteTxn {
  readonly state: DbState;
  /** Apply a record to the transaction's state and keep it for the commit's WAL batch. */
  write(rec: WalRecord): void;
  /** Run `check` against the transaction's final state just before COMMIT (deferred constraints). */
  defer?(check: (state: DbState) => void): void;
}

/** Node-level functions and views (replication status, WAL positions) the SQL layer exposes. */
export interface NodeHooks {
  /** Why writes are refused right now (a hot standby), or undefined when they are allowed. */
  readOnly(): boolean;
  /** Why, when it is not simply recovery: shown as the error's detail (a fenced primary, a switchover). */
  readOnlyDetail?(): string | undefined;
  systemView(schema: string | undefined, name: string): VirtualTable | undefined;
  systemFunction(name: string): ((args: Value[], env: ExecEnv) => Value) | undefined;
  systemFunctionType(name: string): SqlType | undefined;
  /** Logical replication (subscriptions): absent where the node offers none. */
  logical?: SubscriptionHooks;
}

export interface VirtualTable {
  columns: { name: string; type: SqlType }[];
  rows(env: ExecEnv): Value[][];
}

export interface ExecEnv {
  state: DbState;
  txn?: WriteTxn;
  hooks: NodeHooks;
  /** Sequence advances made by this statement: logged even if the transaction rolls back. */
  sequenceWrites: WalRecord[];
  /** The session's currval of each sequence (by oid) and the one lastval reads. */
  sequences?: { values: Map<number, number | bigint>; last?: number };
  /** The session's run-time parameters (set_config, current_setting); absent outside a session. */
  parameters?: SessionParameters;
}

export interface SessionParameters {
  current(name: string, missingOk: boolean): string | null;
  set(name: string, value: string | null, local: boolean): string;
}

/** The evaluation context compiled closures receive; node functions reach the env through it. */
export interface RunContext extends EvalContext {
  env: ExecEnv;
}

export interface Field {
  name: string;
  dataTypeID: number;
  type: SqlType;
  /** The type's name when it is one of the database's own (an enum, a table's row type): its OID is only meaningful here. */
  typeName?: string;
}

export interface QueryResult<R = Record<string, Value>> {
  rows: R[];
  fields: Field[];
  rowCount: number;
  command: string;
  /** Rows changed by INSERT/UPDATE/DELETE, as PGlite counts them (in exec(), summed over the statements so far). */
  affectedRows?: number;
  /** Set when the statement was queued as an offline write (offline/): `verdict` resolves with the primary's answer. */
  pending?: PendingWrite;
}

/** The handle of a queued offline write. */
export interface PendingWrite {
  origin: string;
  seq: number;
  /** Resolves once the primary applied it and this node replayed it, or once it was rejected. Absent across a worker. */
  verdict?: Promise<Verdict>;
}

export type Verdict =
  | { status: 'applied'; origin: string; seq: number; commitLsn: string }
  | { status: 'rejected'; origin: string; seq: number; code: string; message: string; detail?: string };
