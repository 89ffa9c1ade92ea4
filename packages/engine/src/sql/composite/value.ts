/**
 * Values of composite types: record_in (`'(1,"a b",)'::pair`), the conversion of a row value to a
 * composite (`ROW(1, 'x')::pair`, a whole row of another relation), each field converted to its
 * attribute's type and typmod. Output, comparison and JSON are the row value's (types/record.ts).
 */
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { AttributeDef } from '../../catalog/types.ts';
import { castFunction, type Cast } from '../cast.ts';
import type { SqlType, Value } from '../types.ts';
import { RowValue } from '../types/record.ts';
import { domainByOid } from '../types/domain-catalog.ts';
import { compositeOf, type CompositeType } from './type.ts';

/**
 * A field's domain check: NOT NULL is checked here; a domain with CHECK constraints needs the
 * expression evaluator, which input functions do not have, so it is refused rather than skipped.
 */
export function attributeCheck(f: AttributeDef, type: string): (v: Value) => Value {
  if (f.domain === undefined) return (v) => v;
  const d = domainByOid(f.domain);
  const refused = () => featureNotSupported(`a value of composite type ${type} built here, whose attribute "${f.name}" is of a domain with CHECK constraints`);
  return (v) => {
    if (!d) throw refused();
    if (v === null || v === undefined) {
      // a CHECK constraint passes a NULL
      if (d.notNull) throw new SqlError(SQLSTATE.not_null_violation, `domain ${d.name} does not allow null values`);
      return v;
    }
    if (d.checks.length) throw refused();
    return v;
  };
}

const inputs = new Map<string, ((s: string | null) => Value)[]>();

function fieldInputs(t: CompositeType): ((s: string | null) => Value)[] {
  let f = inputs.get(t);
  if (!f) {
    const c = compositeOf(t);
    f = c.fields.map((a) => {
      const input = castFunction('unknown', a.type, a.typmod, false);
      const check = attributeCheck(a, c.name);
      return (s: string | null) => check(s === null ? null : input(s));
    });
    // a domain's constraints can change, so only domain-free types are cached
    if (!c.fields.some((a) => a.domain !== undefined)) inputs.set(t, f);
  }
  return f;
}

const malformed = (text: string, detail: string): SqlError =>
  new SqlError(SQLSTATE.invalid_text_representation, `malformed record literal: "${text}"`, { detail });

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** record_in: PostgreSQL's parser, quote by quote — an empty unquoted field is NULL, white space is kept. */
export function recordIn(text: string, t: CompositeType): RowValue {
  const c = compositeOf(t);
  const fields = fieldInputs(t);
  let p = 0;
  while (isSpace(text[p])) p++;
  if (text[p++] !== '(') throw malformed(text, 'Missing left parenthesis.');
  const values: Value[] = [];
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) {
      if (text[p] !== ',') throw malformed(text, 'Too few columns.');
      p++;
    }
    let field: string | null = null;
    if (text[p] !== ',' && text[p] !== ')') {
      let buf = '';
      let quoted = false;
      while (quoted || (text[p] !== ',' && text[p] !== ')')) {
        const ch = text[p++];
        if (ch === undefined) throw malformed(text, 'Unexpected end of input.');
        if (ch === '\\') {
          if (p >= text.length) throw malformed(text, 'Unexpected end of input.');
          buf += text[p++];
        } else if (ch === '"') {
          if (!quoted) quoted = true;
          else if (text[p] === '"') { buf += '"'; p++; } else quoted = false;
        } else buf += ch;
      }
      field = buf;
    }
    values.push(fields[i]!(field));
  }
  if (text[p++] !== ')') throw malformed(text, 'Too many columns.');
  while (isSpace(text[p])) p++;
  if (p < text.length) throw malformed(text, 'Junk after right parenthesis.');
  return new RowValue(values, c.types, c.names);
}

const cannotCoerce = (t: CompositeType, detail: string): SqlError =>
  new SqlError(SQLSTATE.cannot_coerce, `cannot cast type record to ${compositeOf(t).name}`, { detail });

/** The per-field casts of `from` (known field types) to composite `to`: 42846 when the counts differ or a field has no cast. */
export function fieldCasts(from: readonly SqlType[], to: CompositeType): Cast[] {
  const c = compositeOf(to);
  if (from.length !== c.fields.length) cannotCoerceCount(to, from.length);
  return c.fields.map((f, i) => {
    let cast: Cast;
    try {
      cast = castFunction(from[i]!, f.type, f.typmod, from[i] === 'unknown');
    } catch (e) {
      if (!(e instanceof SqlError) || e.code !== SQLSTATE.cannot_coerce) throw e;
      throw cannotCoerce(to, `Cannot cast type ${e.message.replace(/^cannot cast type (.*) to (.*)$/, '$1 to $2')} in column ${i + 1}.`);
    }
    const check = attributeCheck(f, c.name);
    return (v: Value) => check(cast(v));
  });
}

function cannotCoerceCount(to: CompositeType, n: number): never {
  throw cannotCoerce(to, `Input has ${n > compositeOf(to).fields.length ? 'too many' : 'too few'} columns.`);
}

/** A row value of run-time field types cast to composite `to` (a whole row, a record-typed result). */
export function recordToComposite(to: CompositeType): Cast {
  const c = compositeOf(to);
  const byTypes = new Map<string, Cast[]>();
  return (v) => {
    const r = v as RowValue;
    const key = r.types.join('\u0000');
    let casts = byTypes.get(key);
    if (!casts) {
      casts = fieldCasts(r.types, to);
      byTypes.set(key, casts);
    }
    return new RowValue(r.values.map((x, i) => casts[i]!(x)), c.types, c.names);
  };
}
