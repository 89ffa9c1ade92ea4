/**
 * COMMENT ON … IS '…' | NULL for the objects walrtc has oids for — tables, columns, views,
 * indexes, sequences, schemas, enum and domain types (and a table's row type), SQL functions — as
 * `comment` WAL records (catalog/comments.ts keeps them); an empty text removes the comment, as
 * in PostgreSQL. Constraints have no oids here, and PostgreSQL's built-in objects carry
 * descriptions walrtc does not know, so COMMENT on either is refused (0A000).
 */
import type { CommentStmt, Node, ObjectWithArgs, TypeName } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { Oid, TableDef } from '../../catalog/types.ts';
import { attnums, CLASS_OIDS } from '../../catalog/comments.ts';
import { namespaceOid } from '../../catalog/namespaces.ts';
import type { StatementPlan } from '../plan.ts';
import { strings } from '../names.ts';
import { quoteIdent } from '../quote-ident.ts';
import { regclassInput } from '../types/oid.ts';
import { relationKey } from '../schema/keys.ts';
import { INVALID_SCHEMA_NAME } from '../schema/keys.ts';
import { TEMP_OID_BASE } from '../temp-tables.ts';
import { dropTarget } from '../function/ddl.ts';

/** PostgreSQL's FirstNormalObjectId: below it, objects made by initdb. */
export const FIRST_USER_OID = 16384;

interface Target { classoid: Oid; objoid: Oid; subid: number }

type RelKind = 'table' | 'view' | 'index' | 'sequence';

const RELATION_KINDS: Partial<Record<NonNullable<CommentStmt['objtype']>, RelKind>> = {
  OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_INDEX: 'index', OBJECT_SEQUENCE: 'sequence',
};

function relationKind(state: DbState, oid: Oid): RelKind {
  const t = state.tables.get(oid);
  if (t) return t.def.view ? 'view' : 'table';
  return state.sequences.has(oid) ? 'sequence' : 'index';
}

/** The relation a qualified name list names (search_path, schemas and 42P01 as regclass input does, while the statement is planned). */
function relationOf(state: DbState, names: readonly string[]): Oid {
  return regclassInput(names.map(quoteIdent).join('.'), state).oid;
}

function relationTarget(state: DbState, names: readonly string[], kind: RelKind): Target {
  const oid = relationOf(state, names);
  if (relationKind(state, oid) !== kind) {
    const article = kind === 'index' ? 'an' : 'a';
    throw new SqlError(SQLSTATE.wrong_object_type, `"${names[names.length - 1]}" is not ${article} ${kind}`);
  }
  return { classoid: CLASS_OIDS.pg_class, objoid: oid, subid: 0 };
}

function columnTarget(state: DbState, names: readonly string[]): Target {
  if (names.length < 2) throw new SqlError(SQLSTATE.syntax_error, 'column name must be qualified');
  const column = names[names.length - 1]!;
  const oid = relationOf(state, names.slice(0, -1));
  const def: TableDef | undefined = state.tables.get(oid)?.def;
  const relname = names[names.length - 2]!;
  if (!def) {
    const what = state.sequences.has(oid) ? 'sequences' : 'indexes';
    throw new SqlError(SQLSTATE.wrong_object_type, `cannot set comment on relation "${relname}"`, { detail: `This operation is not supported for ${what}.` });
  }
  const at = def.columns.findIndex((c) => c.name === column);
  if (at < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${column}" of relation "${relname}" does not exist`);
  return { classoid: CLASS_OIDS.pg_class, objoid: oid, subid: attnums(def)[at]! };
}

function schemaTarget(state: DbState, name: string): Target {
  const oid = namespaceOid(state, name);
  if (oid === undefined) throw new SqlError(INVALID_SCHEMA_NAME, `schema "${name}" does not exist`);
  return { classoid: CLASS_OIDS.pg_namespace, objoid: oid, subid: 0 };
}

/** An enum, a domain, or a table's row type, by (optionally schema-qualified) name. */
function typeTarget(state: DbState, tn: TypeName, domainOnly: boolean): Target {
  const names = strings(tn.names ?? []);
  const display = names.join('.');
  if (names.length === 2 && namespaceOid(state, names[0]!) === undefined) throw new SqlError(INVALID_SCHEMA_NAME, `schema "${names[0]}" does not exist`);
  const key = names.length === 1 ? names[0]! : relationKey(names[0]!, names[1]!);
  const table = names.length <= 2 ? state.tableNames.get(key) : undefined;
  let oid = names.length <= 2 ? state.typeNames.get(key) : undefined;
  for (const d of state.domains.values()) if (d.name === key) oid = d.oid;
  oid ??= table === undefined ? undefined : state.table(table).def.rowType;
  if (oid === undefined) {
    if (names.length === 1 || names[0] === 'pg_catalog') throw featureNotSupported(`COMMENT ON TYPE "${display}" (a built-in type, or one walrtc does not have)`);
    throw new SqlError(SQLSTATE.undefined_object, `type "${display}" does not exist`);
  }
  if (domainOnly && !state.domains.has(oid)) throw new SqlError(SQLSTATE.wrong_object_type, `"${display}" is not a domain`);
  return { classoid: CLASS_OIDS.pg_type, objoid: oid, subid: 0 };
}

function target(state: DbState, stmt: CommentStmt): Target {
  const type = stmt.objtype!;
  const object = stmt.object as Node;
  const rel = RELATION_KINDS[type];
  if (rel) return relationTarget(state, strings((object as { List: { items: Node[] } }).List.items), rel);
  switch (type) {
    case 'OBJECT_COLUMN': return columnTarget(state, strings((object as { List: { items: Node[] } }).List.items));
    case 'OBJECT_SCHEMA': return schemaTarget(state, strings([object])[0]!);
    case 'OBJECT_TYPE': case 'OBJECT_DOMAIN': return typeTarget(state, (object as { TypeName: TypeName }).TypeName, type === 'OBJECT_DOMAIN');
    case 'OBJECT_FUNCTION': case 'OBJECT_PROCEDURE': case 'OBJECT_ROUTINE': {
      const kinds: ('f' | 'p')[] = type === 'OBJECT_FUNCTION' ? ['f'] : type === 'OBJECT_PROCEDURE' ? ['p'] : ['f', 'p'];
      const what = type === 'OBJECT_FUNCTION' ? 'function' : type === 'OBJECT_PROCEDURE' ? 'procedure' : 'routine';
      const def = dropTarget(state, (object as { ObjectWithArgs: ObjectWithArgs }).ObjectWithArgs, kinds, what, false)!;
      return { classoid: CLASS_OIDS.pg_proc, objoid: def.oid, subid: 0 };
    }
    default: throw featureNotSupported(`COMMENT ON ${type.replace('OBJECT_', '').replace('TAB', '').toLowerCase()}`);
  }
}

/** The object is found as the statement is planned, under the search_path then in force. */
export function planComment(stmt: CommentStmt, state: DbState): StatementPlan {
  const t = target(state, stmt);
  // PostgreSQL's own objects have descriptions walrtc does not hold; temporary ones are never in the WAL
  if (t.objoid < FIRST_USER_OID) throw featureNotSupported('COMMENT on a built-in object');
  if (t.objoid >= TEMP_OID_BASE) throw featureNotSupported('COMMENT on a temporary object');
  return {
    command: 'COMMENT', columns: [], writes: true,
    run: (ctx) => {
      const txn = ctx.env.txn!;
      txn.write({ kind: 'comment', ...t, text: stmt.comment ? stmt.comment : null });
      return { rows: [], rowCount: 0 };
    },
  };
}
