/**
 * String functions (split_part, lpad/rpad, reverse, translate, initcap, chr, ascii, md5,
 * encode/decode, quote_ident/quote_literal/quote_nullable, format) and POSIX regular expressions
 * (the ~ ~* !~ !~* operators, regexp_replace, regexp_match, regexp_split_to_array), with
 * PostgreSQL's argument checks and errors. Regular expressions run on JS's engine after the
 * PostgreSQL-only syntax ([[:alpha:]] classes, \m \M word bounds) is translated; anything it
 * cannot translate is refused rather than matched differently.
 */
import { unistr } from './unistr.ts';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { isTextType, parseByteaEscape } from '../cast.ts';
import { operatorError } from '../operators.ts';
import type { Overload } from '../functions.ts';
import type { Value } from '../types.ts';
import { md5Hex } from './md5.ts';

const str = (v: Value): string => v as string;
const num = (v: Value): number => v as number;

const CLASSES: Record<string, string> = {
  alpha: '\\p{L}', digit: '0-9', alnum: '\\p{L}\\p{Nd}', upper: '\\p{Lu}', lower: '\\p{Ll}', space: '\\s',
  punct: '\\p{P}', xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', cntrl: '\\p{Cc}', print: '\\P{Cc}', graph: '\\p{L}\\p{N}\\p{P}\\p{S}',
};

const invalidRegex = (detail: string): SqlError => new SqlError('2201B', `invalid regular expression: ${detail}`);

/** A PostgreSQL ARE pattern as a JS RegExp source. */
export function translate(pattern: string): string {
  let out = pattern.replace(/\[\[:(\w+):\]\]/g, (_, c: string) => {
    const cls = CLASSES[c];
    if (!cls) throw invalidRegex('invalid character class');
    return `[${cls}]`;
  });
  out = out.replace(/\[:(\w+):\]/g, (_, c: string) => {
    const cls = CLASSES[c];
    if (!cls) throw invalidRegex('invalid character class');
    return cls;
  });
  if (/\\[mMyYZA]/.test(out.replace(/\\\\/g, ''))) throw featureNotSupported('regular expression escapes \\m, \\M, \\y, \\Y, \\A and \\Z');
  // an ARE escapes any non-alphanumeric character to itself; JS's u mode only its syntax characters
  return out.replace(/\\(.)/gsu, (m, c: string) => (/[\p{L}\p{N}^$\\.*+?()[\]{}|\/-]/u.test(c) ? m : c));
}

const cache = new Map<string, RegExp>();

/** Compile a pattern with PostgreSQL flags (i, c, g, n, s, x handled; g returned separately). */
export function pgRegExp(pattern: string, flags = ''): { re: RegExp; global: boolean } {
  let js = 'u';
  let global = false;
  for (const f of flags) {
    switch (f) {
      case 'i': js += 'i'; break;
      case 'c': js = js.replace('i', ''); break;
      case 'g': global = true; break;
      case 'n': case 'm': js += 'm'; break;
      case 's': case 'p': case 'w': case 't': break;
      default: throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid regular expression option: "${f}"`);
    }
  }
  // PostgreSQL's `.` matches newlines unless the n flag is given
  if (!js.includes('m')) js += 's';
  const key = js + '\u0000' + pattern;
  let re = cache.get(key);
  if (!re) {
    try {
      re = new RegExp(translate(pattern), js);
    } catch (e) {
      if (e instanceof SqlError) throw e;
      throw invalidRegex(regexProblem((e as Error).message));
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, re);
  }
  return { re, global };
}

/** PostgreSQL's wording (regerror) for what JS reports about a pattern. */
function regexProblem(message: string): string {
  const m = message.replace(/^Invalid regular expression: \/.*\/\w*: /s, '').toLowerCase();
  if (/unterminated group|unmatched '\)'|lone quantifier brackets/.test(m)) return 'parentheses () not balanced';
  if (/unterminated character class/.test(m)) return 'brackets [] not balanced';
  if (/nothing to repeat/.test(m)) return 'quantifier operand invalid';
  if (/numbers out of order|incomplete quantifier/.test(m)) return 'invalid repetition count(s)';
  if (/\\ at end of pattern/.test(m)) return 'invalid escape \\ sequence';
  return m;
}

/**
 * regexp_replace's replacement as PostgreSQL substitutes it: \1 … \9 a group (empty when the
 * pattern has no such group or it did not match, where JS would print "$2"), \& the match, \\ a
 * backslash, any other backslash as it is.
 */
function replacement(r: string): (...args: unknown[]) => string {
  return (...args) => {
    const named = typeof args[args.length - 1] === 'object';
    const groups = args.slice(0, args.length - (named ? 3 : 2)) as (string | undefined)[];
    return r.replace(/\\([1-9&\\])?/g, (_, c: string | undefined) => (c === undefined || c === '\\' ? '\\' : groups[c === '&' ? 0 : Number(c)] ?? ''));
  };
}

function regexpReplace(s: string, p: string, r: string, flags = ''): string {
  const { re, global } = pgRegExp(p, flags);
  return s.replace(global ? new RegExp(re.source, re.flags + 'g') : re, replacement(r));
}

function regexpMatch(s: string, p: string, flags = ''): Value {
  const { re, global } = pgRegExp(p, flags);
  if (global) throw new SqlError(SQLSTATE.invalid_parameter_value, 'regexp_match() does not support the "global" option', { hint: 'Use the regexp_matches function instead.' });
  const m = re.exec(s);
  if (!m) return null;
  return m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]];
}

function regexpSplit(s: string, p: string, flags = ''): string[] {
  const { re, global } = pgRegExp(p, flags);
  if (global) throw new SqlError(SQLSTATE.invalid_parameter_value, 'regexp_split_to_array() does not support the "global" option');
  const g = new RegExp(re.source, re.flags + 'g');
  const out: string[] = [];
  let at = 0;
  for (const m of s.matchAll(g)) {
    // an empty match at the very start or end splits nothing, as in PostgreSQL
    if (m[0] === '' && (m.index === 0 || m.index === s.length)) continue;
    if (m[0] === '' && m.index === at && at !== 0) continue;
    out.push(s.slice(at, m.index));
    at = m.index! + m[0].length;
  }
  out.push(s.slice(at));
  return out;
}

/** PostgreSQL's largest allocation (MaxAllocSize) less a varlena header: no text value is longer, in bytes. */
const MAX_TEXT_BYTES = 0x3fffffff - 4;
/** V8's longest string, in UTF-16 units: a result PostgreSQL could hold but JS cannot is refused the same way. */
const MAX_JS_STRING = 2 ** 29 - 24;
const tooLarge = (): SqlError => new SqlError(SQLSTATE.program_limit_exceeded, 'requested length too large');

function pad(s: string, len: number, fill: string, left: boolean): string {
  const chars = Array.from(s);
  if (len <= 0) return '';
  if (chars.length >= len) return chars.slice(0, len).join('');
  const f = Array.from(fill);
  if (!f.length) return s;
  // PostgreSQL sizes the result for four bytes a character before padding (lpad, rpad)
  if (len * 4 > MAX_TEXT_BYTES || len * 2 > MAX_JS_STRING) throw tooLarge();
  const need = len - chars.length;
  const padding = fill.repeat(Math.floor(need / f.length)) + f.slice(0, need % f.length).join('');
  return left ? padding + s : s + padding;
}

/** repeat(s, n): PostgreSQL's 54000 when the result would pass its largest text. */
export function repeatText(s: string, n: number): string {
  if (n <= 0 || s === '') return '';
  if (s.length * n > MAX_JS_STRING || new TextEncoder().encode(s).length * n > MAX_TEXT_BYTES) throw tooLarge();
  return s.repeat(n);
}

function splitPart(s: string, delim: string, n: number): string {
  if (n === 0) throw new SqlError(SQLSTATE.invalid_parameter_value, 'field position must not be zero');
  const parts = delim === '' ? [s] : s.split(delim);
  const i = n > 0 ? n - 1 : parts.length + n;
  return i >= 0 && i < parts.length ? parts[i]! : '';
}

function translateChars(s: string, from: string, to: string): string {
  const f = Array.from(from), t = Array.from(to);
  return Array.from(s).map((c) => {
    const i = f.indexOf(c);
    return i < 0 ? c : i < t.length ? t[i]! : '';
  }).join('');
}

/** initcap in the C locale (the collation this engine has): words are runs of ASCII letters and digits. */
/**
 * towupper/towlower of PostgreSQL's C.UTF-8 ctype (PGlite's, the reference): one code point to one,
 * so JS's full mappings (ß → SS, ﬁ → FI, İ → i̇) do not apply; these two map to one code point there.
 */
const SIMPLE_CASE: Record<string, string> = { 'ß': 'ẞ', 'İ': 'i' };

function caseChar(c: string, upper: boolean): string {
  const m = upper ? c.toUpperCase() : c.toLowerCase();
  return m.length === 1 || (m.length === 2 && m.codePointAt(0)! > 0xffff) ? m : SIMPLE_CASE[c] ?? c;
}

/** upper() and lower(): code point by code point, as PostgreSQL's wide-character case mapping. */
export function caseText(s: string, upper: boolean): string {
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const c of s) out += caseChar(c, upper);
  return out;
}

/**
 * initcap: an ASCII letter or digit after another is lowered, else raised. Words are ASCII as under
 * the C ctype of the recorded PostgreSQL 15 fixtures (`initcap('éCOLE')` is `éCole`); PGlite's
 * C.UTF-8 ctype would give `École`, which the fuzzers therefore leave out.
 */
function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[A-Za-z0-9]/.test(c);
    out += alnum ? (inWord ? c.toLowerCase() : c.toUpperCase()) : c;
    inWord = alnum;
  }
  return out;
}

function chr(n: number): string {
  if (n === 0) throw new SqlError(SQLSTATE.program_limit_exceeded, 'null character not permitted');
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new SqlError(SQLSTATE.program_limit_exceeded, `requested character too large for encoding: ${n}`);
  return String.fromCodePoint(n);
}

function encode(b: Uint8Array, format: string): string {
  switch (format.toLowerCase()) {
    case 'hex': return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    case 'base64': {
      let bin = '';
      for (const x of b) bin += String.fromCharCode(x);
      // PostgreSQL breaks base64 lines at 76 characters
      return btoa(bin).replace(/(.{76})(?=.)/g, '$1\n');
    }
    case 'escape': return Array.from(b, (x) => (x === 0x5c ? '\\\\' : x < 0x20 || x > 0x7e ? '\\' + x.toString(8).padStart(3, '0') : String.fromCharCode(x))).join('');
    default: throw new SqlError(SQLSTATE.invalid_parameter_value, `unrecognized encoding: "${format}"`);
  }
}

function decode(s: string, format: string): Uint8Array {
  switch (format.toLowerCase()) {
    case 'hex': {
      const hex = s.replace(/\s+/g, '');
      const bad = /[^0-9a-f]/i.exec(hex);
      if (bad) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid hexadecimal digit: "${bad[0]}"`);
      if (hex.length % 2) throw new SqlError(SQLSTATE.invalid_parameter_value, 'invalid hexadecimal data: odd number of digits');
      return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    }
    case 'base64': {
      const clean = s.replace(/\s+/g, '');
      if (/[^A-Za-z0-9+/=]/.test(clean) || clean.length % 4 === 1) throw new SqlError(SQLSTATE.invalid_parameter_value, 'invalid base64 end sequence', { hint: 'Input data is missing padding, is truncated, or is otherwise corrupted.' });
      return Uint8Array.from(atob(clean), (c) => c.charCodeAt(0));
    }
    case 'escape': return parseByteaEscape(s);
    default: throw new SqlError(SQLSTATE.invalid_parameter_value, `unrecognized encoding: "${format}"`);
  }
}

import { quoteIdent } from '../quote-ident.ts';

export { quoteIdent };

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** format(): %s, %I, %L and %%, with argument positions (%2$s) and widths (%-10s, %*s). */
function format(fmt: string, args: (string | null)[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') { out += c; continue; }
    if (fmt[i + 1] === '%') { out += '%'; i++; continue; }
    const m = /^(?:(\d+)\$)?(-)?(\d+|\*)?([sIL])/.exec(fmt.slice(i + 1));
    if (!m) {
      if (i + 1 >= fmt.length) throw new SqlError(SQLSTATE.invalid_parameter_value, 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
      throw new SqlError(SQLSTATE.invalid_parameter_value, `unrecognized format() type specifier "${fmt[i + 1]}"`, { hint: 'For a single "%" use "%%".' });
    }
    i += m[0].length;
    let width = 0;
    if (m[3] === '*') {
      if (next >= args.length) throw new SqlError(SQLSTATE.invalid_parameter_value, 'too few arguments for format()');
      width = Number(args[next++] ?? 0);
    } else if (m[3]) width = Number(m[3]);
    let index = next;
    if (m[1]) {
      index = Number(m[1]) - 1;
      if (index < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, 'format specifies argument 0, but arguments are numbered from 1');
    }
    if (index >= args.length) throw new SqlError(SQLSTATE.invalid_parameter_value, 'too few arguments for format()');
    next = index + 1;
    const arg = args[index] ?? null;
    let text: string;
    if (m[4] === 'I') {
      if (arg === null) throw new SqlError('22004', 'null values cannot be formatted as an SQL identifier');
      text = quoteIdent(arg);
    } else if (m[4] === 'L') text = arg === null ? 'NULL' : quoteLiteral(arg);
    else text = arg ?? '';
    const left = !!m[2] || width < 0;
    const w = Math.abs(width);
    const len = Array.from(text).length;
    if (len < w) text = left ? text + ' '.repeat(w - len) : ' '.repeat(w - len) + text;
    out += text;
  }
  return out;
}

/** overlay(s placing r from n [for m]) (text_overlay): s's first n - 1 characters, r, then s after n + m - 1. */
function overlay(s: string, r: string, from: number, count?: number): string {
  if (from <= 0) throw new SqlError('22011', 'negative substring length not allowed');
  const end = from + (count ?? Array.from(r).length);
  if (end > 2147483647 || end < -2147483648) throw new SqlError(SQLSTATE.numeric_value_out_of_range, 'integer out of range');
  const chars = Array.from(s);
  return chars.slice(0, from - 1).join('') + r + chars.slice(Math.max(end - 1, 0)).join('');
}

export const STRING_FUNCTIONS: Record<string, Overload[]> = {
  overlay: [
    { params: ['text', 'text', 'int4'], ret: 'text', fn: ([s, r, n]) => overlay(str(s), str(r), num(n)) },
    { params: ['text', 'text', 'int4', 'int4'], ret: 'text', fn: ([s, r, n, m]) => overlay(str(s), str(r), num(n), num(m)) },
  ],
  bit_length: [
    { params: ['text'], ret: 'int4', fn: ([s]) => new TextEncoder().encode(str(s)).length * 8 },
    { params: ['bytea'], ret: 'int4', fn: ([b]) => (b as Uint8Array).length * 8 },
  ],
  split_part: [{ params: ['text', 'text', 'int4'], ret: 'text', fn: ([s, d, n]) => splitPart(str(s), str(d), num(n)) }],
  lpad: [
    { params: ['text', 'int4'], ret: 'text', fn: ([s, n]) => pad(str(s), num(n), ' ', true) },
    { params: ['text', 'int4', 'text'], ret: 'text', fn: ([s, n, f]) => pad(str(s), num(n), str(f), true) },
  ],
  rpad: [
    { params: ['text', 'int4'], ret: 'text', fn: ([s, n]) => pad(str(s), num(n), ' ', false) },
    { params: ['text', 'int4', 'text'], ret: 'text', fn: ([s, n, f]) => pad(str(s), num(n), str(f), false) },
  ],
  reverse: [{ params: ['text'], ret: 'text', fn: ([s]) => Array.from(str(s)).reverse().join('') }],
  translate: [{ params: ['text', 'text', 'text'], ret: 'text', fn: ([s, f, t]) => translateChars(str(s), str(f), str(t)) }],
  initcap: [{ params: ['text'], ret: 'text', fn: ([s]) => initcap(str(s)) }],
  unistr: [{ params: ['text'], ret: 'text', fn: ([s]) => unistr(str(s)) }],
  chr: [{ params: ['int4'], ret: 'text', fn: ([n]) => chr(num(n)) }],
  ascii: [{ params: ['text'], ret: 'int4', fn: ([s]) => str(s).codePointAt(0) ?? 0 }],
  md5: [
    { params: ['text'], ret: 'text', fn: ([s]) => md5Hex(new TextEncoder().encode(str(s))) },
    { params: ['bytea'], ret: 'text', fn: ([b]) => md5Hex(b as Uint8Array) },
  ],
  encode: [{ params: ['bytea', 'text'], ret: 'text', fn: ([b, f]) => encode(b as Uint8Array, str(f)) }],
  decode: [{ params: ['text', 'text'], ret: 'bytea', fn: ([s, f]) => decode(str(s), str(f)) }],
  quote_ident: [{ params: ['text'], ret: 'text', fn: ([s]) => quoteIdent(str(s)) }],
  quote_literal: [{ params: ['text'], ret: 'text', fn: ([s]) => quoteLiteral(str(s)) }],
  quote_nullable: [{ params: ['text'], ret: 'text', nullable: true, fn: ([s]) => (s === null ? 'NULL' : quoteLiteral(str(s))) }],
  format: [
    { params: ['text'], ret: 'text', fn: ([f]) => format(str(f), []) },
    { params: ['text', 'any'], ret: 'text', variadic: true, nullable: true, fn: ([f, ...rest]) => (f === null ? null : format(str(f), rest as (string | null)[])) },
  ],
  regexp_replace: [
    { params: ['text', 'text', 'text'], ret: 'text', fn: ([s, p, r]) => regexpReplace(str(s), str(p), str(r)) },
    { params: ['text', 'text', 'text', 'text'], ret: 'text', fn: ([s, p, r, f]) => regexpReplace(str(s), str(p), str(r), str(f)) },
  ],
  regexp_match: [
    { params: ['text', 'text'], ret: 'text[]', fn: ([s, p]) => regexpMatch(str(s), str(p)) },
    { params: ['text', 'text', 'text'], ret: 'text[]', fn: ([s, p, f]) => regexpMatch(str(s), str(p), str(f)) },
  ],
  regexp_split_to_array: [
    { params: ['text', 'text'], ret: 'text[]', fn: ([s, p]) => regexpSplit(str(s), str(p)) },
    { params: ['text', 'text', 'text'], ret: 'text[]', fn: ([s, p, f]) => regexpSplit(str(s), str(p), str(f)) },
  ],
};

/** `s ~ pattern`, `~*` (case-insensitive) and their negations `!~`, `!~*`. */
export function compileRegexMatch(op: string, l: Expr, r: Expr): Expr {
  const textish = (e: Expr) => isTextType(e.type) || e.type === 'unknown';
  if (!textish(l) || !textish(r)) throw operatorError(op, l.type, r.type);
  const negated = op.startsWith('!'), flags = op.endsWith('*') ? 'i' : '';
  const le = retype(l, 'text').eval, re = retype(r, 'text').eval;
  return expr('bool', (row, ctx) => {
    const s = le(row, ctx);
    if (s === null) return null;
    const p = re(row, ctx);
    if (p === null) return null;
    return pgRegExp(p as string, flags).re.test(s as string) !== negated;
  });
}

export const REGEX_OPS = new Set(['~', '~*', '!~', '!~*']);
