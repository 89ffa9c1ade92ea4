/**
 * The FROM clause: range entries (tables, system views, sub-selects, joins) flattened into one
 * row of values, and the Scope that resolves column names against them. Rows of a correlated
 * sub-select carry the outer row appended after their own columns, so an outer reference is just
 * a slot further right.
 */
import type { JoinExpr, Node, RangeSubselect, RangeVar, SelectStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState, TableData } from '../state/state.ts';
import type { NodeHooks, RunContext } from './env.ts';
import { compileExpr } from './expr.ts';
import type { Compiled, EvalContext, RowTypeRef, Scope, Slot, WholeRow } from './scope.ts';
import type { SqlType, Value } from './types.ts';
import { rowTypeOf } from './rowtype/row-type.ts';
import { deparse, deparseAll, planNode, type PlanNode } from './plan/explain.ts';
import { hashKey, planJoin, type JoinLeaf, type JoinQual } from './plan/join.ts';
import { buildHash, hashKeysOf } from './plan/left-join.ts';
import { isLazy, lazyStream } from './plan/stop-scan.ts';
import { count, counted } from './plan/explain-count.ts';
import { strings } from './names.ts';
import type { Cte } from './with.ts';
import { checkFullJoinCondition } from './full-join.ts';
import { planUsingJoin } from './join-using.ts';
import { aliasJoin } from './join-alias.ts';
import { planFunctionItem } from './functions/srf.ts';
import { lateralFunction, lateralFunctionItem } from './functions/lateral.ts';
import { ownName, splitKey } from './schema/keys.ts';
import { treeScan } from './inherit/scan.ts';
import { SYSTEM_COLUMNS } from './ddl-checks.ts';
import { constantTableOid, treeTableOid } from './tableoid.ts';
import { lateralJoin, leftOnlyFilter, outerJoinSides, planSubselect, subselectItem } from './lateral.ts';

const NO_ROWS: readonly Value[][] = [];

export interface RangeEntry {
  alias: string;
  /** The table's own name when an alias hides it: `t.x` after `FROM t AS u` is then a clearer error. */
  relname?: string;
  columns: { name: string; type: SqlType }[];
  offset: number;
  /** Names of the tables inside an aliased join (sql/join-alias.ts): they may not be named any more. */
  shadows?: readonly string[];
  /** Columns merged away by JOIN … USING: only a qualified name (t.col, t.*) reaches them. */
  hidden?: ReadonlySet<string>;
  /** On the side of an outer join that may be filled with NULLs (sql/row-expr.ts). */
  nullable?: boolean;
  /** A NOT NULL column of its table: NULL there means a row an outer join filled with NULLs. */
  notNull?: number;
  /** The table's row type (catalog TableDef.rowType), which a whole-row reference reports. */
  rowType?: RowTypeRef;
  /** An inheritance tree's scan: the position (from offset) of the hidden value holding each row's own table oid (sql/tableoid.ts). */
  tableOidAt?: number;
  /** FROM ONLY: every row is the table's own, so its tableoid is the table's oid even when it has children. */
  ownRows?: true;
}

/** Plans sub-selects for a scope; implemented by the SELECT planner. */
export interface SubqueryPlanner {
  /** `rowType`: the first column's table row type, which a scalar sub-select `(select t)` reports. */
  planSubquery(stmt: SelectStmt, outer: RowScope): { columns: SqlType[]; rowType?: RowTypeRef; run: (outer: readonly Value[], ctx: EvalContext) => Value[][] };
  functions(name: string, args: Compiled[], location?: number): Compiled | undefined;
  /** A WITH query visible here by that name. */
  cte?(name: string): Cte | undefined;
  /** A view's query (a SelectStmt node), planned with nothing of the current statement in scope. */
  planView?(query: Node): { columns: { name: string; type: SqlType }[]; node: PlanNode; run(ctx: RunContext, outer: readonly Value[] | undefined): Value[][] };
}

export class RowScope implements Scope {
  /** Set when a name resolved in the outer scope: rows must then carry the outer row. */
  correlated = false;
  clause?: string;
  paramType?: (n: number) => SqlType | undefined;

  constructor(
    readonly entries: RangeEntry[],
    readonly width: number,
    readonly planner: SubqueryPlanner,
    readonly outer?: RowScope,
  ) {}

  column(fields: readonly string[], location?: number): Slot {
    const slot = this.resolveLocal(fields, location);
    if (slot) return slot;
    if (this.outer) {
      const outerSlot = this.outer.column(fields, location);
      this.correlated = true;
      return { index: this.width + outerSlot.index, type: outerSlot.type };
    }
    throw this.notFound(fields, location);
  }

  /** `tableoid` of a plain table here or in an enclosing query: a constant (sql/tableoid.ts). */
  tableOid(fields: readonly string[]): number | undefined {
    return constantTableOid(this.entries, fields) ?? this.outer?.tableOid(fields);
  }

  /** An aggregate of an outer query's columns that the outer query computed (sql/outer-aggregates.ts), read from the outer row. */
  precomputed(node: Node): Slot | undefined {
    if (!this.outer || !('FuncCall' in node)) return undefined;
    const s = this.outer.precomputed(node);
    if (!s) return undefined;
    this.correlated = true;
    return { index: this.width + s.index, type: s.type };
  }

  wholeRow(alias: string, location?: number): WholeRow | undefined {
    const entry = this.entries.find((e) => e.alias === alias);
    if (entry) {
      const slots = entry.columns.map((c, i) => ({ index: entry.offset + i, type: c.type }));
      const marker = entry.notNull === undefined ? undefined : entry.offset + entry.notNull;
      return { slots, names: entry.columns.map((c) => c.name), nullable: entry.nullable, marker, rowType: entry.rowType };
    }
    const outer = this.outer?.wholeRow(alias, location);
    if (!outer) return undefined;
    this.correlated = true;
    return { ...outer, slots: outer.slots.map((s) => ({ index: this.width + s.index, type: s.type })), marker: outer.marker === undefined ? undefined : this.width + outer.marker };
  }

  isOuter(fields: readonly string[]): boolean {
    // a single name that is one of this query's FROM items is its whole row
    const wholeRow = fields.length === 1 && this.entries.some((e) => e.alias === fields[0]);
    return !this.resolveLocal(fields) && !wholeRow && !!this.outer;
  }

  private resolveLocal(fields: readonly string[], location?: number): Slot | undefined {
    const tableOid = treeTableOid(this.entries, fields);
    if (tableOid) return tableOid;
    if (fields.length >= 2) {
      const [alias, name] = fields.slice(-2) as [string, string];
      const entry = this.entries.find((e) => e.alias === alias);
      if (!entry) return undefined;
      // schema.table.column names an unaliased relation of that schema
      if (fields.length > 2 && entry.relname && !this.ofSchema(entry, fields[fields.length - 3]!)) return undefined;
      // only ON CONFLICT's target can share a name (excluded) with another entry
      if (this.entries.some((e) => e !== entry && e.alias === alias)) throw new SqlError('42P09', `table reference "${alias}" is ambiguous`, { position: pos(location) });
      const i = entry.columns.findIndex((c) => c.name === name);
      if (i < 0 && SYSTEM_COLUMNS.has(name) && entry.relname) throw new SqlError(SQLSTATE.feature_not_supported, `system column ${name} is not supported`, { position: pos(location) });
      if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `column ${alias}.${name} does not exist`, { position: pos(location) });
      // an aliased join or a sub-select may have two columns of one name
      if (entry.columns.some((c, j) => j > i && c.name === name)) throw new SqlError(SQLSTATE.ambiguous_column, `column reference "${name}" is ambiguous`, { position: pos(location) });
      return { index: entry.offset + i, type: entry.columns[i]!.type };
    }
    const name = fields[0]!;
    let found: Slot | undefined;
    for (const e of this.entries) {
      const i = e.columns.findIndex((c) => c.name === name);
      if (i < 0 || e.hidden?.has(name)) continue;
      if (found || e.columns.some((c, j) => j > i && c.name === name)) throw new SqlError(SQLSTATE.ambiguous_column, `column reference "${name}" is ambiguous`, { position: pos(location) });
      found = { index: e.offset + i, type: e.columns[i]!.type };
    }
    return found;
  }

  /** Whether `entry` is an unaliased relation of `schema` (so `schema.table.column` may name it). */
  private ofSchema(entry: RangeEntry, schema: string): boolean {
    return !!entry.relname && entry.alias === ownName(entry.relname) && splitKey(entry.relname).schema === schema;
  }

  private notFound(fields: readonly string[], location?: number): SqlError {
    const last = fields[fields.length - 1]!;
    if (fields.length === 1 && SYSTEM_COLUMNS.has(last) && this.entries.some((e) => e.relname)) {
      return new SqlError(SQLSTATE.feature_not_supported, `system column ${last} is not supported`, { position: pos(location) });
    }
    if (fields.length >= 2) {
      const table = fields[fields.length - 2]!;
      if (fields.length > 2 && this.entries.some((e) => e.alias === table)) {
        return new SqlError(SQLSTATE.undefined_table, `invalid reference to FROM-clause entry for table "${table}"`, { position: pos(location) });
      }
      if (this.entries.some((e) => e.shadows?.includes(table))) {
        return new SqlError(SQLSTATE.undefined_table, `invalid reference to FROM-clause entry for table "${table}"`, {
          position: pos(location),
          hint: `There is an entry for table "${table}", but it cannot be referenced from this part of the query.`,
        });
      }
      const hidden = this.entries.find((e) => e.relname === table && e.alias !== table);
      if (hidden) {
        return new SqlError(SQLSTATE.undefined_table, `invalid reference to FROM-clause entry for table "${table}"`, {
          position: pos(location),
          hint: `Perhaps you meant to reference the table alias "${hidden.alias}".`,
        });
      }
      return new SqlError(SQLSTATE.undefined_table, `missing FROM-clause entry for table "${table}"`, { position: pos(location) });
    }
    return new SqlError(SQLSTATE.undefined_column, `column "${fields[0]}" does not exist`, { position: pos(location) });
  }

  subquery(stmt: SelectStmt) {
    return this.planner.planSubquery(stmt, this);
  }

  callFunction(name: string, args: Compiled[], location?: number): Compiled | undefined {
    return this.planner.functions(name, args, location);
  }
}

/** `pg_control_system()` and other argument-less system functions in FROM: their one-row system view. */
function systemFunctionView(node: Node): RangeVar | undefined {
  if (!('RangeFunction' in node)) return undefined;
  const items = node.RangeFunction.functions?.[0];
  const call = items && 'List' in items ? items.List.items?.[0] : undefined;
  if (!call || !('FuncCall' in call) || call.FuncCall.args?.length) return undefined;
  const names = (call.FuncCall.funcname ?? []).map((n) => ('String' in n ? n.String.sval : ''));
  const name = names[names.length - 1];
  if (!name || !['pg_control_system'].includes(name)) return undefined;
  return { relname: name, alias: node.RangeFunction.alias ?? { aliasname: name } };
}

/** A FROM item's columns under its alias's column list (`t1 (a, b)` renames the first two). */
function aliasColumns(alias: string, columns: readonly { name: string; type: SqlType }[], colnames: readonly Node[] | undefined): { name: string; type: SqlType }[] {
  const names = strings(colnames);
  if (names.length > columns.length) {
    throw new SqlError(SQLSTATE.invalid_column_reference, `table "${alias}" has ${columns.length} columns available but ${names.length} columns specified`);
  }
  return columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type }));
}

export function pos(location: number | undefined): number | undefined {
  return location !== undefined && location >= 0 ? location + 1 : undefined;
}

/** Produces the FROM clause's rows (each `width` wide, with the outer row appended when correlated). */
export interface RowSource {
  (ctx: RunContext, outer: readonly Value[] | undefined): Value[][];
  /**
   * The same rows handed one at a time, without collecting them (an aggregate over a join or a
   * scan allocates nothing per row). `emit` gets a row it may read only during the call.
   */
  stream?: RowStream;
}

export type RowStream = (ctx: RunContext, outer: readonly Value[] | undefined, emit: (row: readonly Value[]) => void) => void;

export interface FromPlan {
  scope: RowScope;
  source: RowSource;
  /** Base-table entries by alias, for index selection. */
  tables: Map<string, { oid: number; offset: number }>;
  node: PlanNode;
  /** The WHERE clause was applied inside the joins: the caller must not filter again. */
  whereApplied: boolean;
  /** A FROM clause of one base table: the SELECT planner scans it itself (indexes, order, count). */
  single?: { table: TableData; alias: string };
}

export interface Built {
  entries: RangeEntry[];
  width: number;
  source: RowSource;
  tables: Map<string, { oid: number; offset: number }>;
  node: PlanNode;
}

/** One input of the flattened inner joins: a base table, or any other item built on its own. */
interface Leaf {
  built: Built;
  table?: { oid: number; data: TableData };
  /** A LATERAL sub-select: the width of the row of the items before it, which it runs with (sql/lateral.ts). */
  lateral?: number;
  /** …and the prefix of that row it reads. */
  reads?: number;
}

export function planFrom(
  from: readonly Node[] | undefined,
  state: DbState,
  hooks: NodeHooks,
  planner: SubqueryPlanner,
  outer: RowScope | undefined,
  planSelectRows: (stmt: SelectStmt, outer?: RowScope) => { columns: { name: string; type: SqlType }[]; run: RowSource; node: PlanNode },
  where?: Node,
): FromPlan {
  // the scope is refilled as items are built: a join condition sees exactly the join's own entries
  const scope = new RowScope([], 0, planner, outer);
  // comma lists and INNER JOINs flatten into leaves and their ON conditions; other items are leaves
  const leaves: Leaf[] = [];
  // the FROM item being built at the top level (a JOIN there may take WHERE conditions on its left side)
  let topItem: Node = {} as Node;
  const quals: Array<{ node: Node; from: number; to: number }> = [];
  for (const item of from ?? []) flatten(item);

  let width = 0;
  const entries: RangeEntry[] = [];
  const tables = new Map<string, { oid: number; offset: number }>();
  const offsets = leaves.map((l) => {
    const base = width;
    for (const e of l.built.entries) entries.push({ ...e, offset: e.offset + base });
    for (const [k, v] of l.built.tables) tables.set(k, { oid: v.oid, offset: v.offset + base });
    width += l.built.width;
    return base;
  });
  setScope(entries, width);
  const aliases = new Set<string>();
  for (const e of entries) {
    if (!e.alias) continue; // the merged columns of JOIN … USING have no name of their own
    if (aliases.has(e.alias)) {
      // PostgreSQL takes two unaliased tables of one name from two schemas, then refuses `t.x` as ambiguous
      const other = entries.find((o) => o !== e && o.alias === e.alias);
      if (e.relname && other?.relname && other.relname !== e.relname && e.alias === ownName(e.relname) && other.alias === ownName(other.relname)) throw new SqlError(SQLSTATE.feature_not_supported, `tables named "${e.alias}" from two schemas in one FROM clause are not supported (give them aliases)`);
      throw new SqlError('42712', `table name "${e.alias}" specified more than once`);
    }
    aliases.add(e.alias);
  }

  // a sub-select without FROM reading its outer query: its one row is the outer row
  if (leaves.length === 0) {
    const node = planNode('Result');
    return { scope, source: counted(node, (_ctx, o) => [o && scope.correlated ? [...o] : []]), tables, node, whereApplied: false };
  }
  if (leaves.length === 1 && !quals.length) {
    const only = leaves[0]!;
    const inner = only.built.source;
    // own columns first, then the outer row when a name resolved outside (correlated sub-select)
    const source: RowSource = (ctx, o) => {
      const rows = inner(ctx, o);
      return o && scope.correlated ? rows.map((r) => [...r, ...o]) : rows;
    };
    if (isLazy(inner.stream)) source.stream = lazyStream((ctx, o, emit) => inner.stream!(ctx, o, (r) => emit(o && scope.correlated ? [...r, ...o] : r)));
    const single = only.table ? { table: only.table.data, alias: only.built.entries[0]!.alias } : undefined;
    return { scope, source, tables, node: only.built.node, whereApplied: false, single };
  }

  const joinQuals: JoinQual[] = quals.map((q) => {
    const own = entries.filter((_, i) => i >= entryIndex(q.from) && i < entryIndex(q.to));
    return { node: q.node, scope: new RowScope(own, width, planner, outer), clause: 'JOIN conditions' };
  });
  if (where) joinQuals.push({ node: where, scope, clause: 'WHERE' });
  const joinLeaves: JoinLeaf[] = leaves.map((l, i) => ({
    entries: l.built.entries.map((e) => ({ ...e, offset: e.offset + offsets[i]! })),
    offset: offsets[i]!,
    width: l.built.width,
    alias: l.built.entries[0]!.alias,
    table: l.table,
    source: l.built.source,
    node: l.built.node,
    lateral: l.lateral,
    lateralReads: l.reads,
  }));
  const leafScope = (leaf: JoinLeaf) => new RowScope(leaf.entries.map((e) => ({ ...e, offset: e.offset - leaf.offset })), leaf.width, planner);
  const joined = planJoin(joinLeaves, joinQuals, scope, width, leafScope);
  return { scope, source: joined.source, tables, node: joined.node, whereApplied: where !== undefined };

  /** The index in `entries` of leaf `i`'s first entry. */
  function entryIndex(i: number): number {
    let n = 0;
    for (let k = 0; k < i; k++) n += leaves[k]!.built.entries.length;
    return n;
  }

  function setScope(e: RangeEntry[], w: number): void {
    scope.entries.splice(0, scope.entries.length, ...e);
    (scope as { width: number }).width = w;
  }

  function flatten(node: Node): void {
    if ('JoinExpr' in node && (node.JoinExpr.jointype ?? 'JOIN_INNER') === 'JOIN_INNER' && !node.JoinExpr.usingClause?.length && !node.JoinExpr.isNatural && !node.JoinExpr.alias) {
      const start = leaves.length;
      flatten(node.JoinExpr.larg!);
      flatten(node.JoinExpr.rarg!);
      if (node.JoinExpr.quals) quals.push({ node: node.JoinExpr.quals, from: start, to: leaves.length });
      return;
    }
    if ('RangeSubselect' in node) {
      const sub = planSubselect(node.RangeSubselect, leaves.map((l) => l.built), planner, outer, planSelectRows);
      leaves.push({ built: countedItem(subselectItem(node.RangeSubselect, sub, aliasColumns)), lateral: sub.lateral, reads: sub.reads });
      return;
    }
    const previous = leaves[leaves.length - 1];
    const lateral = 'RangeFunction' in node && previous && previous.lateral === undefined ? lateralFunction(node.RangeFunction, previous.built, planner, outer) : undefined;
    if (lateral) {
      // the function reads the item before it: the two are one item now, scanned as a nested loop
      leaves[leaves.length - 1] = { built: countedItem(lateral) };
      return;
    }
    topItem = node;
    const built = buildItem(node);
    const oid = 'RangeVar' in node && built.tables.size === 1 ? [...built.tables.values()][0]!.oid : undefined;
    leaves.push({ built, table: oid === undefined ? undefined : { oid, data: state.table(oid) } });
  }

  /** A FROM item, its EXPLAIN node counted (plan/explain-count.ts); LATERAL items are counted where they are built. */
  function buildItem(node: Node): Built {
    return countedItem(buildUncounted(node));
  }

  function buildUncounted(node: Node): Built {
    if ('RangeVar' in node) return rangeVar(node.RangeVar);
    if ('JoinExpr' in node) return node.JoinExpr.alias ? aliasJoin(join(node.JoinExpr), node.JoinExpr.alias, aliasColumns) : join(node.JoinExpr);
    if ('RangeSubselect' in node) return subselect(node.RangeSubselect);
    const fnView = systemFunctionView(node);
    if (fnView) return rangeVar(fnView);
    if ('RangeFunction' in node) {
      const f = planFunctionItem(node.RangeFunction, new RowScope([], 0, planner, outer), compileExpr);
      return {
        entries: [{ alias: node.RangeFunction.alias?.aliasname ?? f.columns[0]!.name, columns: f.columns, offset: 0, ...(f.rowType ? { rowType: f.rowType } : {}) }], width: f.columns.length,
        tables: new Map(), source: (ctx, o) => f.rows(o ?? [], ctx), node: planNode(f.label),
      };
    }
    throw new SqlError(SQLSTATE.feature_not_supported, `FROM item ${Object.keys(node)[0]} is not supported`);
  }

  function rangeVar(rv: RangeVar): Built {
    const name = rv.relname!;
    const alias = rv.alias?.aliasname ?? name;
    const schema = rv.schemaname;
    const cte = schema === undefined ? planner.cte?.(name) : undefined;
    if (cte) {
      const columns = aliasColumns(alias, cte.columns, rv.alias?.colnames);
      const source: RowSource = (ctx) => cte.rows(ctx);
      // a recursive CTE hands its rows on as it makes them: an outer LIMIT may stop it (plan/stop-scan.ts)
      if (cte.stream) source.stream = lazyStream((ctx, _o, emit) => cte.stream!(ctx, emit));
      return {
        entries: [{ alias, columns, offset: 0 }], width: columns.length, tables: new Map(),
        source, node: planNode(`CTE Scan on ${alias === name ? name : `${name} ${alias}`}`, [cte.node]),
      };
    }
    const view = schema === 'public' ? undefined : hooks.systemView(schema, name);
    if (view) {
      return {
        entries: [{ alias, columns: aliasColumns(alias, view.columns, rv.alias?.colnames), offset: 0 }], width: view.columns.length, tables: new Map(),
        source: (ctx) => view.rows(ctx.env), node: planNode(`Function Scan on ${name}`),
      };
    }
    const oid = schema && schema !== 'public' ? undefined : state.tableNames.get(name);
    if (oid === undefined) {
      const full = schema ? `${schema}.${name}` : name;
      throw new SqlError(SQLSTATE.undefined_table, `relation "${full}" does not exist`, { position: pos(rv.location) });
    }
    const def = state.table(oid).def;
    if (def.view) {
      // planned afresh from its definition, out of reach of this query's WITH names
      const sub = planner.planView!(def.view.query);
      const columns = aliasColumns(alias, def.columns, rv.alias?.colnames);
      return {
        entries: [{ alias, relname: name, columns, offset: 0, ...rowTypeOf(def) }], width: columns.length, tables: new Map(),
        source: (ctx) => sub.run(ctx, undefined), node: planNode(`Subquery Scan on ${alias}`, [sub.node]),
      };
    }
    const columns = aliasColumns(alias, def.columns, rv.alias?.colnames);
    const notNull = def.columns.findIndex((c) => c.notNull);
    const tree = rv.inh ? treeScan(state, def, alias) : undefined;
    if (tree) return { entries: [{ alias, relname: name, columns, offset: 0, ...(notNull >= 0 ? { notNull } : {}), ...rowTypeOf(def), tableOidAt: columns.length }], width: columns.length + 1, tables: new Map(), ...tree };
    return {
      entries: [{ alias, relname: name, columns, offset: 0, ...(notNull >= 0 ? { notNull } : {}), ...rowTypeOf(def), ...(rv.inh ? {} : { ownRows: true as const }) }],
      width: columns.length,
      tables: new Map([[alias, { oid, offset: 0 }]]),
      source: (ctx) => ctx.env.state.table(oid).rows.valuesArray(),
      node: planNode(`Seq Scan on ${alias === ownName(name) ? alias : `${ownName(name)} ${alias}`}`),
    };
  }

  function subselect(rs: RangeSubselect): Built {
    return subselectItem(rs, planSubselect(rs, [], planner, outer, planSelectRows, undefined, leaves.map((l) => l.built)), aliasColumns);
  }

  /** LEFT, RIGHT and FULL JOIN (and INNER JOINs inside one): a hash join on equalities for INNER and LEFT, else a nested loop. */
  function join(j: JoinExpr): Built {
    const kind = j.jointype ?? 'JOIN_INNER';
    if (kind !== 'JOIN_INNER' && kind !== 'JOIN_LEFT' && kind !== 'JOIN_RIGHT' && kind !== 'JOIN_FULL') throw new SqlError(SQLSTATE.feature_not_supported, `${kind.replace('JOIN_', '')} JOIN is not supported`);
    const left = buildItem(j.larg!);
    const rs = 'RangeSubselect' in j.rarg! ? j.rarg.RangeSubselect : undefined;
    const sub = rs ? planSubselect(rs, [left], planner, outer, planSelectRows, kind, leaves.map((l) => l.built)) : undefined;
    const fn = 'RangeFunction' in j.rarg! ? lateralFunctionItem(j.rarg.RangeFunction, left, planner, outer, kind) : undefined;
    const right = rs ? countedItem(subselectItem(rs, sub!, aliasColumns)) : fn ? countedItem(fn) : buildItem(j.rarg!);
    if (sub?.lateral !== undefined || fn) return lateralJoinItem(j, kind, left, 'JoinExpr' in topItem && j === topItem.JoinExpr ? where : undefined, right);
    const using = j.usingClause?.length || j.isNatural ? planUsingJoin(j, kind, left, right, planner) : undefined;
    if (kind === 'JOIN_FULL') checkFullJoinCondition(j.quals, left.entries, right.entries);
    const shape = combine(left, right);
    if (using) Object.assign(shape, { entries: using.entries, width: using.width });
    shape.entries = outerJoinSides(shape.entries, kind, left.width);
    setScope(shape.entries, shape.width);
    scope.clause = 'JOIN conditions';
    const cond = using ? { eval: using.matches } : j.quals ? compileExpr(j.quals, scope) : undefined;
    scope.clause = undefined;
    const merge = using ? using.merge : (row: Value[]) => row;
    const nulls: Value[] = new Array(right.width).fill(null);
    const leftNulls: Value[] = new Array(left.width).fill(null);
    const keepLeft = kind === 'JOIN_LEFT' || kind === 'JOIN_FULL';
    const keepRight = kind === 'JOIN_RIGHT' || kind === 'JOIN_FULL';
    // equalities between the two sides of an INNER or LEFT join: pair each left row only with the right rows of its key
    const usingKeys = using && (kind === 'JOIN_INNER' || kind === 'JOIN_LEFT') ? using.hashKeys() : undefined;
    const keys = usingKeys?.keys ?? (!using && (kind === 'JOIN_INNER' || kind === 'JOIN_LEFT') && j.quals ? hashKeysOf(j.quals, scope, left.width, shape.width) : undefined);
    const loopLabel = { JOIN_LEFT: 'Nested Loop Left Join', JOIN_RIGHT: 'Nested Loop Right Join', JOIN_FULL: 'Nested Loop Full Join' }[kind as string] ?? 'Nested Loop';
    const label = keys ? (kind === 'JOIN_LEFT' ? 'Hash Left Join' : 'Hash Join') : loopLabel;
    const details = keys ? [`Hash Cond: ${usingKeys?.cond ?? deparseAll(keys.nodes)}`] : j.quals ? [`Join Filter: ${deparse(j.quals)}`] : [];
    const hashNode = keys ? planNode('Hash', [right.node]) : undefined;
    const node = planNode(label, hashNode ? [left.node, hashNode] : [left.node, right.node], details);
    shape.node = node;
    shape.source = (ctx, o) => {
      const out: Value[][] = [];
      const rs = right.source(ctx, o);
      const ls = left.source(ctx, o);
      const table = keys ? buildHash(keys, rs, left.width, shape.width, ctx) : undefined;
      if (table) count(hashNode!, hashedRows(table));
      const single = keys?.left.length === 1;
      node.loops++;
      const rightMatched = keepRight ? new Array<boolean>(rs.length).fill(false) : undefined;
      for (const l of ls) {
        let matched = false;
        if (keys) {
          const k = hashKey(keys.left, l, ctx, single);
          for (const r of (k === undefined ? undefined : table!.get(k)) ?? NO_ROWS) {
            const row = [...l, ...r];
            if (!cond || cond.eval(o && !using ? [...row, ...o] : row, ctx) === true) {
              out.push(merge(row));
              matched = true;
            }
          }
        } else {
          for (let i = 0; i < rs.length; i++) {
            const row = [...l, ...rs[i]!];
            if (!cond || cond.eval(o && !using ? [...row, ...o] : row, ctx) === true) {
              out.push(merge(row));
              matched = true;
              if (rightMatched) rightMatched[i] = true;
            }
          }
        }
        if (!matched && keepLeft) out.push(merge([...l, ...nulls]));
      }
      if (rightMatched) rightMatched.forEach((m, i) => { if (!m) out.push(merge([...leftNulls, ...rs[i]!])); });
      node.rows += out.length;
      return out;
    };
    return shape;
  }

  /** INNER or LEFT JOIN LATERAL (…) ON …: a nested loop running the sub-select per left row. */
  function lateralJoinItem(j: JoinExpr, kind: string, left: Built, where: Node | undefined, right: Built): Built {
    const using = j.usingClause?.length || j.isNatural ? planUsingJoin(j, kind, left, right, planner) : undefined;
    const shape = combine(left, right);
    if (using) Object.assign(shape, { entries: using.entries, width: using.width });
    shape.entries = outerJoinSides(shape.entries, kind, left.width);
    setScope(shape.entries, shape.width);
    scope.clause = 'JOIN conditions';
    const on = j.quals ? compileExpr(j.quals, scope) : undefined;
    scope.clause = undefined;
    const cond = using ? using.matches : on && ((row: readonly Value[], ctx: RunContext) => on.eval(row, ctx) === true);
    shape.node = planNode(kind === 'JOIN_LEFT' ? 'Nested Loop Left Join' : 'Nested Loop', [left.node, right.node], j.quals ? [`Join Filter: ${deparse(j.quals)}`] : []);
    // WHERE conditions on the left side alone drop its rows before the sub-select runs for them
    const pre = where ? leftOnlyFilter(where, new RowScope(left.entries, left.width, planner)) : undefined;
    const input = pre ? { ...left, source: ((ctx, o) => left.source(ctx, o).filter((l) => pre(l, ctx))) as RowSource } : left;
    shape.source = lateralJoin(input, right, kind === 'JOIN_LEFT', cond, using ? using.merge : (row) => row, shape);
    return shape;
  }

  function combine(a: Built, b: Built): Built {
    const shift = (e: RangeEntry) => ({ ...e, offset: e.offset + a.width });
    const tables = new Map(a.tables);
    for (const [k, v] of b.tables) tables.set(k, { oid: v.oid, offset: v.offset + a.width });
    return {
      entries: [...a.entries, ...b.entries.map(shift)],
      width: a.width + b.width,
      tables,
      node: planNode('Nested Loop', [a.node, b.node]),
      source: (ctx, o) => {
        const out: Value[][] = [];
        const bs = b.source(ctx, o);
        for (const x of a.source(ctx, o)) for (const y of bs) out.push([...x, ...y]);
        return out;
      },
    };
  }
}

/** The item with its source counted on its EXPLAIN node. */
function countedItem(item: Built): Built {
  return { ...item, source: counted(item.node, item.source) };
}

/** The rows a hash table holds (those with a NULL key are left out), which PostgreSQL's Hash node reports. */
function hashedRows(table: Map<Value, Value[][]>): number {
  let n = 0;
  for (const list of table.values()) n += list.length;
  return n;
}
