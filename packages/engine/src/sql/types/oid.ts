/**
 * The object-identifier types: `oid` (an unsigned 32-bit integer, held as a JS number) and
 * `regclass` (a relation's oid that reads and prints as the relation's name). A regclass value is
 * a RegClass carrying its oid and the name it printed as when it was made: planning is
 * synchronous, so the catalog and search_path of the statement being planned are set for its
 * length (as types/domain-catalog.ts does for domains), and plans are remade on every catalog
 * change. Being tied to one catalog, regclass cannot be a column's type.
 */
import { refuseTableRowType } from '../composite/type.ts';
import { builtinRelationName, builtinRelationOid } from '../../catalog/pg-builtin.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { SqlType, Value } from '../types.ts';
import { functionCatalog } from '../function/context.ts';
import { quoteIdent } from '../quote-ident.ts';
import { RegClass } from './regclass-value.ts';
import { effectivePath, INVALID_SCHEMA_NAME, relationKey, splitKey } from '../schema/keys.ts';

const INVALID_NAME = '42602';

export const OID_MAX = 4294967295;

let searchPath: readonly string[] = ['public'];

/** Plan with `path` as the search_path regclass reads and prints names by. */
export function withRegclassPath<T>(path: readonly string[], plan: () => T): T {
  const saved = searchPath;
  searchPath = path;
  try {
    return plan();
  } finally {
    searchPath = saved;
  }
}

/** The search_path of the statement being planned. */
export const regclassPath = (): readonly string[] => searchPath;

const invalidOid = (text: string): SqlError => new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type oid: "${text}"`);

/** oidin: a decimal integer from -2147483648 to 4294967295; negatives wrap to the unsigned value. */
export function oidInput(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw invalidOid(text);
  const n = Number(text.trim());
  if (n > OID_MAX || n < -2147483648 || !Number.isSafeInteger(n)) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `value "${text}" is out of range for type oid`);
  }
  return n < 0 ? n + OID_MAX + 1 : n;
}

/** int4 → oid: the bits reinterpreted as unsigned. */
export const oidOfInt4 = (v: unknown): number => ((v as number) < 0 ? (v as number) + OID_MAX + 1 : (v as number));

/** int8 → oid: in range or 22003 "OID out of range". */
export function oidOfInt8(v: unknown): number {
  const n = Number(v);
  if (n < 0 || n > OID_MAX) throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'OID out of range');
  return n;
}

/** oid → int4: the bits reinterpreted as signed. */
export const int4OfOid = (v: unknown): number => ((v as number) > 2147483647 ? (v as number) - OID_MAX - 1 : (v as number));

function catalogState(): DbState {
  const state = functionCatalog()?.state;
  if (!state) throw new SqlError(SQLSTATE.feature_not_supported, 'regclass outside a statement is not supported');
  return state;
}

/** The oid of the relation (table, view, index or sequence) with catalog key `key`. */
function relationOid(state: DbState, key: string): number | undefined {
  return state.tableNames.get(key) ?? state.indexNames.get(key) ?? state.sequenceNames.get(key);
}

/** The catalog key and oid of each relation, by oid. */
function relationKeyOf(state: DbState, oid: number): string | undefined {
  const table = state.tables.get(oid);
  if (table) return table.def.name;
  for (const [key, o] of state.indexNames) if (o === oid) return key;
  return state.sequences.get(oid)?.def.name;
}

/** stringToQualifiedNameList: dotted identifiers, double-quoted ones kept as written, others lower-cased. */
function qualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  const bad = (): SqlError => new SqlError(INVALID_NAME, 'invalid name syntax');
  for (;;) {
    let part = '';
    if (s[i] === '"') {
      for (i++; ; i++) {
        if (i >= s.length) throw new SqlError(INVALID_NAME, 'invalid name syntax');
        if (s[i] === '"') {
          if (s[i + 1] !== '"') break;
          i++;
        }
        part += s[i];
      }
      i++;
      if (part === '') throw bad();
    } else {
      const m = /^[^\s."]+/.exec(s.slice(i));
      if (!m) throw bad();
      part = m[0].toLowerCase();
      i += m[0].length;
    }
    parts.push(part);
    while (s[i] === ' ') i++;
    if (i >= s.length) return parts;
    if (s[i] !== '.') throw bad();
    i++;
    while (s[i] === ' ') i++;
  }
}

/** regclassin: a relation's name (search_path, schema-qualified, quoted) or a bare oid. */
export function regclassInput(text: string, state = catalogState(), path = searchPath): RegClass {
  if (text === '-') return new RegClass(0, '-');
  if (/^\s*\d+\s*$/.test(text)) return regclassOfOid(oidInput(text), state, path);
  const names = qualifiedName(text);
  if (names.length > 3) throw new SqlError(SQLSTATE.syntax_error, `improper relation name (too many dotted names): ${text.trim()}`);
  const name = names[names.length - 1]!;
  let oid: number | undefined;
  const builtin = names.length === 1 || names[names.length - 2] === 'pg_catalog' ? builtinRelationOid(name) : undefined;
  if (builtin !== undefined) return new RegClass(builtin, name);
  if (names.length > 1) {
    const schema = names[names.length - 2]!;
    const known = schema === 'public' || schema === 'pg_catalog' || schema === 'information_schema' || state.schemas.has(schema);
    if (!known) throw new SqlError(INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`);
    oid = relationOid(state, relationKey(schema, name));
    if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${schema}.${name}" does not exist`);
  } else {
    for (const schema of effectivePath(state, path)) {
      oid = relationOid(state, relationKey(schema, name));
      if (oid !== undefined) break;
    }
    if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`);
  }
  return regclassOfOid(oid, state, path);
}

/** oid → regclass: regclassout's text, the name (qualified when the search_path would not find it) or the number. */
export function regclassOfOid(oid: number, state: DbState, path: readonly string[]): RegClass {
  // InvalidOid prints as "-"
  if (oid === 0) return new RegClass(0, '-');
  const key = relationKeyOf(state, oid);
  if (key === undefined) return new RegClass(oid, builtinRelationName(oid) ?? String(oid));
  const { schema, name } = splitKey(key);
  const first = effectivePath(state, path).map((s) => relationOid(state, relationKey(s, name))).find((o) => o !== undefined);
  const own = quoteIdent(name);
  return new RegClass(oid, first === oid ? own : `${quoteIdent(schema)}.${own}`);
}

/**
 * PostgreSQL's casts among oid, regclass, text and the integer types (int2 goes by way of int4),
 * or undefined. A cast to regclass reads the catalog and search_path of the statement being planned.
 */
export function oidTypeCast(from: SqlType, to: SqlType): ((v: Value) => Value) | undefined {
  if (to === 'regclass' && from !== 'regclass') {
    const state = catalogState(), path = searchPath;
    if (from === 'text' || from === 'varchar' || from === 'name' || from === 'bpchar') return (v) => regclassInput(String(v), state, path);
    const toOid = from === 'oid' ? (v: Value) => v as number : from === 'int8' ? oidOfInt8 : from === 'int2' || from === 'int4' ? oidOfInt4 : undefined;
    return toOid && ((v) => regclassOfOid(toOid(v), state, path));
  }
  if (to === 'oid') {
    if (from === 'int2' || from === 'int4') return oidOfInt4;
    if (from === 'int8') return oidOfInt8;
    if (from === 'regclass') return (v) => (v as RegClass).oid;
  }
  if (from === 'oid') {
    if (to === 'int4') return int4OfOid;
    if (to === 'int8') return (v) => v;
  }
  if (from === 'regclass' && (to === 'int4' || to === 'int8')) return (v) => (to === 'int4' ? int4OfOid((v as RegClass).oid) : (v as RegClass).oid);
  return undefined;
}

/** A regclass value holds its name as of one catalog, so no table column (nor domain) may store one. */
export function checkStorableType(column: string, type: SqlType): void {
  refuseTableRowType(`a column ("${column}")`, type);
  if (type === 'regclass' || type === 'regclass[]') throw new SqlError(SQLSTATE.feature_not_supported, `a column of type ${type === 'regclass' ? 'regclass' : 'regclass[]'} ("${column}") is not supported`);
}
