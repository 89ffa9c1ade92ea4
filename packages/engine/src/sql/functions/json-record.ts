/**
 * json(b)_to_record and json(b)_to_recordset with a column definition list (`AS x(a int, b text)`):
 * each column takes the object's member of its name, converted as jsonfuncs.c's populate_record_field
 * does — JSON null or a missing key gives NULL, json/jsonb columns take the member as JSON, array
 * columns take a (rectangular) JSON array element by element or a string in array syntax, other
 * columns read the member's text (a string unquoted) with the column type's input function.
 */
import type { ColumnDef, Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import { castFunction, resolveTypeName } from '../cast.ts';
import { retype, type Expr } from '../compiled.ts';
import { jsonMembers } from '../json-text.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { elementType, isArrayType } from '../types/array.ts';
import { jsonbKind, parseJsonb, topLevel, nested } from '../types/jsonb.ts';
import { jsonbText } from '../values.ts';
import type { JsonSet } from './json-sets.ts';
import { compositeOf, isCompositeType, type Composite } from '../composite/type.ts';
import { attributeCheck } from '../composite/value.ts';
import { RowValue } from '../types/record.ts';

/** name → [input type, one row or a set]. */
export const TO_RECORD: Record<string, [SqlType, boolean]> = {
  json_to_record: ['json', false], jsonb_to_record: ['jsonb', false],
  json_to_recordset: ['json', true], jsonb_to_recordset: ['jsonb', true],
};

/** A JSON value either as json text or as a parsed jsonb value; `kind` tells which it is. */
type Node_ = { text: string } | { value: Value };
type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

function kindOf(n: Node_): Kind {
  if ('value' in n) return jsonbKind(n.value);
  const c = n.text.trimStart()[0];
  return c === '{' ? 'object' : c === '[' ? 'array' : c === '"' ? 'string' : c === 'n' ? 'null' : c === 't' || c === 'f' ? 'boolean' : 'number';
}

/** Object members by key (the last of duplicate keys wins), or array elements. */
function members(n: Node_): { key?: string; node: Node_ }[] {
  if ('value' in n) {
    const v = n.value;
    if (Array.isArray(v)) return v.map((x) => ({ node: { value: x } }));
    return Object.keys(v as Record<string, Value>).map((k) => ({ key: k, node: { value: (v as Record<string, Value>)[k]! } }));
  }
  return (jsonMembers(n.text)?.items ?? []).map((it) => ({ key: it.key, node: { text: it.text } }));
}

/** The text a scalar column reads: a string unquoted, anything else as JSON text. */
function scalarText(n: Node_): string {
  if ('value' in n) return typeof n.value === 'string' ? n.value : jsonbText(nested(n.value));
  const t = n.text.trim();
  return t.startsWith('"') ? (JSON.parse(t) as string) : t;
}

const notArray = (where: string): SqlError => new SqlError(SQLSTATE.invalid_text_representation, 'expected JSON array', { hint: `See the ${where}.` });

export interface Column {
  name: string;
  type: SqlType;
  fromText: (s: string) => Value;
  /** An attribute's typmod, applied to an array's elements too. */
  typmod?: number;
  /** A domain attribute's check of a value not read by fromText (fromText checks its own). */
  check?: (v: Value) => Value;
  /** A composite column's own fields, filled from a JSON object. */
  fields?: Column[];
}

/** An array column's value: nested JS arrays of converted elements, rectangular as PostgreSQL requires. */
function arrayValue(n: Node_, element: (s: string) => Value, key: string, object?: (n: Node_) => Value): Value {
  let depth: number | undefined;
  const dims: number[] = [];
  const walk = (x: Node_, level: number, path: number[]): Value => {
    if (kindOf(x) === 'array') {
      if (depth !== undefined && level >= depth) throw notArrayDims();
      const items = members(x);
      if (dims[level] === undefined) dims[level] = items.length;
      else if (dims[level] !== items.length) throw notArrayDims();
      return items.map((it, i) => walk(it.node, level + 1, [...path, i]));
    }
    if (depth === undefined) depth = level;
    else if (depth !== level) throw level < depth ? notArray(`array element ${path.map((i) => `[${i}]`).join('')} of key "${key}"`) : notArrayDims();
    if (level === 0) throw notArray(`value of key "${key}"`);
    if (object && kindOf(x) !== 'null') return object(x);
    return kindOf(x) === 'null' ? null : element(scalarText(x));
  };
  const out = walk(n, 0, []);
  // no elements at all ([[], []]) is the empty array
  return depth === undefined ? [] : out;
}

function notArrayDims(): SqlError {
  return new SqlError(SQLSTATE.invalid_text_representation, 'malformed JSON array', { detail: 'Multidimensional arrays must have sub-arrays with matching dimensions.' });
}

function columnsOf(defs: readonly Node[]): Column[] {
  return defs.map((d) => {
    const def = (d as { ColumnDef: ColumnDef }).ColumnDef;
    const tn = def.typeName!;
    const last = tn.names?.[tn.names.length - 1];
    const sval = last && 'String' in last ? last.String.sval ?? '' : '';
    if (sval === 'record') throw new SqlError(SQLSTATE.wrong_object_type, 'record type has not been registered');
    // `_int4` is int4[]'s pg_type name
    const { type, typmod } = sval.startsWith('_') && !tn.arrayBounds?.length
      ? resolveTypeName({ ...tn, names: [...tn.names!.slice(0, -1), { String: { sval: sval.slice(1) } }], arrayBounds: [{ Integer: { ival: -1 } }] })
      : resolveTypeName(tn);
    return { name: def.colname!, type, fromText: castFunction('unknown', type, typmod, false) as (s: string) => Value, ...compositeFields(type) };
  });
}

/** The fields a JSON object fills for a column of a composite type or an array of one. */
function compositeFields(t: SqlType): { fields?: Column[] } {
  const inner = t.endsWith('[]') ? t.slice(0, -2) : t;
  return isCompositeType(inner) ? { fields: fieldColumns(compositeOf(inner)) } : {};
}

/** The columns a composite's fields fill, each converted by its attribute's type, typmod and domain. */
export function fieldColumns(c: Composite): Column[] {
  return c.fields.map((f) => {
    const input = castFunction('unknown', f.type, f.typmod, false) as (s: string) => Value;
    const check = attributeCheck(f, c.name);
    return { name: f.name, type: f.type, typmod: f.typmod, fromText: (s) => check(input(s)), check, ...compositeFields(f.type) };
  });
}

function fieldValue(n: Node_ | undefined, col: Column, prior: Value = null): Value {
  const v = fieldInput(n, col, prior);
  // fromText checked what it read; a domain's check of what the other branches built
  return col.check && (v === null || !isTextInput(n, col)) ? col.check(v) : v;
}

/** Whether the field is read by the column type's input function (fromText, which checks domains itself). */
function isTextInput(n: Node_ | undefined, col: Column): boolean {
  if (n === undefined || kindOf(n) === 'null' || col.type === 'json' || col.type === 'jsonb') return false;
  if (isArrayType(col.type) || (isCompositeType(col.type) && col.fields)) return kindOf(n) === 'string';
  return true;
}

function fieldInput(n: Node_ | undefined, col: Column, prior: Value): Value {
  if (n === undefined || kindOf(n) === 'null') return null;
  if (isCompositeType(col.type) && col.fields && kindOf(n) !== 'string') {
    const kind = kindOf(n);
    if (kind !== 'object') throw new SqlError(SQLSTATE.invalid_parameter_value, `cannot call populate_composite on ${kind === 'array' ? 'an array' : 'a scalar'}`);
    const c = compositeOf(col.type);
    // a nested object fills the base record's own value of the field, as PostgreSQL's populate_composite does
    return new RowValue(row(n, col.fields, prior === null ? null : (prior as RowValue).values), c.types, c.names);
  }
  if (col.type === 'json') return 'value' in n ? jsonbText(nested(n.value)) : n.text.trim();
  if (col.type === 'jsonb') return 'value' in n ? topLevel(nested(n.value)) : topLevel(parseJsonb(n.text));
  if (isArrayType(col.type)) {
    if (kindOf(n) === 'string') return col.fromText(scalarText(n));
    const elem = elementType(col.type);
    const element = castFunction('unknown', elem, col.typmod ?? -1, false) as (s: string) => Value;
    // an element of a composite type from a JSON object, as a composite column is filled
    const fields = col.fields;
    const object = fields && isCompositeType(elem) ? (x: Node_) => {
      if (kindOf(x) === 'string') return element(scalarText(x));
      if (kindOf(x) !== 'object') throw new SqlError(SQLSTATE.invalid_parameter_value, 'cannot call populate_composite on a scalar');
      return new RowValue(row(x, fields), compositeOf(elem).types, compositeOf(elem).names);
    } : undefined;
    return arrayValue(n, element, col.name, object);
  }
  return col.fromText(scalarText(n));
}

/** One row of `cols` from a JSON object; a key it lacks takes `base`'s field (json_populate_record's base record). */
function row(obj: Node_, cols: Column[], base: readonly Value[] | null = null): Value[] {
  const byKey = new Map<string, Node_>();
  for (const m of members(obj)) byKey.set(m.key!, m.node);
  // a key the object lacks takes the base's field, or NULL, which a domain column checks
  return cols.map((c, i) => (byKey.has(c.name) ? fieldValue(byKey.get(c.name), c, base ? base[i]! : null) : base ? base[i]! : c.check ? c.check(null) : null));
}

/** The set for `name(json) AS x(coldefs)`; 42601 without a column definition list. */
export function toRecordSet(name: string, args: Expr[], defs: readonly Node[] | undefined): JsonSet {
  const [input, many] = TO_RECORD[name]!;
  const a = args[0];
  if (args.length !== 1 || !a || (a.type !== input && a.type !== 'unknown')) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((x) => TYPE_NAME[x.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if (!defs?.length) throw new SqlError(SQLSTATE.syntax_error, 'a column definition list is required for functions returning "record"');
  const cols = columnsOf(defs);
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new SqlError(SQLSTATE.duplicate_column, `column name "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  return {
    args: [retype(a, input)],
    columns: cols.map((c) => ({ name: c.name, type: c.type })),
    // to_record(NULL) is one row of NULLs, to_recordset(NULL) none
    nullable: true,
    run: ([v]) => recordRows(name, input, many, cols, v, null),
  };
}

/** The rows `doc` (json text or a jsonb value) gives for `cols`, over the base record `base` (json_populate_record). */
export function recordRows(name: string, input: SqlType, many: boolean, cols: Column[], v: Value, base: readonly Value[] | null): Value[][] {
  if (v === null) return many ? [] : [base ? [...base] : cols.map(() => null)];
  const doc: Node_ = input === 'json' ? { text: v as string } : { value: v };
  if (!many) {
    if (kindOf(doc) !== 'object') throw new SqlError(SQLSTATE.invalid_parameter_value, `cannot call populate_composite on ${kindOf(doc) === 'array' ? 'an array' : 'a scalar'}`);
    return [row(doc, cols, base)];
  }
  if (kindOf(doc) !== 'array') {
    const what = input === 'jsonb' ? 'a non-array' : kindOf(doc) === 'object' ? 'an object' : 'a scalar';
    throw new SqlError(SQLSTATE.invalid_parameter_value, `cannot call ${name} on ${what}`);
  }
  return members(doc).map((m) => {
    if (kindOf(m.node) !== 'object') throw new SqlError(SQLSTATE.invalid_parameter_value, `argument of ${name} must be an array of objects`);
    return row(m.node, cols, base);
  });
}
