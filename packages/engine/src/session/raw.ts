/**
 * Results as the engine hands them to a session's surface (result.ts shapes them on the page):
 * rows as arrays of client values, and, for the types a query's `parsers` handle, PostgreSQL's
 * text form, so the page side needs none of the engine's value formatting.
 */
import { TYPE_NAME, TYPE_OID, type SqlType, type Value } from '../sql/types.ts';
import { isEnumType } from '../sql/types/enum.ts';
import { isCompositeType } from '../sql/composite/type.ts';
import { formatValue, outputValue } from '../sql/values.ts';
import { jsonbToClient } from '../sql/types/jsonb.ts';
import type { RawResult } from './result.ts';
import type { RowTypeRef } from '../sql/scope.ts';

export function rawResult(command: string, columns: readonly { name: string; type: SqlType; rowType?: RowTypeRef }[], rows: Value[][], rowCount: number): RawResult {
  // a write without RETURNING: nothing to convert
  if (!columns.length) return { command, fields: [], rows, rowCount };
  // numeric leaves the engine as its exact text, as PGlite returns it; other types are already their client form
  const exact = columns.some((c) => c.type === 'numeric' || c.type === 'numeric[]' || c.type === 'interval' || c.type === 'interval[]' || c.type === 'time' || c.type === 'time[]' || c.type === 'timetz' || c.type === 'timetz[]' || c.type === 'unknown' || c.type === 'jsonb' || c.type.startsWith('comp:'));
  // jsonb numbers reach the client as doubles (PGlite parses jsonb text); other kinds by outputValue
  const jsonb = columns.map((c) => c.type === 'jsonb');
  const result: RawResult = {
    command,
    fields: columns.map((c) => ({ name: c.name, dataTypeID: c.rowType?.oid ?? TYPE_OID[c.type], type: c.type, ...ownTypeName(c) })),
    rows: exact ? rows.map((r) => r.map((v, i) => (jsonb[i] ? jsonbToClient(v) : outputValue(v)))) : rows,
    rowCount,
  };
  if (exact) engineRows.set(result, rows);
  return result;
}

function ownTypeName(c: { type: SqlType; rowType?: RowTypeRef }): { typeName?: string } {
  if (c.rowType) return { typeName: c.rowType.name };
  if (isCompositeType(c.type.replace(/\[\]$/, ''))) return { typeName: c.type.endsWith('[]') ? `_${TYPE_NAME[c.type].slice(0, -2)}` : TYPE_NAME[c.type] };
  return isEnumType(c.type) ? { typeName: TYPE_NAME[c.type] } : {};
}

/** The engine's own values behind a result whose rows were converted for the client (exact jsonb text needs them). */
const engineRows = new WeakMap<RawResult, Value[][]>();

/** A result's rows as the engine's values. */
export function engineValues(r: RawResult): Value[][] {
  return engineRows.get(r) ?? r.rows;
}

/** Some of an earlier result's rows (`engineValues` of it) under another command: a cursor's FETCH. */
export function resultRows(from: RawResult, command: string, rows: Value[][]): RawResult {
  const r = rawResult(command, from.fields, rows, rows.length);
  r.fields = from.fields;
  return r;
}

/** Columns of the given type OIDs as PostgreSQL's text output, for `parsers` on the client side. */
export function withText(r: RawResult, oids: readonly number[] | undefined): RawResult {
  if (!oids) return r;
  const cols = r.fields.flatMap((f, i) => (oids.includes(f.dataTypeID) ? [i] : []));
  if (!cols.length) return r;
  const source = engineRows.get(r) ?? r.rows;
  const rows = r.rows.map((row, k) => {
    const out = row.slice();
    for (const i of cols) out[i] = formatValue(source[k]![i]!, r.fields[i]!.type);
    return out;
  });
  return { ...r, rows };
}
