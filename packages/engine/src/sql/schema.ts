/**
 * Schema-qualified names as the planners see them. sql/schema/resolve.ts has already turned every
 * name of an existing schema other than public into its catalog key (no schemaname left), so a
 * qualified name here names public, a system schema, or a schema that does not exist: DDL then
 * fails as PostgreSQL does (3F000), and a read or write of the relation fails with 42P01 naming it
 * qualified — never the unqualified relation of the same name.
 */
import type { RangeVar } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { INVALID_SCHEMA_NAME, SYSTEM_SCHEMAS } from './schema/keys.ts';

/**
 * For DDL that creates or alters a relation named `schema.name`: throws unless the schema is
 * public (or absent). Returns false when the statement should do nothing instead (IF EXISTS).
 */
export function ddlSchemaOk(schema: string | undefined, missingOk = false, location?: number): boolean {
  if (schema === undefined || schema === 'public') return true;
  if (SYSTEM_SCHEMAS.has(schema)) throw new SqlError(SQLSTATE.feature_not_supported, `relations in schema "${schema}" are not supported`);
  if (missingOk) return false;
  throw new SqlError(INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`, location !== undefined && location >= 0 ? { position: location + 1 } : {});
}

/** The name a relation is looked up by, or undefined when its schema holds no user tables. */
export function userRelationName(rv: Pick<RangeVar, 'schemaname' | 'relname'>): string | undefined {
  if (rv.schemaname !== undefined && rv.schemaname !== 'public') return undefined;
  return rv.relname;
}

/** The relation as the user wrote it, for "relation … does not exist". */
export function qualifiedName(rv: Pick<RangeVar, 'schemaname' | 'relname'>): string {
  return rv.schemaname ? `${rv.schemaname}.${rv.relname}` : (rv.relname ?? '');
}
