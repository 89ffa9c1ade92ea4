/**
 * CREATE TABLE … INHERITS (…) and CREATE TABLE … PARTITION OF parent FOR VALUES …: the columns
 * and CHECK constraints a new table takes from its parents (merged by name, as PostgreSQL merges
 * them, with its type-conflict errors), and what the partition's catalog entry adds: its parent,
 * its bound (checked against its siblings) and the parent's indexes, made again on it.
 */
import type { ColumnDef as PgColumnDef, CreateStmt, RangeVar } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { CheckDef, IndexDef, TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import { assertNoDuplicates, type ColumnPlan } from '../ddl.ts';
import type { WriteTxn } from '../env.ts';
import { pos, type SubqueryPlanner } from '../from.ts';
import { formatTypeName } from '../cast.ts';
import type { EvalContext } from '../scope.ts';
import { ownName } from '../schema/keys.ts';
import { userRelationName } from '../schema.ts';
import { refuseView } from '../view/ddl.ts';
import { isTempKey } from '../temp-tables.ts';
import { boundContains, checkBound, planBound } from '../partition/bound.ts';
import { keyColumns, keyReader, planPartitionKey } from '../partition/key.ts';
import { childrenOf, columnMap, mapRow } from './tree.ts';

export interface InheritPlan {
  /** Inherited columns, in PostgreSQL's order (first parent's first); local columns follow. */
  columns: ColumnPlan[];
  checks: CheckDef[];
  parents: TableDef[];
  /** Merges a local column definition into the inherited one of its name (true), or leaves it to the caller. */
  merge(cd: PgColumnDef, build: (cd: PgColumnDef) => ColumnPlan): boolean;
}

function parentTable(state: DbState, rv: RangeVar, partition: boolean): TableDef {
  const name = userRelationName(rv);
  const oid = name === undefined ? undefined : state.tableNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${rv.relname}" does not exist`, { position: pos(rv.location) });
  const def = state.table(oid).def;
  if (def.view) throw new SqlError(SQLSTATE.wrong_object_type, `${partition ? '' : 'inherited '}relation "${ownName(def.name)}" is not a table or foreign table`);
  refuseView(def, 'table', rv.location);
  if (partition && !def.partitionKey) throw new SqlError(SQLSTATE.wrong_object_type, `table "${ownName(def.name)}" is not partitioned`);
  if (!partition && def.partitionKey) throw new SqlError(SQLSTATE.wrong_object_type, `cannot inherit from partitioned table "${ownName(def.name)}"`);
  if (!partition && def.partitionBound) throw new SqlError(SQLSTATE.wrong_object_type, `cannot inherit from partition "${ownName(def.name)}"`);
  if (isTempKey(def.name)) throw new SqlError(SQLSTATE.feature_not_supported, 'inheritance involving temporary tables is not supported');
  return def;
}

function typeConflict(prefix: string, name: string, a: ColumnPlan['column'], b: ColumnPlan['column']): SqlError {
  return new SqlError(SQLSTATE.datatype_mismatch, `${prefix}column "${name}" has a type conflict`, {
    detail: `${formatTypeName(a.type, a.typmod)} versus ${formatTypeName(b.type, b.typmod)}`,
  });
}

/** The columns and checks a table created with INHERITS or PARTITION OF takes; undefined for a plain table. */
export function planInherits(stmt: CreateStmt, state: DbState): InheritPlan | undefined {
  const rvs = (stmt.inhRelations ?? []).map((n) => (n as { RangeVar: RangeVar }).RangeVar);
  if (!rvs.length) return undefined;
  const partition = !!stmt.partbound;
  if (!partition && stmt.partspec) throw new SqlError('42P17', 'cannot create partitioned table as inheritance child');
  if (stmt.relation?.relpersistence === 't' || isTempKey(stmt.relation?.relname)) throw new SqlError(SQLSTATE.feature_not_supported, 'inheritance involving temporary tables is not supported');
  const parents: TableDef[] = [];
  for (const rv of rvs) {
    const def = parentTable(state, rv, partition);
    if (parents.some((p) => p.oid === def.oid)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(def.name)}" would be inherited from more than once`);
    parents.push(def);
  }
  const columns: ColumnPlan[] = [];
  const checks: CheckDef[] = [];
  for (const p of parents) {
    for (const c of p.columns) {
      const have = columns.find((x) => x.column.name === c.name);
      if (have) {
        if (have.column.type !== c.type || have.column.typmod !== c.typmod) throw typeConflict('inherited ', c.name, have.column, c);
        have.column.notNull ||= c.notNull;
        continue;
      }
      const column: ColumnPlan['column'] = { name: c.name, type: c.type, typmod: c.typmod, notNull: c.notNull, notLocal: true, ...(c.default ? { default: c.default, defaultText: c.defaultText } : {}), ...(c.generated ? { generated: c.generated } : {}) };
      columns.push({ column, serial: false, primary: false, unique: false, checks: [], foreign: [] });
    }
    for (const ch of p.checks) if (!checks.some((x) => x.name === ch.name)) checks.push({ name: ch.name, expr: ch.expr });
  }
  const merged = new Set<string>();
  return {
    columns,
    checks,
    parents,
    merge(cd, build) {
      const have = columns.find((x) => x.column.name === cd.colname);
      if (have && merged.has(cd.colname!)) throw new SqlError(SQLSTATE.duplicate_column, `column "${cd.colname}" specified more than once`);
      if (have) merged.add(cd.colname!);
      if (!have) {
        if (partition) throw new SqlError(SQLSTATE.undefined_column, `column "${cd.colname}" does not exist`, { position: pos(cd.location) });
        return false;
      }
      // a partition's `col WITH OPTIONS …` names no type: it is the parent's
      const local = build(cd.typeName ? cd : { ...cd, typeName: { names: [{ String: { sval: 'text' } }], typemod: -1 } });
      if (cd.typeName && (local.column.type !== have.column.type || local.column.typmod !== have.column.typmod)) throw typeConflict('', cd.colname!, have.column, local.column);
      if (local.serial || local.identity || local.column.generated) throw new SqlError(SQLSTATE.feature_not_supported, `an identity, serial or generated definition of inherited column "${cd.colname}" is not supported`);
      have.column.notNull ||= local.column.notNull;
      if (!partition) delete have.column.notLocal;
      if (local.column.default) Object.assign(have.column, { default: local.column.default, defaultText: local.column.defaultText });
      have.primary ||= local.primary;
      have.unique ||= local.unique;
      have.checks.push(...local.checks);
      have.foreign.push(...local.foreign);
      return true;
    },
  };
}

/**
 * What INHERITS, PARTITION OF and PARTITION BY add to the new table's definition, checked
 * against the catalog (a partition's bound against its siblings' and the DEFAULT partition's rows).
 */
export function finishInherits(state: DbState, def: TableDef, stmt: CreateStmt, plan: InheritPlan | undefined, planner: SubqueryPlanner, ctx: EvalContext): void {
  if (plan) def.inherits = plan.parents.map((p) => p.oid);
  // a partition keeps its parent's foreign keys, as PostgreSQL clones them
  const fks = stmt.partbound ? plan!.parents[0]!.foreignKeys ?? [] : [];
  if (fks.length) def.foreignKeys = [...fks.filter((f) => !def.foreignKeys?.some((g) => g.name === f.name)), ...(def.foreignKeys ?? [])];
  if (stmt.partspec) def.partitionKey = planPartitionKey(stmt.partspec, def.name, def.columns, planner);
  if (stmt.partbound) {
    const parent = plan!.parents[0]!;
    const bound = planBound(stmt.partbound, parent.partitionKey!, planner, ctx);
    const siblings = childrenOf(state, parent.oid);
    checkBound(def.name, bound, parent.partitionKey!, siblings, stmt.partbound.location);
    def.partitionBound = bound;
    checkDefaultRows(state, siblings, planner, ctx, def);
  }
}

/** A new partition takes keys the DEFAULT partition may already hold: PostgreSQL refuses it then. */
export function checkDefaultRows(state: DbState, siblings: readonly TableDef[], planner: SubqueryPlanner, ctx: EvalContext, added: TableDef): void {
  const dflt = siblings.find((s) => s.partitionBound?.kind === 'default');
  if (!dflt || !added.partitionBound || added.partitionBound.kind === 'default') return;
  const parent = state.table(dflt.inherits![0]!).def;
  const key = keyReader(parent, planner);
  for (const member of leafTables(state, dflt)) {
    const map = columnMap(member, parent);
    for (const row of state.table(member.oid).rows.valuesArray()) {
      if (!boundContains(added.partitionBound, key(mapRow(row, map), ctx))) continue;
      throw new SqlError(SQLSTATE.check_violation, `updated partition constraint for default partition "${ownName(dflt.name)}" would be violated by some row`);
    }
  }
}

function leafTables(state: DbState, def: TableDef): TableDef[] {
  return def.partitionKey ? childrenOf(state, def.oid).flatMap((c) => leafTables(state, c)) : [def];
}

/** A partitioned table's unique keys must hold all its partition key columns (PostgreSQL's 0A000). */
export function checkUniqueKeys(def: TableDef, keys: readonly { columns: string[]; primary: boolean }[]): void {
  const pk = def.partitionKey;
  if (!pk) return;
  for (const k of keys) {
    if (pk.keys.some((x) => x.expr)) throw new SqlError(SQLSTATE.feature_not_supported, `unsupported ${k.primary ? 'PRIMARY KEY' : 'UNIQUE'} constraint with partition key definition`, { detail: `${k.primary ? 'PRIMARY KEY' : 'UNIQUE'} constraints cannot be used when partition keys include expressions.` });
    const missing = keyColumns(pk).find((c) => !k.columns.includes(c));
    if (missing) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'unique constraint on partitioned table must include all partitioning columns', {
        detail: `${k.primary ? 'PRIMARY KEY' : 'UNIQUE'} constraint on table "${ownName(def.name)}" lacks column "${missing}" which is part of the partition key.`,
      });
    }
  }
}

/** The indexes of a partitioned table, made again on a new partition (PostgreSQL names them after the partition). */
export function cloneParentIndexes(txn: WriteTxn, def: TableDef, taken: Set<string>, uniqueName: (base: string) => string): void {
  for (const parentOid of def.partitionBound ? def.inherits ?? [] : []) {
    const parentIndexes = txn.state.table(parentOid).indexes;
    checkUniqueKeys(def, parentIndexes.filter((ix) => ix.def.unique).map((ix) => ({ columns: ix.def.columns, primary: ix.def.primary })));
    for (const ix of parentIndexes) {
      const d = ix.def;
      const base = d.primary ? `${def.name}_pkey` : `${def.name}_${d.columns.join('_')}_${d.constraint ? 'key' : 'idx'}`;
      const index: IndexDef = { ...d, oid: txn.state.allocateOid(), name: uniqueName(base), table: def.oid };
      taken.add(index.name);
      txn.write({ kind: 'create_index', index });
    }
  }
}

/** CREATE INDEX on a partitioned table: the same index on each partition, and theirs in turn. */
export function indexPartitions(txn: WriteTxn, index: IndexDef, nameParts: readonly string[], uniqueName: (base: string) => string): void {
  for (const child of childrenOf(txn.state, index.table)) {
    if (!child.partitionBound) continue;
    const def: IndexDef = { ...index, oid: txn.state.allocateOid(), name: uniqueName(`${child.name}_${nameParts.join('_')}_idx`), table: child.oid };
    if (def.unique) assertNoDuplicates(txn.state.table(child.oid), def);
    txn.write({ kind: 'create_index', index: def });
    indexPartitions(txn, def, nameParts, uniqueName);
  }
}
