/**
 * Replays a corpus recorded from PostgreSQL (scripts/record-values.ts) on a walrtc node and lists
 * every statement whose outcome differs: columns and type OIDs, rows as PostgreSQL's text output,
 * the row count of DML, or the error's SQLSTATE and message.
 */
import { SqlError, type Node, type QueryOptions, type QueryResult } from '@walrtc/engine';
import { formatValue } from '../../packages/engine/src/sql/values.ts';

export interface Entry {
  sql: string;
  /** `typeName`: the name of a type of the database's own (OID >= 16384), which judges compare instead of the OID. */
  fields?: { name: string; type: number; typeName?: string }[];
  rows?: (string | null)[][];
  rowCount?: number | null;
  error?: { code: string; message: string };
}

// arrays: several columns may share a name (?column?); json and jsonb as the text a client's
// parser gets (parsed, jsonb numbers would be doubles and JSON null would read as SQL NULL)
export const RAW: QueryOptions = { rowMode: 'array', parsers: { 114: (text) => text, 3802: (text) => text } };

/** A result walrtc returned for RAW options, in the fixture's shape. */
export function entryOf(r: QueryResult<unknown[]>): Omit<Entry, 'sql'> {
  if (!r.fields.length) return { rowCount: r.rowCount };
  return {
    fields: r.fields.map((f) => ({ name: f.name, type: f.dataTypeID, ...(f.typeName === undefined ? {} : { typeName: f.typeName }) })),
    rows: r.rows.map((row) => row.map((v, i) => (r.fields[i]!.dataTypeID === 3802 ? (v as string | null) : formatValue(v, r.fields[i]!.type)))),
  };
}

/**
 * The outcome `e` as judges compare it with PostgreSQL's `want`: a column of a type of the
 * database's own by its type's name, since each database allocates those OIDs itself; by OID
 * where `want` was recorded before names were kept.
 */
export function comparable(e: Omit<Entry, 'sql'>, want: Omit<Entry, 'sql'>): Omit<Entry, 'sql'> {
  if (!e.fields) return e;
  const byName = (i: number) => want.fields?.[i]?.typeName !== undefined;
  return { ...e, fields: e.fields.map((f, i) => (byName(i) && f.typeName !== undefined ? { name: f.name, typeName: f.typeName } : { name: f.name, type: f.type })) as Entry['fields'] };
}

/** What walrtc answers for one statement, in the fixture's shape. */
export async function outcome(node: Node, sql: string): Promise<Omit<Entry, 'sql'>> {
  try {
    return entryOf(await node.query<unknown[]>(sql, [], RAW));
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { error: { code: e.code, message: e.message } };
  }
}

/**
 * The statements, in order, whose walrtc outcome is not PostgreSQL's (empty when all match).
 * `refused` lists statements PostgreSQL runs and walrtc honestly refuses (0A000, not supported
 * yet): each must fail exactly so, and is reported when it no longer does.
 */
export async function mismatches(node: Node, entries: readonly Entry[], refused: ReadonlySet<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  for (const { sql, ...want } of entries) {
    const got = await outcome(node, sql);
    if (refused.has(sql)) {
      if (got.error?.code !== '0A000' || want.error) out.push(`${sql}\n  listed as refused, but walrtc: ${JSON.stringify(got)}`);
      continue;
    }
    // DDL reports no count in PostgreSQL; DML counts must agree
    if (want.rowCount === null) {
      delete want.rowCount;
      delete got.rowCount;
    }
    if (JSON.stringify(comparable(got, want)) !== JSON.stringify(comparable(want, want))) {
      out.push(`${sql}\n  postgres: ${JSON.stringify(want)}\n  walrtc:   ${JSON.stringify(got)}`);
    }
  }
  return out;
}
