/**
 * Key-range scoping of live queries: a SELECT over one table whose WHERE bounds a column by
 * constants (`id between 1 and 10`, `id = $1`, `id in (…)`, `id < 5` — what an index range or point
 * lookup serves) can only change when a commit writes a row whose old or new image passes those
 * bounds. The bounds are a necessary condition only (other conditions are not looked at), so a
 * commit they let through may still leave the result alone; one they stop cannot change it.
 * Anything not understood (joins, sub-selects, views, set operations, other types or operators)
 * gives no scope: the query re-runs on every change to its tables, as before.
 */
import type { A_Const, Node, SelectStmt } from '@pgsql/types';
import type { Oid } from '../catalog/types.ts';
import { parse } from '../sql/parse.ts';
import { conjuncts } from '../sql/plan/access.ts';
import type { Value } from '../sql/types.ts';
import type { DbState } from '../state/state.ts';
import type { WalRecord } from '../wal/record.ts';

/** One table and a test every row that can show in the query's result passes. */
export interface KeyScope {
  table: Oid;
  admits(row: readonly Value[]): boolean;
}

const INTS = new Set(['int2', 'int4', 'int8']);
const TEXTS = new Set(['text', 'varchar']);

/** The scope of `sql` with `params` over `table` (the one table it reads), or undefined when it has none. */
export function keyScopeOf(sql: string, params: readonly Value[], table: Oid, state: DbState): KeyScope | undefined {
  const statements = parse(sql);
  const only = statements.length === 1 ? statements[0]!.stmt : undefined;
  if (!only || !('SelectStmt' in only)) return undefined;
  const select = only.SelectStmt;
  const def = state.tables.get(table)?.def;
  if (!def || def.view || !plainFrom(select, def.name) || !select.whereClause || hasSubLink(select)) return undefined;
  const from = select.fromClause![0]!;
  const alias = 'RangeVar' in from ? (from.RangeVar.alias?.aliasname ?? from.RangeVar.relname) : undefined;
  const column = (node: Node | undefined): number => {
    if (!node || !('ColumnRef' in node)) return -1;
    const fields = node.ColumnRef.fields ?? [];
    const names = fields.map((f) => ('String' in f ? f.String.sval : undefined));
    if (names.some((n) => n === undefined) || names.length > 2 || (names.length === 2 && names[0] !== alias)) return -1;
    return def.columns.findIndex((c) => c.name === names[names.length - 1]);
  };
  const tests: ((row: readonly Value[]) => boolean)[] = [];
  for (const cond of conjuncts(select.whereClause)) {
    const test = cond && 'A_Expr' in cond ? bound(cond.A_Expr, column, (i) => def.columns[i]!.type, params) : undefined;
    if (test) tests.push(test);
  }
  if (!tests.length) return undefined;
  return { table, admits: (row) => tests.every((t) => t(row)) };
}

/** Whether a commit's row changes can touch `scope`: `before` is the state the query last ran on. */
export function touches(scope: KeyScope, records: readonly WalRecord[], before: DbState, reads: ReadonlySet<Oid>): boolean {
  for (const r of records) {
    const table = tableOf(r);
    if (table === undefined || !reads.has(table)) continue;
    if (table !== scope.table) return true;
    if (r.kind === 'insert') {
      if (scope.admits(r.row)) return true;
    } else if (r.kind === 'update' || r.kind === 'delete') {
      if (r.kind === 'update' && scope.admits(r.row)) return true;
      const old = r.old ?? before.tables.get(table)?.rows.get(r.rowid);
      if (!old || scope.admits(old)) return true;
    } else return true;
  }
  return false;
}

function tableOf(r: WalRecord): Oid | undefined {
  if ('table' in r && typeof r.table === 'number') return r.table;
  if (r.kind === 'create_table' || r.kind === 'rewrite_table' || r.kind === 'alter_table_def') return r.table.oid;
  if (r.kind === 'create_index') return r.index.table;
  return undefined;
}

/** FROM is exactly one plain reference to the table, and nothing makes rows outside WHERE count. */
function plainFrom(s: SelectStmt, name: string): boolean {
  if (s.op && s.op !== 'SETOP_NONE') return false;
  if (s.withClause || s.fromClause?.length !== 1) return false;
  const from = s.fromClause[0]!;
  return 'RangeVar' in from && from.RangeVar.relname === name;
}

function hasSubLink(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSubLink);
  if (value === null || typeof value !== 'object') return false;
  if ('SubLink' in value) return true;
  return Object.values(value).some(hasSubLink);
}

type Kind = 'int' | 'text';

/** A constant (literal or parameter) as a value a stored `kind` column compares with exactly, or undefined. */
function constant(node: Node | undefined, kind: Kind, params: readonly Value[]): number | bigint | string | undefined {
  if (!node) return undefined;
  if ('ParamRef' in node) {
    const v = params[(node.ParamRef.number ?? 0) - 1];
    if (kind === 'int') return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint' ? v : undefined;
    return typeof v === 'string' ? v : undefined;
  }
  if (!('A_Const' in node)) return undefined;
  const c: A_Const = node.A_Const;
  if (kind === 'int') {
    if (c.ival) return c.ival.ival ?? 0;
    const text = c.fval?.fval;
    return text !== undefined && /^-?\d+$/.test(text) ? BigInt(text) : undefined;
  }
  return c.sval ? (c.sval.sval ?? '') : undefined;
}

/** `col op constant` (either side), BETWEEN and IN on an integer column; = and IN on a text one. */
function bound(e: Extract<Node, { A_Expr: unknown }>['A_Expr'], column: (n: Node | undefined) => number, type: (i: number) => string, params: readonly Value[]): ((row: readonly Value[]) => boolean) | undefined {
  const op = e.name?.length === 1 && 'String' in e.name[0]! ? e.name[0].String.sval : undefined;
  const kindOf = (i: number): Kind | undefined => (i < 0 ? undefined : INTS.has(type(i)) ? 'int' : TEXTS.has(type(i)) ? 'text' : undefined);
  if (e.kind === 'AEXPR_OP' && op) {
    for (const [col, val, flip] of [[e.lexpr, e.rexpr, false], [e.rexpr, e.lexpr, true]] as const) {
      const i = column(col);
      const kind = kindOf(i);
      const v = kind && constant(val, kind, params);
      if (v === undefined || (kind === 'text' && op !== '=')) continue;
      const cmp = compare(flip ? FLIP[op] : op);
      if (cmp) return (row) => row[i] !== null && row[i] !== undefined && cmp(row[i] as number | bigint | string, v);
    }
    return undefined;
  }
  const i = column(e.lexpr);
  const kind = kindOf(i);
  const items = e.rexpr && 'List' in e.rexpr ? (e.rexpr.List.items ?? []) : [];
  if (!kind || !items.length) return undefined;
  const values = items.map((n) => constant(n, kind, params));
  if (values.some((v) => v === undefined)) return undefined;
  if (e.kind === 'AEXPR_IN' && op === '=') return (row) => values.some((v) => row[i] === v || (typeof row[i] !== typeof v && row[i] == v));
  if (e.kind === 'AEXPR_BETWEEN' && kind === 'int' && values.length === 2) {
    const [lo, hi] = values as (number | bigint)[];
    return (row) => row[i] !== null && row[i] !== undefined && (row[i] as number | bigint) >= lo! && (row[i] as number | bigint) <= hi!;
  }
  return undefined;
}

const FLIP: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

type Key = number | bigint | string;
function compare(op: string | undefined): ((a: Key, b: Key) => boolean) | undefined {
  switch (op) {
    // a number and a bigint holding the same integer are equal keys; == compares them by value
    case '=': return (a, b) => a === b || (typeof a !== typeof b && a == b);
    case '<': return (a, b) => a < b;
    case '<=': return (a, b) => a <= b;
    case '>': return (a, b) => a > b;
    case '>=': return (a, b) => a >= b;
    default: return undefined;
  }
}
