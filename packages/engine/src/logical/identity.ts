/**
 * wal_level = logical, walrtc's way: once a publication exists, UPDATE and DELETE records carry
 * the row as it was (`old`), so a decoder can tell a subscriber which row changed without the
 * publisher's history; a published table without a primary key refuses them, as PostgreSQL does.
 */
import type { DbState } from '../state/state.ts';
import type { WalRecord } from '../wal/record.ts';
import { checkReplicaIdentity } from './publication.ts';

type RowChange = Extract<WalRecord, { kind: 'update' | 'delete' }>;

export function withReplicaIdentity(state: DbState, rec: RowChange): RowChange {
  if (rec.old || !state.tableNames.has('pg_publication')) return rec;
  checkReplicaIdentity(state, rec.table, rec.kind);
  const old = state.tables.get(rec.table)?.rows.get(rec.rowid);
  return old ? { ...rec, old } : rec;
}
