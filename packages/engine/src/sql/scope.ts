/**
 * The seam between the planner (which knows tables, joins and grouping) and the expression
 * compiler (which knows operators, functions and casts). The planner hands compileExpr a Scope;
 * compileExpr turns a libpg-query AST node into a closure over a flat row of values.
 */
import type { Node, SelectStmt } from '@pgsql/types';
import type { SqlType, Value } from './types.ts';

/** Where a value lives in the flat row an Evaluator receives, and its SQL type. */
export interface Slot {
  index: number;
  type: SqlType;
}

/** A FROM item's row for a whole-row reference (sql/row-expr.ts). */
export interface WholeRow {
  slots: Slot[];
  names: string[];
  /** An outer join may fill the item with NULLs; `marker`, a NOT NULL column's slot, is NULL exactly then. */
  nullable?: boolean;
  marker?: number;
  /** The table's row type, when the item is a table (not a join, sub-select or function). */
  rowType?: RowTypeRef;
}

export interface EvalContext {
  /** `$1` is params[0]. */
  params: readonly Value[];
  /** The transaction's start time: now(), current_timestamp and DEFAULT now() all return it. */
  now: Date;
  /** The statement's start (statement_timestamp()) inside a transaction block; absent: `now`. */
  statementNow?: Date;
}

export type Evaluator = (row: readonly Value[], ctx: EvalContext) => Value;

export interface Compiled {
  type: SqlType;
  eval: Evaluator;
  /** A whole-row reference to a table (sql/row-expr.ts): the table's row type, reported instead of `record`. */
  rowType?: RowTypeRef;
}

/** A table's row type as results and pg_typeof name it: its pg_type OID and the table's name. */
export interface RowTypeRef { oid: number; name: string }

export interface Scope {
  /**
   * Resolve a column reference (`['id']`, `['t', 'id']`). Throws SqlError 42703
   * (`column "x" does not exist`), 42702 (ambiguous) or 42P01 (missing FROM-clause entry).
   */
  column(fields: readonly string[], location?: number): Slot;
  /**
   * Consulted before compiling any node: when the whole node was computed earlier (a GROUP BY key,
   * an aggregate's result) the planner returns its slot. Absent outside grouped queries.
   */
  precomputed?(node: Node): Slot | undefined;
  /** The `tableoid` a reference reads when it is one constant (sql/tableoid.ts). */
  tableOid?(fields: readonly string[]): number | undefined;
  /**
   * Plan a sub-SELECT (IN (SELECT …), EXISTS, scalar subquery). The returned function runs it for
   * one outer row (correlated references resolve against `outer`) and returns its rows as arrays.
   */
  subquery(stmt: SelectStmt, location?: number): { columns: SqlType[]; rowType?: RowTypeRef; run: (outer: readonly Value[], ctx: EvalContext) => Value[][] };
  /** The columns of FROM item `alias` (here or in an enclosing query), for a whole-row reference. */
  wholeRow?(alias: string, location?: number): WholeRow | undefined;
  /** Whether a column name resolves in an enclosing query rather than this one (absent: never). */
  isOuter?(fields: readonly string[]): boolean;
  /** Name of the clause being compiled, for errors such as `aggregate functions are not allowed in WHERE`. */
  clause?: string;
  /** Declared type of `$n` when the planner knows it (e.g. the target column of INSERT … VALUES ($1)). */
  paramType?(n: number): SqlType | undefined;
  /**
   * Functions the node provides (nextval, pg_current_wal_lsn, pg_is_in_recovery, …), consulted
   * before the built-in ones: returns undefined when the name is not one of them.
   */
  callFunction?(name: string, args: Compiled[], location?: number): Compiled | undefined;
}
