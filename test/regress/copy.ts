/**
 * COPY … FROM (inline `stdin` data or a regression data file) for walrtc, which has no COPY: the
 * harness reads PostgreSQL's text format itself (tab-separated, `\N` or the NULL option for null,
 * backslash escapes) and stores the rows with one INSERT of string literals, which walrtc coerces
 * to the column types as COPY's input functions would. One INSERT, so the rows go in all or none,
 * as with COPY. Its outcome is COPY's: the number of rows, or the INSERT's error.
 */
import type { Node as PgNode } from '@pgsql/types';
import { SqlError, type Node } from '../../packages/engine/src/index.ts';
import { parse } from '../../packages/engine/src/sql/parse.ts';
import type { Entry } from '../reference/replay.ts';
import { dataFileText } from './corpus.ts';

interface CopyStmt {
  relation?: { relname?: string; schemaname?: string };
  attlist?: PgNode[];
  is_from?: boolean;
  filename?: string;
  options?: { DefElem?: { defname?: string; arg?: PgNode } }[];
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** One field of COPY's text format, its backslash escapes resolved. */
function unescape(field: string): string {
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[e] ?? e;
  });
}

export function copyTextRows(data: string, delimiter = '\t', nullString = '\\N'): (string | null)[][] {
  const lines = data.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.split(delimiter).map((f) => (f === nullString ? null : unescape(f))));
}

function optionText(arg: PgNode | undefined): string | undefined {
  return arg && 'String' in arg ? arg.String.sval : undefined;
}

/** Whether `sql` is a COPY the harness loads itself on walrtc (FROM stdin or FROM a file). */
export function copyFrom(sql: string): CopyStmt | undefined {
  try {
    const stmt = parse(sql)[0]?.stmt as { CopyStmt?: CopyStmt } | undefined;
    return stmt?.CopyStmt?.is_from && stmt.CopyStmt.relation ? stmt.CopyStmt : undefined;
  } catch {
    return undefined;
  }
}

/** Run a COPY … FROM on walrtc as one INSERT; its outcome in the fixture's shape. */
export async function copyOnWalrtc(node: Node, copy: CopyStmt, inline: string | undefined): Promise<Omit<Entry, 'sql'>> {
  const options = new Map((copy.options ?? []).map((o) => [o.DefElem?.defname ?? '', optionText(o.DefElem?.arg)]));
  const format = options.get('format');
  if (format && format !== 'text') return { error: { code: '0A000', message: `COPY format ${format} is not emulated by the harness` } };
  const data = copy.filename ? dataFileText(copy.filename) : inline ?? '';
  const rows = copyTextRows(data, options.get('delimiter') ?? '\t', options.get('null') ?? '\\N');
  if (!rows.length) return { rowCount: 0 };
  const table = [copy.relation!.schemaname, copy.relation!.relname!].filter((x): x is string => !!x).map(ident).join('.');
  const columns = copy.attlist?.length ? ` (${copy.attlist.map((c) => ident('String' in c ? c.String.sval ?? '' : '')).join(', ')})` : '';
  const values = rows.map((r) => `(${r.map((v) => (v === null ? 'NULL' : literal(v))).join(', ')})`).join(',\n');
  try {
    const r = await node.query(`INSERT INTO ${table}${columns} VALUES ${values}`);
    return { rowCount: r.rowCount ?? rows.length };
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { error: { code: e.code, message: e.message } };
  }
}
