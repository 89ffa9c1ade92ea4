/**
 * Catalog definitions: what a table, column, index and sequence are. These objects travel inside
 * WAL records and checkpoints, so they are plain data (defaults and checks are kept as parsed
 * libpg-query expression nodes, recompiled where they are used).
 */
import type { Node } from '@pgsql/types';
import type { SqlType } from '../sql/types.ts';

export type Oid = number;

export interface ColumnDef {
  name: string;
  type: SqlType;
  /** PostgreSQL's type modifier: varchar(n) → n + 4, numeric(p,s) → ((p << 16) | s) + 4, else -1. */
  typmod: number;
  notNull: boolean;
  /** DEFAULT expression as a parsed node; serial columns get nextval('<seq>'). */
  default?: Node;
  /** Source text of the DEFAULT, for information_schema.columns.column_default. */
  defaultText?: string;
}

export interface CheckDef {
  name: string;
  expr: Node;
  /** Added NOT VALID: rows written since are checked, older rows not until VALIDATE CONSTRAINT. */
  notValid?: boolean;
}

/** PostgreSQL's confupdtype/confdeltype letters: no action, restrict, cascade, set null, set default. */
export type ForeignKeyAction = 'a' | 'r' | 'c' | 'n' | 'd';

export interface ForeignKeyDef {
  name: string;
  /** Referencing columns of this table, in key order. */
  columns: string[];
  refTable: Oid;
  /** Referenced columns (a primary key or unique constraint of refTable), in the same order. */
  refColumns: string[];
  onDelete: ForeignKeyAction;
  onUpdate: ForeignKeyAction;
  /** MATCH FULL: all key columns NULL or none; MATCH SIMPLE (false): any NULL skips the check. */
  matchFull: boolean;
  /** DEFERRABLE INITIALLY DEFERRED: checked at COMMIT instead of at the end of each statement. */
  deferred?: boolean;
  /** Added NOT VALID: rows written since are checked, older rows not until VALIDATE CONSTRAINT. */
  notValid?: boolean;
}

export interface TableDef {
  oid: Oid;
  name: string;
  columns: ColumnDef[];
  checks: CheckDef[];
  /** Absent in definitions written before foreign keys existed. */
  foreignKeys?: ForeignKeyDef[];
}

export interface IndexDef {
  oid: Oid;
  name: string;
  table: Oid;
  columns: string[];
  unique: boolean;
  /** The index behind PRIMARY KEY: its columns are also NOT NULL. */
  primary: boolean;
  /** Created by a UNIQUE/PRIMARY KEY constraint (dropped with it; DROP INDEX refuses it). */
  constraint: boolean;
}

/** CREATE TYPE … AS ENUM: labels in their sort order (ADD VALUE BEFORE/AFTER inserts in place). */
export interface EnumDef {
  oid: Oid;
  name: string;
  labels: string[];
}

export interface SequenceDef {
  oid: Oid;
  name: string;
  /** Column that owns it (serial), dropped with the table. */
  ownedBy?: { table: Oid; column: string };
}
