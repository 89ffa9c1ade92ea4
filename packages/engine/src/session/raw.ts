/**
 * Results as the engine hands them to a session's surface (result.ts shapes them on the page):
 * rows as arrays of client values, and, for the types a query's `parsers` handle, PostgreSQL's
 * text form, so the page side needs none of the engine's value formatting.
 */
import { TYPE_OID, type SqlType, type Value } from '../sql/types.ts';
import { formatValue, outputValue } from '../sql/values.ts';
import type { RawResult } from './result.ts';

export function rawResult(command: string, columns: readonly { name: string; type: SqlType }[], rows: Value[][], rowCount: number): RawResult {
  // numeric leaves the engine as its exact text, as PGlite returns it; other types are already their client form
  const exact = columns.some((c) => c.type === 'numeric' || c.type === 'numeric[]' || c.type === 'interval' || c.type === 'interval[]' || c.type === 'unknown');
  return {
    command,
    fields: columns.map((c) => ({ name: c.name, dataTypeID: TYPE_OID[c.type], type: c.type })),
    rows: exact ? rows.map((r) => r.map(outputValue)) : rows,
    rowCount,
  };
}

/** Columns of the given type OIDs as PostgreSQL's text output, for `parsers` on the client side. */
export function withText(r: RawResult, oids: readonly number[] | undefined): RawResult {
  if (!oids) return r;
  const cols = r.fields.flatMap((f, i) => (oids.includes(f.dataTypeID) ? [i] : []));
  if (!cols.length) return r;
  const rows = r.rows.map((row) => {
    const out = row.slice();
    for (const i of cols) out[i] = formatValue(row[i]!, r.fields[i]!.type);
    return out;
  });
  return { ...r, rows };
}
