/**
 * INSERT, UPDATE and DELETE through an automatically updatable view (view/updatable.ts). INSERT
 * becomes an INSERT into the base table naming the base columns; UPDATE and DELETE read the base
 * rows the view shows, evaluate the statement's WHERE and SET over the view's columns, and write
 * the base rows. RETURNING is computed over the view's columns; WITH CHECK OPTION is tested on
 * every new row. The writes are the base table's own row records, checked by its constraints.
 */
import type { DeleteStmt, IndexElem, InsertStmt, Node, OnConflictClause, ResTarget, SelectStmt, UpdateStmt } from '@pgsql/types';
import type { TableDef } from '../../catalog/types.ts';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { RowId } from '../../wal/record.ts';
import { coerceToColumn } from '../cast.ts';
import { rowChecker, tableScope } from '../constraints.ts';
import { conjuncts, planTableScan } from '../scan.ts';
import { applySets, columnIndex, compileSets, hasSubselect, planInsert, returning, statementContext, stillCurrent, txnOf } from '../dml.ts';
import type { RunContext } from '../env.ts';
import { compilePredicate } from '../expr.ts';
import { foreignKeyEvents } from '../foreign-keys.ts';
import { pos, RowScope } from '../from.ts';
import { checkUpdateValue, generatedColumns } from '../generated.ts';
import type { StatementPlan } from '../plan.ts';
import { userRelationName } from '../schema.ts';
import type { SelectPlanner } from '../select.ts';
import type { Value } from '../types.ts';
import { ownName } from '../schema/keys.ts';
import { baseColumn, checkOptions, COLUMN_NOT_UPDATABLE, viewChain, viewRow, type ViewChain } from './updatable.ts';

function viewNamed(state: DbState, rv: InsertStmt['relation']): TableDef | undefined {
  const name = rv && userRelationName(rv);
  const oid = name === undefined ? undefined : state.tableNames.get(name);
  const def = oid === undefined ? undefined : state.table(oid).def;
  return def?.view ? def : undefined;
}

function viewScope(def: TableDef, alias: string | undefined, planner: SelectPlanner): RowScope {
  const columns = def.columns.map((c) => ({ name: c.name, type: c.type }));
  return new RowScope([{ alias: alias ?? ownName(def.name), relname: def.name, columns, offset: 0 }], columns.length, planner);
}

function columnNotUpdatable(verb: string, column: string, def: TableDef, location?: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, `cannot ${verb} column "${column}" of view "${ownName(def.name)}"`, { detail: COLUMN_NOT_UPDATABLE, position: pos(location) });
}

/**
 * The WHERE's conjuncts that read only view columns which are base columns, written over the base
 * table (each view column renamed to its base column, which holds the same value), so the base
 * table's indexes can narrow the rows read; every row is still checked against the whole WHERE.
 */
function baseConditions(where: Node | undefined, chain: ViewChain, def: TableDef, scope: RowScope): Node | undefined {
  const alias = scope.entries[0]!.alias;
  const baseName = (fields: readonly Node[] | undefined): string | undefined => {
    const names = fields?.map((f) => ('String' in f ? f.String.sval : undefined)) ?? [];
    if (names.some((n) => n === undefined) || names.length > 2 || (names.length === 2 && names[0] !== alias)) return undefined;
    const i = def.columns.findIndex((c) => c.name === names[names.length - 1]);
    const b = i < 0 ? undefined : baseColumn(chain, i);
    return b === undefined ? undefined : chain.base.def.columns[b]!.name;
  };
  const pushed = (where ? conjuncts(where) : []).flatMap((c) => {
    if (hasSubselect(c)) return [];
    let ok = true;
    const renamed = JSON.parse(JSON.stringify(c), (key, value: unknown) => {
      if (key !== 'ColumnRef') return value;
      const ref = value as { fields?: Node[]; location?: number };
      const name = baseName(ref.fields);
      if (name === undefined) ok = false;
      return { ...ref, fields: [{ String: { sval: name ?? '' } }] };
    }) as Node;
    return ok ? [renamed] : [];
  });
  if (!pushed.length) return undefined;
  return pushed.length === 1 ? pushed[0] : { BoolExpr: { boolop: 'AND_EXPR', args: pushed } };
}

/** ON CONFLICT [(view columns)] DO NOTHING, on the base table's columns; DO UPDATE is refused. */
function conflictOnBase(clause: OnConflictClause, chain: ViewChain, def: TableDef): OnConflictClause {
  if (clause.action === 'ONCONFLICT_UPDATE') throw new SqlError(SQLSTATE.feature_not_supported, 'INSERT … ON CONFLICT DO UPDATE on a view is not supported');
  // a view has no constraints of its own
  if (clause.infer?.conname) throw new SqlError(SQLSTATE.undefined_object, `constraint "${clause.infer.conname}" for table "${ownName(def.name)}" does not exist`);
  if (clause.infer?.whereClause) throw new SqlError(SQLSTATE.feature_not_supported, 'INSERT … ON CONFLICT (…) WHERE on a view is not supported');
  const indexElems = clause.infer?.indexElems?.map((n): Node => {
    const e = (n as { IndexElem: IndexElem }).IndexElem;
    const i = e.name === undefined ? -1 : def.columns.findIndex((c) => c.name === e.name);
    const b = i < 0 ? undefined : baseColumn(chain, i);
    if (b === undefined) throw new SqlError(SQLSTATE.invalid_column_reference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    return { IndexElem: { ...e, name: chain.base.def.columns[b]!.name } };
  });
  return { ...clause, ...(clause.infer ? { infer: { ...clause.infer, ...(indexElems ? { indexElems } : {}) } } : {}) };
}

/** Two view columns naming one base column may not both be assigned (PostgreSQL's 42601). */
function onceEach(baseColumns: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of baseColumns) {
    if (seen.has(name)) throw new SqlError(SQLSTATE.syntax_error, `multiple assignments to same column "${name}"`);
    seen.add(name);
  }
}

/** RETURNING over the view's columns, computed from a base row. */
function viewReturning(chain: ViewChain, def: TableDef, stmt: { returningClause?: { exprs?: Node[] }; relation?: InsertStmt['relation'] }, planner: SelectPlanner) {
  const ret = stmt.returningClause ? returning(stmt.returningClause.exprs, viewScope(def, stmt.relation?.alias?.aliasname, planner)) : undefined;
  return {
    columns: ret?.columns ?? [],
    row(base: readonly Value[], ctx: RunContext): Value[] | undefined {
      if (!ret) return undefined;
      const row = viewRow(chain, base, ctx, false)!;
      return ret.exprs.map((e) => e.eval(row, ctx));
    },
  };
}

export function planViewInsert(stmt: InsertStmt, state: DbState, planner: SelectPlanner): StatementPlan | undefined {
  const def = viewNamed(state, stmt.relation);
  if (!def) return undefined;
  const chain = viewChain(def, state, planner, 'insert');
  const onConflictClause = stmt.onConflictClause && conflictOnBase(stmt.onConflictClause, chain, def);
  const select = stmt.selectStmt ? (stmt.selectStmt as { SelectStmt: SelectStmt }).SelectStmt : undefined;
  const given = (stmt.cols ?? []).map((c) => (c as { ResTarget: ResTarget }).ResTarget);
  // without a column list, the view's first columns, as many as the statement gives
  const width = !select ? 0 : select.valuesLists ? ((select.valuesLists[0] as { List: { items?: Node[] } }).List.items ?? []).length : planner.plan(select).columns.length;
  const targets = given.length ? given : def.columns.slice(0, Math.min(width, def.columns.length)).map((c): ResTarget => ({ name: c.name }));
  const named = new Set<string>();
  for (const rt of targets) {
    if (named.has(rt.name!)) throw new SqlError(SQLSTATE.duplicate_column, `column "${rt.name}" specified more than once`, { position: pos(rt.location) });
    named.add(rt.name!);
  }
  const cols = targets.map((rt): Node => {
    const i = columnIndex(def, rt.name!, rt.location);
    const b = baseColumn(chain, i);
    if (b === undefined) throw columnNotUpdatable('insert into', rt.name!, def, rt.location);
    return { ResTarget: { ...rt, name: chain.base.def.columns[b]!.name } };
  });
  onceEach(cols.map((c) => (c as { ResTarget: ResTarget }).ResTarget.name!));
  const relation = { relname: chain.base.def.name, inh: true, relpersistence: 'p', location: stmt.relation?.location };
  const star: Node = { ResTarget: { val: { ColumnRef: { fields: [{ A_Star: {} }] } } } };
  const base = planInsert({ ...stmt, relation, cols, onConflictClause, returningClause: { exprs: [star] } }, state, planner);
  const after = viewReturning(chain, def, stmt, planner);
  return {
    ...base,
    columns: after.columns,
    run(ctx) {
      const r = base.run(ctx);
      const rows: Value[][] = [];
      for (const b of r.rows) {
        checkOptions(chain, b, ctx);
        const out = after.row(b, ctx);
        if (out) rows.push(out);
      }
      return { rows, rowCount: r.rowCount };
    },
  };
}

export function planViewUpdate(stmt: UpdateStmt, state: DbState, planner: SelectPlanner): StatementPlan | undefined {
  const def = viewNamed(state, stmt.relation);
  if (!def) return undefined;
  const chain = viewChain(def, state, planner, 'update');
  if (stmt.fromClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'UPDATE … FROM on a view is not supported');
  const baseDef = chain.base.def;
  // as in PostgreSQL, SET col = DEFAULT is the view column's default (walrtc's views have none: NULL); the base column's identity/generated rules apply
  const target: TableDef = { ...def, columns: def.columns.map((c, i) => {
    const b = baseColumn(chain, i);
    return b === undefined ? c : { ...c, typmod: baseDef.columns[b]!.typmod };
  }) };
  const mapped = (stmt.targetList ?? []).map((n) => {
    const rt = (n as { ResTarget: ResTarget }).ResTarget;
    const i = columnIndex(def, rt.name!, rt.location);
    const b = baseColumn(chain, i);
    if (b === undefined) throw columnNotUpdatable('update', rt.name!, def, rt.location);
    if (!('SetToDefault' in rt.val!)) checkUpdateValue(baseDef.columns[b]!);
    return { view: i, base: b };
  });
  onceEach(mapped.map((m) => baseDef.columns[m.base]!.name));
  const scope = viewScope(def, stmt.relation?.alias?.aliasname, planner);
  const sets = compileSets(stmt.targetList, target, scope);
  return changeThroughView('UPDATE', stmt, chain, def, scope, state, planner, hasSubselect(stmt.targetList), (old, viewOld, ctx) => {
    const viewNew = applySets(sets, target, viewOld, viewOld, ctx);
    const row = [...old];
    for (const m of mapped) {
      const col = baseDef.columns[m.base]!;
      row[m.base] = coerceToColumn(viewNew[m.view], col.type, col.typmod, def.columns[m.view]!.type);
    }
    generatedColumns(baseDef, planner)?.(row, ctx);
    return row;
  });
}

export function planViewDelete(stmt: DeleteStmt, state: DbState, planner: SelectPlanner): StatementPlan | undefined {
  const def = viewNamed(state, stmt.relation);
  if (!def) return undefined;
  const chain = viewChain(def, state, planner, 'delete');
  if (stmt.usingClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'DELETE … USING on a view is not supported');
  return changeThroughView('DELETE', stmt, chain, def, viewScope(def, stmt.relation?.alias?.aliasname, planner), state, planner, false, undefined);
}

/** UPDATE (`update` gives the new base row) or DELETE of the base rows the view shows and WHERE selects. */
function changeThroughView(
  command: 'UPDATE' | 'DELETE',
  stmt: UpdateStmt | DeleteStmt,
  chain: ViewChain,
  def: TableDef,
  scope: RowScope,
  state: DbState,
  planner: SelectPlanner,
  setSubselects: boolean,
  update: ((old: Value[], viewOld: Value[], ctx: RunContext) => Value[]) | undefined,
): StatementPlan {
  const oid = chain.base.def.oid;
  scope.clause = 'WHERE';
  const where = stmt.whereClause ? compilePredicate(stmt.whereClause, scope) : undefined;
  const after = viewReturning(chain, def, stmt, planner);
  const checker = rowChecker(chain.base.def, planner);
  const fks = foreignKeyEvents(state, planner);
  const subselects = setSubselects || hasSubselect(stmt.whereClause, stmt.returningClause);
  const scan = planTableScan(chain.base, baseConditions(stmt.whereClause, chain, def, scope), tableScope(chain.base.def, planner));
  return {
    command,
    columns: after.columns,
    writes: true,
    run(runCtx) {
      const txn = txnOf(runCtx);
      const ctx = statementContext(runCtx, txn, subselects);
      fks?.reset();
      const chosen: [RowId, Value[], Value[]][] = [];
      const { ids, rows } = scan(ctx);
      rows.forEach((old, r) => {
        const seen = viewRow(chain, old, ctx, true);
        if (seen && (!where || where.eval(seen, ctx) === true)) chosen.push([ids[r]!, old, seen]);
      });
      const out: Value[][] = [];
      let count = 0;
      for (const [id, old, seen] of chosen) {
        if (!stillCurrent(ctx, txn, oid, id, old)) continue;
        let written: Value[] = old;
        if (update) {
          written = update(old, seen, ctx);
          checker.check(txn.state.table(oid), written, ctx, id);
          txn.write({ kind: 'update', table: oid, rowid: id, row: written });
          fks?.updated(oid, id, old, written);
          checkOptions(chain, written, ctx);
        } else {
          txn.write({ kind: 'delete', table: oid, rowid: id });
          fks?.deleted(oid, id, old);
        }
        count++;
        const returned = after.row(written, ctx);
        if (returned) out.push(returned);
      }
      fks?.finish(txn, ctx);
      return { rows: out, rowCount: count };
    },
  };
}

