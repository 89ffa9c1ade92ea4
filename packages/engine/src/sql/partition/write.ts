/**
 * Writing rows of a partition tree: an INSERT into a partitioned table routed to its leaf, the
 * partition constraint of a row written to a partition (directly, or by an UPDATE of one), and
 * an UPDATE that moves a row to another partition (delete here, insert routed from the root the
 * statement named, as PostgreSQL's cross-partition UPDATE does).
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { Oid, TableDef } from '../../catalog/types.ts';
import type { TableData } from '../../state/state.ts';
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

type ConflictPlan = { find(t: TableData, row: Value[]): RowId | undefined; update?: (old: Value[], excluded: Value[], ctx: RunContext) => Value[] | undefined };

/**
 * INSERT … ON CONFLICT into a partitioned table: the row is routed first, then its leaf's copy of
 * the arbiter index decides (each leaf's indexes hold its own rows, and unique keys contain the
 * partition key, so a conflicting row can only be in that leaf). Returns the row RETURNING sees
 * (the parent's layout), or undefined when nothing was written.
 */
export function partitionConflictWriter(root: TableDef, planner: SubqueryPlanner, planLeaf: (leaf: TableData) => ConflictPlan) {
  const checkers = new Map<TableDef, RowChecker>();
  const plans = new Map<TableDef, ConflictPlan>();
  const touched = new Set<string>();
  return {
    reset(): void {
      touched.clear();
    },
    write(txn: WriteTxn, ctx: RunContext, row: Value[], fks: ForeignKeyEvents | undefined): Value[] | undefined {
      const { leaf, row: leafRow } = routeRow(txn.state, root, row, ctx, planner);
      let checker = checkers.get(leaf);
      if (!checker) checkers.set(leaf, (checker = rowChecker(leaf, planner)));
      let plan = plans.get(leaf);
      if (!plan) plans.set(leaf, (plan = planLeaf(txn.state.table(leaf.oid))));
      const t = txn.state.table(leaf.oid);
      const existing = plan.find(t, leafRow);
      if (existing === undefined) {
        checker.check(t, leafRow, ctx);
        if (plan.update) touched.add(`${leaf.oid}:${t.nextRowId}`);
        fks?.inserted(leaf.oid, t.nextRowId);
        txn.write({ kind: 'insert', table: leaf.oid, rowid: t.nextRowId, row: leafRow });
        return row;
      }
      if (!plan.update) return undefined;
      if (touched.has(`${leaf.oid}:${existing}`)) {
        throw new SqlError(SQLSTATE.cardinality_violation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
          hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
        });
      }
      const old = t.rows.get(existing)!;
      const updated = plan.update(old, leafRow, ctx);
      if (!updated) return undefined;
      if (!fitsPartition(txn.state, leaf, updated, ctx, planner)) {
        throw new SqlError(SQLSTATE.feature_not_supported, 'invalid ON UPDATE specification', { detail: 'The result tuple would appear in a different partition than the original tuple.' });
      }
      checker.check(t, updated, ctx, existing);
      txn.write({ kind: 'update', table: leaf.oid, rowid: existing, row: updated });
      fks?.updated(leaf.oid, existing, old, updated);
      touched.add(`${leaf.oid}:${existing}`);
      return mapRow(updated, columnMap(leaf, root));
    },
  };
}
