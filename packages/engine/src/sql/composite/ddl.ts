/**
 * CREATE TYPE … AS (…) and the ALTER TYPE forms over composites (ADD / DROP / ALTER ATTRIBUTE …
 * TYPE, RENAME ATTRIBUTE, RENAME TO, OWNER TO), as WAL-logged catalog changes (create_type). A
 * column's type spells its composite (type.ts), so RENAME TO rewrites the definitions of the
 * tables using it; changes that would have to rewrite stored values are refused as PostgreSQL
 * refuses them or, where PostgreSQL would rewrite them, with 0A000.
 */
import type { AlterOwnerStmt, AlterTableCmd, AlterTableStmt, ColumnDef, CompositeTypeStmt, Node, RenameStmt } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { AttributeDef, CompositeDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { WriteTxn } from '../env.ts';
import type { StatementPlan } from '../plan.ts';
import { strings } from '../names.ts';
import { resolveTypeName } from '../cast.ts';
import { checkNotPseudoType } from '../types/pseudo.ts';
import { isEnumDef, withEnumTypes } from '../types/enum.ts';
import { withDomains } from '../types/domain-catalog.ts';
import { columnsUsing, typeDependents } from './depends.ts';
import { refuseTableRowType, typeOfComposite } from './type.ts';

/** A DDL plan whose run resolves type names against the transaction's catalog as it is then (ADD ATTRIBUTE's type). */
function ddl(command: string, run: (txn: WriteTxn) => void): StatementPlan {
  return {
    command, columns: [], writes: true,
    run: (ctx) => {
      const txn = ctx.env.txn!;
      withEnumTypes(txn.state.types, txn.state.typeNames, () => withDomains(txn.state.domains, () => run(txn)));
      return { rows: [], rowCount: 0 };
    },
  };
}

/** The type's key: `public.t` and `t` are the same; another schema (resolved to its key by sql/schema/) must exist. */
function typeKey(parts: string[]): string {
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'public')) throw new SqlError('3F000', `schema "${parts[parts.length - 2]}" does not exist`);
  return parts[parts.length - 1]!;
}

/** Collations that order text as walrtc does (by code point); any other could change a result. */
const SAME_ORDER = new Set(['C', 'POSIX', 'default']);

/** An attribute from a column definition: its type resolved (`_int4` is int4[]'s pg_type name), a pseudo-type refused. */
export function attributeOf(def: ColumnDef): AttributeDef {
  const tn = def.typeName!;
  const name = def.colname!;
  const names = strings(tn.names);
  checkNotPseudoType(name, names, tn.arrayBounds?.length ?? 0);
  const coll = def.collClause ? strings(def.collClause.collname) : [];
  if (coll.length && !SAME_ORDER.has(coll[coll.length - 1]!)) throw featureNotSupported(`COLLATE "${coll.join('.')}" on an attribute of a composite type`);
  const last = names[names.length - 1] ?? '';
  const { type, typmod, domain } = last.startsWith('_') && !tn.arrayBounds?.length
    ? resolveTypeName({ ...tn, names: [...tn.names!.slice(0, -1), { String: { sval: last.slice(1) } }], arrayBounds: [{ Integer: { ival: -1 } }] })
    : resolveTypeName(tn);
  refuseTableRowType(`an attribute ("${name}")`, type);
  return { name, type, typmod, ...(domain !== undefined ? { domain } : {}) };
}

function checkUnique(attrs: AttributeDef[]): void {
  const seen = new Set<string>();
  for (const a of attrs) {
    if (seen.has(a.name)) throw new SqlError(SQLSTATE.duplicate_column, `column "${a.name}" specified more than once`);
    seen.add(a.name);
  }
}

export function planCreateComposite(stmt: CompositeTypeStmt): StatementPlan {
  const rv = stmt.typevar!;
  const name = typeKey([...(rv.schemaname ? [rv.schemaname] : []), rv.relname!]);
  const attributes = (stmt.coldeflist ?? []).map((n) => attributeOf((n as { ColumnDef: ColumnDef }).ColumnDef));
  checkUnique(attributes);
  return ddl('CREATE TYPE', (txn) => {
    const s = txn.state;
    if (s.typeNames.has(name) || s.tableNames.has(name) || [...s.domains.values()].some((d) => d.name === name)) throw new SqlError('42710', `type "${name}" already exists`);
    const oid = s.allocateOid();
    txn.write({ kind: 'create_type', type: { oid, name, attributes, arrayOid: s.allocateOid() } });
  });
}

/** A composite type is a relation in PostgreSQL's pg_class too: its name is taken for tables, views, sequences and indexes. */
export function compositeNamed(state: DbState, name: string): boolean {
  const oid = state.typeNames.get(name);
  return oid !== undefined && !isEnumDef(state.types.get(oid)!);
}

/** The composite type ALTER TYPE … ATTRIBUTE names; PostgreSQL looks it up as a relation (42P01). */
function composite(state: DbState, name: string): CompositeDef {
  const oid = state.typeNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`);
  const def = state.types.get(oid)!;
  if (isEnumDef(def)) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a composite type`);
  return def;
}

/**
 * Write `next` in place of `def`. Values stored in columns are RowValues holding their fields,
 * so a change of the fields would need them rewritten: refused with PostgreSQL's message while a
 * column uses the type; types, domains and functions spelling it are refused with 0A000.
 */
function replace(txn: WriteTxn, def: CompositeDef, next: CompositeDef, what: string, renameOnly = false): void {
  if (!renameOnly) {
    const [column] = columnsUsing(txn.state, def);
    // PostgreSQL renames an attribute under stored values; walrtc's values carry their field names
    if (column && what === 'RENAME ATTRIBUTE') throw featureNotSupported(`ALTER TYPE … RENAME ATTRIBUTE of a type that column ${column[1]} of table ${column[0]} uses`);
    if (column) throw new SqlError(SQLSTATE.feature_not_supported, `cannot alter type "${def.name}" because column "${column[0]}.${column[1]}" uses it`);
    const [other] = typeDependents(txn.state, def);
    if (other) throw featureNotSupported(`ALTER TYPE … ${what} of a type that ${other} uses`);
  } else {
    const [other] = typeDependents(txn.state, def).filter((d) => !d.startsWith('column ') || d.includes(' of composite type '));
    if (other) throw featureNotSupported(`ALTER TYPE … ${what} of a type that ${other} uses`);
  }
  txn.write({ kind: 'create_type', type: next });
  const before = typeOfComposite(def), after = typeOfComposite(next);
  for (const t of [...txn.state.tables.values()]) {
    if (!t.def.columns.some((c) => c.type === before)) continue;
    txn.write({ kind: 'alter_table_def', table: { ...t.def, columns: t.def.columns.map((c) => (c.type === before ? { ...c, type: after } : c)) } });
  }
}

function applyCmd(attrs: AttributeDef[], cmd: AlterTableCmd, type: string): AttributeDef[] {
  const missing = (n: string) => new SqlError(SQLSTATE.undefined_column, `column "${n}" of relation "${type}" does not exist`);
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const a = attributeOf((cmd.def as { ColumnDef: ColumnDef }).ColumnDef);
      if (attrs.some((x) => x.name === a.name)) throw new SqlError(SQLSTATE.duplicate_column, `column "${a.name}" of relation "${type}" already exists`);
      return [...attrs, a];
    }
    case 'AT_DropColumn': {
      if (!attrs.some((x) => x.name === cmd.name)) {
        if (cmd.missing_ok) return attrs;
        throw missing(cmd.name!);
      }
      return attrs.filter((x) => x.name !== cmd.name);
    }
    case 'AT_AlterColumnType': {
      const i = attrs.findIndex((x) => x.name === cmd.name);
      if (i < 0) throw missing(cmd.name!);
      const def = (cmd.def as { ColumnDef: ColumnDef }).ColumnDef;
      if (def.raw_default) throw featureNotSupported('ALTER TYPE … ALTER ATTRIBUTE … USING');
      const a = attributeOf({ ...def, colname: cmd.name! });
      return attrs.map((x, j) => (j === i ? a : x));
    }
    default:
      throw featureNotSupported(`ALTER TYPE … ${cmd.subtype?.replace('AT_', '')}`);
  }
}

/** ALTER TYPE t ADD | DROP | ALTER ATTRIBUTE …, (parsed as an ALTER TABLE of objtype OBJECT_TYPE). */
export function planAlterComposite(stmt: AlterTableStmt): StatementPlan {
  const rv = stmt.relation!;
  const name = typeKey([...(rv.schemaname ? [rv.schemaname] : []), rv.relname!]);
  const cmds = (stmt.cmds ?? []).map((c) => (c as { AlterTableCmd: AlterTableCmd }).AlterTableCmd);
  return ddl('ALTER TYPE', (txn) => {
    const def = composite(txn.state, name);
    let attrs = [...def.attributes];
    for (const cmd of cmds) {
      if (cmd.behavior === 'DROP_CASCADE' && columnsUsing(txn.state, def).length) throw featureNotSupported('ALTER TYPE … CASCADE over columns that use the type');
      attrs = applyCmd(attrs, cmd, name);
    }
    checkUnique(attrs);
    replace(txn, def, { ...def, attributes: attrs }, 'ATTRIBUTE');
  });
}

/** ALTER TYPE t RENAME ATTRIBUTE a TO b, ALTER TYPE t RENAME TO u; undefined for other renames. */
export function planRenameComposite(stmt: RenameStmt): StatementPlan | undefined {
  if (stmt.renameType === 'OBJECT_ATTRIBUTE') {
    const rv = stmt.relation!;
    const name = typeKey([...(rv.schemaname ? [rv.schemaname] : []), rv.relname!]);
    return ddl('ALTER TYPE', (txn) => {
      const def = composite(txn.state, name);
      if (!def.attributes.some((a) => a.name === stmt.subname)) {
        if (stmt.missing_ok) return;
        throw new SqlError(SQLSTATE.undefined_column, `column "${stmt.subname}" does not exist`);
      }
      if (def.attributes.some((a) => a.name === stmt.newname)) throw new SqlError(SQLSTATE.duplicate_column, `column "${stmt.newname}" of relation "${name}" already exists`);
      replace(txn, def, { ...def, attributes: def.attributes.map((a) => (a.name === stmt.subname ? { ...a, name: stmt.newname! } : a)) }, 'RENAME ATTRIBUTE');
    });
  }
  if (stmt.renameType !== 'OBJECT_TYPE') return undefined;
  const name = typeKey(strings(objectNames(stmt.object)));
  const oid = (s: DbState) => s.typeNames.get(name);
  return ddl('ALTER TYPE', (txn) => {
    const s = txn.state;
    const found = oid(s);
    if (found === undefined) throw new SqlError(SQLSTATE.undefined_object, `type "${name}" does not exist`);
    const def = s.types.get(found)!;
    if (isEnumDef(def)) throw featureNotSupported('ALTER TYPE … RENAME TO of an enum');
    const to = stmt.newname!;
    if (s.typeNames.has(to) || s.tableNames.has(to) || [...s.domains.values()].some((d) => d.name === to)) throw new SqlError('42710', `type "${to}" already exists`);
    replace(txn, def, { ...def, name: to }, 'RENAME TO', true);
  });
}

function objectNames(o: Node | undefined): Node[] {
  if (!o) return [];
  if ('List' in o) return o.List.items ?? [];
  if ('TypeName' in o) return o.TypeName.names ?? [];
  return [o];
}

/** ALTER TYPE t OWNER TO the current user (walrtc's one role): only a check that the type exists; undefined for other objects. */
export function planCompositeOwner(stmt: AlterOwnerStmt): StatementPlan | undefined {
  if (stmt.objectType !== 'OBJECT_TYPE') return undefined;
  const name = typeKey(strings(objectNames(stmt.object)));
  const role = stmt.newowner;
  if (role?.roletype === 'ROLESPEC_CSTRING' ? role.rolename !== 'postgres' : role?.roletype !== 'ROLESPEC_CURRENT_USER' && role?.roletype !== 'ROLESPEC_SESSION_USER') {
    throw featureNotSupported('ALTER TYPE … OWNER TO a role other than the current user');
  }
  return ddl('ALTER TYPE', (txn) => {
    if (!txn.state.typeNames.has(name)) throw new SqlError(SQLSTATE.undefined_object, `type "${name}" does not exist`);
  });
}
