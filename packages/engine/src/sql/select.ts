/**
 * SELECT planning: FROM → WHERE (with an index lookup when the WHERE pins an indexed column to a
 * constant or parameter) → GROUP BY/aggregates/HAVING → select list → DISTINCT → ORDER BY →
 * OFFSET/LIMIT. The plan is compiled once and run with a RunContext each time.
 */
import type { Node, ResTarget, SelectStmt, SortBy, WithClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import type { NodeHooks, RunContext } from './env.ts';
import { castFunction } from './cast.ts';
import { compileExpr } from './expr.ts';
import { Numeric } from './numeric.ts';
import { commonType, comparatorFor, type Comparator } from './operators.ts';
import { isArrayType } from './types/array.ts';
import { isEnumType } from './types/enum.ts';
import { targetListSrf } from './functions/srf-target.ts';
import { planFrom, pos, RowScope, type RowSource, type SubqueryPlanner } from './from.ts';
import { needsGrouping, planGrouping } from './group.ts';
import { lastName, outputName, sameExpr, strings } from './names.ts';
import { usingDescending } from './sort-using.ts';
import type { Compiled, EvalContext, RowTypeRef, Scope } from './scope.ts';
import type { SqlType, Value } from './types.ts';
import { compareForSort } from './values.ts';
import { rowKeyFor } from './types/bpchar.ts';
import type { Expr } from './compiled.ts';
import { column } from './compiled.ts';
import { deparse, planNode, type PlanNode } from './plan/explain.ts';
import { singleTableSource, type OrderedSource } from './plan/single.ts';
import { topN } from './plan/topn.ts';
import { firstRows, isLazy, lazyStream } from './plan/stop-scan.ts';
import { counted, filteredOut } from './plan/explain-count.ts';
import { watchOuter } from './plan/uncorrelated.ts';
import { CteScope, type Cte } from './with.ts';
import type { ModifyingCte } from './cte/modifying.ts';
import type { StatementPlan } from './plan.ts';
import { checkLocking, lockingStrength } from './locking.ts';
import { setOperationResult } from './setop-order.ts';
import { refuseJsonComparison } from './json-text.ts';
import { planWindows } from './window/plan.ts';
import { pgQsort } from './sort/pg-qsort.ts';
import { isRowType } from './composite/type.ts';
import { expandFieldStar } from './composite/row.ts';

export interface SelectPlan {
  /** `rowType`: a whole-row column's table row type (sql/rowtype/). */
  columns: { name: string; type: SqlType; rowType?: RowTypeRef }[];
  run: (ctx: RunContext, outer: readonly Value[] | undefined) => Value[][];
  /** What runs, for EXPLAIN; its counters fill as the plan runs. */
  node: PlanNode;
}

/** Count one run of an EXPLAIN node that produced `rows` rows. */
function count(node: PlanNode | undefined, rows: number): void {
  if (!node) return;
  node.loops++;
  node.rows += rows;
}

function sortKeyText(by: SortBy): string {
  const desc = by.sortby_dir === 'SORTBY_DESC' || (by.sortby_dir === 'SORTBY_USING' && lastName(by.useOp) === '>');
  const nulls = by.sortby_nulls === 'SORTBY_NULLS_FIRST' ? (desc ? '' : ' NULLS FIRST') : by.sortby_nulls === 'SORTBY_NULLS_LAST' ? (desc ? ' NULLS LAST' : '') : '';
  return `${deparse(by.node)}${desc ? ' DESC' : ''}${nulls}`;
}

export class SelectPlanner implements SubqueryPlanner {
  private readonly ctes = new CteScope();
  /** The top-level statement's WITH, the one place data-modifying CTEs may stand, and how to plan them. */
  topLevel?: { clause: WithClause; planDml: (stmt: Node) => StatementPlan };

  constructor(
    private readonly state: DbState,
    private readonly hooks: NodeHooks,
    readonly functions: SubqueryPlanner['functions'],
  ) {}

  planSubquery(stmt: SelectStmt, outer: RowScope) {
    const watched = watchOuter(outer);
    const plan = this.plan(stmt, watched.scope);
    const columns = plan.columns.map((c) => c.type);
    const rowType = plan.columns[0]?.rowType;
    if (watched.used()) return { columns, rowType, run: (o: readonly Value[], ctx: EvalContext) => plan.run(ctx as RunContext, o) };
    // uncorrelated: PostgreSQL runs it once per execution (an InitPlan, or a SubPlan it hashes)
    const once = new WeakMap<EvalContext, Value[][]>();
    return {
      columns,
      rowType,
      run: (o: readonly Value[], ctx: EvalContext) => {
        let rows = once.get(ctx);
        if (!rows) once.set(ctx, (rows = plan.run(ctx as RunContext, o)));
        return rows;
      },
    };
  }

  /** FROM items on their own (UPDATE … FROM, DELETE … USING). */
  planFromItems(from: readonly Node[]) {
    return planFrom(from, this.state, this.hooks, this, undefined, (s, o) => this.plan(s, o));
  }

  /** Plan `body` (an INSERT, UPDATE or DELETE) with the WITH clause's queries visible. */
  withQueries<T>(clause: WithClause, body: () => T): T {
    return this.ctes.with(clause, (s) => this.plan(s), body, this.dmlPlannerFor(clause));
  }

  cte(name: string): Cte | undefined {
    return this.ctes.find(name);
  }

  planView(query: Node): SelectPlan {
    return new SelectPlanner(this.state, this.hooks, this.functions).plan((query as { SelectStmt: SelectStmt }).SelectStmt);
  }

  /** The data-modifying CTEs planned so far, which the statement must run. */
  get modifyingCtes(): readonly ModifyingCte[] {
    return this.ctes.modifying;
  }

  private dmlPlannerFor(clause: WithClause) {
    return this.topLevel?.clause === clause ? this.topLevel.planDml : undefined;
  }

  plan(stmt: SelectStmt, outer?: RowScope): SelectPlan {
    const plan = this.planUncounted(stmt, outer);
    return { ...plan, run: counted(plan.node, plan.run) };
  }

  private planUncounted(stmt: SelectStmt, outer?: RowScope): SelectPlan {
    // before any other branch: VALUES and set operations carry WITH too
    if (stmt.withClause) {
      const body = { ...stmt, withClause: undefined };
      return this.ctes.with(stmt.withClause, (s) => this.plan(s), () => this.plan(body, outer), this.dmlPlannerFor(stmt.withClause));
    }
    checkLocking(stmt);
    if (stmt.op && stmt.op !== 'SETOP_NONE') return this.setOperation(stmt, outer);
    if (stmt.valuesLists) return this.values(stmt, outer);
    const srf = targetListSrf(stmt);
    if (srf) return this.plan(srf, outer);
    if (stmt.intoClause) throw new SqlError(SQLSTATE.syntax_error, 'SELECT ... INTO is not allowed here');

    const from = planFrom(stmt.fromClause, this.state, this.hooks, this, outer, (s, o) => this.plan(s, o), stmt.whereClause);
    const scope = from.scope;
    let source: RowSource = from.source;
    let node = from.node;
    let ordered: OrderedSource | undefined;

    let where: Compiled | undefined;
    if (stmt.whereClause && !from.whereApplied) {
      scope.clause = 'WHERE';
      where = compileExpr(stmt.whereClause, scope);
      scope.clause = undefined;
    }
    if (from.single) {
      const t = singleTableSource(from.single.table, from.single.alias, stmt.whereClause, where, scope);
      ({ source, node, ordered } = t);
    } else if (where) {
      const w = where, inner = source, filtered = node;
      filtered.details.push(`Filter: ${deparse(stmt.whereClause)}`);
      source = (ctx, o) => {
        const rows = inner(ctx, o);
        const kept = rows.filter((row) => w.eval(row, ctx) === true);
        filteredOut(filtered, rows.length - kept.length);
        return kept;
      };
      if (isLazy(inner.stream)) {
        source.stream = lazyStream((ctx, o, emit) => inner.stream!(ctx, o, (row) => {
          if (w.eval(row, ctx) === true) emit(row);
          else filteredOut(filtered, 1);
        }));
      }
    }

    const targets = expandTargets(stmt.targetList ?? [], scope);
    if (needsGrouping(stmt, targets.map((t) => t.node), scope)) {
      const locking = lockingStrength(stmt);
      if (locking) throw new SqlError(SQLSTATE.feature_not_supported, `${locking} is not allowed with aggregate functions`);
      const table = from.single && !stmt.whereClause ? from.single.table : undefined;
      const grouped = planGrouping(stmt, targets, scope, source, node, table);
      const windowed = planWindows(stmt, targets, grouped.scope, grouped.scope.width, grouped.source, grouped.node);
      if (windowed) return this.finish(stmt, windowed.scope, windowed.source, targets, windowed.node);
      return this.finish(stmt, grouped.scope, grouped.source, targets, grouped.node);
    }
    if (stmt.havingClause) throw new SqlError(SQLSTATE.grouping_error, 'HAVING clause requires GROUP BY or aggregate functions');
    const windowed = planWindows(stmt, targets, scope, scope.width, source, node);
    if (windowed) return this.finish(stmt, windowed.scope, windowed.source, targets, windowed.node);
    return this.finish(stmt, scope, source, targets, node, ordered);
  }

  /** Select list, DISTINCT, ORDER BY, OFFSET/LIMIT over rows that `scope` describes. */
  private finish(stmt: SelectStmt, scope: Scope, input: RowSource, targets: Target[], inputNode: PlanNode, ordered?: OrderedSource): SelectPlan {
    const saved = scope.clause;
    scope.clause = 'SELECT';
    const outputs = targets.map((t) => ({ name: t.name, expr: t.compiled ?? compileExpr(t.node, scope) }));
    scope.clause = saved;
    const columns = outputs.map((o) => ({ name: o.name, type: o.expr.type, ...(o.expr.rowType ? { rowType: o.expr.rowType } : {}) }));
    // DISTINCT ON (…) keeps the first row of each group of equal keys, in ORDER BY order
    const onNodes = (stmt.distinctClause ?? []).filter((d) => Object.keys(d).length);
    const on = onNodes.map((node) => sortKey({ node, sortby_dir: 'SORTBY_DEFAULT' } as SortBy, outputs, scope));
    const distinct = stmt.distinctClause !== undefined && !on.length;
    if (distinct) refuseJsonComparison(columns.map((c) => c.type));
    refuseJsonComparison(on.map((k) => (k.output !== undefined ? outputs[k.output]!.expr.type : k.expr!.type)));
    const sortBy = (stmt.sortClause ?? []).map((s) => (s as { SortBy: SortBy }).SortBy);
    const sort = sortBy.map((by) => {
      const key = sortKey(by, outputs, scope);
      if (!distinct || key.output !== undefined) return key;
      // DISTINCT removes rows by the select list alone, so a sort key must be one of its columns
      const same = targets.findIndex((t) => sameExpr(t.node, by.node!));
      if (same < 0) {
        throw new SqlError(SQLSTATE.invalid_column_reference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: pos(exprLocation(by.node!)) });
      }
      return { output: same, desc: key.desc, nullsFirst: key.nullsFirst, compare: key.compare };
    });
    for (let i = 0; i < Math.min(sort.length, on.length); i++) {
      const k = sort[i]!, node = sortBy[i]!.node!;
      if (!on.some((o, j) => (o.output !== undefined ? o.output === k.output : sameExpr(onNodes[j]!, node)))) {
        throw new SqlError(SQLSTATE.invalid_column_reference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { position: pos(exprLocation(onNodes[0]!)) });
      }
    }
    refuseJsonComparison(sort.map((k) => (k.output !== undefined ? outputs[k.output]!.expr.type : k.expr!.type)), true);
    const limit = stmt.limitCount ? compileLimit(stmt.limitCount, 'LIMIT', scope) : undefined;
    const offset = stmt.limitOffset ? compileLimit(stmt.limitOffset, 'OFFSET', scope) : undefined;
    const skipOf = (ctx: RunContext) => (offset ? toCount(offset.eval([], ctx), 'OFFSET') : 0);
    const takeOf = (ctx: RunContext) => (limit ? toCount(limit.eval([], ctx), 'LIMIT') : Infinity);
    const n = outputs.length;
    const sortExpr = (k: SortKey): Compiled => (k.output !== undefined ? outputs[k.output]!.expr : k.expr!);

    // an index walk in the requested order: no sort, and LIMIT stops the walk
    let source = input;
    let presorted = false;
    if (sort.length && !distinct && !on.length && ordered && !sort.some((k) => k.compare)) {
      const cols = sort.map((k) => ({ column: (sortExpr(k) as Expr).slot ?? Infinity, desc: k.desc, nullsFirst: k.nullsFirst }));
      const walk = cols.every((c) => c.column !== Infinity) ? ordered(cols, (ctx) => skipOf(ctx) + takeOf(ctx)) : undefined;
      if (walk) {
        source = walk.source;
        inputNode = walk.node;
        presorted = true;
      }
    } else if (!sort.length && !distinct && !on.length && ordered && (limit || offset)) {
      // a plain LIMIT over one table's scan: the scan stops once it has the rows (an index range, or the rows while that index is built)
      const scan = ordered([], (ctx) => skipOf(ctx) + takeOf(ctx));
      if (scan) source = scan.source;
    }
    const sorting = sort.length > 0 && !presorted;
    const topNSort = sorting && limit !== undefined && !distinct && !on.length;
    let node = inputNode;
    const sortNode = sorting ? planNode('Sort', [node], [`Sort Key: ${sortBy.map(sortKeyText).join(', ')}`]) : undefined;
    if (sortNode) node = sortNode;
    const distinctNode = distinct ? planNode('HashAggregate', [node], [`Group Key: ${targets.map((t) => deparse(t.node)).join(', ')}`])
      : on.length ? planNode('Unique', [node]) : undefined;
    if (distinctNode) node = distinctNode;
    const limitNode = limit || offset ? planNode('Limit', [node]) : undefined;
    if (limitNode) node = limitNode;
    const project = (row: Value[], ctx: RunContext): Value[] => {
      const values = new Array(n);
      for (let i = 0; i < n; i++) values[i] = outputs[i]!.expr.eval(row, ctx);
      return values;
    };

    return {
      columns,
      node,
      run: (ctx, o) => {
        const skip = skipOf(ctx);
        const take = takeOf(ctx);
        let out: Value[][];
        if (topNSort && take !== Infinity) {
          // ORDER BY … LIMIT without an index: the best skip + take rows, then only those are projected
          const keys = sort.map(sortExpr);
          const each = source.stream
            ? (visit: (row: readonly Value[]) => void) => source.stream!(ctx, o, visit)
            : (visit: (row: readonly Value[]) => void) => { for (const row of source(ctx, o)) visit(row); };
          const best = topN(each, skip + take, sort, (row, into) => {
            for (let k = 0; k < keys.length; k++) into[k] = keys[k]!.eval(row, ctx);
          });
          count(sortNode, best.length);
          out = best.slice(skip).map((row) => project(row, ctx));
        } else {
          // a lazy source (a recursive CTE) under a plain LIMIT: stop it once the rows are there
          const lazy = isLazy(source.stream) && take !== Infinity && !sorting && !distinct && !on.length;
          const rows = lazy ? firstRows(source.stream!, ctx, o, skip + take) : source(ctx, o);
          out = new Array(rows.length);
          for (let r = 0; r < rows.length; r++) {
            const row = rows[r]!;
            const values = new Array(n + sort.length + on.length);
            for (let i = 0; i < n; i++) values[i] = outputs[i]!.expr.eval(row, ctx);
            for (let k = 0; k < sort.length; k++) {
              const s = sort[k]!;
              values[n + k] = s.output !== undefined ? values[s.output] : s.expr!.eval(row, ctx);
            }
            for (let k = 0; k < on.length; k++) {
              const s = on[k]!;
              values[n + sort.length + k] = s.output !== undefined ? values[s.output] : s.expr!.eval(row, ctx);
            }
            out[r] = values;
          }
          if (distinct) {
            const seen = new Set<string>();
            const rowKey = rowKeyFor(outputs.map((o) => o.expr.type));
            out = out.filter((v) => {
              const key = rowKey(v);
              if (seen.has(key)) return false;
              seen.add(key);
              return true;
            });
            count(distinctNode, out.length);
          }
          if (sorting || on.length) {
            const cmp = (a: Value[], b: Value[]): number => {
              for (let k = 0; k < sort.length; k++) {
                const s = sort[k]!;
                const c = compareForSort(a[n + k], b[n + k], s.desc, s.nullsFirst, s.compare);
                if (c !== 0) return c;
              }
              // DISTINCT ON sorts by its keys after ORDER BY's, as PostgreSQL's Unique over Sort does
              for (let j = 0, k = n + sort.length; j < on.length; j++, k++) {
                const c = compareForSort(a[k], b[k], on[j]!.desc, on[j]!.nullsFirst, on[j]!.compare);
                if (c !== 0) return c;
              }
              return 0;
            };
            // which row of a DISTINCT ON group is kept shows PostgreSQL's order of peers; plain
            // ORDER BY keeps the engine's stable sort (ties there are unspecified, and cheaper)
            if (on.length) pgQsort(out, cmp);
            else out.sort(cmp);
            count(sortNode, out.length);
          }
          if (on.length) {
            const seen = new Set<string>();
            const at = n + sort.length;
            const rowKey = rowKeyFor(on.map((s) => (s.output !== undefined ? outputs[s.output]!.expr.type : s.expr!.type)));
            out = out.filter((v) => {
              const key = rowKey(v.slice(at));
              if (seen.has(key)) return false;
              seen.add(key);
              return true;
            });
            count(distinctNode, out.length);
          }
          if (skip || take !== Infinity) out = out.slice(skip, skip + take);
          if (sort.length || on.length) for (const v of out) v.length = n;
        }
        count(limitNode, out.length);
        return out;
      },
    };
  }

  private values(stmt: SelectStmt, outer?: RowScope): SelectPlan {
    const scope = new RowScope([], 0, this, outer);
    scope.clause = 'VALUES';
    const lists = stmt.valuesLists!.map((l) => ((l as { List: { items: Node[] } }).List.items ?? []).map((e) => compileExpr(e, scope)));
    const width = lists[0]?.length ?? 0;
    if (lists.some((l) => l.length !== width)) throw new SqlError(SQLSTATE.syntax_error, 'VALUES lists must all be the same length');
    // each column takes the rows' common type (select_common_type), as in PostgreSQL
    const columns = (lists[0] ?? []).map((_c, i) => ({ name: `column${i + 1}`, type: commonType(lists.map((l) => l[i]!.type), 'VALUES') }));
    const evals = lists.map((l) => l.map((c, i) => {
      const to = columns[i]!.type, e = c.eval;
      if (c.type === to) return e;
      const cast = castFunction(c.type, to, -1, false);
      return (row: readonly Value[], ctx: EvalContext) => cast(e(row, ctx));
    }));
    return { columns, node: planNode('Values Scan on "*VALUES*"'), run: (ctx, o) => evals.map((l) => l.map((e) => e(o ?? [], ctx))) };
  }

  private setOperation(stmt: SelectStmt, outer?: RowScope): SelectPlan {
    const left = this.plan(stmt.larg!, outer);
    const right = this.plan(stmt.rarg!, outer);
    const op = stmt.op!.replace('SETOP_', '');
    if (left.columns.length !== right.columns.length) {
      throw new SqlError(SQLSTATE.syntax_error, `each ${op} query must have the same number of columns`);
    }
    if (stmt.sortClause?.length || stmt.limitCount || stmt.limitOffset) {
      // ORDER BY/LIMIT apply to the whole result: sort and cut the set operation's rows
      const inner = this.setOperation({ ...stmt, sortClause: undefined, limitCount: undefined, limitOffset: undefined }, outer);
      const { scope, targets } = setOperationResult(inner.columns, stmt, this);
      return this.finish({ ...stmt, distinctClause: undefined }, scope, counted(inner.node, (ctx, o) => inner.run(ctx, o)), targets, inner.node);
    }
    const columns = left.columns.map((c, i) => ({ name: c.name, type: commonType([c.type, right.columns[i]!.type], op) }));
    const key: (r: Value[]) => string = rowKeyFor(columns.map((c) => c.type));
    if (!(stmt.op === 'SETOP_UNION' && stmt.all)) refuseJsonComparison(columns.map((c) => c.type));
    const toLeft = convertRows(left.columns, columns), toRight = convertRows(right.columns, columns);
    const label = stmt.op === 'SETOP_UNION' ? (stmt.all ? 'Append' : 'HashAggregate') : `HashSetOp ${stmt.op === 'SETOP_INTERSECT' ? 'Intersect' : 'Except'}`;
    return {
      columns,
      node: planNode(label, [left.node, right.node]),
      run: (ctx, o) => {
        const a = toLeft(left.run(ctx, o));
        const b = toRight(right.run(ctx, o));
        if (stmt.op === 'SETOP_UNION') return stmt.all ? [...a, ...b] : dedupe([...a, ...b], key);
        if (stmt.all) return multisetOp(a, b, key, stmt.op === 'SETOP_INTERSECT');
        const inB = new Set(b.map(key));
        if (stmt.op === 'SETOP_INTERSECT') return dedupe(a.filter((r) => inB.has(key(r))), key);
        return dedupe(a.filter((r) => !inB.has(key(r))), key);
      },
    };
  }
}

/** Rows of a branch brought to the set operation's column types. */
function convertRows(from: readonly { type: SqlType }[], to: readonly { type: SqlType }[]): (rows: Value[][]) => Value[][] {
  const casts = from.map((c, i) => (c.type === to[i]!.type ? undefined : castFunction(c.type, to[i]!.type, -1, false)));
  if (casts.every((c) => !c)) return (rows) => rows;
  return (rows) => rows.map((r) => r.map((v, i) => (casts[i] ? casts[i]!(v) : v)));
}

/** INTERSECT ALL keeps a row min(m, n) times, EXCEPT ALL max(m - n, 0) times (m, n: its counts on each side). */
function multisetOp(a: Value[][], b: Value[][], key: (r: Value[]) => string, intersect: boolean): Value[][] {
  const counts = new Map<string, number>();
  for (const r of b) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return a.filter((r) => {
    const k = key(r), n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    return intersect ? n > 0 : n === 0;
  });
}

function dedupe(rows: Value[][], key: (r: Value[]) => string): Value[][] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = key(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** LIMIT/OFFSET: evaluated once, so a column of the query is PostgreSQL's 42P10. */
function compileLimit(node: Node, what: 'LIMIT' | 'OFFSET', scope: Scope): Compiled {
  const column = JSON.stringify(node, (k, v) => (k === 'SubLink' ? undefined : v)).includes('"ColumnRef"');
  if (column) throw new SqlError(SQLSTATE.invalid_column_reference, `argument of ${what} must not contain variables`, { position: pos(exprLocation(node)) });
  const saved = scope.clause;
  scope.clause = what;
  try {
    const c = compileExpr(node, scope);
    if (c.type !== 'unknown') return c;
    // a quoted literal is read as PostgreSQL's bigint argument: LIMIT 'x' is 22P02
    const toInt8 = castFunction('unknown', 'int8', -1, false);
    return { type: 'int8', eval: (row, ctx) => toInt8(c.eval(row, ctx)) };
  } finally {
    scope.clause = saved;
  }
}

function toCount(v: Value, what: 'LIMIT' | 'OFFSET'): number {
  if (v === null || v === undefined) return what === 'LIMIT' ? Infinity : 0;
  // LIMIT takes bigint: a numeric rounds to it (LIMIT 2.5 is 3), a bigint past 2^53 is as good as infinity
  const n = v instanceof Numeric ? v.round().toFloat() : Number(v);
  // PostgreSQL's invalid_row_count_in_limit_clause / invalid_row_count_in_result_offset_clause
  if (!Number.isFinite(n) || n < 0) throw new SqlError(what === 'LIMIT' ? '2201W' : '2201X', `${what} must not be negative`);
  return Math.floor(n);
}

function exprLocation(node: Node): number | undefined {
  return (Object.values(node)[0] as { location?: number } | undefined)?.location;
}

export interface Target {
  name: string;
  node: Node;
  compiled?: Compiled;
}

/** The select list with `*` and `t.*` expanded into column references. */
export function expandTargets(list: readonly Node[], scope: RowScope): Target[] {
  const out: Target[] = [];
  for (const item of list) {
    const rt = (item as { ResTarget: ResTarget }).ResTarget;
    const val = rt.val!;
    if ('ColumnRef' in val && val.ColumnRef.fields?.some((f) => 'A_Star' in f)) {
      const qualifier = strings(val.ColumnRef.fields!.filter((f) => 'String' in f));
      const entries = qualifier.length ? scope.entries.filter((e) => e.alias === qualifier[qualifier.length - 1]) : scope.entries;
      if (qualifier.length && !entries.length) {
        throw new SqlError(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${qualifier[qualifier.length - 1]}"`, { position: pos(val.ColumnRef.location) });
      }
      if (!qualifier.length && !scope.entries.length) throw new SqlError(SQLSTATE.syntax_error, 'SELECT * with no tables specified is not valid');
      for (const e of entries) {
        e.columns.forEach((c, i) => {
          if (!qualifier.length && e.hidden?.has(c.name)) return;
          const slot = { index: e.offset + i, type: c.type };
          out.push({
            name: c.name,
            node: { ColumnRef: { fields: [{ String: { sval: e.alias } }, { String: { sval: c.name } }] } },
            compiled: column(slot.index, slot.type),
          });
        });
      }
      continue;
    }
    const fields = expandFieldStar(val, scope, compileExpr);
    if (fields) out.push(...fields);
    else out.push({ name: rt.name ?? outputName(val), node: val });
  }
  return out;
}

interface SortKey {
  output?: number;
  expr?: Compiled;
  desc: boolean;
  nullsFirst: boolean;
  /** Types whose order the type-less value order does not give (arrays: element-wise, not jsonb's length-first). */
  compare?: Comparator;
}

function sortKey(s: SortBy, outputs: { name: string; expr: Compiled }[], scope: Scope): SortKey {
  const key = sortTarget(s, outputs, scope);
  const type = key.output !== undefined ? outputs[key.output]!.expr.type : key.expr!.type;
  const desc = s.sortby_dir === 'SORTBY_USING' ? usingDescending(s, type) : s.sortby_dir === 'SORTBY_DESC';
  const nullsFirst = s.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : s.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
  return { ...key, desc, nullsFirst, compare: isArrayType(type) || isEnumType(type) || type === 'jsonb' || isRowType(type) || type === 'bpchar' || type === 'char' ? comparatorFor(type) : undefined };
}

function sortTarget(s: SortBy, outputs: { name: string; expr: Compiled }[], scope: Scope): { output?: number; expr?: Compiled } {
  const node = s.node!;
  if ('A_Const' in node && node.A_Const.ival !== undefined) {
    const n = node.A_Const.ival.ival ?? 0;
    if (n < 1 || n > outputs.length) throw new SqlError(SQLSTATE.invalid_column_reference, `ORDER BY position ${n} is not in select list`, { position: pos(node.A_Const.location) });
    return { output: n - 1 };
  }
  if ('ColumnRef' in node && node.ColumnRef.fields?.length === 1) {
    const name = strings(node.ColumnRef.fields)[0];
    const i = outputs.findIndex((o) => o.name === name);
    if (i >= 0) return { output: i };
  }
  const saved = scope.clause;
  scope.clause = 'ORDER BY';
  const expr = compileExpr(node, scope);
  scope.clause = saved;
  return { expr };
}

