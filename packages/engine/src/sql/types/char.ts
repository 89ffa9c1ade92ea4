/**
 * PostgreSQL's `"char"` (OID 18): one byte, the type of pg_class.relkind and friends. A value is
 * held as its output text — '' for the zero byte, the character for a byte below 128, `\ooo`
 * (octal) for a high byte — so it reaches clients, casts to text and compares for equality as is;
 * ordering compares the bytes, unsigned, as PostgreSQL's charlt does.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { isTextType } from '../cast.ts';

const OCTAL = /^\\[0-7]{3}$/;

/** The byte a value holds. */
export function charByte(v: string): number {
  if (v.length === 0) return 0;
  return v.length === 1 ? v.charCodeAt(0) : parseInt(v.slice(1), 8);
}

/** The value holding `byte` (0–255). */
function fromByte(byte: number): string {
  if (byte === 0) return '';
  if (byte < 128) return String.fromCharCode(byte);
  return '\\' + byte.toString(8).padStart(3, '0');
}

/** charin / text_char: a `\ooo` escape, else the first byte of the UTF-8 text (the zero byte for ''). */
export function charInput(text: string): string {
  if (OCTAL.test(text)) return fromByte(parseInt(text.slice(1), 8) & 0xff);
  if (text.length === 0) return '';
  const code = text.charCodeAt(0);
  return code < 128 ? text[0]! : fromByte(new TextEncoder().encode(text)[0]!);
}

/** int4 → "char" (i4tochar): a signed byte, 22003 outside -128..127. */
export function charFromInt(v: Value): string {
  const n = v as number;
  if (n < -128 || n > 127) throw new SqlError(SQLSTATE.numeric_value_out_of_range, '"char" out of range');
  return fromByte(n & 0xff);
}

/** "char" → int4 (chartoi4): the byte read as signed. */
export function charToInt(v: Value): number {
  const b = charByte(v as string);
  return b >= 128 ? b - 256 : b;
}

export const compareChars = (a: Value, b: Value): number => charByte(a as string) - charByte(b as string);

/**
 * `"char" || text` (and text, unknown or "char" on the other side): "char" reaches text only by its
 * implicit cast, so PostgreSQL finds several `||` that fit equally and refuses (42725).
 */
export function checkCharConcat(l: SqlType, r: SqlType): void {
  const stringy = (t: SqlType) => t === 'char' || t === 'unknown' || isTextType(t);
  if ((l === 'char' || r === 'char') && stringy(l) && stringy(r)) {
    const shown = (t: SqlType) => (t === 'unknown' ? 'unknown' : TYPE_NAME[t]);
    throw new SqlError('42725', `operator is not unique: ${shown(l)} || ${shown(r)}`, { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' });
  }
}
