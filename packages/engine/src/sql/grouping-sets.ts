/**
 * GROUP BY GROUPING SETS / ROLLUP / CUBE / () and GROUPING(…): the GROUP BY list expanded into
 * its grouping sets as PostgreSQL's expand_grouping_sets does (each item a list of sets, the
 * items' lists multiplied together; a parenthesised list is one set), and the aggregation that
 * groups every input row once per set. A group row holds every key of every set (NULL where its
 * set rolled the key up), the aggregates, then the value of each GROUPING(…) call for its set.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { AggregateCall } from './group.ts';
import type { RunContext } from './env.ts';
import type { RowSource } from './from.ts';
import { pos } from './from.ts';
import { sameExpr } from './names.ts';
import type { PlanNode } from './plan/explain.ts';
import type { Compiled } from './scope.ts';
import type { Value } from './types.ts';
import { distinctKey } from './values.ts';

export interface GroupingSets {
  /** Every distinct key expression of every set, in first-appearance order. */
  keys: Node[];
  /** Each set as indexes into `keys`. */
  sets: number[][];
}

/** A set written as `(a, b)`: PostgreSQL reads an implicit row at this place as a list of keys. */
function sublist(node: Node): Node[] | undefined {
  if ('RowExpr' in node && node.RowExpr.row_format === 'COERCE_IMPLICIT_CAST') return node.RowExpr.args ?? [];
  return undefined;
}

/** The sets of one GROUP BY item, as lists of key nodes. */
function setsOf(item: Node): Node[][] {
  if (!('GroupingSet' in item)) return [sublist(item) ?? [item]];
  const gs = item.GroupingSet;
  const content = gs.content ?? [];
  switch (gs.kind) {
    case 'GROUPING_SET_EMPTY': return [[]];
    case 'GROUPING_SET_SIMPLE': return [content];
    case 'GROUPING_SET_ROLLUP': {
      const parts = content.map((c) => sublist(c) ?? [c]);
      const out: Node[][] = [];
      for (let n = parts.length; n >= 0; n--) out.push(parts.slice(0, n).flat());
      return out;
    }
    case 'GROUPING_SET_CUBE': {
      const parts = content.map((c) => sublist(c) ?? [c]);
      if (parts.length > 12) throw new SqlError('54011', 'CUBE is limited to 12 elements', { position: pos(gs.location) });
      const out: Node[][] = [];
      // PostgreSQL's order: the full set first, elements dropped from the right as in counting down
      for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) out.push(parts.filter((_, i) => mask & (1 << (parts.length - 1 - i))).flat());
      return out;
    }
    case 'GROUPING_SET_SETS': return content.flatMap(setsOf);
    default: throw new SqlError(SQLSTATE.feature_not_supported, `grouping set ${gs.kind} is not supported`);
  }
}

/**
 * How GROUP BY items are told apart: PostgreSQL matches each to a select-list entry (by position,
 * output name or equal expression) and treats two items of one entry as one key, two entries of
 * one expression (`a AS x, a AS y`) as two. `resolve` gives the item's expression, `same` an id
 * under which two expressions are equal (a column by its slot, whatever its qualification).
 */
export interface KeyResolver {
  resolve(item: Node): Node;
  same(node: Node): string;
  /** The select list's expressions. */
  targets: readonly Node[];
}

/** The expanded sets of a GROUP BY list, or undefined when it has no GROUPING SETS, ROLLUP, CUBE, () or (a, b). */
export function expandGroupingSets(items: readonly Node[], distinct: boolean, keyOf: KeyResolver): (GroupingSets & { targets: (number | undefined)[] }) | undefined {
  if (!items.some((i) => 'GroupingSet' in i || sublist(i))) return undefined;
  let product: Node[][] = [[]];
  for (const item of items) {
    const sets = setsOf(item);
    product = product.flatMap((p) => sets.map((s) => [...p, ...s]));
    if (product.length > 4096) throw new SqlError('54001', 'too many grouping sets present (maximum 4096)');
  }
  const keys: Node[] = [];
  const ids: string[] = [];
  const targets: (number | undefined)[] = [];
  const targetIds = keyOf.targets.map((t) => keyOf.same(t));
  const indexOf = (item: Node): number => {
    const node = keyOf.resolve(item);
    const own = keyOf.targets.indexOf(node);
    const same = keyOf.same(node);
    const t = own >= 0 ? own : targetIds.indexOf(same);
    const id = t >= 0 ? `t${t}` : same;
    const i = ids.indexOf(id);
    if (i >= 0) return i;
    keys.push(node);
    ids.push(id);
    targets.push(t >= 0 ? t : undefined);
    return keys.length - 1;
  };
  let sets = product.map((s) => [...new Set(s.map(indexOf))]);
  if (distinct) {
    const seen = new Set<string>();
    sets = sets.filter((s) => {
      const id = [...s].sort((a, b) => a - b).join(',');
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }
  return { keys, sets, targets };
}

/** GROUPING(…) calls in the select list, HAVING and ORDER BY (not inside sub-selects). */
export function findGroupingCalls(roots: readonly (Node | undefined)[]): Node[] {
  const out: Node[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if ('SubLink' in n) return;
    if ('GroupingFunc' in n) {
      if (!out.some((x) => sameExpr(x, n as Node))) out.push(n as Node);
      return;
    }
    for (const v of Object.values(n)) walk(v);
  };
  roots.forEach(walk);
  return out;
}

/** For each GROUPING call, the key index of each of its arguments (42803 when one is not a key). */
export function groupingArgs(calls: readonly Node[], keys: readonly Node[]): number[][] {
  return calls.map((call) => {
    const f = (call as { GroupingFunc: { args?: Node[]; location?: number } }).GroupingFunc;
    const args = f.args ?? [];
    if (args.length > 31) throw new SqlError('54023', 'GROUPING must have fewer than 32 arguments', { position: pos(f.location) });
    return args.map((a) => {
      const k = keys.findIndex((key) => sameExpr(key, a));
      if (k < 0) throw new SqlError(SQLSTATE.grouping_error, 'arguments to GROUPING must be grouping expressions of the associated query level', { position: pos(f.location) });
      return k;
    });
  });
}

interface Group {
  keys: Value[];
  states: unknown[];
}

/**
 * One pass over the input: each row goes into its group of every set. A set without keys (the
 * empty set `()`) yields its row even over no input, as an aggregate without GROUP BY does.
 */
export function groupingSetsSource(
  sets: readonly number[][], keyExprs: readonly Compiled[], calls: readonly AggregateCall[], grouping: readonly number[][],
  source: RowSource, having: Compiled | undefined, node: PlanNode, outerWanted: () => boolean,
): RowSource {
  const nk = keyExprs.length;
  return (ctx: RunContext, o) => {
    const maps = sets.map(() => new Map<string, Group>());
    const step = (row: readonly Value[]): void => {
      const kv = keyExprs.map((k) => k.eval(row, ctx));
      for (let s = 0; s < sets.length; s++) {
        const set = sets[s]!;
        const id = JSON.stringify(set.map((i) => distinctKey(kv[i]!)));
        let g = maps[s]!.get(id);
        if (!g) {
          const keys: Value[] = new Array(nk).fill(null);
          for (const i of set) keys[i] = kv[i]!;
          g = { keys, states: calls.map((c) => c.agg.init()) };
          maps[s]!.set(id, g);
        }
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i]!;
          if (c.filter && c.filter.eval(row, ctx) !== true) continue;
          g.states[i] = c.agg.step(g.states[i], c.arg ? c.arg.eval(row, ctx) : 1);
        }
      }
    };
    if (source.stream) source.stream(ctx, o, step);
    else for (const row of source(ctx, o)) step(row);
    const out: Value[][] = [];
    sets.forEach((set, s) => {
      const groups = maps[s]!;
      if (!set.length && groups.size === 0) groups.set('', { keys: new Array(nk).fill(null), states: calls.map((c) => c.agg.init()) });
      const marks = grouping.map((args) => args.reduce((bits, k) => (bits << 1) | (set.includes(k) ? 0 : 1), 0));
      for (const g of groups.values()) {
        const row: Value[] = [...g.keys, ...g.states.map((st, i) => calls[i]!.agg.final(st)), ...marks];
        if (o && outerWanted()) row.push(...o);
        if (!having || having.eval(row, ctx) === true) out.push(row);
      }
    });
    node.loops++;
    node.rows += out.length;
    return out;
  };
}

/** A GROUPING(…) the grouped query did not compute: in WHERE or ON, or in a query without GROUP BY. */
export function misplacedGrouping(node: { location?: number }, clause: string | undefined): SqlError {
  if (clause === 'WHERE' || clause === 'JOIN conditions') return new SqlError(SQLSTATE.grouping_error, `grouping operations are not allowed in ${clause}`, { position: pos(node.location) });
  if (clause === 'aggregate function calls') return new SqlError(SQLSTATE.grouping_error, 'aggregate function calls cannot be nested', { position: pos(node.location) });
  return new SqlError(SQLSTATE.grouping_error, 'arguments to GROUPING must be grouping expressions of the associated query level', { position: pos(node.location) });
}
