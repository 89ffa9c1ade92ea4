/**
 * Parsing with PostgreSQL's own grammar (libpg-query, WebAssembly). The module loads once per
 * process; parsed statements are cached by SQL text so a repeated parameterised statement is
 * parsed once. Syntax errors become SqlError 42601 with PostgreSQL's text and cursor position.
 */
import type { Node, RawStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { BoundedCache, estimateBytes } from './cache.ts';
import { loadPgQuery, parseToJson, type ParserWasm } from './pg-query.ts';

/** Load the parser (once per realm); `wasm` overrides where its WebAssembly comes from. */
export function loadParser(wasm?: ParserWasm): Promise<void> {
  return loadPgQuery(wasm);
}

export interface ParsedStatement {
  stmt: Node;
  /** The statement's own text, for errors and logs. */
  text: string;
  /** The parameters the statement reads (`parameterRefs`), found on first use. */
  parameters?: ParameterRefs;
}

export interface ParameterRefs {
  /** How many parameters a bind must supply: the highest `$n` read. */
  count: number;
  /** The first `$n` below it that nothing reads, whose type PostgreSQL cannot determine (42P18). */
  unread?: number;
}

/** Parsed statements by SQL text, bounded by count and estimated bytes (sql/cache.ts). */
export const parseCache = new BoundedCache<ParsedStatement[]>(2000, 32 * 1024 * 1024);

export function parse(sql: string): ParsedStatement[] {
  const hit = parseCache.get(sql);
  if (hit) return hit;
  let raw: RawStmt[];
  try {
    raw = (parseToJson(sql).stmts ?? []) as RawStmt[];
  } catch (e) {
    throw toSyntaxError(e);
  }
  const parsed = raw.map((r) => {
    const start = r.stmt_location ?? 0;
    const text = r.stmt_len ? sql.slice(start, start + r.stmt_len) : sql.slice(start);
    return { stmt: r.stmt!, text: text.trim() };
  });
  parseCache.set(sql, parsed, estimateBytes(sql));
  return parsed;
}

/**
 * The parameters the statement reads, as PostgreSQL infers them for an unnamed statement parsed
 * without parameter types. A PREPARE's `$n` are its own statement's, not this one's.
 */
export function parameterRefs(st: ParsedStatement): ParameterRefs {
  if (st.parameters) return st.parameters;
  const read = new Set<number>();
  collectParameters(st.stmt, read);
  const count = read.size ? Math.max(...read) : 0;
  let unread: number | undefined;
  for (let n = 1; n < count && unread === undefined; n++) if (!read.has(n)) unread = n;
  return (st.parameters = { count, unread });
}

function collectParameters(node: unknown, into: Set<number>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectParameters(n, into);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'ParamRef') into.add((child as { number?: number }).number ?? 0);
    else if (key !== 'PrepareStmt') collectParameters(child, into);
  }
}

function toSyntaxError(e: unknown): SqlError {
  const details = (e as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const message = details?.message ?? (e instanceof Error ? e.message : String(e));
  const position = details?.cursorPosition !== undefined ? details.cursorPosition + 1 : undefined;
  // the grammar's own refusals of unimplemented syntax (MATCH PARTIAL, …) are feature_not_supported
  // and its checks of window frames are windowing_error, as in PostgreSQL
  const code = / not yet implemented$| is not supported$| cannot be marked NOT VALID$|^CREATE SCHEMA IF NOT EXISTS cannot include/.test(message) ? SQLSTATE.feature_not_supported
    : /^frame (start|end)/.test(message) ? '42P20'
    : /^column number must be in range from 1 to 32767$/.test(message) ? SQLSTATE.invalid_parameter_value : SQLSTATE.syntax_error;
  return new SqlError(code, message, { position });
}
