/**
 * SQL regular expressions: `x SIMILAR TO p [ESCAPE e]` and `substring(x SIMILAR p ESCAPE e)`.
 * similar_to_escape translates the pattern as similar_escape_internal does (% → .*, _ → .,
 * ( → (?:, . ^ $ \ quoted, bracket expressions copied, the escape character quoting the next
 * one, escape-double-quote separating the three parts). The substring form then finds the
 * split PostgreSQL's regex engine prefers: the first part as short as possible, the middle part
 * as long as possible, each part matching its whole stretch.
 */
import { SqlError } from '../../errors.ts';
import type { Overload } from '../functions.ts';
import type { Value } from '../types.ts';
import { pgRegExp } from './string.ts';

/** The escape argument: one character, or none (''). */
function escapeChar(e: string): string {
  if (Array.from(e).length > 1) {
    throw new SqlError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  return e;
}

/** The pattern's parts between escape-double-quote separators, each translated to a POSIX regex. */
function similarParts(pattern: string, escape: string): string[] {
  const parts: string[] = [];
  let out = '', afterEscape = false, inClass = false;
  for (const c of Array.from(pattern)) {
    if (afterEscape) {
      if (c === '"' && !inClass) {
        if (parts.length === 2) {
          throw new SqlError('2200C', 'SQL regular expression may not contain more than two escape-double-quote separators');
        }
        parts.push(out);
        out = '';
      } else {
        out += '\\' + c;
      }
      afterEscape = false;
    } else if (escape !== '' && c === escape) {
      afterEscape = true;
    } else if (inClass) {
      if (c === '\\') out += '\\';
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      out += c;
      inClass = true;
    } else if (c === '%') {
      out += '.*';
    } else if (c === '_') {
      out += '.';
    } else if (c === '(') {
      out += '(?:';
    } else if (c === '\\' || c === '.' || c === '^' || c === '$') {
      out += '\\' + c;
    } else {
      out += c;
    }
  }
  parts.push(out);
  return parts;
}

/** similar_to_escape's result: the whole pattern, anchored, with the separators as PostgreSQL emits them. */
function similarToEscape(pattern: string, escape: string): string {
  const [a, b, c] = similarParts(pattern, escapeChar(escape));
  if (b === undefined) return `^(?:${a})$`;
  if (c === undefined) return `^(?:${a}){1,1}?(${b})$`;
  return `^(?:${a}){1,1}?(${b}){1,1}(?:${c})$`;
}

const whole = (part: string): RegExp => pgRegExp(`^(?:${part})$`, '').re;

/** textregexsubstr over a SQL pattern: the middle part, or the whole string when there is none. */
function similarSubstring(s: string, pattern: string, escape: string): Value {
  const [a, b, c = ''] = similarParts(pattern, escapeChar(escape));
  if (b === undefined) return whole(a!).test(s) ? s : null;
  const ra = whole(a!), rb = whole(b), rc = whole(c);
  const cps = Array.from(s);
  const at = (i: number, j: number) => cps.slice(i, j).join('');
  for (let i = 0; i <= cps.length; i++) {
    if (!ra.test(at(0, i))) continue;
    for (let j = cps.length; j >= i; j--) {
      if (rb.test(at(i, j)) && rc.test(at(j, cps.length))) return at(i, j);
    }
  }
  return null;
}

const str = (v: Value): string => v as string;

export const SIMILAR_FUNCTIONS: Record<string, Overload[]> = {
  similar_to_escape: [
    { params: ['text'], ret: 'text', fn: ([p]) => similarToEscape(str(p), '\\') },
    { params: ['text', 'text'], ret: 'text', fn: ([p, e]) => similarToEscape(str(p), str(e)) },
  ],
};

/** substring(x SIMILAR p ESCAPE e), which the parser makes substring(x, p, e). */
export const SIMILAR_SUBSTRING: Overload = {
  params: ['text', 'text', 'text'], ret: 'text', fn: ([s, p, e]) => similarSubstring(str(s), str(p), str(e)),
};
