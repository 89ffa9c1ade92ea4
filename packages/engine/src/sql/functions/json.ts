/**
 * jsonb operators beyond -> / ->> (#> #>> ? ?| ?& @> <@ - #-) and the json/jsonb functions
 * (to_json(b), json(b)_build_object/array, jsonb_set, jsonb_insert, json(b)_typeof,
 * json(b)_strip_nulls, jsonb_pretty, json(b)_array_length, json(b)_extract_path(_text)), and
 * SQL values as JSON (to_jsonb of every type). json results are text in PostgreSQL's own spacing
 * for each function; jsonb results are values (types/jsonb.ts).
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { isTextType } from '../cast.ts';
import { constant, expr, retype, type Expr } from '../compiled.ts';
import { compileJsonbOperatorFunction } from './jsonb-operator-functions.ts';
import { compileJsonObject } from './json-object.ts';
import { formatDateTime } from '../datetime.ts';
import { jsonMember, jsonText } from '../json-text.ts';
import { Numeric } from '../numeric.ts';
import { operatorError } from '../operators.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { elementType, isArrayType, mapElements } from '../types/array.ts';
import {
  isJsonObject, jsonbContains, jsonbKind, jsonbNumber, jsonbPath, JsonNull, nested, parseJsonb, topLevel,
} from '../types/jsonb.ts';
import { formatValue, jsonbText, toText } from '../values.ts';
import { recordJsonb, recordJsonText, type RowValue } from '../types/record.ts';
import { isCompositeType, isRowType } from '../composite/type.ts';

const isJsonType = (t: SqlType): boolean => t === 'json' || t === 'jsonb';

/** A SQL value as a jsonb value (to_jsonb): numbers stay numbers, date/times become ISO 8601 strings. */
export function toJsonb(v: Value, type: SqlType): Value {
  if (v === null) return null;
  if (isArrayType(type)) {
    const t = elementType(type);
    return mapElements(v as Value[], (e) => toJsonb(e, t));
  }
  switch (type) {
    case 'jsonb': return v;
    case 'json': return parseJsonb(jsonText(v));
    case 'bool': return v;
    case 'int2': case 'int4': return v;
    case 'int8': return typeof v === 'bigint' ? Numeric.fromInt(v) : v;
    case 'numeric': {
      const n = v as Numeric;
      return n.isFinite ? jsonbNumber(n.toString()) : n.toString();
    }
    case 'float4': case 'float8': {
      const x = v as number;
      return Number.isFinite(x) ? jsonbNumber(toText(x, type)) : toText(x, type);
    }
    case 'timestamptz': return formatDateTime(v as Date, 'timestamptz').replace(' ', 'T').replace(/\+00$/, '+00:00');
    case 'timestamp': return formatDateTime(v as Date, 'timestamp').replace(' ', 'T');
    case 'unknown': return String(v);
    case 'record': return recordJsonb(v as RowValue, (x, t) => nested(toJsonb(x, t)));
    default: return isCompositeType(type) ? recordJsonb(v as RowValue, (x, t) => nested(toJsonb(x, t))) : formatValue(v, type);
  }
}

/** json text in the spacing of to_json and row_to_json: `[1,2]`, `{"a":1}`. */
function compactJson(v: Value): string {
  if (Array.isArray(v)) return '[' + v.map(compactJson).join(',') + ']';
  if (isJsonObject(v)) return '{' + Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${compactJson(x)}`).join(',') + '}';
  return jsonbText(v);
}

/** A value as json text, as to_json writes it (json values keep their own text). */
export function toJsonText(v: Value, type: SqlType): string | null {
  if (v === null) return null;
  if (type === 'json') return jsonText(v);
  if (type === 'jsonb') return jsonbText(v);
  if (isRowType(type)) return recordJsonText(v as RowValue, toJsonText);
  return compactJson(toJsonb(v, type));
}

function path(v: Value): (string | null)[] {
  return v as (string | null)[];
}

function textArray(e: Expr): Expr {
  if (e.type === 'unknown' || e.type === 'text[]' || e.type === 'varchar[]') return retype(e, 'text[]');
  throw new SqlError(SQLSTATE.datatype_mismatch, `path must be text[], not ${TYPE_NAME[e.type]}`);
}

/** #> and #>> on json: the member's text exactly as written. */
function jsonTextPath(doc: string, steps: (string | null)[]): string | undefined {
  let text: string | undefined = doc;
  for (const s of steps) {
    if (text === undefined || s === null) return undefined;
    const t = text.trimStart();
    text = jsonMember(text, t.startsWith('[') && /^-?\d+$/.test(s) ? Number(s) : s);
  }
  return text;
}

function deleteKey(doc: Value, key: Value): Value {
  if (Array.isArray(doc)) {
    if (typeof key === 'number') {
      const i = key < 0 ? doc.length + key : key;
      return doc.filter((_, k) => k !== i);
    }
    return doc.filter((e) => e !== key);
  }
  if (isJsonObject(doc)) {
    if (typeof key === 'number') throw new SqlError(SQLSTATE.invalid_parameter_value, 'cannot delete from object using integer index');
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(doc)) if (k !== key) out[k] = v;
    return out;
  }
  throw new SqlError(SQLSTATE.invalid_parameter_value, 'cannot delete from scalar');
}

/** #-: remove the element at a path (missing steps leave the document as it was). */
function deletePath(doc: Value, steps: (string | null)[]): Value {
  if (!steps.length) return doc;
  if (!Array.isArray(doc) && !isJsonObject(doc)) throw new SqlError(SQLSTATE.invalid_parameter_value, 'cannot delete path in scalar');
  const [first, ...rest] = steps;
  if (first === null) throw new SqlError('22004', 'path element at position 1 is null');
  if (Array.isArray(doc)) {
    if (!/^-?\d+$/.test(first)) throw new SqlError(SQLSTATE.invalid_text_representation, `path element at position 1 is not an integer: "${first}"`);
    const k = Number(first), i = k < 0 ? doc.length + k : k;
    if (i < 0 || i >= doc.length) return doc;
    return rest.length ? doc.map((e, j) => (j === i && (Array.isArray(e) || isJsonObject(e)) ? deletePath(e, rest) : e)) : doc.filter((_, j) => j !== i);
  }
  if (!Object.prototype.hasOwnProperty.call(doc, first)) return doc;
  const out: Record<string, Value> = { ...doc };
  if (rest.length) {
    const inner = out[first];
    if (Array.isArray(inner) || isJsonObject(inner)) out[first] = deletePath(inner, rest);
  } else delete out[first];
  return out;
}

/** jsonb_set / jsonb_insert: replace (or insert before/after) the value at a path, creating a missing last key. */
function setPath(doc: Value, steps: (string | null)[], value: Value, create: boolean, insert: 'no' | 'before' | 'after', depth = 0): Value {
  const step = steps[depth];
  if (step === null || step === undefined) {
    if (step === null) throw new SqlError('22004', `path element at position ${depth + 1} is null`);
    return value;
  }
  const last = depth === steps.length - 1;
  if (Array.isArray(doc)) {
    if (!/^-?\d+$/.test(step)) throw new SqlError(SQLSTATE.invalid_text_representation, `path element at position ${depth + 1} is not an integer: "${step}"`);
    let i = Number(step);
    if (i < 0) i += doc.length;
    const out = doc.slice();
    if (last) {
      if (insert !== 'no') {
        const at = i < 0 ? 0 : i >= doc.length ? doc.length : insert === 'after' ? i + 1 : i;
        out.splice(at, 0, value);
      } else if (i >= 0 && i < doc.length) out[i] = value;
      else if (create) {
        if (i < 0) out.unshift(value);
        else out.push(value);
      }
      return out;
    }
    if (i >= 0 && i < doc.length) out[i] = setPath(doc[i], steps, value, create, insert, depth + 1);
    return out;
  }
  if (isJsonObject(doc)) {
    const has = Object.prototype.hasOwnProperty.call(doc, step);
    if (last) {
      if (insert !== 'no' && has) throw new SqlError(SQLSTATE.invalid_parameter_value, 'cannot replace existing key', { hint: 'Try using the function jsonb_set to replace key value.' });
      if (!has && !create && insert === 'no') return doc;
      return { ...doc, [step]: value };
    }
    if (!has) return doc;
    return { ...doc, [step]: setPath(doc[step], steps, value, create, insert, depth + 1) };
  }
  if (depth === 0) throw new SqlError(SQLSTATE.invalid_parameter_value, 'cannot set path in scalar');
  return doc;
}

function stripNulls(v: Value): Value {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isJsonObject(v)) {
    const out: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
    return out;
  }
  return v;
}

/** jsonb_pretty: four-space indents, one member per line. */
function pretty(v: Value, indent = ''): string {
  const inner = indent + '    ';
  if (Array.isArray(v)) return v.length ? '[\n' + v.map((e) => inner + pretty(e, inner)).join(',\n') + '\n' + indent + ']' : '[\n' + indent + ']';
  if (isJsonObject(v)) {
    const keys = Object.keys(jsonbCanonical(v));
    return keys.length ? '{\n' + keys.map((k) => `${inner}${JSON.stringify(k)}: ${pretty(v[k], inner)}`).join(',\n') + '\n' + indent + '}' : '{\n' + indent + '}';
  }
  return jsonbText(v);
}

/** The object with its keys in jsonb's order (length, then bytes), as jsonbText prints them. */
function jsonbCanonical(o: Record<string, Value>): Record<string, Value> {
  const keys = Object.keys(o).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, Value> = {};
  for (const k of keys) out[k] = o[k];
  return out;
}

function binary(type: SqlType, l: Expr, r: Expr, f: (a: Value, b: Value) => Value): Expr {
  const le = l.eval, re = r.eval;
  if (l.konst && r.konst) {
    const a = l.value ?? null, b = r.value ?? null;
    return constant(a === null || b === null ? null : f(a, b), type);
  }
  return expr(type, (row, ctx) => {
    const a = le(row, ctx);
    if (a === null) return null;
    const b = re(row, ctx);
    if (b === null) return null;
    const out = f(a, b);
    return out === undefined ? null : out;
  });
}

const JSONB_OPS = new Set(['#>', '#>>', '?', '?|', '?&', '#-', '@>', '<@', '-']);

/** Whether `l op r` is a json(b) operator this module compiles. */
export function isJsonOperator(op: string, l: SqlType, r: SqlType): boolean {
  if (!JSONB_OPS.has(op)) return false;
  if (op === '@>' || op === '<@') return l === 'jsonb' || r === 'jsonb';
  return isJsonType(l);
}

export function compileJsonbOperator(op: string, left: Expr, right: Expr): Expr {
  const l = left;
  if (op === '#>' || op === '#>>') {
    const r = textArray(right);
    if (l.type === 'json') {
      return binary(op === '#>' ? 'json' : 'text', l, r, (a, b) => {
        const m = jsonTextPath(jsonText(a), path(b));
        if (m === undefined) return null;
        if (op === '#>') return m;
        return m === 'null' ? null : m.startsWith('"') ? (JSON.parse(m) as string) : m;
      });
    }
    return binary(op === '#>' ? 'jsonb' : 'text', l, r, (a, b) => {
      const v = jsonbPath(a, path(b));
      if (v === undefined) return null;
      return op === '#>' ? topLevel(v) : v === null || v instanceof JsonNull ? null : typeof v === 'string' ? v : jsonbText(v);
    });
  }
  if (l.type !== 'jsonb' && op !== '@>' && op !== '<@') throw operatorError(op, l.type, right.type);
  if (op === '@>' || op === '<@') {
    const a = retype(l, 'jsonb'), b = retype(right, 'jsonb');
    if (a.type !== 'jsonb' || b.type !== 'jsonb') throw operatorError(op, l.type, right.type);
    return binary('bool', a, b, op === '@>' ? (x, y) => jsonbContains(x, y) : (x, y) => jsonbContains(y, x));
  }
  if (op === '?') {
    if (!isTextType(right.type) && right.type !== 'unknown') throw operatorError(op, l.type, right.type);
    return binary('bool', l, retype(right, 'text'), (a, k) => hasKey(a, k as string));
  }
  if (op === '?|' || op === '?&') {
    const any = op === '?|';
    return binary('bool', l, textArray(right), (a, ks) => {
      const keys = (ks as (string | null)[]).filter((k): k is string => k !== null);
      return any ? keys.some((k) => hasKey(a, k)) : keys.every((k) => hasKey(a, k));
    });
  }
  if (op === '#-') return binary('jsonb', l, textArray(right), (a, b) => deletePath(a, path(b)));
  // jsonb - text | int | text[]
  const rt = right.type;
  if (rt === 'int2' || rt === 'int4' || rt === 'int8') return binary('jsonb', l, retype(right, 'int4'), deleteKey);
  if (rt === 'text[]' || rt === 'varchar[]') return binary('jsonb', l, retype(right, 'text[]'), (a, ks) => (ks as Value[]).reduce((d: Value, k) => (k === null ? d : deleteKey(d, k)), a));
  if (isTextType(rt) || rt === 'unknown') return binary('jsonb', l, retype(right, 'text'), deleteKey);
  throw operatorError(op, l.type, rt);
}

function hasKey(doc: Value, key: string): boolean {
  if (Array.isArray(doc)) return doc.some((e) => e === key);
  if (isJsonObject(doc)) return Object.prototype.hasOwnProperty.call(doc, key);
  return doc === key;
}

/** Arguments of json(b)_build_object/array and to_json(b): each keeps its own SQL type. */
function asJsonb(e: Expr): (row: readonly Value[], ctx: Parameters<Expr['eval']>[1]) => Value {
  const ev = e.eval, t = e.type === 'unknown' ? 'text' : e.type;
  return (row, ctx) => toJsonb(ev(row, ctx), t);
}

type Eval = (row: readonly Value[], ctx: Parameters<Expr['eval']>[1]) => Value;

/** The key/value argument pairs of json(b)_build_object, in order (json keeps duplicate keys). */
function buildPairs(args: Expr[], name: string, value: (e: Expr) => Eval): (row: readonly Value[], ctx: Parameters<Expr['eval']>[1]) => [string, Value][] {
  if (args.length % 2) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, 'argument list must have even number of elements', {
      hint: `The arguments of ${name}() must consist of alternating keys and values.`,
    });
  }
  const keys = args.filter((_, i) => i % 2 === 0).map((k) => {
    if (isArrayType(k.type) || isJsonType(k.type)) throw new SqlError(SQLSTATE.invalid_parameter_value, 'key value must be scalar, not array, composite, or json');
    const ev = k.eval, t = k.type;
    return (row: readonly Value[], ctx: Parameters<Expr['eval']>[1]) => {
      const v = ev(row, ctx);
      return v === null ? null : typeof v === 'string' ? v : toText(v, t);
    };
  });
  const values = args.filter((_, i) => i % 2 === 1).map(value);
  return (row, ctx) => keys.map((k, i) => {
    const key = k(row, ctx);
    // PostgreSQL 15 words it differently for json and jsonb
    if (key === null) throw new SqlError(SQLSTATE.invalid_parameter_value, name.startsWith('jsonb') ? `argument ${2 * i + 1}: key must not be null` : `argument ${2 * i + 1} cannot be null`);
    return [key, values[i]!(row, ctx)];
  });
}

/** An argument of json_build_object/array as to_json writes it: a json value keeps its own text. */
function asJsonText(e: Expr): Eval {
  const ev = e.eval, t = e.type === 'unknown' ? 'text' : e.type;
  return (row, ctx) => toJsonText(ev(row, ctx), t) ?? 'null';
}

type JsonFn = (args: Expr[]) => Expr | undefined;

const one = (args: Expr[], ...types: SqlType[]): Expr | undefined => {
  const a = args[0];
  return args.length === 1 && a && (types.includes(a.type) || a.type === 'unknown') ? retype(a, types[0]!) : undefined;
};

function unary(type: SqlType, a: Expr | undefined, f: (v: Value) => Value): Expr | undefined {
  if (!a) return undefined;
  const ev = a.eval;
  if (a.konst) return constant(a.value === null ? null : f(a.value), type);
  return expr(type, (row, ctx) => {
    const v = ev(row, ctx);
    return v === null ? null : f(v);
  });
}

/** to_json(b)(anyelement) cannot take its type from an untyped literal, as in PostgreSQL. */
const polymorphicUnknown = (): SqlError => new SqlError(SQLSTATE.datatype_mismatch, 'could not determine polymorphic type because input has type unknown');

const JSON_FUNCTIONS: Record<string, JsonFn> = {
  to_jsonb: (args) => {
    if (args.length !== 1) return undefined;
    if (args[0]!.type === 'unknown') throw polymorphicUnknown();
    return expr('jsonb', asJsonb(args[0]!));
  },
  to_json: (args) => {
    if (args.length !== 1) return undefined;
    if (args[0]!.type === 'unknown') throw polymorphicUnknown();
    const a = args[0]!, ev = a.eval, t = a.type;
    return expr('json', (row, ctx) => toJsonText(ev(row, ctx), t));
  },
  jsonb_build_object: (args) => {
    const b = buildPairs(args, 'jsonb_build_object', asJsonb);
    return expr('jsonb', (row, ctx) => {
      const o: Record<string, Value> = {};
      for (const [k, v] of b(row, ctx)) o[k] = nested(v);
      return o;
    });
  },
  json_build_object: (args) => {
    const b = buildPairs(args, 'json_build_object', asJsonText);
    return expr('json', (row, ctx) => '{' + b(row, ctx).map(([k, v]) => `${JSON.stringify(k)} : ${v as string}`).join(', ') + '}');
  },
  jsonb_build_array: (args) => {
    const vals = args.map(asJsonb);
    return expr('jsonb', (row, ctx) => vals.map((v) => nested(v(row, ctx))));
  },
  json_build_array: (args) => {
    const vals = args.map(asJsonText);
    return expr('json', (row, ctx) => '[' + vals.map((v) => v(row, ctx) as string).join(', ') + ']');
  },
  jsonb_typeof: (args) => unary('text', one(args, 'jsonb'), jsonbKind),
  json_typeof: (args) => unary('text', one(args, 'json'), (v) => jsonbKind(parseJsonb(jsonText(v)))),
  jsonb_strip_nulls: (args) => unary('jsonb', one(args, 'jsonb'), stripNulls),
  json_strip_nulls: (args) => unary('json', one(args, 'json'), (v) => compactJson(stripNulls(parseJsonb(jsonText(v))))),
  jsonb_pretty: (args) => unary('text', one(args, 'jsonb'), (v) => pretty(v)),
  jsonb_array_length: (args) => unary('int4', one(args, 'jsonb'), arrayLength),
  json_array_length: (args) => unary('int4', one(args, 'json'), (v) => arrayLength(parseJsonb(jsonText(v)))),
  jsonb_set: (args) => {
    const [t, p, v, c] = args;
    if (!t || !p || !v || args.length > 4) return undefined;
    const te = retype(t, 'jsonb').eval, pe = textArray(p).eval, ve = retype(v, 'jsonb').eval, ce = c ? retype(c, 'bool').eval : undefined;
    return expr('jsonb', (row, ctx) => {
      const doc = te(row, ctx), steps = pe(row, ctx), val = ve(row, ctx), create = ce ? ce(row, ctx) : true;
      if (doc === null || steps === null || val === null || create === null) return null;
      return setPath(doc, path(steps), nested(val), create as boolean, 'no');
    });
  },
  jsonb_insert: (args) => {
    const [t, p, v, a] = args;
    if (!t || !p || !v || args.length > 4) return undefined;
    const te = retype(t, 'jsonb').eval, pe = textArray(p).eval, ve = retype(v, 'jsonb').eval, ae = a ? retype(a, 'bool').eval : undefined;
    return expr('jsonb', (row, ctx) => {
      const doc = te(row, ctx), steps = pe(row, ctx), val = ve(row, ctx), after = ae ? ae(row, ctx) : false;
      if (doc === null || steps === null || val === null || after === null) return null;
      return setPath(doc, path(steps), nested(val), false, after ? 'after' : 'before');
    });
  },
  jsonb_extract_path: (args) => extractPath(args, false),
  jsonb_extract_path_text: (args) => extractPath(args, true),
};

function arrayLength(v: Value): number {
  if (Array.isArray(v)) return v.length;
  throw new SqlError(SQLSTATE.invalid_parameter_value, `cannot get array length of a ${jsonbKind(v) === 'object' ? 'non-array' : 'scalar'}`);
}

function extractPath(args: Expr[], text: boolean): Expr | undefined {
  const [doc, ...steps] = args;
  if (!doc || doc.type !== 'jsonb' && doc.type !== 'unknown') return undefined;
  const de = retype(doc, 'jsonb').eval, se = steps.map((s) => retype(s, 'text').eval);
  return expr(text ? 'text' : 'jsonb', (row, ctx) => {
    const d = de(row, ctx);
    if (d === null) return null;
    const v = jsonbPath(d, se.map((s) => s(row, ctx) as string | null));
    if (v === undefined) return null;
    return text ? (v === null ? null : typeof v === 'string' ? v : jsonbText(v)) : topLevel(v);
  });
}

/** A json/jsonb function call, or undefined when `name` is not one (or the arguments do not fit). */
export function compileJsonFunction(name: string, args: Expr[]): Expr | undefined {
  const f = JSON_FUNCTIONS[name];
  return f ? f(args) : compileJsonbOperatorFunction(name, args) ?? compileJsonObject(name, args);
}
