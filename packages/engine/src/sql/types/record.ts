/**
 * Row values (PostgreSQL's anonymous `record`): `ROW(a, b)` and `(a, b)`, whole-row references
 * (`t`, `t.*` inside an expression). A value is a RowValue carrying its fields' values, types and
 * names, so it prints as PostgreSQL's record_out does (`(1,"a b",)`), becomes a JSON object
 * (row_to_json, to_json(b)), orders field by field and keys DISTINCT/GROUP BY by its fields.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { SqlType, Value } from '../types.ts';

export class RowValue {
  constructor(
    readonly values: readonly Value[],
    readonly types: readonly SqlType[],
    /** Field names: a relation's columns, `f1`, `f2`, … for ROW(…). */
    readonly names: readonly string[],
  ) {}
}

/** Field names PostgreSQL gives a ROW(…) constructor. */
export function anonymousNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `f${i + 1}`);
}

/**
 * record_out: fields separated by commas in parentheses, NULL as nothing, a field quoted when it
 * is empty or holds `"`, `\`, `(`, `)`, `,` or white space, with `"` and `\` doubled inside.
 */
export function recordText(r: RowValue, fieldText: (v: Value, t: SqlType) => string | null): string {
  const parts = r.values.map((v, i) => {
    const text = fieldText(v, r.types[i]!);
    if (text === null) return '';
    if (text === '' || /["\\(),\s]/.test(text)) return '"' + text.replace(/["\\]/g, (c) => c + c) + '"';
    return text;
  });
  return '(' + parts.join(',') + ')';
}

/**
 * PostgreSQL's record ordering (btrecordcmp): field by field, a NULL field after any value and
 * equal to another NULL. `fieldCompare` orders two non-null values of a field's type.
 */
export function compareRecords(a: RowValue, b: RowValue, fieldCompare: (t: SqlType) => (x: Value, y: Value) => number): number {
  const n = Math.min(a.values.length, b.values.length);
  for (let i = 0; i < n; i++) {
    const x = a.values[i], y = b.values[i];
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = fieldCompare(a.types[i]!)(x, y);
    if (c) return c;
  }
  if (a.values.length !== b.values.length) {
    throw new SqlError(SQLSTATE.datatype_mismatch, 'cannot compare record types with different numbers of columns');
  }
  return 0;
}

/** `row IS NULL`: every field NULL; `row IS NOT NULL`: none NULL (so both can be false). */
export function rowIsNull(v: Value, not: boolean): boolean {
  if (v === null) return !not;
  const values = (v as RowValue).values;
  return not ? values.every((x) => x !== null) : values.every((x) => x === null);
}

/** A row as a jsonb object (to_jsonb): its fields by name, a later field of one name winning. */
export function recordJsonb(r: RowValue, field: (v: Value, t: SqlType) => Value): Record<string, Value> {
  const o: Record<string, Value> = {};
  r.names.forEach((n, i) => { o[n] = field(r.values[i], r.types[i]!); });
  return o;
}

/** A row as json text (to_json, row_to_json): `{"a":1,"b":null}`, every field in order; `pretty` puts each on its own line. */
export function recordJsonText(r: RowValue, field: (v: Value, t: SqlType) => string | null, pretty = false): string {
  const members = r.names.map((n, i) => `${JSON.stringify(n)}:${field(r.values[i], r.types[i]!) ?? 'null'}`);
  return '{' + members.join(pretty ? ',\n ' : ',') + '}';
}
