/**
 * A session's transaction state, as PostgreSQL's xact.c keeps it per backend: the open block (if
 * any), whether it failed, whether it is the implicit block of a multi-statement exec(), its
 * characteristics (READ ONLY, isolation level), and the notices its statements raised. The
 * Database drives it statement by statement; a Node owns exactly one.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { PendingStatement } from '../storage/storage.ts';
import type { OpenTxn } from './transaction.ts';
import type { AutocommitSteps } from './statement-outcome.ts';
import { Listens } from './listen.ts';
import { Settings } from './settings.ts';
import { TempSpace } from '../sql/temp-tables.ts';
import { Cursors } from './cursors.ts';
import type { SessionParameters } from '../sql/env.ts';

/** A PostgreSQL notice (WARNING, NOTICE), delivered the way PGlite delivers them: to `onNotice`. */
export interface Notice {
  severity: 'WARNING' | 'NOTICE';
  code: string;
  message: string;
}

export type Isolation = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

/** 'I' idle, 'T' in a block, 'E' in a failed block: PostgreSQL's ReadyForQuery status. */
export type TransactionStatus = 'I' | 'T' | 'E';

export class Session {
  txn?: OpenTxn;
  failed = false;
  /** The block was opened by a multi-statement exec(), not by BEGIN: it ends with the exec. */
  implicit = false;
  readOnly = false;
  /** The block began while the node was a hot standby: read-only for good. */
  recovery = false;
  isolation: Isolation = 'read committed';
  /** DEFERRABLE: only SHOW reads it (a SERIALIZABLE READ ONLY block never waits here). */
  deferrable = false;
  /** A query ran in this block: its isolation level and read-write mode are fixed now. */
  queried = false;
  notices: Notice[] = [];
  /** An offline write block (offline/): the statements that succeeded so far, queued at COMMIT. */
  offline?: PendingStatement[];
  /** This call reads the replicated state only, not the node's pending offline writes. */
  confirmed = false;
  /** The steps an autocommit statement's Committing runs for this session (statement-outcome.ts), made at its first. */
  autocommitSteps: AutocommitSteps | undefined;
  /** What currval and lastval return: this session's own nextval results. */
  readonly sequences: { values: Map<number, number | bigint>; last?: number } = { values: new Map() };
  /** SET/SHOW parameters: they outlive blocks, as a PostgreSQL backend's do. */
  readonly settings = new Settings();
  /** What set_config and current_setting reach through a statement's ExecEnv. */
  readonly parameters: SessionParameters = {
    current: (name, missingOk) => this.settings.currentSetting(name, missingOk, this),
    set: (name, value, local) => this.settings.setConfig(name, value, local),
  };
  /** LISTEN channels (listen.ts): they outlive blocks too. */
  readonly listens = new Listens();
  /** Temporary tables: this session's alone, gone with it (sql/temp-tables.ts). */
  readonly temp = new TempSpace();
  /** DECLARE'd cursors (cursors.ts): WITH HOLD ones outlive blocks. */
  readonly cursors = new Cursors();

  get status(): TransactionStatus {
    if (!this.txn || this.implicit) return 'I';
    return this.failed ? 'E' : 'T';
  }

  warn(code: string, message: string): void {
    this.notices.push({ severity: 'WARNING', code, message });
  }

  /** Forget the block (it was committed or rolled back). */
  reset(): void {
    this.txn = undefined;
    this.failed = false;
    this.implicit = false;
    this.readOnly = false;
    this.recovery = false;
    this.isolation = 'read committed';
    this.deferrable = false;
    this.queried = false;
    this.offline = undefined;
    this.settings.end(false);
    this.listens.forget();
    this.cursors.forget();
  }

  /** A block begins with the session's default_transaction_isolation and _deferrable (BEGIN's options then apply). */
  useDefaults(): void {
    this.isolation = this.settings.show('default_transaction_isolation', this).value as Isolation;
    this.deferrable = this.settings.show('default_transaction_deferrable', this).value === 'on';
  }

  /** Apply BEGIN's or SET TRANSACTION's options (a list of DefElem). */
  setCharacteristics(options: readonly Node[] | undefined): void {
    if (this.recovery) this.readOnly = true;
    for (const o of options ?? []) {
      if (!('DefElem' in o)) continue;
      const { defname, arg } = o.DefElem;
      const value = arg && 'A_Const' in arg ? arg.A_Const : undefined;
      if (defname === 'transaction_read_only') {
        const readOnly = (value?.ival?.ival ?? 0) !== 0;
        if (!readOnly && this.recovery) throw new SqlError(SQLSTATE.feature_not_supported, 'cannot set transaction read-write mode during recovery');
        if (!readOnly && this.readOnly && this.queried) {
          throw new SqlError(SQLSTATE.active_sql_transaction, 'transaction read-write mode must be set before any query');
        }
        this.readOnly = readOnly;
      } else if (defname === 'transaction_isolation') {
        const level = value?.sval?.sval as Isolation | undefined;
        if (this.queried && level !== this.isolation) {
          throw new SqlError(SQLSTATE.active_sql_transaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
        }
        // one writer at a time, and a block works on its own snapshot from BEGIN on: every
        // level PostgreSQL offers is honoured (blocks never interleave their writes)
        if (level) this.isolation = level;
      } else if (defname === 'transaction_deferrable') {
        const deferrable = (value?.ival?.ival ?? 0) !== 0;
        if (this.queried && deferrable !== this.deferrable) {
          throw new SqlError(SQLSTATE.active_sql_transaction, 'SET TRANSACTION [NOT] DEFERRABLE must be called before any query');
        }
        this.deferrable = deferrable;
      }
    }
  }
}
