/**
 * Grouping: GROUP BY keys and aggregate calls are computed once per group, and everything after
 * (HAVING, the select list, ORDER BY) is compiled against a scope whose rows are
 * [group keys…, aggregate results…] — a column that is neither is PostgreSQL's 42803.
 */
import type { FuncCall, Node, SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { makeAggregate, type Aggregate } from './aggregates.ts';
import type { RunContext } from './env.ts';
import { compileExpr, isAggregateCall } from './expr.ts';
import { pos, RowScope, type RowSource } from './from.ts';
import { lastName, sameExpr, strings } from './names.ts';
import type { Compiled, Scope, Slot } from './scope.ts';
import type { Value } from './types.ts';
import { keyFor, rowKeyFor } from './types/bpchar.ts';
import type { Target } from './select.ts';
import type { TableData } from '../state/state.ts';
import { deparse, planNode, type PlanNode } from './plan/explain.ts';
import { fastAggregates } from './plan/fast-aggregates.ts';
import { refuseJsonComparison } from './json-text.ts';
import { orderedAggregate } from './functions/aggregates-ordered.ts';
import { orderedSetAggregate } from './aggregate/ordered-set.ts';
import { regressionCall } from './aggregate/regression-call.ts';
import { outerLevelAggregates, ownAggregate } from './outer-aggregates.ts';
import { expandGroupingSets, findGroupingCalls, groupingArgs, groupingSetsSource } from './grouping-sets.ts';
import { column } from './compiled.ts';

export function needsGrouping(stmt: SelectStmt, targets: readonly Node[], input: RowScope): boolean {
  if (stmt.groupClause?.length) return true;
  const roots = [...targets, ...(stmt.havingClause ? [stmt.havingClause] : [])];
  return roots.some((n) => queryAggregates(n, input).length > 0);
}

/** The aggregate calls the query of `input` computes: its own, and those of its sub-selects over its columns (sql/outer-aggregates.ts). */
function queryAggregates(root: Node | undefined, input: RowScope): Node[] {
  return [...findAggregates(root).filter((a) => ownAggregate(a, input)), ...outerLevelAggregates(root, input)];
}

/** Aggregate calls in an expression, not looking inside sub-selects (they aggregate on their own). */
export function findAggregates(node: Node | undefined, out: Node[] = []): Node[] {
  if (!node || typeof node !== 'object') return out;
  if ('SubLink' in node) return out;
  if ('FuncCall' in node && node.FuncCall.agg_filter && findAggregates(node.FuncCall.agg_filter).length) {
    throw new SqlError(SQLSTATE.grouping_error, 'aggregate functions are not allowed in FILTER');
  }
  if ('FuncCall' in node && isAggregateCall(node)) {
    out.push(node);
    return out;
  }
  for (const v of Object.values(node as Record<string, unknown>)) {
    if (Array.isArray(v)) for (const x of v) findAggregates(x as Node, out);
    else if (v && typeof v === 'object') findAggregates(v as Node, out);
  }
  return out;
}

export interface AggregateCall {
  node: Node;
  name: string;
  star: boolean;
  arg?: Compiled;
  filter?: Compiled;
  agg: Aggregate;
}

/**
 * `table` is set when the input is one whole base table (no WHERE): count(*), min and max of an
 * indexed column then come from the tree's size and the index's ends instead of the rows.
 */
export function planGrouping(stmt: SelectStmt, targets: Target[], input: RowScope, source: RowSource, inputNode: PlanNode, table?: TableData) {
  const sortNodes = (stmt.sortClause ?? []).map((s) => ('SortBy' in s ? s.SortBy.node : undefined));
  // GROUPING SETS, ROLLUP, CUBE and GROUPING(…): sql/grouping-sets.ts
  const groupingCalls = findGroupingCalls([...targets.map((t) => t.node), stmt.havingClause, ...sortNodes]);
  // a `*` column was compiled over the input row: in a grouped query it reads the group row, or is 42803
  for (const t of targets) t.compiled = undefined;
  const sets = expandGroupingSets(stmt.groupClause ?? [], !!stmt.groupDistinct, {
    resolve: (g) => groupKeyNode(g, targets, input), targets: targets.map((t) => t.node),
    same: (n) => ('ColumnRef' in n && !input.isOuter(strings(n.ColumnRef.fields)) ? `c${input.column(strings(n.ColumnRef.fields)).index}` : JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v))),
  });
  const keys = sets ? sets.keys : (stmt.groupClause ?? []).map((g) => groupKeyNode(g, targets, input));
  input.clause = 'GROUP BY';
  const keyExprs = keys.map((k) => compileExpr(k, input));
  refuseJsonComparison(keyExprs.map((k) => k.type));
  const aggNodes: Node[] = [];
  for (const root of [...targets.map((t) => t.node), stmt.havingClause, ...sortNodes]) {
    for (const a of queryAggregates(root, input)) if (!aggNodes.some((x) => sameExpr(x, a))) aggNodes.push(a);
  }
  input.clause = 'aggregate function calls';
  const calls = aggNodes.map((node) => aggregateCall(node, input));
  input.clause = undefined;

  const scope = new GroupScope(input, keys, keyExprs, calls, groupingCalls);
  let having: Compiled | undefined;
  if (stmt.havingClause) {
    scope.clause = 'HAVING';
    having = compileExpr(stmt.havingClause, scope);
    scope.clause = undefined;
  }
  const nk = keys.length;
  if (sets || groupingCalls.length) {
    const grouping = groupingArgs(groupingCalls, keys);
    // a select-list entry that is a key reads its own key (`a AS x, a AS y … ROLLUP (y)` nulls y only)
    sets?.targets.forEach((t, k) => { if (t !== undefined) targets[t]!.compiled = column(k, keyExprs[k]!.type); });
    const details = (sets?.sets ?? [keys.map((_, i) => i)]).map((s) => (s.length ? `Hash Key: ${s.map((i) => deparse(keys[i]!)).join(', ')}` : 'Group Key: ()'));
    const node = planNode(nk ? 'MixedAggregate' : 'Aggregate', [inputNode], nk ? details : []);
    const source2 = groupingSetsSource(sets?.sets ?? [keys.map((_, i) => i)], keyExprs, calls, grouping, source, having, node, () => scope.correlated);
    return { scope, source: source2, node };
  }
  const fast = nk === 0 && table ? fastAggregates(table, calls) : undefined;
  const node = fast
    ? planNode('Aggregate', [], fast.details)
    : planNode(nk ? 'HashAggregate' : 'Aggregate', [inputNode], nk ? [`Group Key: ${keys.map(deparse).join(', ')}`] : []);
  const single = nk === 1 ? keyExprs[0]! : undefined;
  const textKey = single !== undefined && (single.type === 'text' || single.type === 'varchar');
  const singleKey = keyFor(single?.type ?? 'unknown'), rowKey = rowKeyFor(keyExprs.map((k) => k.type));
  const grouped: RowSource = (ctx: RunContext, o) => {
    const groups = new Map<Value, { keys: Value[]; states: unknown[] }>();
    if (fast) groups.set('', { keys: [], states: fast.values(ctx) });
    else {
      const step = (row: readonly Value[]): void => {
        // one key: its distinctKey is the hash key (text keys need no tag: they are all strings); several: their JSON
        let id: Value, kv: Value[] | undefined, v: Value;
        if (nk === 0) id = '';
        else if (single) {
          v = single.eval(row, ctx);
          id = textKey ? v : singleKey(v);
        } else {
          kv = keyExprs.map((k) => k.eval(row, ctx));
          id = rowKey(kv);
        }
        let g = groups.get(id);
        if (!g) {
          g = { keys: single ? [v] : kv ?? [], states: calls.map((c) => c.agg.init()) };
          groups.set(id, g);
        }
        const states = g.states;
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i]!;
          if (c.filter && c.filter.eval(row, ctx) !== true) continue;
          states[i] = c.agg.step(states[i], c.arg ? c.arg.eval(row, ctx) : 1);
        }
      };
      if (source.stream) source.stream(ctx, o, step);
      else for (const row of source(ctx, o)) step(row);
    }
    // an aggregate without GROUP BY yields one row even over no input
    if (nk === 0 && groups.size === 0) groups.set('', { keys: [], states: calls.map((c) => c.agg.init()) });
    const out: Value[][] = [];
    for (const g of groups.values()) {
      const row: Value[] = [...g.keys, ...(fast ? g.states : g.states.map((s, i) => calls[i]!.agg.final(s)))];
      if (o && scope.correlated) row.push(...o);
      if (!having || having.eval(row, ctx) === true) out.push(row);
    }
    node.loops++;
    node.rows += out.length;
    return out;
  };
  return { scope, source: grouped, node };
}

/** GROUP BY 1 names the first output column; a bare name that is not an input column may name an output alias. */
function groupKeyNode(g: Node, targets: Target[], input: RowScope): Node {
  if ('A_Const' in g && g.A_Const.ival !== undefined) {
    const n = g.A_Const.ival.ival ?? 0;
    if (n < 1 || n > targets.length) throw new SqlError(SQLSTATE.invalid_column_reference, `GROUP BY position ${n} is not in select list`, { position: pos(g.A_Const.location) });
    return targets[n - 1]!.node;
  }
  if ('ColumnRef' in g && g.ColumnRef.fields?.length === 1) {
    const name = strings(g.ColumnRef.fields)[0]!;
    const isInput = input.entries.some((e) => e.columns.some((c) => c.name === name));
    const alias = targets.find((t) => t.name === name);
    if (!isInput && alias) return alias.node;
  }
  return g;
}

function aggregateCall(node: Node, input: RowScope): AggregateCall {
  const f = (node as { FuncCall: FuncCall }).FuncCall;
  const name = lastName(f.funcname);
  const args = f.args ?? [];
  for (const a of [...args, ...(f.agg_order ?? [])]) {
    if (findAggregates(a).length) throw new SqlError(SQLSTATE.grouping_error, 'aggregate function calls cannot be nested', { position: pos(f.location) });
  }
  if (outerOnly(args, input)) {
    // PostgreSQL evaluates such an aggregate in the outer query (one row over all its rows)
    throw new SqlError(SQLSTATE.feature_not_supported, 'aggregate functions of outer-query columns inside a sub-select are not supported', { position: pos(f.location) });
  }
  const filter = f.agg_filter ? compileExpr(f.agg_filter, input) : undefined;
  const ordered = orderedSetAggregate(f, name, input, compileExpr) ?? regressionCall(f, name, input, compileExpr) ?? orderedAggregate(f, name, input, compileExpr);
  if (ordered) return { node, name, star: false, arg: ordered.arg, filter, agg: ordered.agg };
  if (args.length > 1) throw new SqlError(SQLSTATE.undefined_function, `function ${name} with ${args.length} arguments does not exist`);
  const arg = args[0] ? compileExpr(args[0], input) : undefined;
  const agg = makeAggregate(name, arg?.type, { distinct: !!f.agg_distinct, star: !!f.agg_star, location: f.location });
  return { node, name, star: !!f.agg_star, arg, filter, agg };
}

/** Whether the arguments name columns, none of them of this query's own FROM items. */
function outerOnly(args: readonly Node[], input: RowScope): boolean {
  if (!input.outer) return false;
  const refs: string[][] = [];
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if ('SubLink' in n) return;
    if ('ColumnRef' in n) {
      refs.push(strings((n as { ColumnRef: { fields?: Node[] } }).ColumnRef.fields));
      return;
    }
    for (const v of Object.values(n)) Array.isArray(v) ? v.forEach(visit) : visit(v);
  };
  args.forEach(visit);
  const local = (f: string[]) => (f.length >= 2
    ? input.entries.some((e) => e.alias === f[f.length - 2])
    : input.entries.some((e) => e.alias === f[0] || e.columns.some((c) => c.name === f[0])));
  return refs.length > 0 && !refs.some(local);
}

class GroupScope implements Scope {
  correlated = false;
  clause?: string;
  readonly width: number;

  constructor(
    private readonly input: RowScope,
    private readonly keys: Node[],
    private readonly keyExprs: Compiled[],
    private readonly calls: AggregateCall[],
    private readonly grouping: Node[] = [],
  ) {
    this.width = keys.length + calls.length + grouping.length;
  }

  precomputed(node: Node): Slot | undefined {
    const k = this.keys.findIndex((key) => sameExpr(key, node));
    if (k >= 0) return { index: k, type: this.keyExprs[k]!.type };
    const g = 'GroupingFunc' in node ? this.grouping.findIndex((x) => sameExpr(x, node)) : -1;
    if (g >= 0) return { index: this.keys.length + this.calls.length + g, type: 'int4' };
    if ('FuncCall' in node && isAggregateCall(node)) {
      const a = this.calls.findIndex((c) => sameExpr(c.node, node));
      if (a >= 0) return { index: this.keys.length + a, type: this.calls[a]!.agg.type };
      // an aggregate of a further outer query's columns: read from the outer row after the group row
      const outer = ownAggregate(node, this.input) ? undefined : this.input.precomputed(node);
      if (outer) {
        this.correlated = true;
        return { index: this.width + (outer.index - this.input.width), type: outer.type };
      }
    }
    return undefined;
  }

  column(fields: readonly string[], location?: number): Slot {
    const slot = this.input.column(fields, location);
    if (slot.index >= this.input.width) {
      this.correlated = true;
      return { index: this.width + (slot.index - this.input.width), type: slot.type };
    }
    for (let k = 0; k < this.keys.length; k++) {
      const key = this.keys[k]!;
      if ('ColumnRef' in key && this.input.column(strings(key.ColumnRef.fields)).index === slot.index) return { index: k, type: slot.type };
    }
    const entry = this.input.entries.find((e) => slot.index >= e.offset && slot.index < e.offset + e.columns.length);
    const name = entry ? `${entry.alias}.${fields[fields.length - 1]}` : fields.join('.');
    throw new SqlError(SQLSTATE.grouping_error, `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: pos(location) });
  }

  subquery(stmt: SelectStmt) {
    // the rows here are group rows: an outer reference resolves as this query's own names do
    return this.input.planner.planSubquery(stmt, new GroupedOuterScope(this));
  }

  get planner() {
    return this.input.planner;
  }

  callFunction(name: string, args: Compiled[], location?: number): Compiled | undefined {
    return this.input.callFunction(name, args, location);
  }
}

/**
 * The outer scope of a sub-select inside a grouped query: a name resolves to the group row's slot
 * of a GROUP BY key, and any other column of the grouped query is PostgreSQL's 42803.
 */
class GroupedOuterScope extends RowScope {
  constructor(private readonly grouped: GroupScope) {
    super([], 0, grouped.planner);
  }

  /** An aggregate the grouped query computes for its sub-selects (sql/outer-aggregates.ts). */
  override precomputed(node: Node): Slot | undefined {
    return isAggregateCall(node) ? this.grouped.precomputed(node) : undefined;
  }

  override column(fields: readonly string[], location?: number): Slot {
    try {
      return this.grouped.column(fields, location);
    } catch (e) {
      if (!(e instanceof SqlError) || e.code !== SQLSTATE.grouping_error) throw e;
      const name = /column "([^"]+)"/.exec(e.message)?.[1] ?? fields.join('.');
      throw new SqlError(SQLSTATE.grouping_error, `subquery uses ungrouped column "${name}" from outer query`, { position: pos(location) });
    }
  }
}
