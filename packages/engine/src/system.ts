/**
 * The SQL face of the node: functions that report or change its replication state
 * (pg_is_in_recovery, pg_current_wal_lsn, pg_create_physical_replication_slot, pg_promote, …) and
 * the system views (information_schema, pg_stat_replication, …) the planner can read.
 */
import { INFORMATION_SCHEMA } from './catalog/views.ts';
import { PG_CATALOG_VIEWS } from './catalog/pg-views.ts';
import { SqlError, SQLSTATE } from './errors.ts';
import type { NodeCore } from './replication/replication.ts';
import { replicationViews, type ReplicationSource } from './replication/views.ts';
import type { ExecEnv, NodeHooks, VirtualTable } from './sql/env.ts';
import type { SqlType, Value } from './sql/types.ts';
import { formatLsn } from './wal/lsn.ts';
import type { LogicalReplication } from './logical/logical.ts';
import { logicalFunctions } from './logical/functions.ts';
import { logicalViews } from './logical/views.ts';

interface SystemFunction {
  type: SqlType;
  fn: (args: Value[], env: ExecEnv) => Value;
}

export interface SystemActions {
  /** pg_promote(): start promotion; the SQL call returns true once it is under way. */
  promote(): void;
}

export function nodeHooks(
  node: () => NodeCore,
  replication: () => ReplicationSource,
  actions: SystemActions,
  logical: () => LogicalReplication | undefined = () => undefined,
  extraViews: () => Record<string, VirtualTable> = () => ({}),
): NodeHooks {
  const inRecovery = () => node().control.role === 'standby';
  const walFailed = () => node().wal.failed && `WAL writes are failing (${node().wal.failed!.message}); writes resume once storage accepts them again`;
  // the lease is judged at the moment a write is accepted, by the monotonic clock, not only by the timer
  const readOnly = () => inRecovery() || node().control.fenced !== undefined || node().wal.failed !== undefined || node().leaseLost() !== undefined;
  const requireLogical = (): LogicalReplication => {
    const l = logical();
    if (!l) throw new SqlError(SQLSTATE.feature_not_supported, 'logical replication is not available on this node');
    return l;
  };
  const notInRecovery = (): never => {
    throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'recovery is in progress', { hint: 'WAL control functions cannot be executed during recovery.' });
  };
  const functions: Record<string, SystemFunction> = {
    pg_is_in_recovery: { type: 'bool', fn: inRecovery },
    pg_current_wal_lsn: { type: 'text', fn: () => (inRecovery() ? notInRecovery() : formatLsn(node().wal.insertLsn)) },
    pg_current_wal_insert_lsn: { type: 'text', fn: () => (inRecovery() ? notInRecovery() : formatLsn(node().wal.insertLsn)) },
    pg_current_wal_flush_lsn: { type: 'text', fn: () => (inRecovery() ? notInRecovery() : formatLsn(node().wal.flushLsn)) },
    pg_last_wal_receive_lsn: { type: 'text', fn: () => (inRecovery() ? formatLsn(node().wal.flushLsn) : null) },
    pg_last_wal_replay_lsn: { type: 'text', fn: () => (inRecovery() ? formatLsn(node().control.replayer.replayLsn) : null) },
    pg_control_system: { type: 'text', fn: () => node().control.file?.systemId ?? null },
    pg_create_physical_replication_slot: {
      type: 'text',
      fn: (args) => {
        const name = String(args[0]);
        // immediately_reserve (default false): without it restart_lsn stays NULL until a standby connects
        node().slots.create(name, args[1] === true ? node().wal.insertLsn : null);
        return name;
      },
    },
    pg_drop_replication_slot: {
      type: 'text',
      fn: (args) => {
        const name = String(args[0]);
        if (node().slots.get(name)?.logical) requireLogical().dropSlot(name);
        else node().slots.drop(name);
        return '';
      },
    },
    ...logicalFunctions(requireLogical),
    pg_promote: {
      type: 'bool',
      fn: () => {
        if (!inRecovery()) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'recovery is not in progress', { hint: 'Recovery control functions can only be executed during recovery.' });
        actions.promote();
        return true;
      },
    },
    version: { type: 'text', fn: () => 'walrtc 0.1.0 (PostgreSQL 18 dialect)' },
  };
  let views: Record<string, VirtualTable> | undefined;
  return {
    readOnly,
    readOnlyDetail: () => {
      const reason = inRecovery() ? undefined : (walFailed() || node().control.fenced || node().leaseLost());
      return reason && `${reason[0]!.toUpperCase()}${reason.slice(1)}.`;
    },
    systemView: (schema, name) => {
      if (schema === 'information_schema') return INFORMATION_SCHEMA[name];
      if (schema !== undefined && schema !== 'pg_catalog') return undefined;
      views ??= { ...replicationViews(replication()), ...logicalViews(logical, () => node().control.file?.systemId ?? null), ...extraViews(), ...PG_CATALOG_VIEWS };
      return views[name];
    },
    systemFunction: (name) => functions[name]?.fn,
    systemFunctionType: (name) => functions[name]?.type,
  };
}
