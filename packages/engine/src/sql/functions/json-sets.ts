/**
 * The json/jsonb set-returning functions for FROM: json(b)_each(_text) (key, value),
 * json(b)_array_elements(_text) (value) and json(b)_object_keys, with PostgreSQL's column names and
 * its errors for the wrong kind of document.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { retype, type Expr } from '../compiled.ts';
import { jsonText } from '../json-text.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { isJsonObject, jsonbKind, parseJsonb, topLevel } from '../types/jsonb.ts';
import { jsonbText } from '../values.ts';

export interface JsonSet {
  args: Expr[];
  /** Result columns; one named after the function itself takes the FROM item's alias. */
  columns: { name: string; type: SqlType }[];
  run: (args: Value[]) => Value[][];
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

/** A json value re-spelled as json text (json keeps text; members come back compact, as jsonb prints them). */
const asJson = (v: Value): Value => jsonbText(v);

export function jsonSet(name: string, args: Expr[]): JsonSet {
  const [input, kind, text] = JSON_SETS[name]!;
  const a = args[0];
  if (args.length !== 1 || !a || (a.type !== input && a.type !== 'unknown')) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((x) => TYPE_NAME[x.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const json = input === 'json';
  const doc = (v: Value): Value => (json ? parseJsonb(jsonText(v)) : v);
  const valueType: SqlType = text ? 'text' : input;
  const value = (v: Value): Value => (text ? asText(v) : json ? asJson(v) : topLevel(v));
  const scalarError = (what: string) => new SqlError(SQLSTATE.invalid_parameter_value, what);
  if (kind === 'each') {
    return {
      args: [retype(a, input)],
      columns: [{ name: 'key', type: 'text' }, { name: 'value', type: valueType }],
      run: ([v]) => {
        const d = doc(v);
        if (!isJsonObject(d)) throw scalarError(`cannot call ${name} on a non-object`);
        return Object.keys(d).sort((x, y) => (json ? 0 : x.length - y.length || (x < y ? -1 : x > y ? 1 : 0))).map((k) => [k, value(d[k])]);
      },
    };
  }
  if (kind === 'elements') {
    return {
      args: [retype(a, input)],
      columns: [{ name: 'value', type: valueType }],
      run: ([v]) => {
        const d = doc(v);
        if (!Array.isArray(d)) throw scalarError(jsonbKind(d) === 'object' ? `cannot extract elements from an object` : `cannot extract elements from a scalar`);
        return d.map((e) => [value(e)]);
      },
    };
  }
  return {
    args: [retype(a, input)],
    columns: [{ name: name, type: 'text' }],
    run: ([v]) => {
      const d = doc(v);
      if (!isJsonObject(d)) throw scalarError(`cannot call ${name} on ${Array.isArray(d) ? 'an array' : 'a scalar'}`);
      return Object.keys(d).sort((x, y) => (json ? 0 : x.length - y.length || (x < y ? -1 : x > y ? 1 : 0))).map((k) => [k]);
    },
  };
}
