/**
 * Namespace (schema) oids. pg_catalog, pg_toast, public and information_schema have the oids
 * PostgreSQL 15 gives them; a CREATE SCHEMA schema gets an oid when created, carried in its WAL
 * record and in checkpoints (DbState.schemaOids), so a standby and a reopened node agree on it.
 */
import type { DbState } from '../state/state.ts';
import type { Oid } from './types.ts';
import { TEMP_OID_BASE } from '../sql/temp-tables.ts';
import { isTempSchema } from '../sql/schema/keys.ts';

export const FIXED_NAMESPACES: ReadonlyMap<string, Oid> = new Map([['pg_catalog', 11], ['pg_toast', 99], ['public', 2200], ['information_schema', 13207]]);

/** A session's temporary schema is session-local and never in the WAL: it takes the oid just below the temporary objects'. */
export const TEMP_NAMESPACE_OID = TEMP_OID_BASE - 1;

/** The oid of `schema`, when it exists in `state`. */
export function namespaceOid(state: DbState, schema: string): Oid | undefined {
  const fixed = FIXED_NAMESPACES.get(schema);
  if (fixed !== undefined) return fixed;
  if (!state.schemas.has(schema)) return undefined;
  return isTempSchema(schema) ? TEMP_NAMESPACE_OID : state.schemaOids.get(schema);
}
