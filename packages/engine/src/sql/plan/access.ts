/**
 * Access paths for one base table: which of its B+ tree indexes a set of AND-ed conditions can use
 * (=, <, <=, >, >=, BETWEEN, IN, IS NULL, LIKE 'abc%', on a prefix of the index's columns) and in
 * which order an index walk returns rows. An index path only narrows the rows read: the caller
 * still applies the whole WHERE to every row it returns, so a path must yield a superset of the
 * matching rows, in index order.
 */
import { leaveUnfolded } from '../fold/fold.ts';
import type { A_Expr, Node } from '@pgsql/types';
import type { IndexData, TableData } from '../../state/state.ts';
import { castFunction, coerceToColumn } from '../cast.ts';
import { compile } from '../expr.ts';
import { strings } from '../names.ts';
import { withExpressionColumns } from './expr-index.ts';
import { refSlots } from '../row-expr.ts';
import type { Compiled, Scope } from '../scope.ts';
import type { SqlType, Value } from '../types.ts';

/** One condition on one column, in the column's own value representation. */
export interface ColumnPredicate {
  column: number;
  op: '=' | '<' | '<=' | '>' | '>=' | 'in' | 'null' | 'prefix';
  values: Compiled[];
  /** The condition as written, for EXPLAIN. */
  node: Node;
}

/** Types whose stored values order in the index exactly as SQL compares them. */
const ORDERED: ReadonlySet<SqlType> = new Set(['int2', 'int4', 'int8', 'text', 'varchar', 'date', 'timestamp', 'timestamptz', 'bool']);
const INT_RANK: Partial<Record<SqlType, number>> = { int2: 0, int4: 1, int8: 2 };
const FLIP: Record<string, ColumnPredicate['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** The AND-ed parts of a condition. */
export function conjuncts(node: Node): Node[] {
  const parts = andParts(node);
  // PostgreSQL's AND stops folding at a constant false: what follows `false AND` is not folded
  const stop = parts.findIndex((p) => 'A_Const' in p && p.A_Const.boolval !== undefined && !p.A_Const.boolval.boolval);
  if (stop >= 0) leaveUnfolded(parts.slice(stop + 1));
  return parts;
}

function andParts(node: Node): Node[] {
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(andParts);
  return [node];
}

function isConstant(node: Node): boolean {
  if ('A_Const' in node || 'ParamRef' in node) return true;
  if ('TypeCast' in node) return node.TypeCast.arg !== undefined && isConstant(node.TypeCast.arg);
  return false;
}

/**
 * A value that can be compared with stored keys of `type`, or undefined when its type would order
 * differently (a numeric bound on an int column, a timestamp on a date column): the scan then reads
 * the whole table, which is slower but never wrong. Untyped literals and parameters are read with
 * the column's input syntax, as PostgreSQL types them; a run-time value of the wrong kind makes the
 * path fall back to a full scan (see keyValue).
 */
function boundValue(node: Node, type: SqlType, scope: Scope): Compiled | undefined {
  const e = compile(node, scope);
  if (e.type === type || ((type === 'text' || type === 'varchar') && (e.type === 'text' || e.type === 'varchar'))) return e;
  if (e.type === 'unknown') {
    const inner = e.eval;
    return { type, eval: (row, ctx) => { const v = inner(row, ctx); return typeof v === 'string' ? coerceToColumn(v, type) : v; } };
  }
  const from = INT_RANK[e.type], to = INT_RANK[type];
  if (from !== undefined && to !== undefined && from <= to) {
    const cast = castFunction(e.type, type, -1, false), inner = e.eval;
    return { type, eval: (row, ctx) => cast(inner(row, ctx)) };
  }
  return undefined;
}

/**
 * A bound whose value is set from outside before each walk (an index nested loop's key from the
 * outer row), converted from `from` to the key column's `type`; undefined when the two order differently.
 */
export function probeBound(from: SqlType, type: SqlType): { cell: { value: Value }; bound: Compiled; cast: (v: Value) => Value } | undefined {
  if (!ORDERED.has(type)) return undefined;
  const cell: { value: Value } = { value: null };
  const bound: Compiled = { type, eval: () => cell.value };
  const same = from === type || ((type === 'text' || type === 'varchar') && (from === 'text' || from === 'varchar'));
  if (same) return { cell, bound, cast: (v) => v };
  const a = INT_RANK[from], b = INT_RANK[type];
  if (a !== undefined && b !== undefined && a <= b) return { cell, bound, cast: castFunction(from, type, -1, false) };
  return undefined;
}

/** Marks a bound that cannot be used at run time (a parameter of the wrong kind). */
export const INVALID = Symbol('invalid key');

/** A bound's run-time value checked against the column's kind, or INVALID. */
export function keyValue(v: Value, type: SqlType): Value | typeof INVALID {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'int2': case 'int4': case 'int8': return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint' ? v : INVALID;
    case 'text': case 'varchar': return typeof v === 'string' ? v : INVALID;
    case 'bool': return typeof v === 'boolean' ? v : INVALID;
    default: return v instanceof Date && !Number.isNaN(v.getTime()) ? v : INVALID;
  }
}

/**
 * The table column a node names, when it is a plain reference to one of this table's columns.
 * `outer` tells whether a node is a column of an enclosing query's row (a correlated sub-select):
 * constant for one run of the scan, so it can bound an index walk like a parameter.
 */
export interface ColumnOf {
  (node: Node): number | undefined;
  outer?: (node: Node) => boolean;
}

export function columnResolver(scope: Scope, offset: number, width: number): ColumnOf {
  const slotOf = (node: Node): number | undefined => {
    if (!('ColumnRef' in node) || node.ColumnRef.fields?.some((f) => !('String' in f))) return undefined;
    const ref = refSlots(scope, strings(node.ColumnRef.fields), node.ColumnRef.location);
    return ref.whole ? undefined : ref.slots[0];
  };
  const columnOf: ColumnOf = (node) => {
    const slot = slotOf(node);
    const i = slot === undefined ? -1 : slot - offset;
    return i >= 0 && i < width ? i : undefined;
  };
  if (offset === 0) columnOf.outer = (node) => (slotOf(node) ?? -1) >= width;
  return columnOf;
}

/** The row slots an expression reads, or undefined when it has a sub-select or names something unusual. */
export function referencedSlots(node: Node, scope: Scope): number[] | undefined {
  const out: number[] = [];
  let opaque = false;
  const walk = (n: unknown): void => {
    if (opaque || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) { for (const x of n) walk(x); return; }
    const o = n as Record<string, unknown>;
    if ('SubLink' in o) { opaque = true; return; }
    if ('ColumnRef' in o) {
      const fields = (o.ColumnRef as { fields?: Node[] }).fields;
      if (fields?.some((f) => !('String' in f))) { opaque = true; return; }
      out.push(...refSlots(scope, strings(fields)).slots);
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(node);
  return opaque ? undefined : out;
}

/** The index-usable conditions among `conds` (each a conjunct of WHERE/ON) on `table`'s columns. */
export function columnPredicates(conds: readonly Node[], table: TableData, plainColumnOf: ColumnOf, scope: Scope): ColumnPredicate[] {
  const out: ColumnPredicate[] = [];
  const { columnOf, typeOf } = withExpressionColumns(table, plainColumnOf);
  for (const node of conds) {
    if ('NullTest' in node && node.NullTest.nulltesttype === 'IS_NULL' && node.NullTest.arg) {
      const c = columnOf(node.NullTest.arg);
      if (c !== undefined && ORDERED.has(typeOf(c))) out.push({ column: c, op: 'null', values: [], node });
      continue;
    }
    if (!('A_Expr' in node)) continue;
    const p = exprPredicate(node.A_Expr, columnOf, typeOf, scope, node);
    if (p) out.push(p);
  }
  return out;
}

function exprPredicate(e: A_Expr, columnOf: ColumnOf, typeOf: (c: number) => SqlType, scope: Scope, node: Node): ColumnPredicate | undefined {
  const op = strings(e.name)[strings(e.name).length - 1] ?? '';
  const usable = (c: number | undefined): c is number => c !== undefined && ORDERED.has(typeOf(c));
  if (e.kind === 'AEXPR_OP' && FLIP[op] && e.lexpr && e.rexpr) {
    for (const [col, val, flipped] of [[e.lexpr, e.rexpr, false], [e.rexpr, e.lexpr, true]] as const) {
      const c = columnOf(col);
      if (!usable(c) || !(isConstant(val) || columnOf.outer?.(val))) continue;
      const v = boundValue(val, typeOf(c), scope);
      if (v) return { column: c, op: flipped ? FLIP[op]! : (op as ColumnPredicate['op']), values: [v], node };
    }
    return undefined;
  }
  if (e.kind === 'AEXPR_BETWEEN' && e.lexpr && e.rexpr && 'List' in e.rexpr) {
    // BETWEEN becomes two predicates in the caller's hands: here the >= half, the <= half below
    return undefined;
  }
  if (e.kind === 'AEXPR_IN' && op === '=' && e.lexpr && e.rexpr && 'List' in e.rexpr) {
    const c = columnOf(e.lexpr);
    const items = e.rexpr.List.items ?? [];
    if (!usable(c) || !items.length || !items.every((i) => isConstant(i) || columnOf.outer?.(i))) return undefined;
    const values = items.map((i) => boundValue(i, typeOf(c), scope));
    if (values.some((v) => !v)) return undefined;
    return { column: c, op: 'in', values: values as Compiled[], node };
  }
  if (e.kind === 'AEXPR_LIKE' && op === '~~' && e.lexpr && e.rexpr && 'A_Const' in e.rexpr) {
    const c = columnOf(e.lexpr);
    const pattern = e.rexpr.A_Const.sval?.sval;
    if (!usable(c) || (typeOf(c) !== 'text' && typeOf(c) !== 'varchar') || pattern === undefined) return undefined;
    const prefix = likePrefix(pattern);
    if (!prefix) return undefined;
    return { column: c, op: 'prefix', values: [{ type: 'text', eval: () => prefix }], node };
  }
  return undefined;
}

/** BETWEEN a AND b on a column: the `>= a` and `<= b` predicates. */
export function betweenPredicates(conds: readonly Node[], table: TableData, plainColumnOf: ColumnOf, scope: Scope): ColumnPredicate[] {
  const out: ColumnPredicate[] = [];
  const { columnOf, typeOf } = withExpressionColumns(table, plainColumnOf);
  for (const node of conds) {
    if (!('A_Expr' in node) || node.A_Expr.kind !== 'AEXPR_BETWEEN') continue;
    const e = node.A_Expr;
    const c = e.lexpr ? columnOf(e.lexpr) : undefined;
    const items = e.rexpr && 'List' in e.rexpr ? e.rexpr.List.items ?? [] : [];
    if (c === undefined || items.length !== 2 || !ORDERED.has(typeOf(c))) continue;
    const type = typeOf(c);
    const [lo, hi] = items.map((i) => (isConstant(i) || columnOf.outer?.(i) ? boundValue(i, type, scope) : undefined));
    if (lo) out.push({ column: c, op: '>=', values: [lo], node });
    if (hi) out.push({ column: c, op: '<=', values: [hi], node });
  }
  return out;
}

/** The literal text before the first wildcard of a LIKE pattern (backslash escapes it), or '' when none. */
export function likePrefix(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '%' || ch === '_') return out;
    if (ch === '\\') {
      if (i + 1 >= pattern.length) return '';
      out += pattern[++i];
    } else out += ch;
  }
  return out;
}

/** How an index is used: equality on its first `eq.length` columns, then an optional range on the next. */
export interface IndexPath {
  index: IndexData;
  /** Per leading column: the values it may equal (one for =, several for IN, [null] for IS NULL). */
  eq: Array<{ values: Compiled[]; isNull: boolean }>;
  lower?: { value: Compiled; inclusive: boolean };
  upper?: { value: Compiled; inclusive: boolean };
  /** LIKE 'abc%': keys of the range column must start with this text. */
  prefix?: Compiled;
  /** The predicates the path uses, for EXPLAIN's Index Cond. */
  used: ColumnPredicate[];
  /** The index columns' types, filled on the first walk (a plan lives for one catalog version). */
  types?: SqlType[];
}

/** The best path through `index` for these predicates, or undefined when it cannot use any. */
export function indexPath(index: IndexData, preds: readonly ColumnPredicate[]): IndexPath | undefined {
  const path: IndexPath = { index, eq: [], used: [] };
  for (const col of index.cols) {
    const mine = preds.filter((p) => p.column === col);
    const eq = mine.find((p) => p.op === '=' || p.op === 'in' || p.op === 'null');
    if (eq) {
      path.eq.push({ values: eq.values, isNull: eq.op === 'null' });
      path.used.push(eq);
      continue;
    }
    for (const p of mine) {
      if ((p.op === '>' || p.op === '>=') && !path.lower) path.lower = { value: p.values[0]!, inclusive: p.op === '>=' };
      else if ((p.op === '<' || p.op === '<=') && !path.upper) path.upper = { value: p.values[0]!, inclusive: p.op === '<=' };
      else if (p.op === 'prefix' && !path.prefix) path.prefix = p.values[0]!;
      else continue;
      path.used.push(p);
    }
    break;
  }
  return path.used.length ? path : undefined;
}

/** A rough preference: all columns of a unique index pinned beats equalities beats a range. */
export function pathScore(p: IndexPath): number {
  const full = p.eq.length === p.index.cols.length;
  const single = p.eq.every((e) => e.values.length === 1);
  return (full && p.index.def.unique && single ? 1000 : 0) + p.eq.length * 10 + (p.lower || p.upper || p.prefix ? 3 : 0) + (full ? 1 : 0);
}

/** `usable`: which indexes the scan may read (a partial index only when its conditions imply the predicate). */
export function bestPath(table: TableData, preds: readonly ColumnPredicate[], usable: (ix: IndexData) => boolean = (ix) => !ix.def.where): IndexPath | undefined {
  let best: IndexPath | undefined;
  for (const ix of table.indexes) {
    if (!usable(ix)) continue;
    const p = indexPath(ix, preds);
    if (p && (!best || pathScore(p) > pathScore(best))) best = p;
  }
  return best;
}
