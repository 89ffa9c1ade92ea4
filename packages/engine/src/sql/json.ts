/**
 * json/jsonb operators: `->` (field or element as json), `->>` (as text) and jsonb `||`.
 * Values are parsed JSON, so these are plain property and index lookups.
 */
import { SqlError } from '../errors.ts';
import { isTextType } from './cast.ts';
import { expr, retype, type Expr } from './compiled.ts';
import { operatorError } from './operators.ts';
import { TYPE_NAME, type SqlType, type Value } from './types.ts';
import { jsonbText } from './values.ts';
import { jsonMember, jsonMemberText } from './json-text.ts';
import { isJsonObject, JsonNull, nested, topLevel } from './types/jsonb.ts';

/** The member at `key`, JSON null as JSON_NULL, or SQL NULL when there is none. */
function lookup(doc: Value, key: Value): Value {
  if (typeof key === 'number') {
    if (!Array.isArray(doc)) return null;
    const i = key < 0 ? doc.length + key : key;
    return i >= 0 && i < doc.length ? topLevel(doc[i] as Value) : null;
  }
  if (!isJsonObject(doc)) return null;
  return Object.prototype.hasOwnProperty.call(doc, key as string) ? topLevel(doc[key as string]) : null;
}

function asText(v: Value, type: SqlType): Value {
  if (v === null || v instanceof JsonNull) return null;
  if (typeof v === 'string') return v;
  return type === 'jsonb' ? jsonbText(v) : JSON.stringify(v);
}

/** jsonb || jsonb: objects merge (right wins), anything else concatenates as arrays. */
function concat(a: Value, b: Value): Value {
  if (isJsonObject(a) && isJsonObject(b)) return { ...(a as object), ...(b as object) };
  const arr = (v: Value): Value[] => (Array.isArray(v) ? v : [nested(v)]);
  return [...arr(a), ...arr(b)];
}

export function compileJsonOperator(op: '->' | '->>' | '||', left: Expr, right: Expr): Expr {
  let l = left;
  if (l.type === 'unknown') {
    if (l.konst) {
      throw new SqlError('42725', `operator is not unique: unknown ${op} ${TYPE_NAME[right.type]}`, {
        hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
      });
    }
    l = retype(l, 'jsonb');
  }
  if (l.type !== 'json' && l.type !== 'jsonb') throw operatorError(op, l.type, right.type);
  const docType = l.type, le = l.eval;
  if (op === '||') {
    if (docType !== 'jsonb') throw operatorError(op, l.type, right.type);
    const re = retype(right, 'jsonb').eval;
    return expr('jsonb', (row, ctx) => {
      const a = le(row, ctx);
      if (a === null) return null;
      const b = re(row, ctx);
      return b === null ? null : concat(a, b);
    });
  }
  const r = right;
  const keyOk = r.type === 'int2' || r.type === 'int4' || r.type === 'int8' || isTextType(r.type) || r.type === 'unknown';
  if (!keyOk) throw operatorError(op, l.type, r.type);
  const re = r.eval;
  const text = op === '->>';
  return expr(text ? 'text' : docType, (row, ctx) => {
    const doc = le(row, ctx);
    if (doc === null) return null;
    const key = re(row, ctx);
    if (key === null) return null;
    if (typeof doc === 'string' && docType === 'json') {
      const member = jsonMember(doc, typeof key === 'bigint' ? Number(key) : (key as string | number));
      if (member === undefined) return null;
      return text ? jsonMemberText(member) : member;
    }
    // a jsonb scalar is stored as a one-element array (a raw scalar), so index 0 or -1 reads it
    const v = docType === 'jsonb' && typeof key === 'number' && !Array.isArray(doc) && !isJsonObject(doc) ? (key === 0 || key === -1 ? doc : null) : lookup(doc, key);
    return text ? asText(v, docType) : v;
  });
}
