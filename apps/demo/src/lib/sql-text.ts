/** Text helpers for the SQL console: PostgreSQL-style error reports, cell formatting, identifiers. */

export interface ErrorLike {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: number;
}

/** psql's report: ERROR, the statement line with a caret under `position`, DETAIL, HINT. */
export function errorReport(e: ErrorLike, sql: string): string {
  const lines = [`ERROR:  ${e.message}`];
  if (e.position !== undefined && e.position > 0) {
    let start = 0;
    let lineNo = 1;
    for (let i = 0; i < e.position - 1 && i < sql.length; i++) if (sql[i] === '\n') {
      start = i + 1;
      lineNo++;
    }
    const end = sql.indexOf('\n', start);
    const prefix = `LINE ${lineNo}: `;
    lines.push(prefix + sql.slice(start, end < 0 ? undefined : end), ' '.repeat(prefix.length + e.position - 1 - start) + '^');
  }
  if (e.detail) lines.push(`DETAIL:  ${e.detail}`);
  if (e.hint) lines.push(`HINT:  ${e.hint}`);
  return lines.join('\n');
}

export function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '+00');
  if (v instanceof Uint8Array) return '\\x' + [...v].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

export function asErrorLike(e: unknown): ErrorLike {
  if (e && typeof e === 'object' && 'message' in e) return e as ErrorLike;
  return { message: String(e) };
}
