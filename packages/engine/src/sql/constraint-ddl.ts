/**
 * Constraint DDL: FOREIGN KEY definitions (column REFERENCES and table FOREIGN KEY, validated as
 * PostgreSQL validates them), ALTER TABLE … ADD CONSTRAINT (FOREIGN KEY, CHECK, UNIQUE, PRIMARY
 * KEY, each checked against the rows already there) and DROP CONSTRAINT, and the dependency
 * checks that keep a referenced table, column or key from being dropped (2BP01). Constraints
 * are logged as `alter_table_def` (CHECK, FOREIGN KEY, NOT NULL) and `create_index`/`drop_index`
 * (UNIQUE, PRIMARY KEY) records, so standbys and recovery get them like any other DDL.
 */
import type { Constraint } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { ColumnDef, ForeignKeyAction, ForeignKeyDef, IndexDef, TableDef } from '../catalog/types.ts';
import type { DbState, TableData } from '../state/state.ts';
import { assertNoDuplicates, firstColumn } from './ddl.ts';
import { checkNoSubquery } from './ddl-checks.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { pos, RowScope, type SubqueryPlanner } from './from.ts';
import { foreignKeyEvents, matchingUniqueIndex } from './foreign-keys.ts';
import { strings } from './names.ts';
import { category } from './operators.ts';
import { ddlSchemaOk, userRelationName } from './schema.ts';
import { TYPE_NAME, type SqlType } from './types.ts';
import { isNumericType } from './cast.ts';
import { isTempKey } from './temp-tables.ts';
import type { Compiled } from './scope.ts';
import { ownName, relationKey, splitKey } from './schema/keys.ts';

const HINT_CASCADE = 'Use DROP ... CASCADE to drop the dependent objects too.';

/** The table a new foreign key belongs to; `keys` are its unique keys when it is being created. */
export interface ForeignKeyOwner {
  name: string;
  oid: number;
  columns: readonly ColumnDef[];
  keys?: readonly { columns: string[]; primary: boolean }[];
}

/** Refuses what the constraint asks for that walrtc does not do. */
const INTEGER_FAMILY: ReadonlySet<SqlType> = new Set(['int2', 'int4', 'int8']);

/**
 * Whether the referenced numeric key's equality takes the referencing column, as PostgreSQL finds
 * it (ATAddForeignKeyConstraint): an operator of the key's family (the integers together, float4
 * and float8 together), else the key's own after an implicit cast of the referencing side — which
 * float and numeric values have to no integer, and float values have to no numeric.
 */
function numericKeyCompares(fk: SqlType, pk: SqlType): boolean {
  if (!isNumericType(fk) || !isNumericType(pk) || fk === pk) return true;
  if (INTEGER_FAMILY.has(pk)) return INTEGER_FAMILY.has(fk);
  if (pk === 'numeric') return INTEGER_FAMILY.has(fk);
  return true;
}

export function checkConstraintOptions(c: Constraint): void {
  if (c.initdeferred && c.contype !== 'CONSTR_FOREIGN') throw new SqlError(SQLSTATE.feature_not_supported, 'DEFERRABLE INITIALLY DEFERRED is not supported for UNIQUE, PRIMARY KEY or CHECK constraints');
  if (c.skip_validation && c.contype !== 'CONSTR_FOREIGN' && c.contype !== 'CONSTR_CHECK') {
    throw new SqlError(SQLSTATE.feature_not_supported, `${c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : (c.contype ?? '').replace('CONSTR_', '')} constraints cannot be marked NOT VALID`);
  }
  if (c.contype === 'CONSTR_FOREIGN') {
    if (c.fk_matchtype === 'p') throw new SqlError(SQLSTATE.feature_not_supported, 'MATCH PARTIAL not yet implemented');
    if (c.fk_del_set_cols?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'ON DELETE SET NULL/SET DEFAULT with a column list is not supported');
  }
}

/** The name PostgreSQL gives an unnamed constraint, made unique among `taken`. */
export function constraintName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}${i}`;
  return name;
}

/** Names of every constraint of the table (CHECK, FOREIGN KEY, index-backed). */
export function constraintNames(table: TableData): Set<string> {
  const names = new Set<string>(table.def.checks.map((c) => c.name));
  for (const fk of table.def.foreignKeys ?? []) names.add(fk.name);
  for (const ix of table.indexes) if (ix.def.constraint) names.add(ownName(ix.def.name));
  return names;
}

export function planForeignKey(c: Constraint, owner: ForeignKeyOwner, state: DbState, taken: Set<string>, ownColumn?: string): ForeignKeyDef {
  checkConstraintOptions(c);
  const columns = ownColumn !== undefined && !c.fk_attrs?.length ? [ownColumn] : strings(c.fk_attrs);
  const own = columns.map((name) => {
    const col = owner.columns.find((x) => x.name === name);
    if (!col) throw new SqlError(SQLSTATE.undefined_column, `column "${name}" referenced in foreign key constraint does not exist`);
    return col;
  });
  const rv = c.pktable!;
  ddlSchemaOk(rv.schemaname);
  const refName = userRelationName(rv);
  const self = refName === owner.name;
  const refOid = self ? owner.oid : refName === undefined ? undefined : state.tableNames.get(refName);
  if (refOid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${rv.relname}" does not exist`, { position: pos(rv.location) });
  const ref = self ? undefined : state.table(refOid);
  if (ref?.def.view) throw new SqlError(SQLSTATE.wrong_object_type, `referenced relation "${ref.def.name}" is not a table`);
  if (ref?.def.partitionKey || (self && state.tables.get(owner.oid)?.def.partitionKey)) throw new SqlError(SQLSTATE.feature_not_supported, 'foreign keys referencing a partitioned table are not supported');
  const refColumnDefs = self ? owner.columns : ref!.def.columns;
  const keys = self ? (owner.keys ?? []).concat(state.tables.get(owner.oid)?.indexes.filter((i) => i.def.unique && !i.exprs).map((i) => ({ columns: i.def.columns, primary: i.def.primary })) ?? []) : ref!.indexes.filter((i) => i.def.unique && !i.exprs).map((i) => ({ columns: i.def.columns, primary: i.def.primary }));
  let refColumns = strings(c.pk_attrs);
  if (!refColumns.length) {
    const pk = keys.find((k) => k.primary);
    if (!pk) throw new SqlError('42830', `there is no primary key for referenced table "${rv.relname}"`);
    refColumns = [...pk.columns];
  }
  const refs = refColumns.map((name) => {
    const col = refColumnDefs.find((x) => x.name === name);
    if (!col) throw new SqlError(SQLSTATE.undefined_column, `column "${name}" referenced in foreign key constraint does not exist`);
    return col;
  });
  if (refs.length !== own.length) throw new SqlError('42830', 'number of referencing and referenced columns for foreign key disagree');
  if (!keys.some((k) => k.columns.length === refColumns.length && refColumns.every((x) => k.columns.includes(x)))) {
    throw new SqlError('42830', `there is no unique constraint matching given keys for referenced table "${rv.relname}"`);
  }
  const name = c.conname ?? constraintName(`${ownName(owner.name)}_${columns.join('_')}_fkey`, taken);
  taken.add(name);
  own.forEach((col, i) => {
    const r = refs[i]!;
    if (category(col.type) !== category(r.type) || !numericKeyCompares(col.type, r.type)) {
      throw new SqlError(SQLSTATE.datatype_mismatch, `foreign key constraint "${name}" cannot be implemented`, {
        detail: `Key columns "${col.name}" and "${r.name}" are of incompatible types: ${TYPE_NAME[col.type]} and ${TYPE_NAME[r.type]}.`,
      });
    }
  });
  return {
    name, columns, refTable: refOid, refColumns,
    onDelete: (c.fk_del_action ?? 'a') as ForeignKeyAction,
    onUpdate: (c.fk_upd_action ?? 'a') as ForeignKeyAction,
    matchFull: c.fk_matchtype === 'f',
    ...(c.initdeferred ? { deferred: true } : {}),
  };
}

/** 23514 when a row already in the table fails the check (ADD CONSTRAINT, VALIDATE CONSTRAINT). */
export function checkRows(def: { name: string }, name: string, expr: Compiled, table: TableData, ctx: RunContext): void {
  table.rows.forEachPair((_id, row) => {
    if (expr.eval(row, ctx) === false) throw new SqlError(SQLSTATE.check_violation, `check constraint "${name}" of relation "${def.name}" is violated by some row`);
  });
}

/** ALTER TABLE … ADD [CONSTRAINT name] FOREIGN KEY | CHECK | UNIQUE | PRIMARY KEY [NOT VALID]. */
export function addConstraint(c: Constraint, table: TableData, txn: WriteTxn, ctx: RunContext, planner: SubqueryPlanner): void {
  checkConstraintOptions(c);
  const def = table.def;
  const taken = constraintNames(table);
  if (c.conname && taken.has(c.conname)) throw new SqlError(SQLSTATE.duplicate_object, `constraint "${c.conname}" for relation "${ownName(def.name)}" already exists`);
  switch (c.contype) {
    case 'CONSTR_FOREIGN': {
      const fk = planForeignKey(c, { name: def.name, oid: def.oid, columns: def.columns }, txn.state, taken);
      if (c.skip_validation) {
        // NOT VALID: the rows already there are left unchecked until VALIDATE CONSTRAINT
        txn.write({ kind: 'alter_table_def', table: { ...def, foreignKeys: [...(def.foreignKeys ?? []), { ...fk, notValid: true }] } });
        return;
      }
      txn.write({ kind: 'alter_table_def', table: { ...def, foreignKeys: [...(def.foreignKeys ?? []), fk] } });
      // the rows already there must satisfy it, exactly as if each were inserted now
      const events = foreignKeyEvents(txn.state, planner, fk.name)!;
      txn.state.table(def.oid).rows.forEachPair((id) => events.inserted(def.oid, id));
      events.finish(txn, ctx, true);
      return;
    }
    case 'CONSTR_CHECK': {
      checkNoSubquery(c.raw_expr!, 'check constraint');
      const first = firstColumn(c.raw_expr!);
      const name = c.conname ?? constraintName(`${ownName(def.name)}_${first ?? ''}_check`.replace('__', '_'), taken);
      const scope = new RowScope([{ alias: def.name, columns: def.columns.map((x) => ({ name: x.name, type: x.type })), offset: 0 }], def.columns.length, planner);
      scope.clause = 'check constraints';
      const expr = compileExpr(c.raw_expr!, scope);
      if (!c.skip_validation) checkRows(def, name, expr, table, ctx);
      txn.write({ kind: 'alter_table_def', table: { ...def, checks: [...def.checks, { name, expr: c.raw_expr!, ...(c.skip_validation ? { notValid: true } : {}) }] } });
      return;
    }
    case 'CONSTR_UNIQUE':
    case 'CONSTR_PRIMARY': {
      if (c.indexname) throw new SqlError(SQLSTATE.feature_not_supported, 'ADD CONSTRAINT … USING INDEX is not supported');
      const primary = c.contype === 'CONSTR_PRIMARY';
      const columns = strings(c.keys);
      for (const col of columns) {
        if (table.column(col) < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${col}" named in key does not exist`, { position: pos(c.location) });
      }
      if (primary && table.indexes.some((i) => i.def.primary)) throw new SqlError(SQLSTATE.invalid_table_definition, `multiple primary keys for table "${ownName(def.name)}" are not allowed`);
      // the constraint's index lives in the table's schema
      const name = c.conname ? relationKey(splitKey(def.name).schema, c.conname) : constraintName(primary ? `${def.name}_pkey` : `${def.name}_${columns.join('_')}_key`, new Set([...taken, ...txn.state.tableNames.keys(), ...txn.state.indexNames.keys()]));
      if (txn.state.tableNames.has(name) || txn.state.indexNames.has(name) || txn.state.sequenceNames.has(name)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
      if (primary) {
        for (const col of columns) {
          const i = table.column(col);
          table.rows.forEachPair((_id, row) => {
            if (row[i] === null || row[i] === undefined) throw new SqlError(SQLSTATE.not_null_violation, `column "${col}" of relation "${ownName(def.name)}" contains null values`);
          });
        }
        txn.write({ kind: 'alter_table_def', table: { ...def, columns: def.columns.map((x) => (columns.includes(x.name) ? { ...x, notNull: true } : x)) } });
      }
      const index: IndexDef = { oid: txn.state.allocateOid(), name, table: def.oid, columns, unique: true, primary, constraint: true };
      assertNoDuplicates(txn.state.table(def.oid), index);
      txn.write({ kind: 'create_index', index });
      return;
    }
    default:
      throw new SqlError(SQLSTATE.feature_not_supported, `ALTER TABLE … ADD ${(c.contype ?? '').replace('CONSTR_', '')} constraint is not supported`);
  }
}

/** ALTER TABLE … DROP CONSTRAINT [IF EXISTS] name [CASCADE]. */
export function dropConstraint(name: string, missingOk: boolean, cascade: boolean, table: TableData, txn: WriteTxn): void {
  const def = table.def;
  if (def.checks.some((c) => c.name === name)) {
    txn.write({ kind: 'alter_table_def', table: { ...def, checks: def.checks.filter((c) => c.name !== name) } });
    return;
  }
  if (def.foreignKeys?.some((fk) => fk.name === name)) {
    txn.write({ kind: 'alter_table_def', table: { ...def, foreignKeys: def.foreignKeys.filter((fk) => fk.name !== name) } });
    return;
  }
  const ix = table.indexes.find((i) => i.def.constraint && ownName(i.def.name) === name);
  if (ix) {
    const dependents = foreignKeysOn(txn.state, def.oid, true).filter((r) => matchingUniqueIndex(table, r.fk.refColumns) === ix);
    dropDependents(txn, dependents, cascade, (d) => new SqlError('2BP01', `cannot drop constraint ${name} on table ${def.name} because other objects depend on it`, {
      detail: `constraint ${d.fk.name} on table ${d.table.name} depends on index ${name}`, hint: HINT_CASCADE,
    }));
    txn.write({ kind: 'drop_index', index: ix.def.oid });
    return;
  }
  if (missingOk) return;
  throw new SqlError(SQLSTATE.undefined_object, `constraint "${ownName(name)}" of relation "${ownName(def.name)}" does not exist`);
}

interface Dependent { fk: ForeignKeyDef; table: TableDef }

/** Foreign keys that reference `oid` (of other tables, and of itself when `self`). */
function foreignKeysOn(state: DbState, oid: number, self: boolean): Dependent[] {
  const out: Dependent[] = [];
  for (const t of state.tables.values()) {
    for (const fk of t.def.foreignKeys ?? []) if (fk.refTable === oid && (self || t.def.oid !== oid)) out.push({ fk, table: t.def });
  }
  return out;
}

/** Without CASCADE the first dependent foreign key refuses the drop (2BP01); with it, they are dropped first. */
function dropDependents(txn: WriteTxn, dependents: readonly Dependent[], cascade: boolean, refuse: (d: Dependent) => SqlError): void {
  if (!dependents.length) return;
  if (!cascade) throw refuse(dependents[0]!);
  for (const oid of new Set(dependents.map((d) => d.table.oid))) {
    const def = txn.state.table(oid).def;
    const gone = new Set(dependents.filter((d) => d.table.oid === oid).map((d) => d.fk.name));
    txn.write({ kind: 'alter_table_def', table: { ...def, foreignKeys: (def.foreignKeys ?? []).filter((fk) => !gone.has(fk.name)) } });
  }
}

/** DROP TABLE: a table not dropped with it that references it refuses the drop, or loses that foreign key (CASCADE). */
export function dropTableDependents(txn: WriteTxn, oid: number, droppedWith: ReadonlySet<number>, cascade: boolean): void {
  const dependents = foreignKeysOn(txn.state, oid, false).filter((x) => !droppedWith.has(x.table.oid));
  // a temporary table is visible (pg_temp is searched first): named without its schema, as PostgreSQL does
  const visible = (key: string) => (isTempKey(key) ? ownName(key) : key);
  const name = visible(txn.state.table(oid).def.name);
  const message = droppedWith.size > 1 ? 'cannot drop desired object(s) because other objects depend on them' : `cannot drop table ${name} because other objects depend on it`;
  dropDependents(txn, dependents, cascade, (d) => new SqlError('2BP01', message, {
    detail: `constraint ${d.fk.name} on table ${visible(d.table.name)} depends on table ${name}`, hint: HINT_CASCADE,
  }));
}

/** ALTER TABLE … DROP COLUMN: foreign keys that reference the column refuse the drop, or go with it (CASCADE). */
export function dropColumnDependents(txn: WriteTxn, table: TableDef, column: string, cascade: boolean): void {
  // a table's own key on the column goes with the column anyway
  const dependents = foreignKeysOn(txn.state, table.oid, true).filter((d) => d.fk.refColumns.includes(column) && !(d.table.oid === table.oid && d.fk.columns.includes(column)));
  dropDependents(txn, dependents, cascade, (d) => new SqlError('2BP01', `cannot drop column ${column} of table ${table.name} because other objects depend on it`, {
    detail: `constraint ${d.fk.name} on table ${d.table.name} depends on column ${column} of table ${table.name}`, hint: HINT_CASCADE,
  }));
}
