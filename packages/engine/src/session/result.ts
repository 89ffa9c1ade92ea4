/**
 * Results between the engine and the PGlite-shaped surface. The engine returns rows as arrays
 * (a RawResult: cheap to clone across a worker, and right for duplicate column names); the
 * surface shapes them as PGlite does: objects or arrays (`rowMode`), per-type `parsers` applied
 * to PostgreSQL's text form, `affectedRows` summed over INSERT/UPDATE/DELETE.
 */
import type { Field, QueryResult } from '../sql/env.ts';
import { TYPE_OID, type SqlType, type Value } from '../sql/types.ts';
import { formatValue, outputValue } from '../sql/values.ts';
import { jsonParsed } from '../sql/json-text.ts';
import type { Notice } from './session.ts';

export interface RawResult {
  command: string;
  fields: Field[];
  rows: Value[][];
  rowCount: number;
}

/** PGlite's parsers: by type OID, from the text form. */
export type ParserOptions = Partial<Record<number, (value: string, typeId: number) => unknown>>;

/** PGlite's per-query options that walrtc honours. */
export interface QueryOptions {
  rowMode?: 'object' | 'array';
  parsers?: ParserOptions;
  /** By type OID: turn a parameter into PostgreSQL's text form, which the engine then parses as that type. */
  serializers?: Record<number, (value: unknown) => string>;
  /** PostgreSQL's notices and warnings raised by the statement (e.g. "there is no transaction in progress"). */
  onNotice?: (notice: Notice) => void;
}

export function rawResult(command: string, columns: readonly { name: string; type: SqlType }[], rows: Value[][], rowCount: number): RawResult {
  // numeric leaves the engine as its exact text, as PGlite returns it; other types are already their client form
  const exact = columns.some((c) => c.type === 'numeric' || c.type === 'unknown');
  return {
    command,
    fields: columns.map((c) => ({ name: c.name, dataTypeID: TYPE_OID[c.type], type: c.type })),
    rows: exact ? rows.map((r) => r.map(outputValue)) : rows,
    rowCount,
  };
}

const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Shape one call's raw results; `affectedRows` runs on across them as in PGlite's exec. */
export function shapeResults(raw: readonly RawResult[], options: QueryOptions | undefined): QueryResult<never>[] {
  let affected = 0;
  return raw.map((r) => {
    if (COUNTED.has(r.command)) affected += r.rowCount;
    return { rows: shapeRows(r, options), fields: r.fields, rowCount: r.rowCount, command: r.command, affectedRows: affected };
  });
}

function shapeRows(r: RawResult, options: QueryOptions | undefined): never[] {
  const { fields } = r;
  let rows = r.rows;
  const parsers = options?.parsers;
  if (parsers && fields.some((f) => parsers[f.dataTypeID])) {
    rows = rows.map((row) => row.map((v, i) => {
      const f = fields[i]!;
      const parse = parsers[f.dataTypeID];
      return parse && v !== null ? parse(formatValue(v, f.type)!, f.dataTypeID) : v;
    }));
  }
  // json travels as its text (parsers above get it unchanged) and reaches the caller parsed, as in PGlite
  const json = fields.map((f) => f.type === 'json' && !parsers?.[f.dataTypeID]);
  if (json.includes(true)) rows = rows.map((row) => row.map((v, i) => (json[i] ? jsonParsed(v) : v)));
  if (options?.rowMode === 'array') return rows as never[];
  return rows.map((row) => {
    const o: Record<string, Value> = {};
    for (let i = 0; i < fields.length; i++) o[fields[i]!.name] = row[i];
    return o;
  }) as never[];
}
