/**
 * uuid: values are the canonical lowercase text (8-4-4-4-12), so equality, ordering (PostgreSQL
 * orders uuids by their bytes, which is the order of this text), hashing and index keys are the
 * string's. Input takes PostgreSQL's spellings: upper or lower case, braces, and a hyphen after
 * any group of four digits.
 */
import { SqlError, SQLSTATE } from '../errors.ts';

export function uuidInput(text: string): string {
  let s = text;
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  // hyphens only between groups of four digits, as PostgreSQL's uuid_in allows
  if (/^[0-9a-fA-F]{4}(-?[0-9a-fA-F]{4}){7}$/.test(s)) {
    const hex = s.replace(/-/g, '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type uuid: "${text}"`);
}
