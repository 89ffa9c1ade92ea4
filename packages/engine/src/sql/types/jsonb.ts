/**
 * jsonb values: parsed JSON whose numbers are exact, as PostgreSQL's jsonb numbers are numeric. A
 * number is a JS number when its double prints exactly as the numeric would (`1`, `2.5`), and a
 * Numeric otherwise (`1.0`, `12345678901234567890.5`), so the common case stays plain JSON. This
 * file owns jsonb input, the client form (PGlite parses jsonb text, so numbers reach the client as
 * doubles), kinds, containment (@>) and path lookups shared by the operators and functions.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { Numeric } from '../numeric.ts';
import type { Value } from '../types.ts';

/**
 * A jsonb document that is JSON `null` itself. Inside arrays and objects JSON null is plain null,
 * but a whole jsonb value of null must differ from SQL NULL (`'null'::jsonb IS NULL` is false).
 */
export class JsonNull {
  toJSON(): null {
    return null;
  }
}
export const JSON_NULL = new JsonNull();

/** A jsonb result: JSON null found at the top becomes JSON_NULL. */
export const topLevel = (v: Value): Value => (v === null ? JSON_NULL : v);
/** A jsonb value put inside an array or object: JSON_NULL becomes plain null. */
export const nested = (v: Value): Value => (v instanceof JsonNull ? null : v);

const invalid = (): SqlError => new SqlError(SQLSTATE.invalid_text_representation, 'invalid input syntax for type json');

/** The shortest decimal text of a double in plain notation (jsonb never prints exponents). */
function plainDouble(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  const [mant, e] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', ''), exp = Number(e);
  const sign = x < 0 ? '-' : '';
  if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

/** A JSON number's text as a jsonb number: a double when that is exact, else a Numeric. */
export function jsonbNumber(text: string): Value {
  const n = Numeric.parse(text);
  if (!n) throw invalid();
  const d = Number(text);
  return Number.isFinite(d) && plainDouble(d) === n.toString() ? (Object.is(d, -0) ? 0 : d) : n;
}

function setKey(o: Record<string, Value>, k: string, v: Value): void {
  // a "__proto__" key is data, not the prototype
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** jsonb input: JSON text to a jsonb value (duplicate keys: the last wins). */
export function parseJsonb(text: string): Value {
  let i = 0;
  const n = text.length;
  const ws = () => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const value = (depth: number): Value => {
    if (depth > 6400) throw new SqlError(SQLSTATE.program_limit_exceeded, 'stack depth limit exceeded');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, Value> = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') throw invalid();
        const k = string();
        ws();
        if (text[i++] !== ':') throw invalid();
        setKey(o, k, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        throw invalid();
      }
    }
    if (c === '[') {
      i++;
      const a: Value[] = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        throw invalid();
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 2000));
    if (!m) throw invalid();
    i += m[0].length;
    return jsonbNumber(m[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) throw invalid();
      i++;
    }
    if (i >= n) throw invalid();
    i++;
    try {
      const s = JSON.parse(text.slice(start, i)) as string;
      if (s.includes('\u0000')) throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
      return s;
    } catch (e) {
      if (e instanceof SqlError) throw e;
      throw invalid();
    }
  };
  const v = value(0);
  ws();
  if (i < n) throw invalid();
  return topLevel(v);
}

/** Whether a jsonb value holds an exact (Numeric) number anywhere. */
function hasNumeric(v: Value): boolean {
  if (v instanceof Numeric) return true;
  if (Array.isArray(v)) return v.some(hasNumeric);
  if (v !== null && typeof v === 'object') return Object.values(v as Record<string, Value>).some(hasNumeric);
  return false;
}

/** The client's form of a jsonb value: what JSON.parse of its text gives (numbers as doubles). */
export function jsonbToClient(v: Value): Value {
  if (v instanceof JsonNull) return null;
  if (!hasNumeric(v)) return v;
  if (v instanceof Numeric) return v.toFloat();
  if (Array.isArray(v)) return v.map(jsonbToClient);
  const out: Record<string, Value> = {};
  for (const [k, x] of Object.entries(v as Record<string, Value>)) setKey(out, k, jsonbToClient(x));
  return out;
}

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export function jsonbKind(v: Value): JsonKind {
  if (v === null || v instanceof JsonNull) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Numeric) return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return Array.isArray(v) ? 'array' : 'object';
}

export const isJsonObject = (v: Value): v is Record<string, Value> => jsonbKind(v) === 'object';

/** Deep equality of jsonb values (numbers by value: 1 = 1.0). */
export function jsonbEqual(a: Value, b: Value): boolean {
  const ka = jsonbKind(a);
  if (ka !== jsonbKind(b)) return false;
  if (ka === 'number') return Numeric.compare(toNumeric(a), toNumeric(b)) === 0;
  if (ka === 'array') {
    const x = a as Value[], y = b as Value[];
    return x.length === y.length && x.every((e, i) => jsonbEqual(e, y[i]));
  }
  if (ka === 'object') {
    const x = a as Record<string, Value>, y = b as Record<string, Value>;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && jsonbEqual(x[k], y[k]));
  }
  return ka === 'null' || a === b;
}

function toNumeric(v: Value): Numeric {
  return v instanceof Numeric ? v : typeof v === 'bigint' ? Numeric.fromInt(v) : Numeric.parse(plainDouble(v as number))!;
}

/**
 * jsonb @>: objects contain objects key by key, arrays contain every element of the right array
 * (in any order, duplicates ignored), an array contains a scalar equal to one of its elements at
 * the top level, scalars contain only equal scalars.
 */
export function jsonbContains(a: Value, b: Value, top = true): boolean {
  const ka = jsonbKind(a), kb = jsonbKind(b);
  if (ka === 'object') {
    if (kb !== 'object') return false;
    const x = a as Record<string, Value>;
    return Object.entries(b as Record<string, Value>).every(([k, v]) => Object.prototype.hasOwnProperty.call(x, k) && jsonbContains(x[k], v, false));
  }
  if (ka === 'array') {
    const x = a as Value[];
    if (kb === 'array') {
      return (b as Value[]).every((e) => {
        const ke = jsonbKind(e);
        return x.some((y) => (ke === 'object' || ke === 'array' ? jsonbContains(y, e, false) : jsonbEqual(y, e)));
      });
    }
    return top && kb !== 'object' && x.some((y) => jsonbEqual(y, b));
  }
  return ka === kb && jsonbEqual(a, b);
}

/** The value at a path of keys and array indexes (negative from the end), or undefined. */
export function jsonbPath(doc: Value, path: readonly (string | null)[]): Value | undefined {
  let v: Value = doc;
  for (const step of path) {
    if (step === null) return undefined;
    if (Array.isArray(v)) {
      if (!/^-?\d+$/.test(step.trim())) return undefined;
      const k = Number(step);
      const i = k < 0 ? v.length + k : k;
      if (i < 0 || i >= v.length) return undefined;
      v = v[i];
    } else if (isJsonObject(v)) {
      if (!Object.prototype.hasOwnProperty.call(v, step)) return undefined;
      v = v[step];
    } else return undefined;
  }
  return v;
}
