/**
 * The logical replication views and functions, PostgreSQL's names and columns:
 * pg_publication_tables, pg_stat_subscription, pg_stat_subscription_stats, pg_control_system(),
 * pg_create_logical_replication_slot(), pg_sync_replication_slots(). (pg_publication,
 * pg_subscription, pg_subscription_rel and pg_replication_origin_status are the catalogs
 * themselves; pg_replication_slots is in replication/views.ts.)
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import type { SqlType, Value } from '../sql/types.ts';
import { formatLsn } from '../wal/lsn.ts';
import { catalogRows, formatNameArray } from './catalog.ts';
import type { LogicalReplication } from './logical.ts';
import { publishedTables } from './publication.ts';

const col = (name: string, type: SqlType) => ({ name, type });
const view = (columns: { name: string; type: SqlType }[], rows: (env: ExecEnv) => Value[][]): VirtualTable => ({ columns, rows });

export function logicalViews(logical: () => LogicalReplication | undefined, systemId: () => string | null): Record<string, VirtualTable> {
  return {
    pg_publication_tables: view(
      [col('pubname', 'text'), col('schemaname', 'text'), col('tablename', 'text'), col('attnames', 'text'), col('rowfilter', 'text')],
      (env) => catalogRows(env.state, 'pg_publication').flatMap((p) => [...publishedTables(env.state, [p.pubname as string]).keys()].map((oid) => {
        const def = env.state.table(oid).def;
        return [p.pubname, 'public', def.name, formatNameArray(def.columns.map((c) => c.name)), null];
      })),
    ),
    pg_stat_subscription: view(
      [col('subid', 'int4'), col('subname', 'text'), col('worker_type', 'text'), col('pid', 'int4'), col('leader_pid', 'int4'), col('relid', 'int4'),
        col('received_lsn', 'text'), col('last_msg_send_time', 'timestamptz'), col('last_msg_receipt_time', 'timestamptz'), col('latest_end_lsn', 'text'),
        col('latest_end_time', 'timestamptz')],
      (env) => catalogRows(env.state, 'pg_subscription').map((s) => {
        const w = logical()?.workerStats(s.subname as string);
        if (!w) return [s.oid, s.subname, null, null, null, null, null, null, null, null, null];
        const lsn = (v: number | null) => (v === null ? null : formatLsn(v));
        return [s.oid, s.subname, 'apply', 1, null, null, lsn(w.receivedLsn), w.lastMsgSendTime, w.lastMsgReceiptTime, lsn(w.latestEndLsn), w.latestEndTime];
      }),
    ),
    pg_stat_subscription_stats: view(
      [col('subid', 'int4'), col('subname', 'text'), col('apply_error_count', 'int8'), col('sync_error_count', 'int8'), col('stats_reset', 'timestamptz')],
      (env) => catalogRows(env.state, 'pg_subscription').map((s) => {
        const st = logical()?.stats.get(s.oid as number);
        return [s.oid, s.subname, st?.applyErrorCount ?? 0, st?.syncErrorCount ?? 0, null];
      }),
    ),
    // a set-returning function in PostgreSQL: `select … from pg_control_system()` reads it as a one-row view
    pg_control_system: view(
      [col('pg_control_version', 'int4'), col('catalog_version_no', 'int4'), col('system_identifier', 'int8'), col('pg_control_last_modified', 'timestamptz')],
      () => [[1700, 202406281, systemIdValue(systemId()), null]],
    ),
  };
}

function systemIdValue(id: string | null): Value {
  if (id === null) return null;
  const n = BigInt(id);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}
