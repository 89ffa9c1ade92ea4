/**
 * CREATE/ALTER/DROP TABLE, CREATE/DROP INDEX: validated against the transaction's catalog and
 * turned into DDL WAL records (serial columns become a sequence owned by the column, PRIMARY KEY
 * and UNIQUE become constraint indexes named as PostgreSQL names them).
 */
import type { AlterTableCmd, AlterTableStmt, ColumnDef as PgColumnDef, Constraint, CreateStmt, DropStmt, IndexStmt, Node, RenameStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { CheckDef, ColumnDef, IndexDef, TableDef } from '../catalog/types.ts';
import { IndexData, type DbState, type TableData } from '../state/state.ts';
import { indexElements, indexReads } from './index-expr.ts';
import { checkAssignable, coerceToColumn, resolveTypeName } from './cast.ts';
import { compositeNamed } from './composite/ddl.ts';
import { checkNotPseudoType } from './types/pseudo.ts';
import { planRelationRename } from './rename.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { pos, RowScope, type SubqueryPlanner } from './from.ts';
import { strings } from './names.ts';
import { ddlSchemaOk } from './schema.ts';
import { checkColumnName, checkNoSubquery } from './ddl-checks.ts';
import { alterOptions, createOptions } from './storage/reloptions.ts';
import { alterColumn } from './alter-column.ts';
import { alterColumnTypes } from './alter-type.ts';
import { addConstraint, dropColumnDependents, dropConstraint, dropTableDependents, planForeignKey } from './constraint-ddl.ts';
import type { StatementPlan } from './plan.ts';
import type { SqlType, Value } from './types.ts';
import { formatValue } from './values.ts';
import { rowKeyFor } from './types/bpchar.ts';
import { newSequence, refuseSequenceInUse } from './sequence/ddl.ts';
import { dropDependentViews, planDropView, refuseIfViewed, refuseView } from './view/ddl.ts';
import { parseOptions } from './sequence/options.ts';
import { fillAddedColumn } from './generated.ts';
import { withEnumTypes } from './types/enum.ts';
import { checkDomainValue, domainColumn } from './types/domain.ts';
import { withDomains } from './types/domain-catalog.ts';
import { checkStorableType } from './types/oid.ts';
import { validateConstraint } from './validate-constraint.ts';
import { ownName, relationKey, splitKey } from './schema/keys.ts';
import { addLike, copyLike, type LikeCopy } from './create-like.ts';
import { checkUniqueKeys, cloneParentIndexes, finishInherits, indexPartitions, planInherits } from './inherit/create.ts';
import { alterInTree, checkRenameColumn } from './inherit/alter.ts';
import { renameColumnInTree } from './inherit/rename-column.ts';
import { dropTreeBelow } from './inherit/drop.ts';

const SERIAL: Record<string, SqlType> = { serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8', smallserial: 'int2', serial2: 'int2' };

function ddl(command: string, run: (txn: WriteTxn, ctx: RunContext) => void): StatementPlan {
  return {
    command,
    columns: [],
    writes: true,
    run(ctx) {
      // column types name enum types of the transaction's catalog as it is when the DDL runs
      const txn = ctx.env.txn!;
      withEnumTypes(txn.state.types, txn.state.typeNames, () => withDomains(txn.state.domains, () => run(txn, ctx)));
      return { rows: [], rowCount: 0 };
    },
  };
}

function relationExists(state: DbState, name: string): boolean {
  return state.tableNames.has(name) || state.indexNames.has(name) || state.sequenceNames.has(name) || compositeNamed(state, name);
}

function uniqueName(state: DbState, base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; relationExists(state, name) || taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/** The catalog key of a UNIQUE/PRIMARY KEY constraint's index named in CONSTRAINT name: in its table's schema, never taken. */
function givenIndexName(state: DbState, table: string, given: string, taken: Set<string>): string {
  const key = relationKey(splitKey(table).schema, given);
  if (relationExists(state, key) || taken.has(key)) throw new SqlError(SQLSTATE.duplicate_table, `relation "${given}" already exists`);
  taken.add(key);
  return key;
}

function lookupTable(state: DbState, name: string, location?: number): TableData {
  const oid = state.tableNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`, { position: pos(location) });
  refuseView(state.table(oid).def, 'table', location);
  return state.table(oid);
}

export interface ColumnPlan {
  column: ColumnDef;
  serial: boolean;
  /** GENERATED … AS IDENTITY: its kind and its sequence's options. */
  identity?: { when: 'a' | 'd'; options: Node[] };
  primary: boolean;
  unique: boolean;
  /** The name a column's PRIMARY KEY or UNIQUE was given (CONSTRAINT name …). */
  keyName?: string;
  /** CHECK constraints written on the column, with the name given them (CONSTRAINT name CHECK …). */
  checks: { expr: Node; name?: string }[];
  foreign: Constraint[];
}

function columnFromAst(cd: PgColumnDef, table: string, planner: SubqueryPlanner): ColumnPlan {
  const name = cd.colname!;
  checkColumnName(name);
  const typeNames = strings(cd.typeName?.names);
  const last = typeNames[typeNames.length - 1]!;
  const serialType = typeNames.length === 1 ? SERIAL[last] : undefined;
  checkNotPseudoType(name, typeNames, cd.typeName?.arrayBounds?.length ?? 0);
  const { type, typmod, domain } = serialType ? { type: serialType, typmod: -1, domain: undefined } : resolveTypeName(cd.typeName!);
  checkStorableType(name, type);
  const column: ColumnDef = { name, type, typmod, notNull: false, ...domainColumn(domain) };
  const plan: ColumnPlan = { column, serial: !!serialType, primary: false, unique: false, checks: [], foreign: [] };
  let previous: Constraint | undefined;
  for (const c of (cd.constraints ?? []).map((n) => (n as { Constraint: Constraint }).Constraint)) {
    if (!c.contype?.startsWith('CONSTR_ATTR_')) previous = c;
    switch (c.contype) {
      case 'CONSTR_NOTNULL': column.notNull = true; break;
      case 'CONSTR_NULL': break;
      case 'CONSTR_DEFAULT': {
        checkNoSubquery(c.raw_expr!, 'DEFAULT expression');
        const scope = new RowScope([], 0, planner);
        scope.clause = 'DEFAULT expressions';
        const compiled = compileExpr(c.raw_expr!, scope);
        checkAssignable(compiled.type, type, name);
        column.default = c.raw_expr;
        break;
      }
      case 'CONSTR_IDENTITY': {
        if (type !== 'int2' && type !== 'int4' && type !== 'int8') throw new SqlError(SQLSTATE.invalid_parameter_value, 'identity column type must be smallint, integer, or bigint');
        if (plan.identity) throw new SqlError(SQLSTATE.syntax_error, `multiple identity specifications for column "${name}" of table "${table}"`);
        plan.identity = { when: c.generated_when === 'd' ? 'd' : 'a', options: c.options ?? [] };
        column.notNull = true;
        break;
      }
      case 'CONSTR_GENERATED':
        checkNoSubquery(c.raw_expr!, 'column generation expression');
        column.generated = c.raw_expr;
        break;
      case 'CONSTR_PRIMARY': plan.primary = true; column.notNull = true; if (c.conname) plan.keyName = c.conname; break;
      case 'CONSTR_UNIQUE': plan.unique = true; if (c.conname) plan.keyName = c.conname; break;
      case 'CONSTR_CHECK': checkNoSubquery(c.raw_expr!, 'check constraint'); plan.checks.push({ expr: c.raw_expr!, ...(c.conname && { name: c.conname }) }); break;
      case 'CONSTR_FOREIGN': plan.foreign.push(c); break;
      case 'CONSTR_ATTR_DEFERRED':
        if (previous?.contype !== 'CONSTR_FOREIGN') throw new SqlError(SQLSTATE.feature_not_supported, 'DEFERRABLE INITIALLY DEFERRED is not supported for UNIQUE, PRIMARY KEY or CHECK constraints');
        plan.foreign[plan.foreign.length - 1] = { ...previous, initdeferred: true };
        break;
      // without INITIALLY DEFERRED (and without SET CONSTRAINTS) a constraint is checked as if not deferrable
      case 'CONSTR_ATTR_DEFERRABLE': case 'CONSTR_ATTR_NOT_DEFERRABLE': case 'CONSTR_ATTR_IMMEDIATE': break;
      default: throw new SqlError(SQLSTATE.feature_not_supported, `column constraint ${c.contype} is not supported`);
    }
  }
  if (serialType) {
    if (column.default) throw new SqlError(SQLSTATE.syntax_error, `multiple default values specified for column "${name}" of table "${table}"`);
    column.notNull = true;
  }
  if (plan.identity && column.default) throw new SqlError(SQLSTATE.syntax_error, `both default and identity specified for column "${name}" of table "${table}"`);
  if (column.generated && column.default) throw new SqlError(SQLSTATE.syntax_error, `both default and generation expression specified for column "${name}" of table "${table}"`);
  if (column.generated && (plan.identity || serialType)) throw new SqlError(SQLSTATE.syntax_error, `both identity and generation expression specified for column "${name}" of table "${table}"`);
  return plan;
}

export function firstColumn(node: Node): string | undefined {
  let found: string | undefined;
  JSON.stringify(node, (k, v) => {
    if (!found && k === 'ColumnRef') found = strings((v as { fields?: Node[] }).fields).pop();
    return v;
  });
  return found;
}

/**
 * The sequence of a serial or identity column (its SEQUENCE NAME, or `<table>_<column>_seq`),
 * counting in the column's type; the column's default becomes its nextval.
 */
function createColumnSequence(txn: WriteTxn, table: string, oid: number, c: ColumnPlan, taken: Set<string>): void {
  const state = txn.state;
  const options = parseOptions(c.identity?.options, false);
  const given = options.sequenceName;
  if (given && given.length > 1) ddlSchemaOk(given[given.length - 2]);
  const seqName = given ? given[given.length - 1]! : uniqueName(state, `${table}_${c.column.name}_seq`, taken);
  if (given && (relationExists(state, seqName) || taken.has(seqName))) throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(seqName)}" already exists`);
  taken.add(seqName);
  const ownedBy = { table: oid, column: c.column.name };
  // a serial's or identity's sequence counts in its column's type (an int4 serial stops at 2147483647)
  const type = c.column.type as 'int2' | 'int4' | 'int8';
  txn.write({ kind: 'create_sequence', sequence: newSequence(state, seqName, options, { type, ownedBy }) });
  c.column.default = nextvalCall(seqName);
  if (c.identity) c.column.identity = c.identity.when;
  else c.column.defaultText = `nextval('${seqName}'::regclass)`;
}

export function planCreateTable(stmt: CreateStmt, planner: SubqueryPlanner): StatementPlan {
  if (stmt.ofTypename) throw new SqlError(SQLSTATE.feature_not_supported, 'typed tables are not supported');
  ddlSchemaOk(stmt.relation?.schemaname, false, stmt.relation?.location);
  const options = createOptions(stmt.options, !!stmt.partspec);
  return ddl('CREATE TABLE', (txn, ctx) => {
    const state = txn.state;
    const name = stmt.relation!.relname!;
    if (relationExists(state, name)) {
      if (stmt.if_not_exists) return;
      throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
    }
    const inherit = planInherits(stmt, state);
    const columns: ColumnPlan[] = inherit?.columns ?? [];
    const tableConstraints: Constraint[] = [];
    const liked: Omit<LikeCopy, 'columns'> = { checks: [], indexes: [] };
    for (const elt of stmt.tableElts ?? []) {
      if ('ColumnDef' in elt && inherit?.merge(elt.ColumnDef, (cd) => columnFromAst(cd, name, planner))) continue;
      const added = 'ColumnDef' in elt ? [columnFromAst(elt.ColumnDef, name, planner)] : 'TableLikeClause' in elt ? addLike(liked, copyLike(elt.TableLikeClause, state)) : [];
      for (const c of added) {
        if (columns.some((x) => x.column.name === c.column.name)) throw new SqlError(SQLSTATE.duplicate_column, `column "${c.column.name}" specified more than once`);
        columns.push(c);
      }
      if ('ColumnDef' in elt || 'TableLikeClause' in elt) continue;
      if ('Constraint' in elt) tableConstraints.push(elt.Constraint);
      else throw new SqlError(SQLSTATE.feature_not_supported, `table element ${Object.keys(elt)[0]} is not supported`);
    }
    const taken = new Set<string>([name]);
    const oid = state.allocateOid();
    const keys: { columns: string[]; primary: boolean; name?: string }[] = [];
    const checks: CheckDef[] = [...(inherit?.checks ?? []), ...liked.checks];
    for (const ix of liked.indexes) if (ix.def.constraint) keys.push({ columns: ix.def.columns, primary: ix.def.primary });
    const foreign: { c: Constraint; column?: string }[] = [];
    for (const c of columns) {
      for (const f of c.foreign) foreign.push({ c: f, column: c.column.name });
      if (c.primary) keys.push({ columns: [c.column.name], primary: true, name: c.keyName });
      if (c.unique) keys.push({ columns: [c.column.name], primary: false, name: c.keyName });
      for (const ch of c.checks) checks.push({ name: ch.name ?? uniqueName(state, `${ownName(name)}_${c.column.name}_check`, taken), expr: ch.expr });
    }
    for (const c of tableConstraints) {
      const cols = strings(c.keys);
      for (const col of cols) {
        if (!columns.some((x) => x.column.name === col)) throw new SqlError(SQLSTATE.undefined_column, `column "${col}" named in key does not exist`, { position: pos(c.location) });
      }
      if (c.contype === 'CONSTR_PRIMARY') keys.push({ columns: cols, primary: true, name: c.conname });
      else if (c.contype === 'CONSTR_UNIQUE') keys.push({ columns: cols, primary: false, name: c.conname });
      else if (c.contype === 'CONSTR_CHECK') {
        checkNoSubquery(c.raw_expr!, 'check constraint');
        const base = c.conname ?? `${ownName(name)}_${firstColumn(c.raw_expr!) ?? ''}_check`.replace('__', '_');
        checks.push({ name: c.conname ?? uniqueName(state, base, taken), expr: c.raw_expr! });
      } else if (c.contype === 'CONSTR_FOREIGN') foreign.push({ c });
      else throw new SqlError(SQLSTATE.feature_not_supported, `table constraint ${c.contype} is not supported`);
    }
    if (keys.filter((k) => k.primary).length > 1) throw new SqlError(SQLSTATE.invalid_table_definition, `multiple primary keys for table "${ownName(name)}" are not allowed`);
    for (const k of keys) if (k.primary) for (const col of k.columns) columns.find((c) => c.column.name === col)!.column.notNull = true;

    for (const c of columns) if (c.serial || c.identity) createColumnSequence(txn, name, oid, c, taken);
    const def: TableDef = { oid, name, columns: columns.map((c) => c.column), checks, rowType: state.allocateOid(), ...(options && { options }) };
    const owner = { name, oid, columns: def.columns, keys };
    const fkNames = new Set([...taken, ...checks.map((c) => c.name)]);
    const foreignKeys = foreign.map((f) => planForeignKey(f.c, owner, state, fkNames, f.column));
    if (foreignKeys.length) def.foreignKeys = foreignKeys;
    finishInherits(state, def, stmt, inherit, planner, ctx);
    checkUniqueKeys(def, keys);
    // compile checks now so a bad CHECK fails the CREATE, not the first INSERT
    const scope = new RowScope([{ alias: name, columns: def.columns.map((c) => ({ name: c.name, type: c.type })), offset: 0 }], def.columns.length, planner);
    scope.clause = 'check constraints';
    for (const ch of checks) compileExpr(ch.expr, scope);
    txn.write({ kind: 'create_table', table: def });
    for (const k of keys) {
      const ixName = k.name ? givenIndexName(state, name, k.name, taken) : uniqueName(state, k.primary ? `${name}_pkey` : `${name}_${k.columns.join('_')}_key`, taken);
      txn.write({ kind: 'create_index', index: { oid: state.allocateOid(), name: ixName, table: oid, columns: k.columns, unique: true, primary: k.primary, constraint: true } });
    }
    cloneParentIndexes(txn, def, taken, (base) => uniqueName(state, base, taken));
    for (const ix of liked.indexes.filter((x) => !x.def.constraint)) {
      txn.write({ kind: 'create_index', index: { ...ix.def, oid: state.allocateOid(), name: uniqueName(state, `${name}_${ix.nameParts.join('_')}_idx`, taken), table: oid } });
    }
  });
}

export function nextvalCall(seq: string): Node {
  return { FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ A_Const: { sval: { sval: seq } } }], funcformat: 'COERCE_EXPLICIT_CALL' } };
}

export function planCreateIndex(stmt: IndexStmt): StatementPlan {
  ddlSchemaOk(stmt.relation?.schemaname);
  return ddl('CREATE INDEX', (txn) => {
    const state = txn.state;
    const table = lookupTable(state, stmt.relation!.relname!, stmt.relation!.location);
    const { names, ...elements } = indexElements(stmt, table);
    const name = stmt.idxname ?? uniqueName(state, `${table.def.name}_${names.join('_')}_idx`, new Set());
    if (relationExists(state, name)) {
      if (stmt.if_not_exists) return;
      throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
    }
    const def: IndexDef = { oid: state.allocateOid(), name, table: table.def.oid, ...elements, unique: !!stmt.unique, primary: false, constraint: false };
    if (def.unique) assertNoDuplicates(table, def);
    if (def.unique && table.def.partitionKey) checkUniqueKeys(table.def, [{ columns: def.columns, primary: false }]);
    txn.write({ kind: 'create_index', index: def });
    if (stmt.relation!.inh) indexPartitions(txn, def, names, (base) => uniqueName(state, base, new Set()));
  });
}

export function assertNoDuplicates(table: TableData, def: IndexDef): void {
  const ix = new IndexData(def, table.def, undefined);
  const types = ix.keyTypes(table.def);
  const seen = new Set<string>();
  const rowKey = rowKeyFor(types);
  table.rows.forEachPair((_id, row) => {
    if (!ix.covers(row)) return;
    const key1 = ix.keyOf(row);
    const vals = ix.composite ? (key1 as Value[]) : [key1];
    if (vals.some((v) => v === null || v === undefined)) return;
    const key = rowKey(vals);
    if (seen.has(key)) {
      const shown = vals.map((v, i) => formatValue(v, types[i]!));
      throw new SqlError(SQLSTATE.unique_violation, `could not create unique index "${ownName(def.name)}"`, { detail: `Key (${def.columns.join(', ')})=(${shown.join(', ')}) is duplicated.` });
    }
    seen.add(key);
  });
}

export function planDrop(stmt: DropStmt): StatementPlan {
  const kind = stmt.removeType;
  const cascade = stmt.behavior === 'DROP_CASCADE';
  // CASCADE drops dependent foreign keys and views
  if (cascade && kind !== 'OBJECT_TABLE' && kind !== 'OBJECT_VIEW') throw new SqlError(SQLSTATE.feature_not_supported, `DROP ${(kind ?? '').replace('OBJECT_', '')} … CASCADE is not supported`);
  const names = (stmt.objects ?? []).flatMap((o) => {
    const parts = 'List' in o ? strings(o.List.items) : strings([o]);
    // DROP … IF EXISTS of a relation in a schema that does not exist does nothing
    if (parts.length > 1 && !ddlSchemaOk(parts[parts.length - 2], stmt.missing_ok)) return [];
    return [parts[parts.length - 1]!];
  });
  if (kind === 'OBJECT_VIEW') return planDropView(names, !!stmt.missing_ok, cascade);
  if (kind === 'OBJECT_TABLE') {
    return ddl('DROP TABLE', (txn) => {
      const named = new Map(names.map((n) => [n, txn.state.tableNames.get(n)]));
      const dropped = new Set([...named.values()].filter((o) => o !== undefined));
      const wentWithParent = (n: string) => named.get(n) !== undefined;
      for (const name of names) {
        const oid = txn.state.tableNames.get(name);
        if (oid === undefined) {
          // a child named after its parent went with the parent
          if (stmt.missing_ok || wentWithParent(name)) continue;
          throw new SqlError(SQLSTATE.undefined_table, `table "${ownName(name)}" does not exist`);
        }
        if (txn.state.table(oid).def.view) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a table`, { hint: 'Use DROP VIEW to remove a view.' });
        dropOne(oid, name);
      }

      function dropOne(oid: number, name: string): void {
        dropTreeBelow(txn.state, oid, dropped, cascade, (child) => dropOne(child.oid, child.name));
        if (!txn.state.tables.has(oid)) return;
        dropDependentViews(txn, oid, dropped, cascade);
        dropTableDependents(txn, oid, dropped, cascade);
        txn.write({ kind: 'drop_table', table: oid });
        for (const seq of [...txn.state.sequences.values()]) {
          if (seq.def.ownedBy?.table !== oid) continue;
          refuseSequenceInUse(txn.state, seq.def.name, { name: ownName(name), cascade, dropped });
          txn.write({ kind: 'drop_sequence', sequence: seq.def.oid });
        }
      }
    });
  }
  if (kind === 'OBJECT_INDEX') {
    return ddl('DROP INDEX', (txn) => {
      for (const name of names) {
        const oid = txn.state.indexNames.get(name);
        if (oid === undefined) {
          if (stmt.missing_ok) continue;
          throw new SqlError(SQLSTATE.undefined_object, `index "${ownName(name)}" does not exist`);
        }
        const table = txn.state.table(txn.state.indexTables.get(oid)!);
        const ix = table.indexes.find((i) => i.def.oid === oid)!;
        if (ix.def.constraint) {
          throw new SqlError('2BP01', `cannot drop index ${name} because constraint ${name} on table ${table.def.name} requires it`, {
            hint: `You can drop constraint ${name} on table ${table.def.name} instead.`,
          });
        }
        txn.write({ kind: 'drop_index', index: oid });
      }
    });
  }
  if (kind === 'OBJECT_SEQUENCE') {
    return ddl('DROP SEQUENCE', (txn) => {
      for (const name of names) {
        const oid = txn.state.sequenceNames.get(name);
        if (oid === undefined) {
          if (stmt.missing_ok) continue;
          throw new SqlError(SQLSTATE.undefined_table, `sequence "${ownName(name)}" does not exist`);
        }
        refuseSequenceInUse(txn.state, name);
        txn.write({ kind: 'drop_sequence', sequence: oid });
      }
    });
  }
  throw new SqlError(SQLSTATE.feature_not_supported, `DROP ${(kind ?? '').replace('OBJECT_', '')} is not supported`);
}

export function planRename(stmt: RenameStmt): StatementPlan {
  ddlSchemaOk(stmt.relation?.schemaname);
  const name = stmt.relation?.relname ?? '';
  const relation = planRelationRename(stmt);
  if (relation) return relation;
  if (stmt.renameType === 'OBJECT_COLUMN') {
    return ddl('ALTER TABLE', (txn) => {
      const named = lookupTable(txn.state, name, stmt.relation?.location);
      renameColumnInTree(txn.state, named.def, stmt.subname!, !!stmt.relation?.inh, (def, expectedParents, inherited) => {
        const table = txn.state.table(def.oid);
        refuseIfViewed(txn.state, def.oid, 'renaming a column');
        if (table.column(stmt.subname!) < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${stmt.subname}" does not exist`);
        checkRenameColumn(def, stmt.subname!, expectedParents, inherited);
        checkColumnName(stmt.newname!);
        if (table.column(stmt.newname!) >= 0) throw new SqlError(SQLSTATE.duplicate_column, `column "${stmt.newname}" of relation "${ownName(def.name)}" already exists`);
        const ix = table.indexes.find((i) => indexReads(i.def, stmt.subname!));
        if (ix) throw new SqlError(SQLSTATE.feature_not_supported, `renaming column "${stmt.subname}", which the expression or predicate of index "${ownName(ix.def.name)}" reads, is not supported`);
        txn.write({ kind: 'rename_column', table: def.oid, column: stmt.subname!, name: stmt.newname! });
      });
    });
  }
  throw new SqlError(SQLSTATE.feature_not_supported, `ALTER ${(stmt.renameType ?? '').replace('OBJECT_', '')} … RENAME is not supported`);
}

export function planAlterTable(stmt: AlterTableStmt, planner: SubqueryPlanner): StatementPlan {
  const name = stmt.relation?.relname ?? '';
  const schemaOk = ddlSchemaOk(stmt.relation?.schemaname, stmt.missing_ok);
  return ddl('ALTER TABLE', (txn, ctx) => {
    if (!schemaOk) return;
    if (txn.state.tableNames.get(name) === undefined) {
      if (stmt.missing_ok) return;
      lookupTable(txn.state, name, stmt.relation?.location);
    }
    const cmds = (stmt.cmds ?? []).map((n) => (n as { AlterTableCmd: AlterTableCmd }).AlterTableCmd);
    // every ALTER TYPE of the statement rewrites the table once, at the first of them (alter-type.ts)
    const retype = cmds.filter((c) => c.subtype === 'AT_AlterColumnType');
    for (const cmd of cmds) {
      if (alterInTree(cmd, stmt, lookupTable(txn.state, name).def, txn, ctx, planner, planAlterTable, () => alterOne(cmd, txn, ctx))) continue;
      if (cmd.subtype !== 'AT_AlterColumnType') alterOne(cmd, txn, ctx);
      else if (cmd === retype[0]) {
        const table = lookupTable(txn.state, name);
        alterColumnTypes(retype, table, txn, ctx, planner);
      }
    }
  });

  function alterOne(cmd: AlterTableCmd, txn: WriteTxn, ctx: RunContext): void {
    const table = lookupTable(txn.state, name);
    const oid = table.def.oid;
    if (cmd.subtype === 'AT_DropColumn') refuseIfViewed(txn.state, oid, 'altering columns');
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const cd = (cmd.def as { ColumnDef: PgColumnDef }).ColumnDef;
        if (table.column(cd.colname!) >= 0) {
          if (cmd.missing_ok) return;
          throw new SqlError(SQLSTATE.duplicate_column, `column "${cd.colname}" of relation "${ownName(name)}" already exists`);
        }
        const c = columnFromAst(cd, name, planner);
        // serial, identity and generated columns get a value per existing row (generated.ts)
        const perRow = c.serial || !!c.identity || !!c.column.generated;
        if (c.serial || c.identity) createColumnSequence(txn, name, oid, c, new Set());
        const fkAttrs = [{ String: { sval: c.column.name } }];
        let fill: Value = null;
        if (c.column.default && !perRow) {
          const compiled = compileExpr(c.column.default, new RowScope([], 0, planner));
          fill = coerceToColumn(compiled.eval([], ctx), c.column.type, c.column.typmod);
        }
        if (c.column.domain !== undefined && table.rows.size > 0) checkDomainValue(c.column.domain, fill, planner, ctx);
        if (c.column.notNull && fill === null && !perRow && table.rows.size > 0) {
          throw new SqlError(SQLSTATE.not_null_violation, `column "${c.column.name}" of relation "${ownName(name)}" contains null values`);
        }
        txn.write({ kind: 'add_column', table: oid, column: c.column, fill });
        if (perRow) fillAddedColumn(txn, ctx, oid, planner);
        if (c.primary || c.unique) {
          if (c.primary && table.indexes.some((i) => i.def.primary)) throw new SqlError(SQLSTATE.invalid_table_definition, `multiple primary keys for table "${ownName(name)}" are not allowed`);
          const ixName = uniqueName(txn.state, c.primary ? `${name}_pkey` : `${name}_${c.column.name}_key`, new Set());
          const def: IndexDef = { oid: txn.state.allocateOid(), name: ixName, table: oid, columns: [c.column.name], unique: true, primary: c.primary, constraint: true };
          assertNoDuplicates(txn.state.table(oid), def);
          txn.write({ kind: 'create_index', index: def });
        }
        // the column's CHECK and REFERENCES constraints, checked against the rows as filled
        for (const ch of c.checks) addConstraint({ contype: 'CONSTR_CHECK', raw_expr: ch.expr, ...(ch.name && { conname: ch.name }) }, txn.state.table(oid), txn, ctx, planner);
        for (const f of c.foreign) addConstraint({ ...f, fk_attrs: f.fk_attrs?.length ? f.fk_attrs : fkAttrs }, txn.state.table(oid), txn, ctx, planner);
        return;
      }
      case 'AT_ColumnDefault':
      case 'AT_SetNotNull':
      case 'AT_DropNotNull':
        alterColumn(cmd, table, txn, planner);
        return;
      case 'AT_AddConstraint':
        addConstraint((cmd.def as { Constraint: Constraint }).Constraint, table, txn, ctx, planner);
        return;
      case 'AT_DropConstraint':
        dropConstraint(cmd.name!, !!cmd.missing_ok, cmd.behavior === 'DROP_CASCADE', table, txn);
        return;
      case 'AT_ValidateConstraint':
        validateConstraint(cmd.name!, table, txn, ctx, planner);
        return;
      case 'AT_DropColumn': {
        if (table.column(cmd.name!) < 0) {
          if (cmd.missing_ok) return;
          throw new SqlError(SQLSTATE.undefined_column, `column "${cmd.name}" of relation "${ownName(name)}" does not exist`);
        }
        dropColumnDependents(txn, table.def, cmd.name!, cmd.behavior === 'DROP_CASCADE');
        for (const ix of table.indexes) if (ix.def.columns.includes(cmd.name!) || indexReads(ix.def, cmd.name!)) txn.write({ kind: 'drop_index', index: ix.def.oid });
        for (const seq of [...txn.state.sequences.values()]) {
          if (seq.def.ownedBy?.table === oid && seq.def.ownedBy.column === cmd.name) txn.write({ kind: 'drop_sequence', sequence: seq.def.oid });
        }
        txn.write({ kind: 'drop_column', table: oid, column: cmd.name! });
        return;
      }
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions': {
        const items = (cmd.def as { List?: { items?: Node[] } } | undefined)?.List?.items;
        const options = alterOptions(table.def.options, items, !!table.def.partitionKey, cmd.subtype === 'AT_ResetRelOptions');
        const def: TableDef = { ...table.def, options };
        if (!options) delete def.options;
        txn.write({ kind: 'alter_table_def', table: def });
        return;
      }
      default:
        throw new SqlError(SQLSTATE.feature_not_supported, `ALTER TABLE ${(cmd.subtype ?? '').replace('AT_', '')} is not supported`);
    }
  }
}
