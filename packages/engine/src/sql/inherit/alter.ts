/**
 * ALTER TABLE in an inheritance tree: ATTACH / DETACH PARTITION, INHERIT / NO INHERIT (with
 * PostgreSQL's checks of the child's columns, NOT NULLs, CHECKs and, for a partition, its rows),
 * and the commands that PostgreSQL applies to every table below the one named (ADD/DROP COLUMN,
 * column defaults and NOT NULL, CHECK constraints). A command that would have to reach the
 * children and is not modelled here is refused, so a parent never drifts from its children.
 */
import type { AlterTableCmd, AlterTableStmt, ColumnDef as PgColumnDef, Constraint, PartitionCmd, RangeVar } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { IndexDef, TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { RunContext, WriteTxn } from '../env.ts';
import type { SubqueryPlanner } from '../from.ts';
import type { StatementPlan } from '../plan.ts';
import { assertNoDuplicates } from '../ddl.ts';
import { addConstraint } from '../constraint-ddl.ts';
import { ownName } from '../schema/keys.ts';
import { userRelationName } from '../schema.ts';
import { refuseView } from '../view/ddl.ts';
import { isTempKey } from '../temp-tables.ts';
import { checkBound, planBound } from '../partition/bound.ts';
import { keyColumns } from '../partition/key.ts';
import { fitsPartition } from '../partition/route.ts';
import { checkDefaultRows, checkUniqueKeys } from './create.ts';
import { childrenOf, isAncestor } from './tree.ts';
import { inheritedCount } from './rename-column.ts';

type PlanAlter = (stmt: AlterTableStmt, planner: SubqueryPlanner) => StatementPlan;

function relation(state: DbState, rv: RangeVar): TableDef {
  const name = userRelationName(rv);
  const oid = name === undefined ? undefined : state.tableNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${rv.relname}" does not exist`);
  const def = state.table(oid).def;
  refuseView(def, 'table', rv.location);
  return def;
}

/**
 * Runs `cmd` of `stmt` on `table` when the inheritance tree concerns it: true when done here
 * (`own` runs the command on the table itself), false for an ordinary table the caller alters.
 */
export function alterInTree(cmd: AlterTableCmd, stmt: AlterTableStmt, table: TableDef, txn: WriteTxn, ctx: RunContext, planner: SubqueryPlanner, planAlter: PlanAlter, own: () => void): boolean {
  const state = txn.state;
  switch (cmd.subtype) {
    case 'AT_AttachPartition':
      attach(state, txn, table, (cmd.def as { PartitionCmd: PartitionCmd }).PartitionCmd, planner, ctx);
      return true;
    case 'AT_DetachPartition':
      detach(state, txn, table, (cmd.def as { PartitionCmd: PartitionCmd }).PartitionCmd);
      return true;
    case 'AT_AddInherit':
      addInherit(state, txn, table, relation(state, (cmd.def as { RangeVar: RangeVar }).RangeVar));
      return true;
    case 'AT_DropInherit':
      dropInherit(state, txn, table, relation(state, (cmd.def as { RangeVar: RangeVar }).RangeVar));
      return true;
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
      return false; // storage parameters are the table's own: PostgreSQL never recurses
  }
  checkInherited(state, cmd, table);
  const children = childrenOf(state, table.oid);
  if (!children.length) return false;
  const only = !stmt.relation?.inh;
  const col = cmd.subtype === 'AT_AddColumn' ? (cmd.def as { ColumnDef: PgColumnDef }).ColumnDef : undefined;
  const constraint = cmd.subtype === 'AT_AddConstraint' ? (cmd.def as { Constraint: Constraint }).Constraint : undefined;
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      if (only) throw new SqlError('42P16', 'column must be added to child tables too');
      break;
    case 'AT_AddConstraint':
      if (constraint!.contype === 'CONSTR_CHECK') {
        if (only && !constraint!.is_no_inherit) throw new SqlError('42P16', 'constraint must be added to child tables too');
        if (constraint!.is_no_inherit) return false;
      } else if ((constraint!.contype === 'CONSTR_PRIMARY' || constraint!.contype === 'CONSTR_UNIQUE') && table.partitionKey) {
        checkUniqueKeys(table, [{ columns: (constraint!.keys ?? []).map((k) => (k as { String: { sval: string } }).String.sval), primary: constraint!.contype === 'CONSTR_PRIMARY' }]);
      } else if (constraint!.contype === 'CONSTR_PRIMARY' || constraint!.contype === 'CONSTR_UNIQUE' || (constraint!.contype === 'CONSTR_FOREIGN' && !table.partitionKey)) {
        return false; // an inheritance parent's own index or foreign key: children do not inherit them
      } else if (constraint!.contype !== 'CONSTR_FOREIGN') throw new SqlError(SQLSTATE.feature_not_supported, `ALTER TABLE … ADD ${constraint!.contype?.replace('CONSTR_', '')} on a table with children or partitions is not supported`);
      break;
    case 'AT_DropColumn':
      if (only) return false;
      break;
    case 'AT_ColumnDefault':
    case 'AT_SetNotNull':
    case 'AT_DropNotNull':
    case 'AT_DropConstraint':
      if (only) return false;
      break;
    default:
      throw new SqlError(SQLSTATE.feature_not_supported, `ALTER TABLE ${(cmd.subtype ?? '').replace('AT_', '')} on a table with children or partitions is not supported`);
  }
  own();
  for (const child of childrenOf(txn.state, table.oid)) {
    const c = txn.state.table(child.oid).def;
    if (col) {
      const have = c.columns.find((x) => x.name === col.colname);
      if (have) {
        const added = txn.state.table(table.oid).def.columns.find((x) => x.name === col.colname)!;
        if (have.type !== added.type || have.typmod !== added.typmod) throw new SqlError(SQLSTATE.datatype_mismatch, `child table "${ownName(c.name)}" has different type for column "${col.colname}"`);
        continue; // merged with the child's own column
      }
    }
    if (cmd.subtype === 'AT_DropColumn') {
      const other = (c.inherits ?? []).some((p) => p !== table.oid && txn.state.table(p).def.columns.some((x) => x.name === cmd.name));
      const mine = c.columns.find((x) => x.name === cmd.name);
      if (!mine || other || !mine.notLocal) continue; // the child keeps a column it defines itself or has from another parent
    }
    if (cmd.subtype === 'AT_DropConstraint' && !c.checks.some((x) => x.name === cmd.name)) continue;
    let childCmd: AlterTableCmd = { ...cmd, missing_ok: false, recurse: true };
    // a partition's key constraints are named after it; its foreign keys keep the parent's name
    if (constraint && constraint.contype !== 'CONSTR_CHECK' && constraint.contype !== 'CONSTR_FOREIGN') childCmd = { ...childCmd, def: { Constraint: { ...constraint, conname: undefined } } };
    if (constraint?.contype === 'CONSTR_FOREIGN' && !constraint.conname) {
      const parentFk = txn.state.table(table.oid).def.foreignKeys?.at(-1);
      childCmd = { ...childCmd, def: { Constraint: { ...constraint, conname: parentFk?.name } } };
    }
    const sub: AlterTableStmt = { ...stmt, relation: { relname: c.name, inh: true, relpersistence: 'p' }, cmds: [{ AlterTableCmd: childCmd }], missing_ok: false };
    planAlter(sub, planner).run(ctx);
    // a column the parent gave the child is inherited, not the child's own
    if (col) {
      const after = txn.state.table(c.oid).def;
      txn.write({ kind: 'alter_table_def', table: { ...after, columns: after.columns.map((x) => (x.name === col.colname ? { ...x, notLocal: true } : x)) } });
    }
  }
  return true;
}

/** Commands PostgreSQL refuses on a column a parent gives (attinhcount > 0) or a partition key column. */
function checkInherited(state: DbState, cmd: AlterTableCmd, table: TableDef): void {
  if ((cmd.subtype === 'AT_DropColumn' || cmd.subtype === 'AT_AlterColumnType') && table.partitionKey && keyColumns(table.partitionKey).includes(cmd.name!)) {
    throw new SqlError('42P16', `cannot ${cmd.subtype === 'AT_DropColumn' ? 'drop' : 'alter'} column "${cmd.name}" because it is part of the partition key of relation "${ownName(table.name)}"`);
  }
  if (cmd.subtype === 'AT_DropColumn' && !cmd.recurse && inheritedColumn(state, table, cmd.name!)) throw new SqlError('42P16', `cannot drop inherited column "${cmd.name}"`);
  if (cmd.subtype === 'AT_AlterColumnType' && inheritedColumn(state, table, cmd.name!)) throw new SqlError('42P16', `cannot alter inherited column "${cmd.name}"`);
  if (cmd.subtype === 'AT_DropConstraint' && !cmd.recurse && (table.inherits ?? []).some((p) => state.table(p).def.checks.some((c) => c.name === cmd.name))) {
    throw new SqlError('42P16', `cannot drop inherited constraint "${cmd.name}" of relation "${ownName(table.name)}"`);
  }
}

function inheritedColumn(state: DbState, table: TableDef, column: string): boolean {
  return inheritedCount(state, table, column) > 0;
}

/** Whether the child has every column of the parent (same type, NOT NULL where the parent's is) and its CHECKs. */
function checkChildMatches(parent: TableDef, child: TableDef, partition: boolean): void {
  for (const pc of parent.columns) {
    const cc = child.columns.find((c) => c.name === pc.name);
    if (!cc) throw new SqlError(SQLSTATE.datatype_mismatch, `child table is missing column "${pc.name}"`);
    if (cc.type !== pc.type || cc.typmod !== pc.typmod) throw new SqlError(SQLSTATE.datatype_mismatch, `child table "${ownName(child.name)}" has different type for column "${pc.name}"`);
    if (pc.notNull && !cc.notNull) throw new SqlError(SQLSTATE.datatype_mismatch, `column "${pc.name}" in child table must be marked NOT NULL`);
  }
  if (partition) {
    const extra = child.columns.find((c) => !parent.columns.some((p) => p.name === c.name));
    if (extra) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `table "${ownName(child.name)}" contains column "${extra.name}" not found in parent "${ownName(parent.name)}"`, {
        detail: 'The new partition may contain only the columns present in parent.',
      });
    }
  }
  for (const ch of parent.checks) {
    if (!child.checks.some((c) => c.name === ch.name)) throw new SqlError(SQLSTATE.datatype_mismatch, `child table is missing constraint "${ch.name}"`);
  }
}

function checkCanInherit(state: DbState, parent: TableDef, child: TableDef, partition: boolean): void {
  if (child.partitionBound) throw new SqlError(SQLSTATE.wrong_object_type, partition ? `"${ownName(child.name)}" is already a partition` : 'cannot change inheritance of a partition');
  if (!partition && child.partitionKey) throw new SqlError(SQLSTATE.wrong_object_type, 'cannot change inheritance of partitioned table');
  if (partition && child.inherits?.length) throw new SqlError(SQLSTATE.wrong_object_type, 'cannot attach inheritance child as partition');
  if (partition && childrenOf(state, child.oid).length && !child.partitionKey) throw new SqlError(SQLSTATE.wrong_object_type, 'cannot attach inheritance parent as partition');
  if (!partition && parent.partitionKey) throw new SqlError(SQLSTATE.wrong_object_type, `cannot inherit from partitioned table "${ownName(parent.name)}"`);
  if (!partition && parent.partitionBound) throw new SqlError(SQLSTATE.wrong_object_type, `cannot inherit from a partition`);
  if (child.oid === parent.oid || isAncestor(state, child.oid, parent.oid)) {
    throw new SqlError(SQLSTATE.duplicate_table, 'circular inheritance not allowed', { detail: `"${ownName(parent.name)}" is already a child of "${ownName(child.name)}".` });
  }
  if (child.inherits?.includes(parent.oid)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(parent.name)}" would be inherited from more than once`);
  if (isTempKey(child.name) || isTempKey(parent.name)) throw new SqlError(SQLSTATE.feature_not_supported, 'inheritance involving temporary tables is not supported');
}

function addInherit(state: DbState, txn: WriteTxn, child: TableDef, parent: TableDef): void {
  checkCanInherit(state, parent, child, false);
  checkChildMatches(parent, child, false);
  txn.write({ kind: 'alter_table_def', table: { ...child, inherits: [...(child.inherits ?? []), parent.oid] } });
}

function dropInherit(state: DbState, txn: WriteTxn, child: TableDef, parent: TableDef): void {
  if (child.partitionBound) throw new SqlError(SQLSTATE.wrong_object_type, 'cannot change inheritance of a partition');
  if (!child.inherits?.includes(parent.oid)) throw new SqlError(SQLSTATE.undefined_table, `relation "${ownName(parent.name)}" is not a parent of relation "${ownName(child.name)}"`);
  const inherits = child.inherits.filter((p) => p !== parent.oid);
  // columns it had only from that parent become its own, as PostgreSQL makes them
  const others = inherits.flatMap((p) => state.table(p).def.columns.map((c) => c.name));
  const columns = child.columns.map((c) => (c.notLocal && !others.includes(c.name) ? { ...c, notLocal: undefined } : c));
  const def: TableDef = { ...child, columns };
  if (inherits.length) def.inherits = inherits;
  else delete def.inherits;
  txn.write({ kind: 'alter_table_def', table: def });
}

function attach(state: DbState, txn: WriteTxn, parent: TableDef, cmd: PartitionCmd, planner: SubqueryPlanner, ctx: RunContext): void {
  if (!parent.partitionKey) throw new SqlError('42P17', `table "${ownName(parent.name)}" is not partitioned`);
  const child = relation(state, cmd.name!);
  checkCanInherit(state, parent, child, true);
  checkChildMatches(parent, child, true);
  const bound = planBound(cmd.bound!, parent.partitionKey, planner, ctx);
  const siblings = childrenOf(state, parent.oid);
  checkBound(child.name, bound, parent.partitionKey, siblings, cmd.bound!.location);
  const attached: TableDef = { ...child, inherits: [parent.oid], partitionBound: bound, columns: child.columns.map((c) => ({ ...c, notLocal: true })) };
  checkDefaultRows(state, siblings, planner, ctx, attached);
  txn.write({ kind: 'alter_table_def', table: attached });
  // the rows it brings must belong to it (PostgreSQL scans them the same way)
  for (const leaf of leavesOf(txn.state, attached)) {
    for (const row of txn.state.table(leaf.oid).rows.valuesArray()) {
      if (!fitsPartition(txn.state, leaf, row, ctx, planner)) throw new SqlError(SQLSTATE.check_violation, `partition constraint of relation "${ownName(leaf.name)}" is violated by some row`);
    }
  }
  attachIndexes(txn, parent, attached);
  attachForeignKeys(txn, parent, attached, ctx, planner);
}

/** The partitioned table's foreign keys on the attached partition, checked against its rows (one it has already is kept). */
function attachForeignKeys(txn: WriteTxn, parent: TableDef, child: TableDef, ctx: RunContext, planner: SubqueryPlanner): void {
  for (const fk of parent.foreignKeys ?? []) {
    const own = txn.state.table(child.oid);
    if (own.def.foreignKeys?.some((f) => f.name === fk.name)) continue;
    const str = (sval: string) => ({ String: { sval } });
    const constraint: Constraint = {
      contype: 'CONSTR_FOREIGN', conname: fk.name, pktable: { relname: txn.state.table(fk.refTable).def.name, inh: true, relpersistence: 'p' },
      fk_attrs: fk.columns.map(str), pk_attrs: fk.refColumns.map(str), fk_upd_action: fk.onUpdate, fk_del_action: fk.onDelete,
      fk_matchtype: fk.matchFull ? 'f' : 's', initdeferred: !!fk.deferred, deferrable: !!fk.deferred, initially_valid: true,
    };
    addConstraint(constraint, own, txn, ctx, planner);
  }
}

function leavesOf(state: DbState, def: TableDef): TableDef[] {
  return def.partitionKey ? childrenOf(state, def.oid).flatMap((c) => leavesOf(state, state.table(c.oid).def)) : [def];
}

/** The partitioned table's indexes on the attached partition: an equal one it has is used, else one is made. */
function attachIndexes(txn: WriteTxn, parent: TableDef, child: TableDef): void {
  const taken = new Set<string>();
  for (const ix of txn.state.table(parent.oid).indexes) {
    const d = ix.def;
    const have = txn.state.table(child.oid).indexes.some((x) => x.def.unique === d.unique && x.def.columns.join() === d.columns.join() && !x.def.where === !d.where);
    if (have) continue;
    const base = d.primary ? `${child.name}_pkey` : `${child.name}_${d.columns.join('_')}_${d.constraint ? 'key' : 'idx'}`;
    let name = base;
    for (let i = 1; txn.state.tableNames.has(name) || txn.state.indexNames.has(name) || taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    const index: IndexDef = { ...d, oid: txn.state.allocateOid(), name, table: child.oid };
    if (index.unique) assertNoDuplicates(txn.state.table(child.oid), index);
    txn.write({ kind: 'create_index', index });
  }
}

function detach(state: DbState, txn: WriteTxn, parent: TableDef, cmd: PartitionCmd): void {
  if (cmd.concurrent) throw new SqlError(SQLSTATE.feature_not_supported, 'DETACH PARTITION … CONCURRENTLY is not supported');
  if (!parent.partitionKey) throw new SqlError('42P17', `table "${ownName(parent.name)}" is not partitioned`);
  const child = relation(state, cmd.name!);
  if (child.inherits?.[0] !== parent.oid || !child.partitionBound) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${ownName(child.name)}" is not a partition of relation "${ownName(parent.name)}"`);
  }
  const def: TableDef = { ...child, columns: child.columns.map((c) => ({ ...c, notLocal: undefined })) };
  delete def.inherits;
  delete def.partitionBound;
  txn.write({ kind: 'alter_table_def', table: def });
}

/** RENAME of a column of one table of a tree (rename-column.ts): refused on a column more parents give it (`inherited`) than the rename comes through. */
export function checkRenameColumn(table: TableDef, column: string, expectedParents: number, inherited: number): void {
  if (inherited > expectedParents) throw new SqlError('42P16', `cannot rename inherited column "${column}"`);
  if (table.partitionKey && keyColumns(table.partitionKey).includes(column)) throw new SqlError(SQLSTATE.feature_not_supported, 'renaming a partition key column is not supported');
}
