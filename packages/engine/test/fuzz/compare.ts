/**
 * Running one statement on a walrtc node and on PGlite and judging the two outcomes: rows as
 * PostgreSQL's text output on both sides (every type's parser is the identity), compared as
 * multisets, or in order as far as the ORDER BY keys decide it; errors by SQLSTATE. walrtc's
 * 0A000 where PostgreSQL answers is a loud refusal, reported apart from mismatches.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Node } from '../../src/index.ts';
import type { Query } from './queries.ts';

export interface Outcome { error?: string; message?: string; oids?: number[]; rows?: (string | null)[][]; count?: number }

const TEXT_OIDS = [16, 17, 18, 19, 20, 21, 23, 25, 26, 114, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 2950, 3802,
  // arrays of those: bool, bytea, char, name, int2, int4, text, bpchar, varchar, int8, float4, float8, timestamp, date, time, timestamptz, interval, numeric, json, jsonb
  1000, 1001, 1002, 1003, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1115, 1182, 1183, 1185, 1187, 1231, 199, 3807];
const asText = Object.fromEntries(TEXT_OIDS.map((oid) => [oid, (v: string) => v]));
const NUMERIC = 1700, FLOATS = new Set([700, 701]);

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

export async function onWalrtc(node: Node, sql: string, params: unknown[] = []): Promise<Outcome> {
  try {
    const r = await node.query<unknown[]>(sql, params, { rowMode: 'array', parsers: asText });
    return { oids: r.fields.map((f) => f.dataTypeID), rows: r.rows.map((row) => row.map(cell)), count: r.affectedRows ?? r.rowCount };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (!err.code) throw e;
    return { error: err.code, message: err.message };
  }
}

export async function onPglite(pg: PGlite, sql: string, params: unknown[] = []): Promise<Outcome> {
  try {
    const r = await pg.query<unknown[]>(sql, params, { rowMode: 'array', parsers: asText });
    return { oids: r.fields.map((f) => f.dataTypeID), rows: r.rows.map((row) => row.map(cell)), count: r.affectedRows };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (!err.code) throw e;
    return { error: err.code, message: err.message };
  }
}

/** A numeric's or float's value with its print-only differences removed (1.50 → 1.5, -0 → 0). */
function canonical(v: string | null, oid: number): string | null {
  if (v === null) return v;
  if (oid === NUMERIC && /^-?\d/.test(v)) {
    let s = v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v;
    if (/^-0*$/.test(s)) s = '0';
    return s;
  }
  if (FLOATS.has(oid) && v === '-0') return '0';
  // numeric[]: each element's trailing zeros (which of two equal values DISTINCT keeps depends on the sort's input order)
  if (oid === 1231) return v.replace(/(\.\d*?)0+(?=[,}])/g, '$1').replace(/\.(?=[,}])/g, '');
  return v;
}

const line = (row: (string | null)[]) => row.map((v) => (v === null ? '∅' : v)).join(' | ');

function multiset(rows: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** The rows of a not matched by a row of b (multiset difference). */
function minus(a: string[], b: string[]): string[] {
  const m = multiset(b);
  return a.filter((r) => {
    const n = m.get(r);
    if (n) m.set(r, n - 1);
    return !n;
  });
}

function sameMultiset(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const m = multiset(a);
  for (const r of b) {
    const n = m.get(r);
    if (!n) return false;
    m.set(r, n - 1);
  }
  return true;
}

/** A float to 12 significant digits, for sums added in another order (and a group of 0 and -0 shown by either). */
function roughly(v: string | null, oid: number): string | null {
  if (v === null || !FLOATS.has(oid) || !/\d/.test(v)) return v;
  return (Number(v) + 0).toPrecision(12);
}

/** Why the two outcomes of a query disagree, or null when they agree. */
export function judge(q: Pick<Query, 'keys' | 'determined' | 'limited' | 'loose' | 'sequence' | 'floats'>, w: Outcome, p: Outcome): string | null {
  if (w.error || p.error) {
    if (w.error === p.error) return null;
    return `walrtc ${w.error ? `error ${w.error} ${w.message}` : `${w.rows?.length} rows`}, PostgreSQL ${p.error ? `error ${p.error} ${p.message}` : `${p.rows?.length} rows`}`;
  }
  const oids = p.oids!;
  if (w.oids!.length !== oids.length) return `walrtc ${w.oids!.length} columns, PostgreSQL ${oids.length}`;
  if (w.oids!.join() !== oids.join()) return `column types: walrtc ${w.oids!.join()}, PostgreSQL ${oids.join()}`;
  const norm = (row: (string | null)[]) => (q.loose || q.floats ? row.map((v, i) => roughly(q.loose ? canonical(v, oids[i]!) : v, q.floats ? oids[i]! : 0)) : row);
  const wr = w.rows!.map((r) => line(norm(r)));
  const pr = p.rows!.map((r) => line(norm(r)));
  const show = () => {
    const [onlyW, onlyP] = [minus(wr, pr), minus(pr, wr)];
    return `\n  walrtc (${wr.length}): ${wr.slice(0, 8).join(' ; ')}\n  postgres (${pr.length}): ${pr.slice(0, 8).join(' ; ')}` +
      `\n  only walrtc: ${onlyW.slice(0, 8).join(' ; ')}\n  only postgres: ${onlyP.slice(0, 8).join(' ; ')}`;
  };
  if (wr.length !== pr.length) return `row counts differ${show()}`;
  if (q.sequence) return wr.join('\n') === pr.join('\n') ? null : `rows differ (ordered)${show()}`;
  if (!q.keys) return sameMultiset(wr, pr) ? null : `rows differ${show()}`;
  const key = (row: (string | null)[]) => line(q.keys!.map((k) => canonical(row[k]!, oids[k]!)));
  const wk = w.rows!.map(key), pk = p.rows!.map(key);
  if (wk.join('\n') !== pk.join('\n')) return `order keys differ${show()}`;
  if (q.determined) return wr.join('\n') === pr.join('\n') ? null : `rows differ (ordered)${show()}`;
  if (!q.limited) return sameMultiset(wr, pr) ? null : `rows differ${show()}`;
  // under LIMIT/OFFSET the rows tied on the first and last key may legitimately be other rows
  const edge = new Set([wk[0], wk[wk.length - 1]]);
  const inner = (rows: string[], keys: string[]) => rows.filter((_, i) => !edge.has(keys[i]));
  return sameMultiset(inner(wr, wk), inner(pr, pk)) ? null : `rows differ${show()}`;
}
