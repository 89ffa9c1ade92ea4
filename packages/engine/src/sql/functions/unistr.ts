/**
 * unistr(text): PostgreSQL 14's Unicode escapes in a string — \XXXX, \+XXXXXX, \uXXXX,
 * \UXXXXXXXX (UTF-16 surrogate pairs combined) and \\ — with varlena.c's checks and error texts.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';

const FORMS: readonly { re: RegExp; digits: number }[] = [
  { re: /^\\([0-9a-fA-F]{4})/, digits: 4 },
  { re: /^\\u([0-9a-fA-F]{4})/, digits: 4 },
  { re: /^\\\+([0-9a-fA-F]{6})/, digits: 6 },
  { re: /^\\U([0-9a-fA-F]{8})/, digits: 8 },
];

const invalidPair = () => new SqlError(SQLSTATE.syntax_error, 'invalid Unicode surrogate pair');

export function unistr(s: string): string {
  let out = '';
  let pairFirst = 0;
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '\\') {
      if (pairFirst) throw invalidPair();
      out += s[i++];
      continue;
    }
    if (s[i + 1] === '\\') {
      if (pairFirst) throw invalidPair();
      out += '\\';
      i += 2;
      continue;
    }
    const rest = s.slice(i, i + 10);
    const form = FORMS.map((f) => ({ m: f.re.exec(rest), f })).find((x) => x.m);
    if (!form) {
      throw new SqlError(SQLSTATE.syntax_error, 'invalid Unicode escape', { hint: 'Unicode escapes must be \\XXXX, \\+XXXXXX, \\uXXXX, or \\UXXXXXXXX.' });
    }
    const code = parseInt(form.m![1]!, 16);
    if (code <= 0 || code > 0x10ffff) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid Unicode code point: ${code.toString(16).toUpperCase().padStart(4, '0')}`);
    }
    const second = code >= 0xdc00 && code <= 0xdfff;
    if (pairFirst) {
      if (!second) throw invalidPair();
      out += String.fromCodePoint(0x10000 + ((pairFirst - 0xd800) << 10) + (code - 0xdc00));
      pairFirst = 0;
    } else if (second) throw invalidPair();
    else if (code >= 0xd800 && code <= 0xdbff) pairFirst = code;
    else out += String.fromCodePoint(code);
    i += form.m![0].length;
  }
  if (pairFirst) throw invalidPair();
  return out;
}
