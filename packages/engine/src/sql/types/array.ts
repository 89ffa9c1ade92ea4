/**
 * Array types: a value of `int4[]` is a JS array of int4 values, nested for more dimensions (as
 * PGlite returns arrays), with NULL elements as null and lower bounds always 1. This file owns the
 * type names, array_in/array_out text, the ordering (btarraycmp) and the element-wise cast.
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { ArrayType, BaseType, SqlType, Value } from '../types.ts';
import { compositeOf, isCompositeType } from '../composite/type.ts';

export type ElementType = Exclude<BaseType, 'unknown'>;

export const isArrayType = (t: SqlType): t is ArrayType => t.endsWith('[]') && !t.startsWith('enum:');

export function elementType(t: ArrayType): ElementType {
  return t.slice(0, -2) as ElementType;
}

export function arrayTypeOf(t: SqlType): ArrayType {
  if (isArrayType(t)) return t;
  if (t === 'unknown') return 'text[]';
  if (t.startsWith('enum:')) throw featureNotSupported('arrays of enum types');
  if (t === 'record') throw featureNotSupported('arrays of row values');
  // a jsonb value is itself a JS array or object, which the array code would take for a dimension
  if (t === 'jsonb') throw featureNotSupported('arrays of jsonb');
  // a composite type's array has an OID of its own; a table's row type has none here
  if (isCompositeType(t) && compositeOf(t).arrayOid === undefined) throw featureNotSupported(`arrays of the row type of table ${compositeOf(t).name}`);
  return `${t as ElementType}[]`;
}

/** PostgreSQL's limit on dimensions (MAXDIM). */
const MAXDIM = 6;

function malformed(text: string, detail: string): SqlError {
  return new SqlError(SQLSTATE.invalid_text_representation, `malformed array literal: "${text}"`, { detail });
}

/**
 * array_in: `{1,2,"a b",NULL}` and nested braces for more dimensions. Elements go through the
 * element type's input function; an unquoted NULL (any case) is SQL NULL.
 */
export function parseArray(text: string, parseElement: (s: string) => Value): Value[] {
  let i = 0;
  const n = text.length;
  const ws = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
  while (ws(text[i])) i++;
  if (text[i] === '[') throw featureNotSupported('array literals with explicit dimensions');
  if (text[i] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');
  // dims[d] = element count at depth d, fixed by the first sub-array seen at that depth
  const dims: (number | undefined)[] = [];
  let leafDepth: number | undefined;
  const parseLevel = (depth: number): Value[] => {
    if (depth >= MAXDIM) {
      throw new SqlError(SQLSTATE.program_limit_exceeded, `number of array dimensions (${depth + 1}) exceeds the maximum allowed (${MAXDIM})`);
    }
    i++; // '{'
    const out: Value[] = [];
    while (ws(text[i])) i++;
    if (text[i] === '}') {
      i++;
      if (depth > 0 || dims.length) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
      return out;
    }
    for (;;) {
      while (ws(text[i])) i++;
      if (i >= n) throw malformed(text, 'Unexpected end of input.');
      if (text[i] === '{') {
        if (leafDepth !== undefined && leafDepth <= depth) throw malformed(text, 'Unexpected "{" character.');
        out.push(parseLevel(depth + 1));
      } else {
        if (leafDepth === undefined) leafDepth = depth;
        else if (leafDepth !== depth) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
        out.push(element());
      }
      while (ws(text[i])) i++;
      const c = text[i];
      if (c === ',') { i++; continue; }
      if (c === '}') { i++; break; }
      if (c === undefined) throw malformed(text, 'Unexpected end of input.');
      throw malformed(text, `Unexpected "${c}" character.`);
    }
    if (dims[depth] === undefined) dims[depth] = out.length;
    else if (dims[depth] !== out.length) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    return out;
  };
  const element = (): Value => {
    let s = '';
    let quotedAny = false;
    let trailingWs = 0;
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        quotedAny = true;
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\') i++;
          if (i < n) s += text[i++];
        }
        if (i >= n) throw malformed(text, 'Unexpected end of input.');
        i++;
        trailingWs = 0;
        continue;
      }
      if (c === ',' || c === '}') break;
      if (c === '{') throw malformed(text, 'Unexpected "{" character.');
      if (c === '\\') {
        i++;
        if (i >= n) throw malformed(text, 'Unexpected end of input.');
        s += text[i++];
        trailingWs = 0;
        continue;
      }
      if (ws(c)) {
        if (s === '' && !quotedAny) { i++; continue; }
        trailingWs++;
      } else trailingWs = 0;
      s += c;
      i++;
    }
    if (trailingWs) s = s.slice(0, s.length - trailingWs);
    if (!quotedAny && s === '') throw malformed(text, 'Unexpected "' + (text[i] ?? '') + '" character.');
    if (!quotedAny && s.toLowerCase() === 'null') return null;
    return parseElement(s);
  };
  const value = parseLevel(0);
  while (ws(text[i])) i++;
  if (i < n) throw malformed(text, 'Junk after closing right brace.');
  return value;
}

/** array_out: `{1,2,NULL}`, quoting elements that are empty, NULL-like or hold delimiters, quotes, backslashes or spaces. */
export function formatArray(v: readonly Value[], formatElement: (e: Value) => string): string {
  const parts = v.map((e): string => {
    if (e === null || e === undefined) return 'NULL';
    if (Array.isArray(e)) return formatArray(e as Value[], formatElement);
    const s = formatElement(e);
    if (s === '' || s.toLowerCase() === 'null' || /[{}",\\\s]/.test(s)) return '"' + s.replace(/[\\"]/g, '\\$&') + '"';
    return s;
  });
  return '{' + parts.join(',') + '}';
}

/**
 * btarraycmp: the elements in storage order (NULL above every value), then the array with fewer
 * elements first, then the one with fewer dimensions.
 */
export function arrayComparator(compareElements: (a: Value, b: Value) => number): (a: Value, b: Value) => number {
  return (a, b) => {
    const x = flatElements(a as Value[]), y = flatElements(b as Value[]);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const p = x[i], q = y[i];
      if (p === null || q === null) {
        if (p === q) continue;
        return p === null ? 1 : -1;
      }
      const c = compareElements(p, q);
      if (c) return c;
    }
    return x.length - y.length || dimensions(a as Value[]).length - dimensions(b as Value[]).length;
  };
}

/** Apply `f` to every element (any depth), keeping NULLs. */
export function mapElements(v: readonly Value[], f: (e: Value) => Value): Value[] {
  return v.map((e) => (e === null ? null : Array.isArray(e) ? mapElements(e as Value[], f) : f(e)));
}

/** All elements in storage order (row-major), the order unnest and = ANY see them in. */
export function flatElements(v: readonly Value[], out: Value[] = []): Value[] {
  for (const e of v) {
    if (Array.isArray(e)) flatElements(e as Value[], out);
    else out.push(e);
  }
  return out;
}

/** Lengths of each dimension ([] for an empty array). */
export function dimensions(v: readonly Value[]): number[] {
  if (v.length === 0) return [];
  const out: number[] = [];
  let cur: Value = v;
  while (Array.isArray(cur)) {
    out.push(cur.length);
    cur = cur[0];
  }
  return out;
}
