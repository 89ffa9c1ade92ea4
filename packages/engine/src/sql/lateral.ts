/**
 * LATERAL sub-selects in FROM (`FROM a, LATERAL (SELECT … WHERE x = a.id LIMIT n) s`, `[LEFT]
 * JOIN LATERAL (…) s ON …`). The sub-select is planned once as a correlated sub-query whose outer
 * row is the FROM items before it (then the enclosing query's row), so its WHERE on `a.id` is an
 * index bound like any correlated one; it then runs once per row of those items — a nested loop,
 * never a product of materialised sides. Also owns which earlier FROM items a sub-select may not
 * see, with PostgreSQL's errors (42P01 with its hint, 42P10 for RIGHT/FULL joins).
 */
import type { Node, RangeSubselect, SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { RunContext } from './env.ts';
import { pos, RowScope, type Built as FromItem, type RangeEntry, type SubqueryPlanner } from './from.ts';
import { compileExpr, isAggregateCall } from './expr.ts';
import { conjuncts } from './plan/access.ts';
import { planNode } from './plan/explain.ts';
import type { Slot } from './scope.ts';
import type { SqlType, Value } from './types.ts';

type PlanRows = (stmt: SelectStmt, outer?: RowScope) => { columns: { name: string; type: SqlType }[]; run: (ctx: RunContext, outer: readonly Value[] | undefined) => Value[][]; node: ReturnType<typeof planNode> };

type Mode = 'lateral' | 'forbidden' | 'invisible';

/**
 * The scope a FROM sub-select is planned in: the FROM items before it, visible (LATERAL), visible
 * but refused (LATERAL on the right of a RIGHT or FULL join) or invisible (no LATERAL), over the
 * enclosing query's scope. from.ts imports this file, so RowScope does not exist yet when it is
 * evaluated: the class is made on first use.
 */
function fromItemScope(entries: RangeEntry[], width: number, planner: SubqueryPlanner, outer: RowScope | undefined, mode: Mode, earlier: readonly RangeEntry[]) {
  scopeClass ??= defineScope();
  return new scopeClass(entries, width, planner, outer, mode, earlier);
}

let scopeClass: ReturnType<typeof defineScope> | undefined;

const defineScope = () => class FromItemScope extends RowScope {
  /** A name resolved to one of the earlier items: the sub-select must run per row of them. */
  used = false;
  /** How much of the earlier items' row those names reach (the highest slot read, plus one). */
  reads = 0;

  constructor(
    entries: RangeEntry[],
    width: number,
    planner: SubqueryPlanner,
    outer: RowScope | undefined,
    private readonly mode: Mode,
    private readonly earlier: readonly RangeEntry[],
  ) {
    super(entries, width, planner, outer);
  }

  override column(fields: readonly string[], location?: number): Slot {
    let slot: Slot;
    try {
      slot = super.column(fields, location);
    } catch (e) {
      throw this.explain(e, fields, location);
    }
    if (slot.index < this.width) {
      if (this.mode === 'forbidden') {
        throw new SqlError(SQLSTATE.invalid_column_reference, `invalid reference to FROM-clause entry for table "${this.tableOf(fields, this.entries)}"`, {
          position: pos(location),
          detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
        });
      }
      this.used = true;
      this.reads = Math.max(this.reads, slot.index + 1);
    }
    return slot;
  }

  override wholeRow(alias: string, location?: number) {
    const whole = super.wholeRow(alias, location);
    if (whole && whole.slots.some((s) => s.index < this.width)) {
      if (this.mode === 'forbidden') {
        throw new SqlError(SQLSTATE.invalid_column_reference, `invalid reference to FROM-clause entry for table "${alias}"`, {
          position: pos(location), detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
        });
      }
      this.used = true;
      for (const s of whole.slots) if (s.index < this.width) this.reads = Math.max(this.reads, s.index + 1);
    }
    return whole;
  }

  override precomputed(node: Node): Slot | undefined {
    // an aggregate of the earlier items' columns would belong to the query whose FROM this is
    if ('FuncCall' in node && this.width > 0 && isAggregateCall(node) && aggregatesOnly(node, (f) => this.isLocal(f))) {
      throw new SqlError(SQLSTATE.grouping_error, 'aggregate functions are not allowed in FROM clause of their own query level', { position: pos(node.FuncCall.location) });
    }
    return super.precomputed(node);
  }

  private isLocal(fields: readonly string[]): boolean {
    return this.width > 0 && !this.isOuter(fields) && fields.length > 0;
  }

  /** A name of an earlier FROM item this sub-select may not see: PostgreSQL's error with its hint. */
  private explain(e: unknown, fields: readonly string[], location?: number): unknown {
    if (!(e instanceof SqlError) || (e.code !== SQLSTATE.undefined_table && e.code !== SQLSTATE.undefined_column)) return e;
    const table = fields.length >= 2 ? fields[fields.length - 2]! : undefined;
    const entry = table !== undefined ? this.earlier.find((x) => x.alias === table) : this.earlier.find((x) => x.columns.some((c) => c.name === fields[0]));
    if (!entry) return e;
    if (this.mode === 'lateral') return new SqlError(SQLSTATE.feature_not_supported, `a LATERAL sub-select inside a JOIN that refers to FROM items before the JOIN ("${entry.alias}") is not supported`);
    if (table === undefined) {
      return new SqlError(SQLSTATE.undefined_column, `column "${fields[0]}" does not exist`, {
        position: pos(location), hint: `There is a column named "${fields[0]}" in table "${entry.alias}", but it cannot be referenced from this part of the query.`,
      });
    }
    return new SqlError(SQLSTATE.undefined_table, `invalid reference to FROM-clause entry for table "${table}"`, {
      position: pos(location), hint: `There is an entry for table "${table}", but it cannot be referenced from this part of the query.`,
    });
  }

  private tableOf(fields: readonly string[], entries: readonly RangeEntry[]): string {
    if (fields.length >= 2) return fields[fields.length - 2]!;
    return entries.find((x) => x.columns.some((c) => c.name === fields[0]))?.alias ?? fields[0]!;
  }
};

/** Whether an aggregate call's arguments read columns, each of them `local`. */
function aggregatesOnly(node: { FuncCall: { args?: Node[] } }, local: (fields: string[]) => boolean): boolean {
  const refs: string[][] = [];
  JSON.stringify(node.FuncCall.args ?? [], (k, v) => {
    if (k === 'SubLink') return undefined;
    if (k === 'ColumnRef') refs.push(((v as { fields?: Node[] }).fields ?? []).map((x) => ('String' in x ? x.String.sval ?? '' : '*')));
    return v;
  });
  return refs.length > 0 && refs.every(local);
}

/** The earlier items laid out as the joined row holds them. */
function laidOut(items: readonly FromItem[]): { entries: RangeEntry[]; width: number } {
  const entries: RangeEntry[] = [];
  let width = 0;
  for (const b of items) {
    for (const e of b.entries) entries.push({ ...e, offset: e.offset + width });
    width += b.width;
  }
  return { entries, width };
}

function subselectOf(rs: RangeSubselect): SelectStmt {
  return (rs.subquery as { SelectStmt: SelectStmt }).SelectStmt;
}

function aliasOf(rs: RangeSubselect): string {
  // PostgreSQL 16 and later name an alias-less subquery themselves
  return rs.alias?.aliasname ?? 'unnamed_subquery';
}

export interface PlannedSubselect {
  /** Its rows for `outer` (without `lateral`) or for the row of the items before it followed by the enclosing query's row. */
  columns: { name: string; type: SqlType }[];
  run: (ctx: RunContext, row: readonly Value[] | undefined) => Value[][];
  node: ReturnType<typeof planNode>;
  /** Set when it reads the items before it: the width of their row it must be run with. */
  lateral?: number;
  /** With `lateral`: the prefix of that row it reads, so the items after that prefix may join after it. */
  reads?: number;
}

/**
 * Plan a FROM sub-select that follows `earlier` (the FROM items before it at the same level).
 * `joinKind` is the kind of the JOIN whose right side it is, if any.
 */
export function planSubselect(
  rs: RangeSubselect, earlier: readonly FromItem[], planner: SubqueryPlanner, outer: RowScope | undefined, planRows: PlanRows,
  joinKind?: string, hidden: readonly FromItem[] = [],
): PlannedSubselect {
  const stmt = subselectOf(rs);
  const before = laidOut(earlier);
  const others = laidOut(hidden).entries;
  if (rs.lateral && before.width > 0) {
    const mode = joinKind === 'JOIN_RIGHT' || joinKind === 'JOIN_FULL' ? 'forbidden' : 'lateral';
    const scope = fromItemScope(before.entries, before.width, planner, outer, mode, others);
    const sub = planRows(stmt, scope);
    if (scope.used) return { ...sub, lateral: before.width, reads: scope.reads };
  }
  // no LATERAL (or it reads nothing before it): planned on its own, the enclosing query still in reach
  const scope = fromItemScope([], 0, planner, outer, 'invisible', [...others, ...before.entries]);
  return planRows(stmt, scope);
}

/** The FROM item of a planned sub-select (its rows: see PlannedSubselect.run). */
export function subselectItem(rs: RangeSubselect, sub: PlannedSubselect, colnames: (alias: string, columns: PlannedSubselect['columns'], names: Node[] | undefined) => { name: string; type: SqlType }[]): FromItem {
  const alias = aliasOf(rs);
  // a sub-select's untyped literal columns are text outside it (PostgreSQL 10 and later)
  const resolved = sub.columns.map((c) => (c.type === 'unknown' ? { ...c, type: 'text' as const } : c));
  const columns = colnames(alias, resolved, rs.alias?.colnames);
  return {
    entries: [{ alias, columns, offset: 0 }], width: columns.length, tables: new Map(),
    source: (ctx, o) => sub.run(ctx, o), node: planNode(`Subquery Scan on ${alias}`, [sub.node]),
  };
}

/**
 * The AND-ed parts of WHERE that read only `left`'s columns (no sub-selects, nothing of an
 * enclosing query), as one test over a left row; undefined when there are none.
 */
export function leftOnlyFilter(where: Node, left: RowScope): ((row: readonly Value[], ctx: RunContext) => boolean) | undefined {
  const tests: ((row: readonly Value[], ctx: RunContext) => Value)[] = [];
  for (const part of conjuncts(where)) {
    if (JSON.stringify(part).includes('"SubLink"')) continue;
    try {
      tests.push(compileExpr(part, left).eval);
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
    }
  }
  if (!tests.length) return undefined;
  return (row, ctx) => tests.every((t) => t(row, ctx) === true);
}

/** Entries of an outer join marked `nullable` on the side(s) it may fill with NULLs. */
export function outerJoinSides(entries: RangeEntry[], kind: string, leftWidth: number): RangeEntry[] {
  const right = kind === 'JOIN_LEFT' || kind === 'JOIN_FULL', left = kind === 'JOIN_RIGHT' || kind === 'JOIN_FULL';
  return entries.map((e) => ((e.offset >= leftWidth ? right : left) ? { ...e, nullable: true } : e));
}

/** LEFT or INNER JOIN of `left` with a LATERAL sub-select: per left row, the sub-select's rows that pass `cond` (USING: `merge` adds the merged columns). */
export function lateralJoin(
  left: FromItem, right: FromItem, keepLeft: boolean,
  cond: ((row: readonly Value[], ctx: RunContext) => boolean) | undefined, merge: (row: Value[]) => Value[], shape: FromItem,
): FromItem['source'] {
  const nulls: Value[] = new Array(right.width).fill(null);
  return (ctx, o) => {
    const out: Value[][] = [];
    for (const l of left.source(ctx, o)) {
      let matched = false;
      for (const r of right.source(ctx, o ? [...l, ...o] : l)) {
        const row = [...l, ...r];
        if (!cond || cond(o ? [...row, ...o] : row, ctx)) {
          out.push(merge(row));
          matched = true;
        }
      }
      if (!matched && keepLeft) out.push(merge([...l, ...nulls]));
    }
    shape.node.loops++;
    shape.node.rows += out.length;
    return out;
  };
}
