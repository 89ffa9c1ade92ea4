/**
 * Inner joins (JOIN … ON and comma lists) over any number of FROM items: every ON and WHERE
 * conjunct is attached to the first join step that has all the tables it names, equalities
 * between two sides become hash joins (or index nested loops when the inner table has an index
 * on the key and the outer side is small), and the join order grows greedily from the smallest
 * input through the tables connected to it. Rows are assembled in one scratch row laid out as the
 * FROM clause is; only rows that pass every condition are copied out.
 */
import type { Node } from '@pgsql/types';
import type { TableData } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import { compile, unifyPair } from '../expr.ts';
import type { RangeEntry, RowScope, RowSource, RowStream } from '../from.ts';
import { strings } from '../names.ts';
import type { Compiled, Scope } from '../scope.ts';
import type { SqlType, Value } from '../types.ts';
import { distinctKey } from '../values.ts';
import { columnResolver, conjuncts, probeBound, referencedSlots, type ColumnPredicate, type IndexPath } from './access.ts';
import { deparse, deparseAll, planNode, type PlanNode } from './explain.ts';
import { planPathScan, planScan, type RowTest, type Scan } from './scan.ts';
import { compileFilter, type PreparedFilter } from './filter.ts';
import { lateralFirst, lateralReady } from './lateral-order.ts';
import { count, filteredOut } from './explain-count.ts';

export interface JoinLeaf {
  /** Its FROM entries at their offsets in the joined row (a LEFT JOIN item has several). */
  entries: RangeEntry[];
  offset: number;
  width: number;
  alias: string;
  /** A base table (scanned through plan/scan.ts), or any other FROM item's rows. */
  table?: { oid: number; data: TableData };
  source?: RowSource;
  node: PlanNode;
  /** A LATERAL sub-select: its source run per row of the first `lateral` slots (sql/lateral.ts), joined once the leaves it reads are (lateral-order.ts). */
  lateral?: number;
  /** The prefix of those slots it reads (all of them when unset). */
  lateralReads?: number;
}

export interface JoinQual {
  node: Node;
  /** The names it may use: an ON clause sees only its own join's items. */
  scope: RowScope;
  clause: string;
}

interface Cond {
  node: Node;
  compiled: Compiled;
  /** The scope it was written in (an ON clause's own tables). */
  scope: Scope;
  /** Leaves it names (indexes into the leaf list), or all of them when it reads the outer row or a sub-select. */
  leaves: Set<number>;
  local: boolean;
}

/** Types whose `=` is exactly equality of distinctKey, so a hash table can answer it. */
export const HASHABLE: ReadonlySet<SqlType> = new Set(['int2', 'int4', 'int8', 'text', 'varchar', 'bool', 'date', 'timestamp', 'timestamptz', 'float4', 'float8']);

interface Step {
  leaf: number;
  kind: 'first' | 'hash' | 'index' | 'cross' | 'lateral';
  /** Hash join: the outer side's key expressions (over the scratch row) and the inner side's (over the leaf's row). */
  outerKeys: Compiled[];
  innerKeys: Compiled[];
  /** Conditions checked once this step's row is in place. */
  filters: Compiled[];
  scan?: Scan;
  /** LATERAL: how much of the scratch row the sub-select reads. */
  lateralWidth?: number;
  /** Index nested loop: where the probe value goes before each lookup, converted to the key column's type. */
  probe?: { cell: { value: Value }; cast: (v: Value) => Value };
  node: PlanNode;
  /** Hash join: its Hash node, which counts the one build (the join node's children are reordered for display). */
  hash?: PlanNode;
  /**
   * Hash join whose leaf is the larger input (by the estimates): the rows joined so far go into
   * the hash table instead, and the leaf's rows probe it, as PostgreSQL hashes the smaller side.
   */
  buildOuter?: boolean;
}

/** Per execution: what feeds a step its candidate rows for the current scratch row, and whether it is known to have none. */
interface Prepared {
  feed: (scratch: Value[], each: (row: readonly Value[]) => boolean) => void;
  empty: boolean;
  /** A hash built from the joined rows (`feed` only hashes them): probe it with the leaf's rows once they are all in. */
  drive?: (scratch: Value[], each: (row: readonly Value[]) => boolean) => void;
}

/** A scope over one FROM item's own row (its columns from slot 0), for conditions on that item alone. */
export type LeafScope = (leaf: JoinLeaf) => RowScope;

export function planJoin(leaves: JoinLeaf[], quals: JoinQual[], scope: RowScope, width: number, leafScope: LeafScope): { source: RowSource; node: PlanNode } {
  const conds: Cond[] = [];
  for (const q of quals) {
    for (const node of conjuncts(q.node)) {
      q.scope.clause = q.clause;
      const compiled = compile(node, q.scope);
      q.scope.clause = undefined;
      if (q.scope.correlated) scope.correlated = true;
      const named = namedLeaves(node, q.scope, leaves, width);
      conds.push({ node, compiled, scope: q.scope, leaves: named ?? new Set(leaves.keys()), local: named !== undefined && named.size === 1 });
    }
  }

  // each leaf's own conditions run inside its scan, on its stored rows
  const inputs = leaves.map((leaf, i) => leafInput(leaf, conds.filter((c) => c.local && c.leaves.has(i)), leafScope));
  const remaining = conds.filter((c) => !c.local);

  // greedy order: the smallest input first, then of what joins to what is already bound the one
  // whose join gives the fewest rows, the smaller input on a tie
  const bound = new Set<number>();
  const steps: Step[] = [];
  let estimate = 1;
  while (bound.size < leaves.length) {
    const candidates = [...leaves.keys()].filter((i) => !bound.has(i) && lateralReady(leaves, i, bound));
    const connected = candidates.filter((i) => remaining.some((c) => equiJoin(c, i, bound, leaves, inputs) !== undefined));
    const joining = bound.size > 0 && connected.length > 0;
    const pool = joining ? connected : lateralFirst(candidates, leaves);
    const rows = (i: number) => (joining ? joinEstimate(i, bound, remaining, leaves, inputs, estimate) : inputs[i]!.estimate);
    const next = pool.reduce((a, b) => (rows(b) < rows(a) || (rows(b) === rows(a) && inputs[b]!.estimate < inputs[a]!.estimate) ? b : a));
    const joined = joining ? rows(next) : 0;
    const step = makeStep(next, bound, remaining, leaves, inputs, estimate);
    // a base table larger than the rows joined so far probes their hash table rather than fill one
    if (step.kind === 'hash' && leaves[next]!.table && inputs[next]!.estimate > estimate) {
      step.buildOuter = true;
      step.node.children.unshift(inputs[next]!.node);
      step.hash!.children.length = 0;
    }
    steps.push(step);
    bound.add(next);
    estimate = Math.max(1, step.kind === 'cross' || step.kind === 'first' ? estimate * inputs[next]!.estimate : joining ? joined : Math.max(estimate, inputs[next]!.estimate));
    // conditions whose tables are now all bound are checked here
    for (const c of remaining.filter((c) => [...c.leaves].every((l) => bound.has(l)))) {
      step.filters.push(c.compiled);
      step.node.details.push(`${step.kind === 'first' ? 'Filter' : 'Join Filter'}: ${deparse(c.node)}`);
      remaining.splice(remaining.indexOf(c), 1);
    }
  }
  // a left-deep tree for EXPLAIN: each join step over the steps before it
  let root = steps[0]!.node;
  for (const s of steps.slice(1)) {
    if (s.buildOuter) s.hash!.children.push(root);
    else s.node.children.unshift(root);
    root = s.node;
  }

  const stream: RowStream = (ctx, o, emit) => {
    const scratch: Value[] = new Array(width + (o && scope.correlated ? o.length : 0)).fill(null);
    if (o && scope.correlated) for (let i = 0; i < o.length; i++) scratch[width + i] = o[i];
    for (const input of inputs) input.prepared = input.filter?.(ctx);
    const ready = steps.map((s) => prepare(s, inputs[s.leaf]!, ctx, o));
    const prepared = ready.map((p) => p.feed);
    const swapped = ready.filter((p) => p.drive);
    // per step, what to do with one of its rows: place it, check the step's conditions, go deeper
    const each: Array<(row: readonly Value[]) => boolean> = new Array(steps.length);
    for (let k = steps.length - 1; k >= 0; k--) {
      const s = steps[k]!, off = leaves[s.leaf]!.offset, n = leaves[s.leaf]!.width, filters = s.filters;
      const last = k === steps.length - 1, node = s.node, counted = k > 0; // the first step is a scan, which counts itself
      const deeper = last ? undefined : prepared[k + 1]!, next = last ? undefined : each[k + 1]!;
      each[k] = (row) => {
        for (let i = 0; i < n; i++) scratch[off + i] = row[i];
        for (let f = 0; f < filters.length; f++) {
          if (filters[f]!.eval(scratch, ctx) === true) continue;
          // the first step's scan counted the row; its Filter line (conditions no scan could take) removes it
          if (!counted) filteredOut(node, 1);
          return true;
        }
        if (counted) node.rows++;
        if (last) emit(scratch);
        else deeper!(scratch, next!);
        return true;
      };
    }
    for (const s of steps.slice(1)) s.node.loops++;
    try {
      // an empty hash table: no row can come out, so the outer side is never run, as PostgreSQL's
      // Hash Join skips it ("never executed")
      if (ready.some((p) => p.empty)) return;
      prepared[0]!(scratch, each[0]!);
      // each hash built from the rows joined before it is probed by its leaf's rows in turn; the
      // rows that pass go on down the pipeline (into the next such hash, or out)
      for (const p of swapped) p.drive!(scratch, each[ready.indexOf(p)]!);
    } finally {
      for (const input of inputs) input.prepared = undefined;
    }
  };
  const source: RowSource = (ctx, o) => {
    const out: Value[][] = [];
    stream(ctx, o, (row) => out.push(row.slice()));
    return out;
  };
  source.stream = stream;
  return { source, node: root };
}

interface LeafInput {
  estimate: number;
  /** The leaf's rows after its own conditions; for base tables a Scan over an index path. */
  scan?: Scan;
  rows?: (ctx: RunContext, o: readonly Value[] | undefined) => Value[][];
  local: Cond[];
  localScope: RowScope;
  test?: RowTest;
  /** The leaf's own conditions, prepared once per run into `prepared`. */
  filter?: PreparedFilter;
  prepared?: (row: readonly Value[]) => boolean;
  node: PlanNode;
}

function leafInput(leaf: JoinLeaf, local: Cond[], leafScope: LeafScope): LeafInput {
  // the leaf's conditions compiled again over the leaf's own row (offset 0)
  const localScope = leafScope(leaf);
  const filter = local.length ? compileFilter(local.map((c) => c.node), localScope, leaf.width) : undefined;
  const self: { prepared?: (row: readonly Value[]) => boolean } = {};
  const test: RowTest | undefined = filter ? (row) => self.prepared!(row) : undefined;
  if (leaf.table) {
    const scan = planScan({
      table: leaf.table.data, alias: leaf.alias, conds: local.map((c) => c.node), scope: localScope,
      columnOf: columnResolver(localScope, 0, leaf.width), test, filterNodes: local.map((c) => c.node),
    });
    const size = leaf.table.data.rows.size;
    const estimate = scan.path?.index.def.unique && scan.path.eq.length === scan.path.index.cols.length ? 1 : Math.max(1, size / 4 ** local.length);
    return Object.assign(self, { estimate, scan, local, localScope, test, filter, node: scan.node });
  }
  const src = leaf.source!;
  const node = leaf.node;
  if (local.length) node.details.push(`Filter: ${deparseAll(local.map((c) => c.node))}`);
  return Object.assign(self, {
    estimate: 1000,
    rows: (ctx: RunContext, o: readonly Value[] | undefined) => {
      // counted on the leaf's node by its FROM item (explain-count.ts); its Filter is shown there too
      const rows = src(ctx, o);
      if (!test) return rows;
      const kept = rows.filter((r) => test(r, ctx));
      filteredOut(node, rows.length - kept.length);
      return kept;
    },
    local,
    localScope,
    test,
    filter,
    node,
  });
}

/** Which leaves a condition names, or undefined when it reads the outer query's row or has a sub-select. */
function namedLeaves(node: Node, scope: Scope, leaves: JoinLeaf[], width: number): Set<number> | undefined {
  const slots = referencedSlots(node, scope);
  if (!slots || slots.some((s) => s >= width)) return undefined;
  return new Set(slots.map((s) => leaves.findIndex((l) => s >= l.offset && s < l.offset + l.width)));
}

interface EquiJoin {
  outer: Compiled;
  inner: Compiled;
  /** The inner side is a plain column of the leaf: its index, for an index nested loop. */
  innerColumn?: number;
}

/** `a = b` where one side names only already-bound leaves and the other only `leaf`, of a hashable type. */
function equiJoin(c: Cond, leaf: number, bound: Set<number>, leaves: JoinLeaf[], inputs: LeafInput[]): EquiJoin | undefined {
  if (c.local || !c.leaves.has(leaf) || ![...c.leaves].every((l) => l === leaf || bound.has(l))) return undefined;
  const n = c.node;
  if (!('A_Expr' in n) || n.A_Expr.kind !== 'AEXPR_OP' || strings(n.A_Expr.name).join('.') !== '=' || !n.A_Expr.lexpr || !n.A_Expr.rexpr) return undefined;
  const leafScope = inputs[leaf]!.localScope;
  for (const [a, b] of [[n.A_Expr.lexpr, n.A_Expr.rexpr], [n.A_Expr.rexpr, n.A_Expr.lexpr]] as const) {
    const side = namedLeaves(b, c.scope, leaves, Infinity);
    const other = namedLeaves(a, c.scope, leaves, Infinity);
    if (!side || !other || side.size !== 1 || !side.has(leaf) || other.has(leaf) || other.size === 0) continue;
    const [outer, inner, t] = unifyPair('=', compile(a, c.scope), compile(b, leafScope));
    if (!HASHABLE.has(t)) return undefined;
    const plain = 'ColumnRef' in b ? compile(b, leafScope) : undefined;
    return { outer, inner, innerColumn: plain?.slot };
  }
  return undefined;
}

/**
 * Rows joining `leaf` to the bound leaves gives (`outer` rows so far): at most one match per outer
 * row when the equalities cover a unique key of the leaf, else as many as the larger side (a
 * many-to-one join from it). Without the first, a small leaf joined on a column full of repeats
 * was taken before a larger one joined on its key: the repeats multiplied the rows that every
 * later step then had to go through.
 */
function joinEstimate(leaf: number, bound: Set<number>, remaining: Cond[], leaves: JoinLeaf[], inputs: LeafInput[], outer: number): number {
  const inner = inputs[leaf]!.estimate;
  const table = leaves[leaf]!.table?.data;
  if (!table) return Math.max(outer, inner);
  const keyed = new Set<number>();
  for (const c of remaining) {
    const column = equiJoin(c, leaf, bound, leaves, inputs)?.innerColumn;
    if (column !== undefined) keyed.add(column);
  }
  const unique = table.indexes.some((ix) => ix.def.unique && !ix.exprs && ix.cols.every((col) => keyed.has(col)));
  return unique ? outer : Math.max(outer, inner);
}

function makeStep(leaf: number, bound: Set<number>, remaining: Cond[], leaves: JoinLeaf[], inputs: LeafInput[], outerEstimate: number): Step {
  const input = inputs[leaf]!;
  if (!bound.size) return { leaf, kind: 'first', outerKeys: [], innerKeys: [], filters: [], scan: input.scan, node: input.node };
  if (leaves[leaf]!.lateral !== undefined) return { leaf, kind: 'lateral', outerKeys: [], innerKeys: [], filters: [], node: planNode('Nested Loop', [input.node]), lateralWidth: leaves[leaf]!.lateral };
  const joins: Array<{ cond: Cond; eq: EquiJoin }> = [];
  for (const c of remaining) {
    const eq = equiJoin(c, leaf, bound, leaves, inputs);
    if (eq) joins.push({ cond: c, eq });
  }
  if (!joins.length) return { leaf, kind: 'cross', outerKeys: [], innerKeys: [], filters: [], node: planNode('Nested Loop', [input.node]) };

  // an index on the inner key and few outer rows: look each one up instead of hashing the whole table
  const table = leaves[leaf]!.table?.data;
  const keyed = joins.find((j) => j.eq.innerColumn !== undefined && table?.indexes.some((ix) => ix.cols[0] === j.eq.innerColumn && !ix.def.where));
  if (table && keyed && outerEstimate * 8 < table.rows.size) {
    const column = keyed.eq.innerColumn!;
    const probe = probeBound(keyed.eq.outer.type, table.def.columns[column]!.type);
    if (probe) {
      const index = table.indexes.find((ix) => ix.cols[0] === column && !ix.def.where)!;
      const pred: ColumnPredicate = { column, op: '=', values: [probe.bound], node: keyed.cond.node };
      const path: IndexPath = { index, eq: [{ values: [probe.bound], isNull: false }], used: [pred] };
      const scan = planPathScan({
        table, alias: leaves[leaf]!.alias, conds: [], scope: input.localScope, columnOf: () => undefined,
        test: input.test, filterNodes: input.local.map((c) => c.node),
      }, path);
      // the lookup found the key in the column's type; the condition itself is checked on the joined row too
      remaining.splice(remaining.indexOf(keyed.cond), 1);
      return {
        leaf, kind: 'index', outerKeys: [keyed.eq.outer], innerKeys: [], filters: [keyed.cond.compiled], scan,
        probe: { cell: probe.cell, cast: probe.cast }, node: planNode('Nested Loop', [scan.node]),
      };
    }
  }
  for (const j of joins) remaining.splice(remaining.indexOf(j.cond), 1);
  const hash = planNode('Hash', [input.node]);
  const node = planNode('Hash Join', [hash], [`Hash Cond: ${deparseAll(joins.map((j) => j.cond.node))}`]);
  return { leaf, kind: 'hash', outerKeys: joins.map((j) => j.eq.outer), innerKeys: joins.map((j) => j.eq.inner), filters: [], node, hash };
}

/** Per execution: the function that feeds step `s` its candidate rows for the current scratch row. */
function prepare(s: Step, input: LeafInput, ctx: RunContext, o: readonly Value[] | undefined): Prepared {
  const all = (): Value[][] => {
    if (input.rows) return input.rows(ctx, o);
    const rows: Value[][] = [];
    input.scan!.run(ctx, (_id, row) => { rows.push(row); return true; });
    return rows;
  };
  switch (s.kind) {
    case 'first': {
      // run when the join starts, after the inner sides are prepared
      if (input.scan) return { feed: (_scratch, each) => input.scan!.run(ctx, (_id, row) => each(row)), empty: false };
      return { feed: (_scratch, each) => { for (const r of all()) each(r); }, empty: false };
    }
    case 'cross': {
      // read at the first outer row, as PostgreSQL's Materialize: an empty outer side never runs it
      let rows: Value[][] | undefined;
      return { feed: (_scratch, each) => { for (const r of (rows ??= all())) each(r); }, empty: false };
    }
    case 'lateral': {
      // the sub-select reads the items before it, then the enclosing query's row
      const w = s.lateralWidth!;
      return {
        feed: (scratch, each) => {
          const row = scratch.slice(0, w);
          if (o) row.push(...o);
          for (const r of input.rows!(ctx, row)) each(r);
        },
        empty: false,
      };
    }
    case 'index': {
      const key = s.outerKeys[0]!, probe = s.probe!, scan = s.scan!;
      return {
        feed: (scratch, each) => {
          probe.cell.value = probe.cast(key.eval(scratch, ctx));
          scan.run(ctx, (_id, row) => each(row));
        },
        empty: false,
      };
    }
    default: {
      if (s.buildOuter) return buildOuter(s, input, ctx, o);
      const table = new Map<Value, Value[][]>();
      const rows = all();
      const single = s.innerKeys.length === 1;
      let hashed = 0;
      for (const r of rows) {
        const k = hashKey(s.innerKeys, r, ctx, single);
        if (k === undefined) continue;
        hashed++;
        const list = table.get(k);
        if (list) list.push(r);
        else table.set(k, [r]);
      }
      count(s.hash!, hashed);
      return {
        feed: (scratch, each) => {
          const k = hashKey(s.outerKeys, scratch, ctx, single);
          if (k === undefined) return;
          const list = table.get(k);
          if (list) for (const r of list) each(r);
        },
        empty: hashed === 0,
      };
    }
  }
}

/**
 * A hash join that hashes the rows joined before step `s` (copies of the scratch row, by the
 * outer keys) and then scans the leaf once, placing each hashed row that shares a leaf row's key
 * back into the scratch row before the leaf's row. An empty hash table never runs the leaf's scan.
 */
function buildOuter(s: Step, input: LeafInput, ctx: RunContext, o: readonly Value[] | undefined): Prepared {
  const table = new Map<Value, Value[][]>();
  const single = s.innerKeys.length === 1;
  let hashed = 0;
  const feed = (scratch: Value[]): void => {
    const k = hashKey(s.outerKeys, scratch, ctx, single);
    if (k === undefined) return;
    hashed++;
    const list = table.get(k);
    if (list) list.push(scratch.slice());
    else table.set(k, [scratch.slice()]);
  };
  const drive = (scratch: Value[], each: (row: readonly Value[]) => boolean): void => {
    count(s.hash!, hashed);
    if (hashed === 0) return;
    const probe = (row: readonly Value[]): boolean => {
      const k = hashKey(s.innerKeys, row, ctx, single);
      const list = k === undefined ? undefined : table.get(k);
      if (!list) return true;
      for (const saved of list) {
        for (let i = 0; i < saved.length; i++) scratch[i] = saved[i];
        each(row);
      }
      return true;
    };
    if (input.scan) input.scan.run(ctx, (_id, row) => probe(row));
    else for (const r of input.rows!(ctx, o)) probe(r);
  };
  return { feed, empty: false, drive };
}

/** A hash key equal for exactly the rows `=` pairs; undefined when a key is NULL (which matches nothing). */
export function hashKey(keys: Compiled[], row: readonly Value[], ctx: RunContext, single: boolean): Value | undefined {
  if (single) {
    const v = keys[0]!.eval(row, ctx);
    return v === null || v === undefined ? undefined : distinctKey(v);
  }
  const parts: Value[] = [];
  for (const k of keys) {
    const v = k.eval(row, ctx);
    if (v === null || v === undefined) return undefined;
    parts.push(distinctKey(v));
  }
  return JSON.stringify(parts);
}

