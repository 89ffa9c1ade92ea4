/**
 * WAL record types: the one discriminated union every change to a node's state goes through.
 * A transaction's records are written together and end with its commit record; replay applies
 * them to a private copy and publishes it only at the commit, so nobody sees half a transaction.
 */
import type { ColumnDef, DomainDef, TypeDef, FunctionDef, IndexDef, Oid, SequenceDef, TableDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { Lsn } from './lsn.ts';

export type RowId = number;

export type WalRecord =
  // DDL
  | { kind: 'create_table'; table: TableDef }
  | { kind: 'drop_table'; table: Oid }
  | { kind: 'rename_table'; table: Oid; name: string }
  | { kind: 'add_column'; table: Oid; column: ColumnDef; fill: Value }
  | { kind: 'drop_column'; table: Oid; column: string }
  | { kind: 'rename_column'; table: Oid; column: string; name: string }
  // constraints (CHECK, FOREIGN KEY) added or dropped: the table's definition with rows unchanged
  | { kind: 'alter_table_def'; table: TableDef }
  // ALTER COLUMN … TYPE: the new definition and every row as rewritten (replay applies the result, not the casts)
  | { kind: 'rewrite_table'; table: TableDef; rows: [RowId, Value[]][] }
  | { kind: 'create_index'; index: IndexDef }
  | { kind: 'drop_index'; index: Oid }
  // ALTER INDEX … RENAME, RENAME CONSTRAINT of a UNIQUE/PRIMARY KEY, SET SCHEMA of its table: the new catalog key
  | { kind: 'rename_index'; index: Oid; name: string }
  | { kind: 'create_sequence'; sequence: SequenceDef }
  | { kind: 'drop_sequence'; sequence: Oid }
  // CREATE TYPE … AS ENUM, and ALTER TYPE … ADD VALUE (the whole new definition, same oid)
  | { kind: 'create_type'; type: TypeDef }
  | { kind: 'drop_type'; type: Oid }
  // CREATE [OR REPLACE] FUNCTION/PROCEDURE (the whole definition, same oid when replaced), DROP FUNCTION
  | { kind: 'create_function'; function: FunctionDef }
  | { kind: 'drop_function'; function: Oid }
  // CREATE DOMAIN and ALTER DOMAIN (the whole new definition, same oid), DROP DOMAIN
  | { kind: 'create_domain'; domain: DomainDef }
  | { kind: 'drop_domain'; domain: Oid }
  /** CREATE SCHEMA / DROP SCHEMA (sql/schema/): the schema's objects are dropped by records of their own first. */
  | { kind: 'create_schema'; name: string; oid?: Oid }
  | { kind: 'drop_schema'; name: string }
  // COMMENT ON … IS (catalog/comments.ts): the described object as pg_description names it; null removes the comment
  | { kind: 'comment'; classoid: Oid; objoid: Oid; subid: number; text: string | null }
  // sequences advance outside transactions, as in PostgreSQL: the record survives a rollback
  // `version` (when present) orders a sequence's changes: the WAL may hold them out of order
  // (a block logs its advances at COMMIT), and replay applies only a newer one
  | { kind: 'sequence_set'; sequence: Oid; value: number | bigint; version?: number }
  // ALTER SEQUENCE: the new definition, and the counter as it was then (its earlier advances may follow in the WAL)
  | { kind: 'alter_sequence'; sequence: SequenceDef; value: number | bigint; called: boolean; version: number }
  // setval, RESTART, a CYCLE wrap: the counter set to exactly this, whichever direction it moves
  | { kind: 'sequence_reset'; sequence: Oid; value: number | bigint; called: boolean; version: number }
  // rows
  | { kind: 'insert'; table: Oid; rowid: RowId; row: Value[] }
  // `old`: the row before the change, logged once a publication exists (logical decoding's replica identity)
  | { kind: 'update'; table: Oid; rowid: RowId; row: Value[]; old?: Value[] }
  | { kind: 'delete'; table: Oid; rowid: RowId; old?: Value[] }
  // TRUNCATE: every row of the table
  | { kind: 'truncate'; table: Oid }
  // NOTIFY / pg_notify: delivered to listeners when (and only if) the transaction commits, on standbys too
  | { kind: 'notify'; channel: string; payload: string }
  // transaction end
  | { kind: 'commit'; xid: number; time: number }
  | { kind: 'abort'; xid: number; time: number }
  // control
  | { kind: 'checkpoint'; redo: Lsn; timeline: number }
  | { kind: 'timeline_switch'; timeline: number; parent: number; switchLsn: Lsn }
  | { kind: 'membership'; nodeId: string; action: 'join' | 'leave' };

export type WalKind = WalRecord['kind'];

/** A record with its place in the WAL. `end` is where the next record starts. */
export interface PositionedRecord {
  lsn: Lsn;
  end: Lsn;
  record: WalRecord;
}

/** Records that end a transaction: replay publishes (commit) or discards (abort) the pending state. */
export function endsTransaction(r: WalRecord): r is Extract<WalRecord, { kind: 'commit' | 'abort' }> {
  return r.kind === 'commit' || r.kind === 'abort';
}
