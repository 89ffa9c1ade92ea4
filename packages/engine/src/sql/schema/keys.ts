/**
 * Catalog keys of schema-qualified names. DbState's name maps (tableNames, indexNames,
 * sequenceNames, typeNames) and the definitions' `name` hold a public object by its bare name —
 * as every database written before schemas existed does — and an object of schema `app` as
 * `app.name` (names with a "." are refused there, so keys never collide).
 */
import type { DbState } from '../../state/state.ts';

export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['pg_catalog', 'information_schema']);

/** PostgreSQL's invalid_schema_name. */
export const INVALID_SCHEMA_NAME = '3F000';

/** A session's own schema of temporary tables (`pg_temp_3`; sql/temp-tables.ts). */
export function isTempSchema(schema: string): boolean {
  return /^pg_temp_\d+$/.test(schema);
}

export function relationKey(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

/** A key's schema and own name. */
export function splitKey(key: string): { schema: string; name: string } {
  const dot = key.indexOf('.');
  return dot < 0 ? { schema: 'public', name: key } : { schema: key.slice(0, dot), name: key.slice(dot + 1) };
}

/** The object's own name, as PostgreSQL's messages and constraint names spell it. */
export function ownName(key: string): string {
  return splitKey(key).name;
}

/** The schemas a bare name is looked up in, in order: those of the path that exist. */
export function effectivePath(state: DbState, path: readonly string[]): string[] {
  return path.filter((s) => s === 'public' || state.schemas.has(s));
}
