/**
 * The window stage of a SELECT: after FROM/WHERE/GROUP BY/HAVING and before the select list,
 * DISTINCT, ORDER BY and LIMIT, as in PostgreSQL. Every window function call of the select list
 * and ORDER BY is computed once per row, partition by partition in each window's order, and
 * inserted into the row just after the input's own columns; a WindowScope then resolves each call
 * to its slot, so `rank() over w + 1` is an ordinary expression over it.
 */
import type { FuncCall, Node, SelectStmt, SortBy, WindowDef } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { RunContext } from '../env.ts';
import { compileExpr, funcName } from '../expr.ts';
import { pos, type RowSource } from '../from.ts';
import { sameExpr } from '../names.ts';
import { planNode, type PlanNode } from '../plan/explain.ts';
import type { Compiled, Scope, Slot } from '../scope.ts';
import { usingDescending } from '../sort-using.ts';
import type { SqlType, Value } from '../types.ts';
import { compareForSort } from '../values.ts';
import { pgQsort } from '../sort/pg-qsort.ts';
import { stripBpchar } from '../types/bpchar.ts';
import { DEFAULT_FRAME, FRAME, FrameBounds, rangeDomain, type Partition } from './frame.ts';
import { makeWindowFunction, type WindowFunction } from './functions.ts';
import { presorted, SortRefs, windowRunOrder, type SortItem } from './order.ts';
import { incrementalSort } from '../sort/incremental.ts';

/** Window function calls in an expression (not inside sub-selects, which have their own). */
export function findWindowCalls(node: unknown, out: Node[] = []): Node[] {
  if (!node || typeof node !== 'object') return out;
  if ('SubLink' in node) return out;
  if ('FuncCall' in node && (node as { FuncCall: FuncCall }).FuncCall.over) {
    out.push(node as Node);
    return out;
  }
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) for (const x of v) findWindowCalls(x, out);
    else findWindowCalls(v, out);
  }
  return out;
}

interface OrderKey {
  expr: Compiled;
  desc: boolean;
  nullsFirst: boolean;
}

interface Spec {
  partition: Compiled[];
  order: OrderKey[];
  frame: FrameBounds;
  startOffset?: Compiled;
  endOffset?: Compiled;
  /** The definition with its references resolved, to share one sort between equal windows. */
  key: string;
  /** Its sort columns as PostgreSQL's planner orders windows by them. */
  items: SortItem[];
}

interface Call {
  node: Node;
  spec: number;
  fn: WindowFunction;
}

/** A named window's definition merged with the window that refers to it (OVER (w ORDER BY …)). */
function resolveDef(def: WindowDef, named: Map<string, WindowDef>, inOver: boolean): WindowDef {
  // OVER w names a window as it is; OVER (w …) and WINDOW x AS (w …) copy it and may add ORDER BY and a frame
  const ref = def.refname ?? (inOver ? def.name : undefined);
  if (!ref) return def;
  const base = named.get(ref);
  if (!base) throw new SqlError(SQLSTATE.undefined_object, `window "${ref}" does not exist`, { position: pos(def.location) });
  if (!def.refname) return base;
  if (def.partitionClause?.length) throw new SqlError('42P20', `cannot override PARTITION BY clause of window "${ref}"`, { position: pos(def.location) });
  if (def.orderClause?.length && base.orderClause?.length) throw new SqlError('42P20', `cannot override ORDER BY clause of window "${ref}"`, { position: pos(def.location) });
  if (base.frameOptions !== undefined && base.frameOptions !== DEFAULT_FRAME) throw new SqlError('42P20', `cannot copy window "${ref}" because it has a frame clause`, { position: pos(def.location) });
  return { ...def, refname: undefined, partitionClause: base.partitionClause, orderClause: def.orderClause?.length ? def.orderClause : base.orderClause };
}

function compileSpec(def: WindowDef, scope: Scope, refs: SortRefs): Spec {
  const saved = scope.clause;
  scope.clause = 'window definitions';
  try {
    const partition = (def.partitionClause ?? []).map((n) => compileExpr(n, scope));
    const order = (def.orderClause ?? []).map((n) => {
      const by = (n as { SortBy: SortBy }).SortBy;
      const expr = compileExpr(by.node!, scope);
      const desc = by.sortby_dir === 'SORTBY_USING' ? usingDescending(by, expr.type) : by.sortby_dir === 'SORTBY_DESC';
      const nullsFirst = by.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : by.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
      return { expr, desc, nullsFirst };
    });
    const options = def.frameOptions ?? DEFAULT_FRAME;
    const offsets = FRAME.START_OFFSET_PRECEDING | FRAME.START_OFFSET_FOLLOWING | FRAME.END_OFFSET_PRECEDING | FRAME.END_OFFSET_FOLLOWING;
    scope.clause = options & FRAME.ROWS ? 'window ROWS' : options & FRAME.GROUPS ? 'window GROUPS' : 'window RANGE';
    const startOffset = def.startOffset ? compileExpr(def.startOffset, scope) : undefined;
    const endOffset = def.endOffset ? compileExpr(def.endOffset, scope) : undefined;
    let domain;
    if (options & FRAME.RANGE && options & offsets) {
      if (order.length !== 1) throw new SqlError('42P20', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', { position: pos(def.location) });
      domain = rangeDomain(order[0]!.expr.type, (startOffset ?? endOffset)!.type);
    }
    if (options & FRAME.GROUPS && !order.length) throw new SqlError('42P20', 'GROUPS mode requires an ORDER BY clause', { position: pos(def.location) });
    const key = JSON.stringify({ p: def.partitionClause, o: def.orderClause, f: options, s: def.startOffset, e: def.endOffset }, (k, v) => (k === 'location' ? undefined : v));
    return { partition, order, frame: new FrameBounds(options, domain), startOffset, endOffset, key, items: refs.items(def, order) };
  } finally {
    scope.clause = saved;
  }
}

export interface WindowStage {
  scope: Scope;
  source: RowSource;
  node: PlanNode;
}

/**
 * Plan the window functions of `stmt` over rows that `scope` describes (`width` columns of their
 * own, then the outer row of a correlated sub-select). Undefined when the query has none.
 */
export function planWindows(stmt: SelectStmt, targets: readonly { node: Node; name: string }[], scope: Scope, width: number, input: RowSource, inputNode: PlanNode): WindowStage | undefined {
  const named = new Map<string, WindowDef>();
  for (const w of stmt.windowClause ?? []) {
    const def = (w as { WindowDef: WindowDef }).WindowDef;
    if (named.has(def.name!)) throw new SqlError('42P20', `window "${def.name}" is already defined`, { position: pos(def.location) });
    named.set(def.name!, resolveDef(def, named, false));
  }
  const sortNodes = (stmt.sortClause ?? []).map((s) => (s as { SortBy: SortBy }).SortBy.node);
  const found: Node[] = [];
  for (const root of [...targets.map((t) => t.node), ...sortNodes]) {
    for (const c of findWindowCalls(root)) if (!found.some((x) => sameExpr(x, c))) found.push(c);
  }
  // every named window is checked even when no call uses it, as PostgreSQL does
  const specs: Spec[] = [];
  const refs = new SortRefs(stmt, targets);
  const specOf = (def: WindowDef): number => {
    const spec = compileSpec(def, scope, refs);
    const same = specs.findIndex((s) => s.key === spec.key);
    if (same >= 0) return same;
    specs.push(spec);
    return specs.length - 1;
  };
  for (const def of named.values()) specOf(def);
  if (!found.length) return undefined;

  const calls: Call[] = found.map((node) => {
    const f = (node as { FuncCall: FuncCall }).FuncCall;
    const name = funcName(f);
    const saved = scope.clause;
    scope.clause = 'window function calls';
    let args: Compiled[], filter: Compiled | undefined;
    try {
      for (const a of [...(f.args ?? []), ...(f.agg_filter ? [f.agg_filter] : [])]) {
        if (findWindowCalls(a).length) throw new SqlError('42P20', 'window function calls cannot be nested', { position: pos(f.location) });
      }
      args = (f.args ?? []).map((a) => compileExpr(a, scope));
      filter = f.agg_filter ? compileExpr(f.agg_filter, scope) : undefined;
    } finally {
      scope.clause = saved;
    }
    const spec = specOf(resolveDef(f.over!, named, true));
    return { node, spec, fn: makeWindowFunction(f, name, args, filter) };
  });
  const k = calls.length;
  const active = specs.map((_s, i) => i).filter((s) => calls.some((c) => c.spec === s));
  const runOrder = windowRunOrder(active.map((s) => specs[s]!.items)).map((i) => active[i]!);
  const sortNode = planNode('Sort', [inputNode]);
  const node = planNode('WindowAgg', [sortNode], []);

  const source: RowSource = (ctx, o) => {
    const rows = input(ctx, o);
    const values: Value[][] = calls.map(() => new Array<Value>(rows.length));
    let order: number[] = rows.map((_r, i) => i);
    let sortedBy: SortItem[] | undefined;
    for (const s of runOrder) {
      const mine = calls.map((c, i) => (c.spec === s ? i : -1)).filter((i) => i >= 0);
      const { items } = specs[s]!, sorted = presorted(sortedBy, items);
      order = evaluateSpec(specs[s]!, rows, order, sorted, mine.map((i) => calls[i]!.fn), mine.map((i) => values[i]!), ctx);
      // a window already in order sorts nothing, and the rows keep the longer order they had
      if (sorted < items.length) sortedBy = items;
    }
    sortNode.loops++;
    sortNode.rows += rows.length;
    node.loops++;
    node.rows += rows.length;
    // the rows leave in the order of the last window evaluated, as PostgreSQL's do
    return order.map((r) => {
      const row = rows[r]!;
      const out = row.slice(0, width);
      for (let c = 0; c < k; c++) out.push(values[c]![r]);
      for (let i = width; i < row.length; i++) out.push(row[i]);
      return out;
    });
  };
  return { scope: new WindowScope(scope, width, calls.map((c) => c.fn.type), found), source, node };
}

/**
 * Sort the rows for one window, split them into partitions and fill each call's values. Returns the
 * sorted order. `input` is the order the rows reach the sort (the previous window's output, as in
 * PostgreSQL's plan), already sorted by the window's first `sorted` sort columns; PostgreSQL's
 * Sort or Incremental Sort then decides the order of peers.
 */
function evaluateSpec(spec: Spec, rows: readonly (readonly Value[])[], input: readonly number[], sorted: number, fns: WindowFunction[], into: Value[][], ctx: RunContext): number[] {
  const np = spec.partition.length, no = spec.order.length;
  const keys = rows.map((row) => [...spec.partition.map((p) => p.eval(row, ctx)), ...spec.order.map((o) => o.expr.eval(row, ctx))]);
  // bpchar partitions and orders without its trailing spaces
  const blank = [...spec.partition.map((p) => p.type), ...spec.order.map((o) => o.expr.type)].map((t) => t === 'bpchar');
  if (blank.includes(true)) for (const k of keys) blank.forEach((b, i) => { if (b && typeof k[i] === 'string') k[i] = stripBpchar(k[i] as string); });
  // a PARTITION BY column that ORDER BY also names sorts in ORDER BY's direction, as in PostgreSQL
  const dirs = [...spec.partition.map(() => ({ desc: false, nullsFirst: false })), ...spec.order];
  for (const it of spec.items) dirs[it.col] = it;
  const cmpAt = (a: Value[], b: Value[], from: number, to: number): number => {
    for (let i = from; i < to; i++) {
      const c = compareForSort(a[i], b[i], dirs[i]!.desc, dirs[i]!.nullsFirst);
      if (c !== 0) return c;
    }
    return 0;
  };
  const cmp = (a: number, b: number): number => cmpAt(keys[a]!, keys[b]!, 0, np + no);
  let order = input.slice();
  if (sorted === 0) pgQsort(order, cmp);
  else if (sorted < spec.items.length) {
    const prefix = spec.items.slice(0, sorted).map((it) => it.col);
    order = incrementalSort(order, (a, b) => prefix.every((c) => cmpAt(keys[a]!, keys[b]!, c, c + 1) === 0), cmp);
  }
  const offsets = spec.frame.check({
    start: spec.startOffset?.eval([], ctx),
    end: spec.endOffset?.eval([], ctx),
  });
  for (let from = 0; from < order.length;) {
    let to = from + 1;
    while (to < order.length && cmpAt(keys[order[from]!]!, keys[order[to]!]!, 0, np) === 0) to++;
    const idx = order.slice(from, to);
    const part = partition(idx.map((r) => keys[r]!), np, no, (a, b) => cmpAt(a, b, np, np + no) === 0);
    if (no === 1) {
      part.key = idx.map((r) => keys[r]![np]);
      part.desc = spec.order[0]!.desc;
      part.nullsFirst = spec.order[0]!.nullsFirst;
    }
    const partRows = idx.map((r) => rows[r]!);
    for (let f = 0; f < fns.length; f++) {
      const vals = fns[f]!.evaluate({ part, rows: partRows, frame: spec.frame, offsets, ctx });
      for (let i = 0; i < idx.length; i++) into[f]![idx[i]!] = vals[i];
    }
    from = to;
  }
  return order;
}

/** Peer groups of a sorted partition: rows equal in every ORDER BY key (all rows, without ORDER BY). */
function partition(keys: readonly Value[][], _np: number, no: number, peers: (a: Value[], b: Value[]) => boolean): Partition {
  const n = keys.length;
  const groupStart = new Int32Array(n), groupEnd = new Int32Array(n), group = new Int32Array(n);
  let g = 0, start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && (no === 0 || peers(keys[i - 1]!, keys[i]!))) continue;
    for (let j = start; j < i; j++) {
      groupStart[j] = start;
      groupEnd[j] = i - 1;
      group[j] = g;
    }
    g++;
    start = i;
  }
  return { size: n, groupStart, groupEnd, group };
}

/** Resolves names as the input scope does, with every window call a slot right after the input's own columns. */
class WindowScope implements Scope {
  constructor(
    private readonly inner: Scope,
    private readonly width: number,
    private readonly types: readonly SqlType[],
    private readonly calls: readonly Node[],
  ) {}

  get clause(): string | undefined {
    return this.inner.clause;
  }

  set clause(c: string | undefined) {
    this.inner.clause = c;
  }

  private shift(slot: Slot): Slot {
    return slot.index >= this.width ? { index: slot.index + this.calls.length, type: slot.type } : slot;
  }

  precomputed(node: Node): Slot | undefined {
    const c = this.calls.findIndex((x) => sameExpr(x, node));
    if (c >= 0) return { index: this.width + c, type: this.types[c]! };
    const inner = this.inner.precomputed?.(node);
    return inner && this.shift(inner);
  }

  column(fields: readonly string[], location?: number): Slot {
    return this.shift(this.inner.column(fields, location));
  }

  subquery(stmt: SelectStmt, location?: number) {
    const q = this.inner.subquery(stmt, location);
    const w = this.width, k = this.calls.length;
    // a correlated sub-select reads the input's row layout, without the window values
    return { columns: q.columns, run: (outer: readonly Value[], ctx: Parameters<typeof q.run>[1]) => q.run([...outer.slice(0, w), ...outer.slice(w + k)], ctx) };
  }

  paramType(n: number): SqlType | undefined {
    return this.inner.paramType?.(n);
  }

  callFunction(name: string, args: Compiled[], location?: number): Compiled | undefined {
    return this.inner.callFunction?.(name, args, location);
  }
}
