/**
 * Type names, typmods, text input and casts between SqlTypes, with PostgreSQL's error texts.
 * Also the assignment coercion used when INSERT/UPDATE store a value into a typed column.
 */
import type { Node, TypeName } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { parseDateTime, toDate } from './datetime.ts';
import { rint, roundTimestamp } from './types/timestamp.ts';
import { parseTime, roundTime, Time, timeOfInterval, timeOfTimestamp } from './types/time.ts';
import { parseTimeTz, roundTimeTz, TimeTz } from './types/timetz.ts';
import { canonical, inInt8Range, type Int8 } from './int8.ts';
import { Numeric, numericTypmod as numericTypmodOf } from './numeric.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { jsonbText, toText, typeOfValue } from './values.ts';
import { jsonInput, jsonText } from './json-text.ts';
import { uuidInput } from './uuid.ts';
import { oidInput, oidTypeCast, regclassInput } from './types/oid.ts';
import { jsonPathInput } from './jsonpath/functions.ts';
import { Interval, parseInterval } from './types/interval.ts';
import { adjustInterval, intervalInput, intervalTypmod } from './types/interval-typmod.ts';
import { isEnumType, lookupEnumType, parseEnum } from './types/enum.ts';
import { lookupDomain } from './types/domain-catalog.ts';
import { compositeOf, isCompositeType, lookupCompositeType } from './composite/type.ts';
import { recordIn, recordToComposite } from './composite/value.ts';
import { jsonbKind, JsonNull, parseJsonb } from './types/jsonb.ts';
import { bpcharLimit, bpcharTypmod, stripBpchar } from './types/bpchar.ts';
import { charFromInt, charInput, charToInt } from './types/char.ts';
import { arrayTypeOf, elementType, isArrayType, mapElements, parseArray } from './types/array.ts';

export type Cast = (v: Value) => Value;

const TYPE_ALIASES: Record<string, SqlType> = {
  int2: 'int2', smallint: 'int2', int4: 'int4', int: 'int4', integer: 'int4', int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4', float8: 'float8', float: 'float8', numeric: 'numeric', decimal: 'numeric',
  text: 'text', varchar: 'varchar', name: 'name', bpchar: 'bpchar', bool: 'bool', boolean: 'bool', timestamptz: 'timestamptz',
  timestamp: 'timestamp', date: 'date', time: 'time', timetz: 'timetz', json: 'json', jsonb: 'jsonb', bytea: 'bytea', uuid: 'uuid',
  interval: 'interval', jsonpath: 'jsonpath', regtype: 'regtype', oid: 'oid', regclass: 'regclass', char: 'char',
};

// Real PostgreSQL types this engine lacks: these get 0A000 rather than "does not exist".
const UNSUPPORTED_TYPES = new Set([
  'money', 'inet', 'cidr', 'macaddr', 'xml',
  'bit', 'varbit', 'point', 'line', 'box', 'circle', 'polygon', 'path', 'tsvector', 'tsquery',
  'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange', 'serial', 'bigserial', 'record',
]);

// [min, max + 1] as doubles, for int2/int4 values and float sources (a double is exact at these bounds).
const INT_RANGE = { int2: [-32768, 32768], int4: [-2147483648, 2147483648], int8: [-(2 ** 63), 2 ** 63] } as const;
const INT_NAME = { int2: 'smallint', int4: 'integer', int8: 'bigint' } as const;
type IntType = keyof typeof INT_RANGE;

const isInt = (t: SqlType): t is IntType => t === 'int2' || t === 'int4' || t === 'int8';
export const isNumericType = (t: SqlType): boolean =>
  isInt(t) || t === 'float4' || t === 'float8' || t === 'numeric';
export const isTextType = (t: SqlType): boolean => t === 'text' || t === 'varchar' || t === 'name' || t === 'bpchar';
export const isDateTimeType = (t: SqlType): t is 'date' | 'timestamp' | 'timestamptz' =>
  t === 'date' || t === 'timestamp' || t === 'timestamptz';

function intConst(n: Node): number {
  if ('A_Const' in n && n.A_Const.ival) return n.A_Const.ival.ival ?? 0;
  throw new SqlError(SQLSTATE.syntax_error, 'type modifiers must be simple constants or identifiers');
}

/** Resolve a TypeName node to a SqlType and PostgreSQL's typmod encoding (-1 when none). */
/** `domain`: the type named is that domain (types/domain.ts), `type` and `typmod` its base type's. */
export function resolveTypeName(tn: TypeName): { type: SqlType; typmod: number; domain?: number } {
  const names = (tn.names ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
  const name = names[names.length - 1]?.toLowerCase() ?? '';
  const display = names.filter((n) => n !== 'pg_catalog').join('.');
  if (tn.arrayBounds?.length) {
    const elem = resolveTypeName({ ...tn, arrayBounds: undefined });
    if (elem.domain !== undefined) throw new SqlError(SQLSTATE.feature_not_supported, `arrays of domain ${display} are not supported`);
    // jsonb elements are JS arrays and objects themselves, which the nested-array form cannot tell apart
    if (isCompositeType(elem.type) && compositeOf(elem.type).arrayOid === undefined) throw new SqlError(SQLSTATE.feature_not_supported, `arrays of the row type of table ${display} are not supported`);
    if (isArrayType(elem.type) || elem.type === 'jsonb' || isEnumType(elem.type)) throw new SqlError(SQLSTATE.feature_not_supported, `array type ${display}[] is not supported`);
    return { type: arrayTypeOf(elem.type), typmod: elem.typmod };
  }
  const mods = (tn.typmods ?? []).map(intConst);
  let type: SqlType | undefined = names.length <= 2 && (names.length === 1 || names[0] === 'pg_catalog') ? TYPE_ALIASES[name] : undefined;
  if (!type && (names.length === 1 || (names.length === 2 && names[0] === 'public'))) type = lookupEnumType(names[names.length - 1]!) ?? lookupCompositeType(names[names.length - 1]!);
  const domain = !type && (names.length === 1 || (names.length === 2 && names[0] === 'public')) ? lookupDomain(names[names.length - 1]!) : undefined;
  if (domain) {
    if (mods.length) throw new SqlError(SQLSTATE.syntax_error, `type modifier is not allowed for type "${domain.name}"`);
    return { type: domain.base, typmod: domain.typmod, domain: domain.oid };
  }
  if (!type) {
    if (UNSUPPORTED_TYPES.has(name)) throw new SqlError(SQLSTATE.feature_not_supported, `type ${display} is not supported`);
    throw new SqlError(SQLSTATE.undefined_object, `type "${display}" does not exist`);
  }
  if (type === 'float8' && mods.length) {
    // float(p): p ≤ 24 means real.
    if (mods[0] < 1 || mods[0] > 53) throw new SqlError(SQLSTATE.invalid_parameter_value, `precision for type float must be between 1 and 53 bits`);
    return { type: mods[0] <= 24 ? 'float4' : 'float8', typmod: -1 };
  }
  if (type === 'interval') return { type, typmod: tn.typmods?.length ? intervalTypmod(tn.typmods) : -1 };
  if (mods.length === 0) return { type, typmod: -1 };
  if (type === 'varchar') {
    if (mods[0] < 1) throw new SqlError(SQLSTATE.invalid_parameter_value, 'length for type varchar must be at least 1');
    return { type, typmod: mods[0] + 4 };
  }
  if (type === 'bpchar') return { type, typmod: bpcharTypmod(mods[0]) };
  if (type === 'numeric') {
    const [p, s = 0] = mods;
    if (p < 1 || p > 1000) throw new SqlError(SQLSTATE.invalid_parameter_value, `NUMERIC precision ${p} must be between 1 and 1000`);
    // PostgreSQL 15 allows a negative scale (round left of the point) and one above the precision
    if (s < -1000 || s > 1000) throw new SqlError(SQLSTATE.invalid_parameter_value, `NUMERIC scale ${s} must be between -1000 and 1000`);
    return { type, typmod: ((p << 16) | (s & 0x7ff)) + 4 };
  }
  if (type === 'timestamp' || type === 'timestamptz' || type === 'time' || type === 'timetz') return { type, typmod: Math.min(Math.max(mods[0], 0), 6) };
  throw new SqlError(SQLSTATE.syntax_error, `type modifier is not allowed for type "${name}"`);
}

/** numeric(p,s)'s typmod holds p in the high 16 bits and s as an 11-bit signed field, as PostgreSQL 15 packs them. */
const numericPrecision = (typmod: number): number => (typmod - 4) >> 16;
const numericScale = (typmod: number): number => ((((typmod - 4) & 0x7ff) ^ 0x400) - 0x400);

/** `character varying(10)`, `numeric(10,2)`: the spelling PostgreSQL uses in messages. */
export function formatTypeName(type: SqlType, typmod = -1): string {
  if (typmod < 0) return TYPE_NAME[type];
  if (isArrayType(type)) return formatTypeName(elementType(type), typmod) + '[]';
  if (type === 'varchar') return `character varying(${typmod - 4})`;
  if (type === 'bpchar') return `character(${typmod - 4})`;
  if (type === 'numeric') return `numeric(${numericPrecision(typmod)},${numericScale(typmod)})`;
  if (type === 'timestamp') return `timestamp(${typmod}) without time zone`;
  if (type === 'timestamptz') return `timestamp(${typmod}) with time zone`;
  if (type === 'time') return `time(${typmod}) without time zone`;
  if (type === 'timetz') return `time(${typmod}) with time zone`;
  return TYPE_NAME[type];
}

const invalidInput = (type: SqlType, text: string): SqlError =>
  new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type ${TYPE_NAME[type]}: "${text}"`);

const intOutOfRange = (type: IntType): SqlError => new SqlError(SQLSTATE.numeric_value_out_of_range, `${INT_NAME[type]} out of range`);

/** Range-check a double holding an integer (22003 `integer out of range`); int8 comes back canonical. */
export function checkInt(x: number, type: IntType): number | bigint {
  if (!(x < INT_RANGE[type][1] && x >= INT_RANGE[type][0])) throw intOutOfRange(type);
  if (type === 'int8' && !Number.isSafeInteger(x)) return BigInt(x);
  return x === 0 ? 0 : x;
}

/** Range-check an exact integer for `type`. */
export function checkBigInt(x: bigint, type: IntType): number | bigint {
  if (type === 'int8') {
    if (!inInt8Range(x)) throw intOutOfRange(type);
    return canonical(x);
  }
  const n = Number(x);
  if (!(n < INT_RANGE[type][1] && n >= INT_RANGE[type][0])) throw intOutOfRange(type);
  return n;
}

/** An int2/int4 operation's double result, range-checked (int8 has its own exact arithmetic). */
export function checkSmallInt(x: number, type: 'int2' | 'int4'): number {
  if (!(x < INT_RANGE[type][1] && x >= INT_RANGE[type][0])) throw intOutOfRange(type);
  return x === 0 ? 0 : x;
}

/** Round to the float type; `x` overflowing (when the inputs were finite) is PostgreSQL's 22003. */
export function checkFloat(x: number, type: 'float4' | 'float8' = 'float8', inputsFinite = Number.isFinite(x)): number {
  const r = type === 'float4' ? Math.fround(x) : x;
  if (inputsFinite && (r === Infinity || r === -Infinity)) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
  }
  return r;
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const FLOAT_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const SPECIAL_FLOATS: Record<string, number> = {
  nan: NaN, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity, inf: Infinity, '+inf': Infinity, '-inf': -Infinity,
};
const BOOL_WORDS: [string, boolean][] = [['true', true], ['yes', true], ['false', false], ['no', false]];

function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (s === 'on' || s === '1') return true;
  if (s === 'off' || s === 'of' || s === '0') return false;
  if (s.length > 0) for (const [w, b] of BOOL_WORDS) if (w.startsWith(s)) return b;
  throw invalidInput('bool', text);
}

function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2).replace(/\s+/g, '');
    const bad = /[^0-9a-f]/i.exec(hex);
    if (bad) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid hexadecimal digit: "${bad[0]}"`);
    if (hex.length % 2) throw new SqlError(SQLSTATE.invalid_parameter_value, 'invalid hexadecimal data: odd number of digits');
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  return parseByteaEscape(text);
}

/** bytea's escape format: bytes as written, `\\` for a backslash and `\ooo` octal escapes. */
export function parseByteaEscape(text: string): Uint8Array {
  const bytes: number[] = [];
  const utf8 = new TextEncoder().encode(text);
  for (let i = 0; i < utf8.length; i++) {
    if (utf8[i] !== 0x5c) { bytes.push(utf8[i]); continue; }
    if (utf8[i + 1] === 0x5c) { bytes.push(0x5c); i++; continue; }
    const oct = String.fromCharCode(...utf8.slice(i + 1, i + 4));
    if (!/^[0-3][0-7]{2}$/.test(oct)) throw new SqlError(SQLSTATE.invalid_text_representation, 'invalid input syntax for type bytea');
    bytes.push(parseInt(oct, 8));
    i += 3;
  }
  return Uint8Array.from(bytes);
}

const NAMEDATALEN = 64;

/** name's input: at most NAMEDATALEN - 1 bytes of UTF-8, cut at a character boundary (PostgreSQL's namein). */
function nameInput(text: string): string {
  if (text.length < NAMEDATALEN / 4) return text;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length < NAMEDATALEN) return text;
  let end = NAMEDATALEN - 1;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** regtype's input: a type's name (int4, integer, …) as regtype prints it, for the types walrtc has. */
function regtypeInput(text: string): string {
  const name = text.trim().toLowerCase();
  // unquoted char is the grammar's character (bpchar); only "char" names the one-byte type
  if (name === 'char') return TYPE_NAME.bpchar;
  const alias = TYPE_ALIASES[name];
  if (alias) return TYPE_NAME[alias];
  if ((Object.values(TYPE_NAME) as string[]).includes(name)) return name;
  throw new SqlError(SQLSTATE.undefined_object, `type "${text.trim()}" does not exist`);
}

/** PostgreSQL's input function for `type`: turn literal/parameter text into a value. */
export function parseInput(text: string, type: SqlType, now?: Date): Value {
  if (isEnumType(type)) return parseEnum(text, type);
  if (isCompositeType(type)) return recordIn(text, type);
  if (isArrayType(type)) {
    const elem = elementType(type);
    return parseArray(text, (s) => parseInput(s, elem, now));
  }
  switch (type) {
    case 'text': case 'varchar': case 'bpchar': case 'unknown': return text;
    case 'name': return nameInput(text);
    case 'char': return charInput(text);
    case 'int2': case 'int4': case 'int8': {
      if (!INT_RE.test(text)) throw invalidInput(type, text);
      const n = BigInt(text.trim());
      const ok = type === 'int8' ? inInt8Range(n) : n < BigInt(INT_RANGE[type][1]) && n >= BigInt(INT_RANGE[type][0]);
      if (!ok) throw new SqlError(SQLSTATE.numeric_value_out_of_range, `value "${text}" is out of range for type ${INT_NAME[type]}`);
      return canonical(n);
    }
    case 'numeric': {
      const n = Numeric.parse(text);
      if (!n) throw invalidInput(type, text);
      return n;
    }
    case 'float4': case 'float8': {
      const special = SPECIAL_FLOATS[text.trim().toLowerCase()];
      if (special !== undefined) return special;
      if (!FLOAT_RE.test(text)) throw invalidInput(type, text);
      const n = Number(text);
      const r = type === 'float4' ? Math.fround(n) : n;
      if (!Number.isFinite(r) || (r === 0 && /[1-9]/.test(text.split(/e/i)[0]))) {
        throw new SqlError(SQLSTATE.numeric_value_out_of_range, `"${text}" is out of range for type ${TYPE_NAME[type]}`);
      }
      return r;
    }
    case 'bool': return parseBool(text);
    case 'date': case 'timestamp': case 'timestamptz': return parseDateTime(text, type, now);
    case 'json': return jsonInput(text);
    case 'uuid': return uuidInput(text);
    case 'interval': return parseInterval(text);
    case 'time': return parseTime(text);
    case 'timetz': return parseTimeTz(text);
    case 'jsonpath': return jsonPathInput(text);
    case 'jsonb': return parseJsonb(text);
    case 'bytea': return parseBytea(text);
    case 'regtype': return regtypeInput(text);
    case 'oid': return oidInput(text);
    case 'regclass': return regclassInput(text);
  }
}

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(SQLSTATE.cannot_coerce, `cannot cast type ${TYPE_NAME[from]} to ${TYPE_NAME[to]}`);
}

const cannotConvert = (what: string, to: IntType): SqlError =>
  new SqlError(SQLSTATE.feature_not_supported, `cannot convert ${what} to ${INT_NAME[to]}`);

/** numeric → integer: round half away from zero; NaN and infinity cannot convert (0A000). */
function numericToInt(to: IntType): Cast {
  return (v) => {
    const n = v as Numeric;
    const i = n.toBigInt();
    if (i === undefined) throw cannotConvert(n.isNaN ? 'NaN' : 'infinity', to);
    return checkBigInt(i, to);
  };
}

/** A value of a numeric type as a double (int8 may be a bigint, numeric a Numeric). */
export function toFloat(v: Value): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : (v as Numeric).toFloat();
}

function numericToNumeric(from: SqlType, to: SqlType): Cast {
  if (isInt(to)) {
    if (isInt(from)) {
      if (from === to || from === 'int2' || to === 'int8') return (v) => v;
      return (v) => (typeof v === 'bigint' ? checkBigInt(v, to) : checkInt(v as number, to));
    }
    if (from === 'numeric') return numericToInt(to);
    return (v) => {
      const x = v as number;
      if (!Number.isFinite(x)) throw new SqlError(SQLSTATE.numeric_value_out_of_range, `${INT_NAME[to]} out of range`);
      return checkInt(rint(x), to);
    };
  }
  if (to === 'numeric') {
    if (isInt(from)) return (v) => Numeric.fromInt(v as Int8);
    return (v) => Numeric.fromFloat(v as number, from === 'float4' ? 6 : 15);
  }
  if (to === 'float4') return (v) => checkFloat(toFloat(v), 'float4');
  if (from === 'int8' || from === 'numeric') return toFloat;
  return (v) => v;
}

function jsonbScalar(to: SqlType): Cast {
  const want = to === 'bool' ? 'boolean' : 'number';
  // a jsonb number is exact: a Numeric, or a double whose shortest text is its value
  const fromNumeric = to === 'numeric' ? (n: Value) => n : numericToNumeric('numeric', to);
  const convert = to === 'bool' ? (v: Value) => v : (v: Value) => fromNumeric(v instanceof Numeric ? v : Numeric.parse(String(v)));
  return (v) => {
    // PostgreSQL 17 on: a jsonb null casts to SQL NULL
    if (v instanceof JsonNull) return null;
    if ((want === 'number' ? jsonbKind(v) : typeof v) !== want) {
      const kind = jsonbKind(v);
      throw new SqlError(SQLSTATE.invalid_parameter_value, `cannot cast jsonb ${kind} to type ${TYPE_NAME[to]}`);
    }
    return convert(v);
  };
}

/** Length-limit a varchar: explicit casts truncate, assignment errors unless only spaces are cut. */
function varcharLimit(typmod: number, explicit: boolean): Cast {
  const max = typmod - 4;
  return (v) => {
    const s = v as string;
    if (s.length <= max) return s;
    const chars = Array.from(s);
    if (chars.length <= max) return s;
    if (!explicit && chars.slice(max).some((c) => c !== ' ')) {
      throw new SqlError(SQLSTATE.string_data_right_truncation, `value too long for type character varying(${max})`);
    }
    return chars.slice(0, max).join('');
  };
}

function numericTypmod(typmod: number): Cast {
  const apply = numericTypmodOf(numericPrecision(typmod), numericScale(typmod));
  return (v) => apply(v as Numeric);
}

function withTypmod(cast: Cast, to: SqlType, typmod: number, explicit: boolean): Cast {
  if (typmod < 0) return cast;
  if (isArrayType(to)) {
    const each = withTypmod((v) => v, elementType(to), typmod, explicit);
    return (v) => mapElements(cast(v) as Value[], each);
  }
  let limit: Cast | undefined;
  if (to === 'varchar') limit = varcharLimit(typmod, explicit);
  else if (to === 'bpchar') limit = bpcharLimit(typmod, explicit);
  else if (to === 'numeric') limit = numericTypmod(typmod);
  else if (to === 'interval') limit = (v) => adjustInterval(v as Interval, typmod);
  else if ((to === 'timestamp' || to === 'timestamptz') && typmod < 6) limit = (v) => roundTimestamp(v as Date, typmod);
  else if (to === 'time' && typmod < 6) limit = (v) => roundTime(v as Time, typmod);
  else if (to === 'timetz' && typmod < 6) limit = (v) => roundTimeTz(v as TimeTz, (t) => roundTime(t, typmod));
  if (!limit) return cast;
  const l = limit;
  return (v) => l(cast(v));
}

/** The integers a JS number parameter may be taken as without going through its text. */
const INT_MIN = { int2: -32768, int4: -2147483648, int8: Number.MIN_SAFE_INTEGER } as const;
const INT_MAX = { int2: 32767, int4: 2147483647, int8: Number.MAX_SAFE_INTEGER } as const;

/**
 * Cast a value whose type is decided only at run time (an untyped parameter): strings use the
 * input syntax, JSON-ish values pass into json/jsonb as they are, anything else by its JS kind.
 */
function dynamicCast(to: SqlType, explicit: boolean): Cast {
  const bySource = new Map<SqlType, Cast>();
  const json = to === 'json' || to === 'jsonb';
  return (v) => {
    if (typeof v === 'string') return parseInput(v, to);
    // PGlite sends a JS number as its text: 2.5 for an integer is 22P02 there, never rounded; an
    // integer in range is taken as it is (+ 0: its text has no sign for -0), the rest as its text
    if (typeof v === 'number' && (to === 'int2' || to === 'int4' || to === 'int8')) {
      return Number.isInteger(v) && v >= INT_MIN[to] && v <= INT_MAX[to] ? v + 0 : parseInput(String(v), to);
    }
    if (json) return to === 'json' ? jsonText(v) : v;
    if (isArrayType(to) && Array.isArray(v)) {
      const elem = elementType(to);
      return mapElements(v, (e) => coerceToColumn(e, elem));
    }
    v = fromJs(v);
    const source = typeOfValue(v);
    let cast = bySource.get(source);
    if (!cast) {
      cast = baseCast(source, to, explicit);
      bySource.set(source, cast);
    }
    return cast(v);
  };
}

/**
 * A JS number or bigint given as a parameter, in this engine's value form: integers stay
 * integers (a bigint beyond int8 becomes numeric), a fractional number becomes the numeric its
 * shortest text spells (0.1 is 0.1, as PGlite sends it), NaN and ±Infinity stay doubles.
 */
export function fromJs(v: Value): Value {
  if (typeof v === 'bigint') return inInt8Range(v) ? canonical(v) : Numeric.fromInt(v);
  if (typeof v === 'number' && Number.isFinite(v) && !Number.isSafeInteger(v)) return Numeric.parse(String(v));
  return v;
}

function baseCast(from: SqlType, to: SqlType, explicit: boolean): Cast {
  if (from === to) return (v) => v;
  if (from === 'unknown') return dynamicCast(to, explicit);
  if (from === 'record' && isCompositeType(to)) return recordToComposite(to);
  if (isCompositeType(from) && to === 'record') return (v) => v;
  const oidCast = oidTypeCast(from, to);
  if (oidCast) return oidCast;
  if (isArrayType(from) && isArrayType(to)) {
    const each = baseCast(elementType(from), elementType(to), explicit);
    return (v) => mapElements(v as Value[], each);
  }
  if (to === 'char' || from === 'char') return charCast(from, to, explicit);
  // bpchar → text/varchar/name drops the padding; text → bpchar keeps the string (the typmod pads it)
  if (from === 'bpchar' && isTextType(to)) return to === 'name' ? (v) => nameInput(stripBpchar(v as string)) : (v) => stripBpchar(v as string);
  // bool has casts to text, varchar and bpchar (booltext: true); to name it goes through boolout (t)
  if (to === 'name') return from === 'bool' ? (v) => (v ? 't' : 'f') : (v) => nameInput(toText(v, from));
  if (isTextType(to)) return (v) => toText(v, from);
  if (isTextType(from)) return isTextType(to) ? (v) => v : (v) => parseInput(v as string, to);
  if (isNumericType(from) && isNumericType(to)) return numericToNumeric(from, to);
  if (from === 'int4' && to === 'bool' && explicit) return (v) => v !== 0;
  if (from === 'bool' && to === 'int4' && explicit) return (v) => (v ? 1 : 0);
  if (isDateTimeType(from) && isDateTimeType(to)) return to === 'date' ? (v) => toDate(v as Date) : (v) => v;
  if (to === 'time' && (from === 'timestamp' || from === 'timestamptz')) return (v) => timeOfTimestamp(v as Date);
  if (from === 'interval' && to === 'time') return (v) => timeOfInterval(v as Interval);
  if (from === 'time' && to === 'interval') return (v) => new Interval(0, 0, (v as Time).us);
  // the session's time zone is UTC
  if (to === 'timetz' && (from === 'time' || from === 'timestamptz')) return (v) => new TimeTz((from === 'time' ? (v as Time) : timeOfTimestamp(v as Date)).us, 0);
  if (from === 'timetz' && to === 'time') return (v) => new Time((v as TimeTz).us);
  if (from === 'json' && to === 'jsonb') return (v) => (typeof v === 'string' ? parseJsonb(v) : v);
  if (from === 'jsonb' && to === 'json') return (v) => jsonbText(v);
  if (from === 'jsonb' && explicit && (isNumericType(to) || to === 'bool')) return jsonbScalar(to);
  throw cannotCast(from, to);
}

/** "char"'s casts: to and from the string types, and explicitly to and from int4 (as pg_cast lists them). */
function charCast(from: SqlType, to: SqlType, explicit: boolean): Cast {
  if (to === 'char' && isTextType(from)) return (v) => charInput(v as string);
  if (from === 'char' && isTextType(to)) return to === 'name' ? (v) => nameInput(v as string) : (v) => v;
  if (explicit && to === 'char' && from === 'int4') return charFromInt;
  if (explicit && from === 'char' && to === 'int4') return charToInt;
  throw cannotCast(from, to);
}

/**
 * A cast from `from` to `to` (null-safe). `explicit` is CAST/::, which allows more conversions and
 * truncates varchar(n); assignment (INSERT/UPDATE) rejects over-long strings instead.
 * Throws 42846 right away when no such cast exists.
 */
export function castFunction(from: SqlType, to: SqlType, typmod = -1, explicit = true): Cast {
  // a field restriction changes how interval text is read (`interval '1' day`)
  if (to === 'interval' && typmod >= 0 && (from === 'unknown' || isTextType(from))) return (v) => (v === null || v === undefined ? null : intervalInput(v as string, typmod));
  const cast = withTypmod(baseCast(from, to, explicit), to, typmod, explicit);
  return (v) => (v === null || v === undefined ? null : cast(v));
}

/** Whether PostgreSQL would store an expression of type `from` into a column of type `to` (assignment cast). */
export function assignable(from: SqlType, to: SqlType): boolean {
  if (from === to || from === 'unknown' || isTextType(to)) return true;
  if (isCompositeType(to)) return from === 'record';
  if (to === 'char') return isTextType(from);
  if (isArrayType(from) || isArrayType(to)) return isArrayType(from) && isArrayType(to) && assignable(elementType(from), elementType(to));
  if (isNumericType(from) && isNumericType(to)) return true;
  if (to === 'oid' || from === 'oid') return (to === 'oid' ? from : to).startsWith('int');
  if (isDateTimeType(from) && isDateTimeType(to)) return true;
  if (to === 'time') return from === 'timestamp' || from === 'timestamptz' || from === 'interval' || from === 'timetz';
  if (to === 'timetz') return from === 'time' || from === 'timestamptz';
  if (from === 'time' && to === 'interval') return true;
  return (from === 'json' || from === 'jsonb') && (to === 'json' || to === 'jsonb');
}

/** Throw PostgreSQL's 42804 when an INSERT/UPDATE expression does not fit the column's type. */
export function checkAssignable(from: SqlType, to: SqlType, column: string): void {
  if (!assignable(from, to)) {
    throw new SqlError(SQLSTATE.datatype_mismatch, `column "${column}" is of type ${TYPE_NAME[to]} but expression is of type ${TYPE_NAME[from]}`, {
      hint: 'You will need to rewrite or cast the expression.',
    });
  }
}

/** By column type, source type and typmod: nested, so a lookup builds no key string (it ran per value of every INSERT). */
const columnCasts = new Map<SqlType, Map<SqlType, Map<number, Cast>>>();

/**
 * Convert a value for storage in a column of `type`/`typmod` (INSERT, UPDATE, COPY). Strings are
 * parsed with the type's input syntax; other values go through the assignment cast from `from`
 * (default: the type their JS kind suggests), with range checks, numeric rounding and varchar limits.
 */
export function coerceToColumn(value: Value, type: SqlType, typmod = -1, from?: SqlType): Value {
  if (value === null || value === undefined) return null;
  if (from === undefined) {
    if (isArrayType(type) && Array.isArray(value)) {
      const elem = elementType(type);
      return mapElements(value, (e) => coerceToColumn(e, elem, typmod));
    }
    value = fromJs(value);
  }
  if ((type === 'json' || type === 'jsonb') && typeof value !== 'string' && from === undefined) return type === 'json' ? jsonText(value) : value;
  const source = typeof value === 'string' ? (from && (from === 'bpchar' || !isTextType(from)) ? from : 'text') : (from ?? typeOfValue(value));
  let bySource = columnCasts.get(type);
  if (!bySource) columnCasts.set(type, (bySource = new Map()));
  let byTypmod = bySource.get(source);
  if (!byTypmod) bySource.set(source, (byTypmod = new Map()));
  let cast = byTypmod.get(typmod);
  if (!cast) {
    if (source === 'text' && type === 'interval' && typmod >= 0) cast = (v) => intervalInput(v as string, typmod);
    else if (source === 'text' && !isTextType(type)) cast = withTypmod((v) => parseInput(v as string, type), type, typmod, false);
    else if (source === 'unknown') cast = withTypmod(baseCast('unknown', type, false), type, typmod, false);
    else cast = withTypmod(baseCast(source, type, true), type, typmod, false);
    byTypmod.set(typmod, cast);
  }
  return cast(value);
}
