/**
 * PostgreSQL 15's regexp_count, regexp_instr, regexp_like, regexp_substr and the set-returning
 * regexp_matches, over the same translated patterns as the ~ operators (string.ts), counting
 * positions in characters as PostgreSQL does, with its parameter checks.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { retype, type Expr } from '../compiled.ts';
import { charLength, type Overload } from '../functions.ts';
import { TYPE_NAME, type Value } from '../types.ts';
import type { JsonSet } from './json-sets.ts';
import { pgRegExp } from './string.ts';

const str = (v: Value): string => v as string;
const num = (v: Value): number => v as number;

function badParameter(name: string, v: number): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": ${v}`);
}

/** The pattern with a global search, refusing the g flag where PostgreSQL does. */
function globalRegExp(fn: string, p: string, flags: string): RegExp {
  const { re, global } = pgRegExp(p, flags);
  if (global) throw new SqlError(SQLSTATE.invalid_parameter_value, `${fn}() does not support the "global" option`);
  // d: capture offsets, for regexp_instr and regexp_substr of a subexpression
  return new RegExp(re.source, re.flags + 'gd');
}

/** UTF-16 offset of the 1-based character position `start` (past the end: the length). */
function offsetOf(s: string, start: number): number {
  let i = 0;
  for (let n = 1; n < start && i < s.length; n++) i += s.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}

/** The matches from character position `start`, as PostgreSQL finds them (no overlap; after an empty match, one character on). */
function matches(fn: string, s: string, p: string, start: number, flags: string): RegExpExecArray[] {
  if (start <= 0) throw badParameter('start', start);
  const re = globalRegExp(fn, p, flags);
  re.lastIndex = offsetOf(s, start);
  const out: RegExpExecArray[] = [];
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.push(m);
    if (m[0] === '') {
      if (re.lastIndex >= s.length) break;
      re.lastIndex += s.codePointAt(re.lastIndex)! > 0xffff ? 2 : 1;
    }
  }
  return out;
}

const position = (s: string, utf16: number): number => charLength(s.slice(0, utf16)) + 1;

function count([s, p, start = 1, flags = '']: Value[]): Value {
  return matches('regexp_count', str(s), str(p), num(start), str(flags)).length;
}

function subexpression(m: RegExpExecArray, sub: number): { at: number; text: string } | undefined {
  if (sub === 0) return { at: m.index, text: m[0] };
  const d = m.indices?.[sub];
  return d && m[sub] !== undefined ? { at: d[0], text: m[sub] } : undefined;
}

function nth(fn: string, s: string, p: string, start: number, n: number, flags: string, sub: number): { at: number; text: string } | undefined {
  if (n <= 0) throw badParameter('n', n);
  if (sub < 0) throw badParameter('subexpr', sub);
  const m = matches(fn, s, p, start, flags)[n - 1];
  return m && subexpression(m, sub);
}

function instr([s, p, start = 1, n = 1, endoption = 0, flags = '', sub = 0]: Value[]): Value {
  if (num(endoption) !== 0 && num(endoption) !== 1) throw badParameter('endoption', num(endoption));
  const hit = nth('regexp_instr', str(s), str(p), num(start), num(n), str(flags), num(sub));
  if (!hit) return 0;
  return position(str(s), hit.at + (num(endoption) === 1 ? hit.text.length : 0));
}

function substr([s, p, start = 1, n = 1, flags = '', sub = 0]: Value[]): Value {
  return nth('regexp_substr', str(s), str(p), num(start), num(n), str(flags), num(sub))?.text ?? null;
}

function like([s, p, flags = '']: Value[]): Value {
  const { re, global } = pgRegExp(str(p), str(flags));
  if (global) throw new SqlError(SQLSTATE.invalid_parameter_value, 'regexp_like() does not support the "global" option');
  return re.test(str(s));
}

const T = 'text', I = 'int4';
export const REGEXP_FUNCTIONS: Record<string, Overload[]> = {
  regexp_count: [[T, T], [T, T, I], [T, T, I, T]].map((params): Overload => ({ params: params as Overload['params'], ret: 'int4', fn: count })),
  regexp_instr: [[T, T], [T, T, I], [T, T, I, I], [T, T, I, I, I], [T, T, I, I, I, T], [T, T, I, I, I, T, I]]
    .map((params): Overload => ({ params: params as Overload['params'], ret: 'int4', fn: instr })),
  regexp_like: [[T, T], [T, T, T]].map((params): Overload => ({ params: params as Overload['params'], ret: 'bool', fn: like })),
  regexp_substr: [[T, T], [T, T, I], [T, T, I, I], [T, T, I, I, T], [T, T, I, I, T, I]]
    .map((params): Overload => ({ params: params as Overload['params'], ret: 'text', fn: substr })),
};

/** regexp_matches(string, pattern [, flags]): one text[] row per match (only the first without g). */
export function regexpMatchesSet(name: string, args: Expr[]): JsonSet {
  if (args.length < 2 || args.length > 3 || !args.every((a) => a.type === 'unknown' || a.type === 'text' || a.type === 'varchar')) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  return {
    args: args.map((a) => retype(a, 'text')),
    columns: [{ name, type: 'text[]' }],
    run: ([s, p, flags = '']) => {
      const { global } = pgRegExp(str(p), str(flags));
      const all = matches('regexp_matches', str(s), str(p), 1, str(flags).replace(/g/g, ''));
      return (global ? all : all.slice(0, 1)).map((m) => [m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]]]);
    },
  };
}
