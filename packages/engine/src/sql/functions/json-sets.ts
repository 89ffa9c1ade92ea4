/**
 * The json/jsonb set-returning functions for FROM: json(b)_each(_text) (key, value),
 * json(b)_array_elements(_text) (value) and json(b)_object_keys, with PostgreSQL's column names and
 * its errors for the wrong kind of document.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { retype, type Expr } from '../compiled.ts';
import { jsonMembers, jsonMemberText, jsonText } from '../json-text.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { isJsonObject, jsonbKind, topLevel } from '../types/jsonb.ts';
import { jsonbText } from '../values.ts';

export interface JsonSet {
  args: Expr[];
  /** Result columns; one named after the function itself takes the FROM item's alias. */
  columns: { name: string; type: SqlType }[];
  run: (args: Value[]) => Value[][];
  /** Runs with NULL arguments too (string_to_table); otherwise any NULL argument gives no rows. */
  nullable?: boolean;
}

type Kind = 'each' | 'elements' | 'keys';

/** name → [input type, what it lists, values as text]. */
export const JSON_SETS: Record<string, [SqlType, Kind, boolean]> = {
  jsonb_each: ['jsonb', 'each', false], jsonb_each_text: ['jsonb', 'each', true],
  json_each: ['json', 'each', false], json_each_text: ['json', 'each', true],
  jsonb_array_elements: ['jsonb', 'elements', false], jsonb_array_elements_text: ['jsonb', 'elements', true],
  json_array_elements: ['json', 'elements', false], json_array_elements_text: ['json', 'elements', true],
  jsonb_object_keys: ['jsonb', 'keys', false], json_object_keys: ['json', 'keys', false],
};

const asText = (v: Value): Value => (v === null ? null : typeof v === 'string' ? v : jsonbText(v));


export function jsonSet(name: string, args: Expr[]): JsonSet {
  const [input, kind, text] = JSON_SETS[name]!;
  const a = args[0];
  if (args.length !== 1 || !a || (a.type !== input && a.type !== 'unknown')) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((x) => TYPE_NAME[x.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if (input === 'json') return jsonTextSet(name, kind, text, retype(a, input));
  const valueType: SqlType = text ? 'text' : input;
  const value = (v: Value): Value => (text ? asText(v) : topLevel(v));
  const scalarError = (what: string) => new SqlError(SQLSTATE.invalid_parameter_value, what);
  if (kind === 'each') {
    return {
      args: [retype(a, input)],
      columns: [{ name: 'key', type: 'text' }, { name: 'value', type: valueType }],
      run: ([v]) => {
        const d = v;
        if (!isJsonObject(d)) throw scalarError(`cannot call ${name} on a non-object`);
        return Object.keys(d).sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0)).map((k) => [k, value(d[k])]);
      },
    };
  }
  if (kind === 'elements') {
    return {
      args: [retype(a, input)],
      columns: [{ name: 'value', type: valueType }],
      run: ([v]) => {
        const d = v;
        if (!Array.isArray(d)) throw scalarError(jsonbKind(d) === 'object' ? `cannot extract elements from an object` : `cannot extract elements from a scalar`);
        return d.map((e) => [value(e)]);
      },
    };
  }
  return {
    args: [retype(a, input)],
    columns: [{ name: name, type: 'text' }],
    run: ([v]) => {
      const d = v;
      if (!isJsonObject(d)) throw scalarError(`cannot call ${name} on ${Array.isArray(d) ? 'an array' : 'a scalar'}`);
      return Object.keys(d).sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0)).map((k) => [k]);
    },
  };
}

/**
 * The json (not jsonb) forms read the document's text: members come back as written, in order,
 * duplicate keys included, as PostgreSQL's json functions return them.
 */
function jsonTextSet(name: string, kind: Kind, asText: boolean, arg: Expr): JsonSet {
  const members = (v: Value) => jsonMembers(jsonText(v));
  const scalarError = (what: string) => new SqlError(SQLSTATE.invalid_parameter_value, what);
  const value = (t: string): Value => (asText ? jsonMemberText(t) : t);
  if (kind === 'each') {
    return {
      args: [arg],
      columns: [{ name: 'key', type: 'text' }, { name: 'value', type: asText ? 'text' : 'json' }],
      run: ([v]) => {
        const m = members(v);
        if (m?.kind !== 'object') throw scalarError(m ? 'cannot deconstruct an array as an object' : 'cannot deconstruct a scalar');
        return m.items.map((it) => [it.key!, value(it.text)]);
      },
    };
  }
  if (kind === 'elements') {
    return {
      args: [arg],
      columns: [{ name: 'value', type: asText ? 'text' : 'json' }],
      run: ([v]) => {
        const m = members(v);
        if (m?.kind !== 'array') throw scalarError(`cannot call ${name} on ${m ? 'a non-array' : 'a scalar'}`);
        return m.items.map((it) => [value(it.text)]);
      },
    };
  }
  return {
    args: [arg],
    columns: [{ name, type: 'text' }],
    run: ([v]) => {
      const m = members(v);
      if (m?.kind !== 'object') throw scalarError(`cannot call ${name} on ${m ? 'an array' : 'a scalar'}`);
      return m.items.map((it) => [it.key!]);
    },
  };
}
