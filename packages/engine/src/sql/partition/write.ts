/**
 * Writing rows of a partition tree: an INSERT into a partitioned table routed to its leaf, the
 * partition constraint of a row written to a partition (directly, or by an UPDATE of one), and
 * an UPDATE that moves a row to another partition (delete here, insert routed from the root the
 * statement named, as PostgreSQL's cross-partition UPDATE does).
 */
import type { Oid, TableDef } from '../../catalog/types.ts';
import type { RowId } from '../../wal/record.ts';
import { rowChecker, type RowChecker } from '../constraints.ts';
import type { RunContext, WriteTxn } from '../env.ts';
import type { SubqueryPlanner } from '../from.ts';
import type { ForeignKeyEvents } from '../foreign-keys.ts';
import type { EvalContext } from '../scope.ts';
import type { Value } from '../types.ts';
import { columnMap, mapRow } from '../inherit/tree.ts';
import { fitsPartition, partitionViolation, routeRow } from './route.ts';

/** The partition constraint check of a row of `def` (undefined for a table that is no partition). */
export function partitionCheck(def: TableDef, planner: SubqueryPlanner): ((row: Value[], ctx: EvalContext) => void) | undefined {
  if (!def.partitionBound) return undefined;
  return (row, ctx) => {
    const env = (ctx as Partial<RunContext>).env;
    if (!env) throw new Error('partition constraint checked without a database state');
    if (!fitsPartition(env.state, def, row, ctx, planner)) throw partitionViolation(def, row);
  };
}

/** Inserts rows of the partitioned table `root` into their leaves, each checked by its leaf's constraints. */
export function partitionInserter(planner: SubqueryPlanner) {
  const checkers = new Map<TableDef, RowChecker>();
  return (txn: WriteTxn, ctx: RunContext, root: TableDef, row: Value[], fks: ForeignKeyEvents | undefined): Oid => {
    const { leaf, row: leafRow } = routeRow(txn.state, root, row, ctx, planner);
    let checker = checkers.get(leaf);
    if (!checker) checkers.set(leaf, (checker = rowChecker(leaf, planner)));
    const t = txn.state.table(leaf.oid);
    checker.check(t, leafRow, ctx);
    fks?.inserted(leaf.oid, t.nextRowId);
    txn.write({ kind: 'insert', table: leaf.oid, rowid: t.nextRowId, row: leafRow });
    return leaf.oid;
  };
}

/**
 * The row movement of an UPDATE over the partition tree under `root`: a new row that no longer
 * fits its partition is deleted there and inserted where it belongs (23514 when nowhere).
 */
export function partitionMover(root: TableDef, planner: SubqueryPlanner) {
  const insert = partitionInserter(planner);
  return {
    /** Whether the new row of a partition below the root leaves it (a partition updated directly never moves its rows). */
    leaves(txn: WriteTxn, def: TableDef, row: Value[], ctx: EvalContext): boolean {
      return def.oid !== root.oid && !!def.partitionBound && !fitsPartition(txn.state, def, row, ctx, planner);
    },
    move(txn: WriteTxn, ctx: RunContext, def: TableDef, id: RowId, old: Value[], row: Value[], fks: ForeignKeyEvents | undefined): void {
      if (!root.partitionKey) throw partitionViolation(def, row);
      txn.write({ kind: 'delete', table: def.oid, rowid: id });
      fks?.deleted(def.oid, id, old);
      insert(txn, ctx, root, mapRow(row, columnMap(def, root)), fks);
    },
  };
}
