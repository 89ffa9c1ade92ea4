/**
 * PostgreSQL's pseudo-types (unknown, record, any, anyelement, void, …): no column can have one
 * (CheckAttributeType's 42P16), whatever else the column definition says.
 */
import { SqlError } from '../../errors.ts';

const PSEUDO_TYPES = new Set([
  'unknown', 'record', 'any', 'anyelement', 'anyarray', 'anynonarray', 'anyenum', 'anyrange', 'anymultirange', 'anycompatible',
  'anycompatiblearray', 'anycompatiblenonarray', 'anycompatiblerange', 'anycompatiblemultirange', 'void', 'trigger', 'event_trigger',
  'cstring', 'internal', 'language_handler', 'fdw_handler', 'table_am_handler', 'index_am_handler', 'tsm_handler', 'pg_ddl_command',
]);

/** `names`: the type name's parts as written (`pg_catalog.unknown`); an array of a pseudo-type does not exist at all. */
export function checkNotPseudoType(column: string, names: readonly string[], arrayBounds: number): void {
  if (arrayBounds || names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) return;
  const name = names[names.length - 1]!.toLowerCase();
  if (PSEUDO_TYPES.has(name)) throw new SqlError('42P16', `column "${column}" has pseudo-type ${name}`);
}
