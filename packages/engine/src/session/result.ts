/**
 * Results between the engine and the PGlite-shaped surface. The engine returns rows as arrays
 * (a RawResult: cheap to clone across a worker, and right for duplicate column names); the
 * surface shapes them as PGlite does: objects or arrays (`rowMode`), per-type `parsers` applied
 * to PostgreSQL's text form, `affectedRows` summed over INSERT/UPDATE/DELETE.
 */
import type { Field, QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import type { Notice } from './session.ts';

export interface RawResult {
  command: string;
  fields: Field[];
  rows: Value[][];
  rowCount: number;
  /** An offline write queued by this statement (its COMMIT, in a block): see offline/. */
  pending?: { origin: string; seq: number };
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
  /** false: read the replicated state only, without this node's pending offline writes (default true). */
  optimistic?: boolean;
}

/** The type OIDs whose columns the engine must send as PostgreSQL's text form (those `parsers` handle). */
export function parsedTypes(options: QueryOptions | undefined): number[] | undefined {
  const parsers = options?.parsers;
  if (!parsers) return undefined;
  const oids = Object.keys(parsers).map(Number).filter((oid) => parsers[oid]);
  return oids.length ? oids : undefined;
}

const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Shape one call's raw results; `affectedRows` runs on across them as in PGlite's exec. */
export function shapeResults(raw: readonly RawResult[], options: QueryOptions | undefined): QueryResult<never>[] {
  let affected = 0;
  const shaped = new Array<QueryResult<never>>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!;
    if (COUNTED.has(r.command)) affected += r.rowCount;
    const out: QueryResult<never> = { rows: shapeRows(r, options), fields: r.fields, rowCount: r.rowCount, command: r.command, affectedRows: affected };
    if (r.pending) out.pending = { ...r.pending };
    shaped[i] = out;
  }
  return shaped;
}

function shapeRows(r: RawResult, options: QueryOptions | undefined): never[] {
  const { fields } = r;
  let rows = r.rows;
  // a write without RETURNING (a point UPDATE or INSERT): no row to shape
  if (!rows.length) return [];
  const parsers = options?.parsers;
  if (parsers && fields.some((f) => parsers[f.dataTypeID])) {
    rows = rows.map((row) => row.map((v, i) => {
      const f = fields[i]!;
      const parse = parsers[f.dataTypeID];
      // the engine sent these columns as text (parsedTypes)
      return parse && v !== null ? parse(v as string, f.dataTypeID) : v;
    }));
  }
  // json travels as its text (parsers above get it unchanged) and reaches the caller parsed, as in PGlite
  const json = fields.map((f) => f.type === 'json' && !parsers?.[f.dataTypeID]);
  if (json.includes(true)) rows = rows.map((row) => row.map((v, i) => (json[i] && typeof v === 'string' ? (JSON.parse(v) as Value) : v)));
  if (options?.rowMode === 'array') return rows as never[];
  return rows.map((row) => {
    const o: Record<string, Value> = {};
    for (let i = 0; i < fields.length; i++) o[fields[i]!.name] = row[i];
    return o;
  }) as never[];
}
