/**
 * Catalog definitions: what a table, column, index and sequence are. These objects travel inside
 * WAL records and checkpoints, so they are plain data (defaults and checks are kept as parsed
 * libpg-query expression nodes, recompiled where they are used).
 */
import type { Node } from '@pgsql/types';
import type { SqlType, Value } from '../sql/types.ts';

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
  /** GENERATED ALWAYS ('a') or BY DEFAULT ('d') AS IDENTITY: its default is its sequence's nextval. */
  identity?: 'a' | 'd';
  /** GENERATED ALWAYS AS (expr) STORED: computed from the row's other columns on every write. */
  generated?: Node;
  /** Inherited from a parent and not defined locally (PostgreSQL's attislocal false): dropped with the parents' column. */
  notLocal?: boolean;
  /** A column of a domain type (CREATE DOMAIN): `type` is its base type, the domain's constraints are checked on write. */
  domain?: Oid;
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
  /** A system catalog (pg_publication, pg_subscription, …): hidden from information_schema, never published. */
  system?: boolean;
  /**
   * Set for a view (CREATE VIEW): a relation without rows whose FROM-clause use runs `query` (a
   * SelectStmt node), resolved afresh each time; `dependsOn` are the relations it names, which
   * cannot be dropped or renamed under it (sql/view/); `checkOption`: WITH [LOCAL | CASCADED] CHECK OPTION.
   */
  view?: { query: Node; dependsOn: Oid[]; checkOption?: 'local' | 'cascaded' };
  /** A temporary table's ON COMMIT DELETE ROWS | DROP (sql/temp-tables.ts; never in the WAL). */
  onCommit?: 'delete' | 'drop';
  /** INHERITS parents, in order (sql/inherit/); a partition's one parent is its partitioned table. */
  inherits?: Oid[];
  /** PARTITION BY: a partitioned table, which holds no rows itself (sql/partition/). */
  partitionKey?: PartitionKey;
  /** FOR VALUES …: this partition's bound within its parent's key (sql/partition/). */
  partitionBound?: PartitionBound;
  /** The pg_type OID of the table's row type (PostgreSQL's reltype); absent in definitions written before row types had one. */
  rowType?: Oid;
  /** Storage parameters as pg_class.reloptions keeps them (`fillfactor=50`): checked, not honoured (sql/storage/reloptions.ts). */
  options?: string[];
  /** Dropped columns, whose attnums PostgreSQL never reuses (catalog/comments.ts attnums), with the typmod pg_attribute keeps; absent until a DROP COLUMN. */
  dropped?: { attnum: number; typmod: number }[];
  /** An index was ever created on it: PostgreSQL's relhasindex, which DROP INDEX leaves set. */
  hasIndex?: true;
}

export interface PartitionKey {
  strategy: 'range' | 'list' | 'hash';
  /** Per key column: a column name, or an expression over the table's columns (`expr`), with its type. */
  keys: { column?: string; expr?: Node; text: string; type: SqlType }[];
}

/** A RANGE bound datum: a value, or MINVALUE / MAXVALUE. */
export type RangeDatum = { value: Value } | 'minvalue' | 'maxvalue';

export type PartitionBound =
  | { kind: 'default' }
  | { kind: 'list'; values: Value[] }
  | { kind: 'range'; from: RangeDatum[]; to: RangeDatum[] }
  | { kind: 'hash'; modulus: number; remainder: number };

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
  /**
   * An expression index: per key column, the expression (its ColumnRefs bare column names), or
   * null for a plain column; `columns` then holds the expression as PostgreSQL prints it in a key
   * (`lower(email)`, `(b + 1)`). Absent when every key column is plain.
   */
  exprs?: (Node | null)[];
  /** A partial index (CREATE INDEX … WHERE): only rows for which it is true have entries. */
  where?: Node;
}

/** CREATE TYPE … AS ENUM: labels in their sort order (ADD VALUE BEFORE/AFTER inserts in place). */
export interface EnumDef {
  oid: Oid;
  name: string;
  labels: string[];
}

/** CREATE TYPE … AS (…) (sql/composite/): named, typed attributes, the same shape a table's row type has. */
export interface CompositeDef {
  oid: Oid;
  name: string;
  attributes: AttributeDef[];
  /** The pg_type OID of its array type (`pair[]`). */
  arrayOid: Oid;
}

/** An attribute of a composite type: its type as a column's is spelled (a domain's base type, `domain` naming the domain). */
export interface AttributeDef {
  name: string;
  type: SqlType;
  typmod: number;
  domain?: Oid;
}

/** A user-defined type of CREATE TYPE: an enum or a composite. */
export type TypeDef = EnumDef | CompositeDef;

/** CREATE DOMAIN (sql/types/domain.ts): a base type with NOT NULL and CHECK constraints over VALUE. */
export interface DomainDef {
  oid: Oid;
  name: string;
  base: SqlType;
  typmod: number;
  notNull: boolean;
  /** DEFAULT, copied into the columns declared with the domain (that have none of their own). */
  default?: Node;
  checks: CheckDef[];
}

/** A parameter of a CREATE FUNCTION/PROCEDURE: mode is pg_proc.proargmodes' letter (in, out, inout, variadic). */
export interface FunctionParam {
  name?: string;
  type: SqlType;
  mode: 'i' | 'o' | 'b' | 'v';
  /** DEFAULT expression (a parsed node), evaluated at each call that omits the argument. */
  default?: Node;
}

/**
 * CREATE FUNCTION/PROCEDURE … LANGUAGE sql (sql/function/): the body is kept as parsed statements
 * and planned afresh where the function is called, as PostgreSQL plans a SQL function at its first call.
 */
export interface FunctionDef {
  oid: Oid;
  name: string;
  kind: 'f' | 'p';
  params: FunctionParam[];
  /** The result type (void for a procedure); `record` with `columns` for OUT parameters / RETURNS TABLE. */
  returns: SqlType | 'void';
  /** RETURNS SETOF … / RETURNS TABLE: called in FROM, one row per row of the last statement. */
  setof: boolean;
  columns?: { name: string; type: SqlType }[];
  body: Node[];
  strict: boolean;
  volatility: 'i' | 's' | 'v';
}

export interface SequenceDef {
  oid: Oid;
  name: string;
  /** Column that owns it (serial), dropped with the table. */
  ownedBy?: { table: Oid; column: string };
  /**
   * CREATE SEQUENCE's options (sql/sequence/options.ts gives the defaults of an absent one, which
   * are PostgreSQL's for an ascending bigint sequence — what sequences made before them were).
   */
  type?: 'int2' | 'int4' | 'int8';
  increment?: number | bigint;
  min?: number | bigint;
  max?: number | bigint;
  start?: number | bigint;
  cache?: number | bigint;
  cycle?: boolean;
}
