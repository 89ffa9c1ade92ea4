/**
 * INSERT (VALUES, SELECT, ON CONFLICT, RETURNING), UPDATE and DELETE. Each row change is checked
 * (constraints.ts), turned into a WAL record and applied through the transaction, so the
 * statement sees its own earlier rows and a failure leaves the transaction to be rolled back.
 */
import { foldingSuppressed, isConstant, withoutFolding } from './fold/fold.ts';
import type { DeleteStmt, InsertStmt, Node, OnConflictClause, RangeVar, ResTarget, SelectStmt, UpdateStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Oid, TableDef } from '../catalog/types.ts';
import type { DbState, TableData } from '../state/state.ts';
import type { RowId } from '../wal/record.ts';
import { coerceToColumn, checkAssignable } from './cast.ts';
import { rowChecker, tableScope } from './constraints.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { pos, RowScope } from './from.ts';
import type { StatementPlan } from './plan.ts';
import { planTableScan } from './scan.ts';
import { refuseView } from './view/ddl.ts';
import { snapshot } from './cte/modifying.ts';
import { multiAssignment } from './multi-assign.ts';
import { checkInsertValue, checkUpdateValue, generatedColumns } from './generated.ts';
import { qualifiedName, userRelationName } from './schema.ts';
import { foreignKeyEvents, type ForeignKeyEvents } from './foreign-keys.ts';
import { planJoinedChange } from './dml-from.ts';
import type { Compiled } from './scope.ts';
import type { Expr } from './compiled.ts';
import { expandTargets, type SelectPlanner } from './select.ts';
import type { SqlType, Value } from './types.ts';
import { elementAssignment } from './functions/array-assign.ts';
import { elementType, isArrayType } from './types/array.ts';
import { planTreeChange, treeTarget, type TreeMover } from './inherit/dml.ts';
import { partitionConflictWriter, partitionInserter } from './partition/write.ts';
import { arbiterIndexes } from './on-constraint.ts';

export function targetTable(state: DbState, rv: RangeVar | undefined): TableData {
  const name = rv && userRelationName(rv);
  const oid = name === undefined ? undefined : state.tableNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${qualifiedName(rv ?? {})}" does not exist`, { position: pos(rv?.location) });
  refuseView(state.table(oid).def, 'write', rv?.location);
  return state.table(oid);
}

export function txnOf(ctx: RunContext): WriteTxn {
  const txn = ctx.env.txn;
  if (!txn) throw new Error('write statement run without a transaction');
  return txn;
}

/**
 * Whether a row read from the statement's snapshot is still the row the transaction holds. Only a
 * statement with data-modifying WITH queries reads a snapshot older than its writes; as in
 * PostgreSQL, a row another part of it already changed is left alone.
 */
export function stillCurrent(ctx: RunContext, txn: WriteTxn, oid: Oid, id: RowId, old: readonly Value[]): boolean {
  return ctx.env.state === txn.state || txn.state.table(oid).rows.get(id) === old;
}

/**
 * The context a statement's sub-selects read: the state before the statement, as PostgreSQL's
 * statement snapshot (`update t set … where v < (select max(v) from t)` compares every row with the
 * same max). Taken only when the statement has sub-selects, since the copy makes the statement's
 * first writes to each tree copy their path.
 */
export function statementContext(ctx: RunContext, txn: WriteTxn, subselects: boolean): RunContext {
  if (!subselects || ctx.env.state !== txn.state) return ctx;
  return { ...ctx, env: { ...ctx.env, state: snapshot(ctx.env.state) } };
}

/** Whether any of the nodes holds a sub-select. */
export function hasSubselect(...nodes: unknown[]): boolean {
  return nodes.some((n) => n !== undefined && JSON.stringify(n).includes('"SubLink"'));
}

export function columnIndex(def: TableDef, name: string, location?: number): number {
  const i = def.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${name}" of relation "${def.name}" does not exist`, { position: pos(location) });
  return i;
}

/** RETURNING: the select list compiled over the changed row. */
export function returning(list: readonly Node[] | undefined, scope: RowScope) {
  const targets = expandTargets(list ?? [], scope);
  scope.clause = 'RETURNING';
  const exprs = targets.map((t) => t.compiled ?? compileExpr(t.node, scope));
  return { columns: targets.map((t, i) => ({ name: t.name, type: exprs[i]!.type, ...(exprs[i]!.rowType ? { rowType: exprs[i]!.rowType } : {}) })), exprs };
}

/** An INSERT's column list as column positions (empty when it has none). */
export function insertTargets(def: TableDef, cols: readonly Node[] | undefined): number[] {
  const seen = new Set<number>();
  return (cols ?? []).map((c) => {
    const rt = (c as { ResTarget: ResTarget }).ResTarget;
    if (rt.indirection?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'INSERT into a subfield or array element is not supported');
    const i = columnIndex(def, rt.name!, rt.location);
    if (seen.has(i)) throw new SqlError(SQLSTATE.duplicate_column, `column "${rt.name}" specified more than once`, { position: pos(rt.location) });
    seen.add(i);
    return i;
  });
}

export function planInsert(stmt: InsertStmt, state: DbState, planner: SelectPlanner): StatementPlan {
  const table = targetTable(state, stmt.relation);
  const def = table.def;
  const oid = def.oid;
  const alias = stmt.relation?.alias?.aliasname ?? def.name;
  const targets = insertTargets(def, stmt.cols);
  const columns = targets.length ? targets : def.columns.map((_, i) => i);
  const systemOverride = stmt.override === 'OVERRIDING_SYSTEM_VALUE', userOverride = stmt.override === 'OVERRIDING_USER_VALUE';
  // OVERRIDING USER VALUE: identity columns take their default whatever the statement gives
  const ignored = new Set(userOverride ? columns.filter((ci) => def.columns[ci]!.identity) : []);
  const generated = generatedColumns(def, planner);
  const noColumns = new RowScope([], 0, planner);
  // every column's default is compiled, but PostgreSQL plans (and folds) only the ones the statement uses
  const defaults: (Compiled | undefined)[] = def.columns.map((c) => (c.default ? withoutFolding(() => compileExpr(c.default!, noColumns)) : undefined));

  // VALUES lists compile per column, so `$n` takes the column's type and DEFAULT is allowed
  const select = stmt.selectStmt ? (stmt.selectStmt as { SelectStmt: SelectStmt }).SelectStmt : undefined;
  let produce: (ctx: RunContext) => (Value | typeof DEFAULT)[][];
  // the SQL type each value comes as (row r, position k), so assignment uses PostgreSQL's cast from
  // that type (a float rounds half to even, a jsonb string stays a string); parameters come untyped
  let typeAt: (r: number, k: number) => SqlType | undefined = () => undefined;
  if (!select) {
    produce = () => [def.columns.map(() => DEFAULT)];
  } else if (select.valuesLists && !select.sortClause && !select.limitCount) {
    const scope = new RowScope([], 0, planner);
    scope.clause = 'VALUES';
    const lists = select.valuesLists.map((l) => {
      const items = (l as { List: { items: Node[] } }).List.items ?? [];
      if (items.length > columns.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more expressions than target columns', { position: pos(exprLocation(items[columns.length]!)) });
      // without a column list, missing trailing values take their defaults, as in PostgreSQL
      if (items.length < columns.length && targets.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more target columns than expressions');
      return items.map((item, i) => {
        if ('SetToDefault' in item) return undefined;
        const col = def.columns[columns[i]!]!;
        if (!userOverride || !col.identity) checkInsertValue(col, systemOverride);
        scope.paramType = () => col.type;
        const c = compileExpr(item, scope);
        checkAssignable(c.type, col.type, col.name);
        const from = assignedFrom(item, c);
        // PostgreSQL folds a constant's assignment cast while planning: `values (…), (10000)` into a
        // numeric(6,2) fails before any row (and any nextval of a default) is made
        if (isConstant(c) && !foldingSuppressed()) coerceToColumn((c as Expr).value ?? null, col.type, col.typmod, from);
        return { c, from };
      });
    });
    typeAt = (r, k) => lists[r]?.[k]?.from;
    produce = (ctx) => lists.map((l) => l.map((x) => (x ? x.c.eval(EMPTY, ctx) : DEFAULT)));
  } else {
    const plan = planner.plan(select);
    for (let k = 0; k < Math.min(plan.columns.length, columns.length); k++) {
      const col = def.columns[columns[k]!]!;
      if (!userOverride || !col.identity) checkInsertValue(col, systemOverride);
    }
    if (plan.columns.length > columns.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more expressions than target columns');
    if (plan.columns.length < columns.length) throw new SqlError(SQLSTATE.syntax_error, 'INSERT has more target columns than expressions');
    plan.columns.forEach((c, i) => checkAssignable(c.type, def.columns[columns[i]!]!.type, def.columns[columns[i]!]!.name));
    const types = plan.columns.map((c) => (c.type === 'unknown' ? undefined : c.type));
    typeAt = (_r, k) => types[k];
    produce = (ctx) => plan.run(ctx, undefined);
  }

  const checker = rowChecker(def, planner);
  const conflict = stmt.onConflictClause ? planOnConflict(stmt.onConflictClause, table, planner, alias) : undefined;
  const route = def.partitionKey && !conflict ? partitionInserter(planner) : undefined;
  const routeConflict = def.partitionKey && conflict ? partitionConflictWriter(def, planner, (leaf) => planOnConflict(stmt.onConflictClause!, leaf, planner, alias)) : undefined;
  const ret = stmt.returningClause ? returning(stmt.returningClause.exprs, tableScope(def, planner, alias)) : undefined;
  const subselects = hasSubselect(stmt.returningClause, stmt.onConflictClause);
  const width = def.columns.length;
  const fks = foreignKeyEvents(state, planner);

  return {
    command: 'INSERT',
    columns: ret?.columns ?? [],
    writes: true,
    run(runCtx) {
      const txn = txnOf(runCtx);
      const ctx = statementContext(runCtx, txn, subselects);
      fks?.reset();
      const out: Value[][] = [];
      let count = 0;
      // rows this command inserted or updated: DO UPDATE may not touch one of them again (no Set per plain INSERT)
      const touched = conflict?.update ? new Set<RowId>() : undefined;
      routeConflict?.reset();
      const rows = produce(ctx);
      for (let r = 0; r < rows.length; r++) {
        const given = rows[r]!;
        const row: Value[] = new Array(width);
        for (let i = 0; i < width; i++) row[i] = null;
        const provided = new Array<boolean>(width).fill(false);
        for (let k = 0; k < columns.length; k++) {
          if (k >= given.length) break;
          const v = given[k];
          if (v === DEFAULT || ignored.has(columns[k]!)) continue;
          const ci = columns[k]!;
          const col = def.columns[ci]!;
          row[ci] = coerceToColumn(v, col.type, col.typmod, typeAt(r, k));
          provided[ci] = true;
        }
        for (let i = 0; i < width; i++) {
          if (provided[i]) continue;
          const d = defaults[i];
          if (d) row[i] = coerceToColumn(d.eval(EMPTY, ctx), def.columns[i]!.type, def.columns[i]!.typmod);
        }
        generated?.(row, ctx);
        const t = txn.state.table(oid);
        if (conflict) {
          const existing = conflict.find(t, row);
          if (existing !== undefined) {
            if (!conflict.update) continue;
            if (touched!.has(existing)) {
              throw new SqlError(SQLSTATE.cardinality_violation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
                hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
              });
            }
            const old = t.rows.get(existing)!;
            const updated = conflict.update(old, row, ctx);
            if (!updated) continue;
            generated?.(updated, ctx);
            checker.check(t, updated, ctx, existing);
            txn.write({ kind: 'update', table: oid, rowid: existing, row: updated });
            fks?.updated(oid, existing, old, updated);
            touched!.add(existing);
            count++;
            if (ret) out.push(ret.exprs.map((e) => e.eval(updated, ctx)));
            continue;
          }
        }
        if (routeConflict) {
          const written = routeConflict.write(txn, ctx, row, fks);
          if (!written) continue;
          count++;
          if (ret) out.push(ret.exprs.map((e) => e.eval(written, ctx)));
          continue;
        }
        if (route) {
          route(txn, ctx, def, row, fks);
          count++;
          if (ret) out.push(ret.exprs.map((e) => e.eval(row, ctx)));
          continue;
        }
        checker.check(t, row, ctx);
        touched?.add(t.nextRowId);
        fks?.inserted(oid, t.nextRowId);
        txn.write({ kind: 'insert', table: oid, rowid: t.nextRowId, row });
        count++;
        if (ret) out.push(ret.exprs.map((e) => e.eval(row, ctx)));
      }
      fks?.finish(txn, ctx);
      return { rows: out, rowCount: count };
    },
  };
}

const DEFAULT = Symbol('DEFAULT');

/** The type an assigned expression's values come as; parameters and untyped literals come as their JS kind. */
export function assignedFrom(node: Node, expr: Compiled): SqlType | undefined {
  return 'ParamRef' in node || expr.type === 'unknown' ? undefined : expr.type;
}
const EMPTY: Value[] = [];

function exprLocation(node: Node): number | undefined {
  const inner = Object.values(node)[0] as { location?: number } | undefined;
  return inner?.location;
}

function planOnConflict(clause: OnConflictClause, table: TableData, planner: SelectPlanner, alias: string) {
  const def = table.def;
  const { indexOids, inferred } = arbiterIndexes(clause, table);
  if (clause.action === 'ONCONFLICT_UPDATE' && !inferred) {
    throw new SqlError(SQLSTATE.syntax_error, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', {
      hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  const find = (t: TableData, row: Value[]): RowId | undefined => {
    for (const ix of t.indexes) {
      if (!indexOids.includes(ix.def.oid)) continue;
      const id = ix.covers(row) ? ix.conflicts(ix.keyOf(row)) : undefined;
      if (id !== undefined) return id;
    }
    return undefined;
  };
  if (clause.action !== 'ONCONFLICT_UPDATE') return { find, update: undefined };

  const columns = def.columns.map((c) => ({ name: c.name, type: c.type }));
  const scope = new RowScope(
    [{ alias, columns, offset: 0 }, { alias: 'excluded', columns, offset: columns.length }],
    columns.length * 2,
    planner,
  );
  scope.clause = 'ON CONFLICT DO UPDATE';
  const assigned = new Map<number, boolean>();
  const sets = (clause.targetList ?? []).map((n) => {
    const rt = (n as { ResTarget: ResTarget }).ResTarget;
    const i = columnIndex(def, rt.name!, rt.location);
    const col = def.columns[i]!;
    assignOnce(assigned, i, !!rt.indirection?.length, col.name);
    if (!('SetToDefault' in rt.val!)) checkUpdateValue(col);
    scope.paramType = () => col.type;
    const expr = 'SetToDefault' in rt.val! ? compileExpr(col.default ?? { A_Const: { isnull: true } }, scope) : compileExpr(rt.val!, scope);
    return { i, expr, from: assignedFrom(rt.val!, expr) };
  });
  scope.paramType = undefined;
  const where = clause.whereClause ? compileExpr(clause.whereClause, scope) : undefined;
  const update = (old: Value[], excluded: Value[], ctx: RunContext): Value[] | undefined => {
    const both = [...old, ...excluded];
    if (where && where.eval(both, ctx) !== true) return undefined;
    const row = [...old];
    for (const s of sets) {
      const col = def.columns[s.i]!;
      row[s.i] = coerceToColumn(s.expr.eval(both, ctx), col.type, col.typmod, s.from);
    }
    return row;
  };
  return { find, update };
}

/**
 * A SET list assigns each column once (42601). PostgreSQL allows several elements of one array
 * column (`a[1] = …, a[3] = …`), each applied to the array the one before produced; walrtc applies
 * each to the old array, so it refuses that rather than keep only the last one.
 * `assigned`: column → whether it was so far assigned an element only.
 */
function assignOnce(assigned: Map<number, boolean>, i: number, element: boolean, name: string): void {
  if (assigned.has(i) && element && assigned.get(i)) throw new SqlError(SQLSTATE.feature_not_supported, `assigning several elements of array column "${name}" in one SET list is not supported`);
  if (assigned.has(i)) throw new SqlError(SQLSTATE.syntax_error, `multiple assignments to same column "${name}"`);
  assigned.set(i, element);
}

/** UPDATE's SET list compiled over `scope` (the target's row, and FROM items' after it). */
export function compileSets(list: readonly Node[] | undefined, def: TableDef, scope: RowScope) {
  const subs = new Map();
  const assigned = new Map<number, boolean>();
  const sets = (list ?? []).map((n) => {
    const multi = multiAssignment((n as { ResTarget: ResTarget }).ResTarget, scope, subs);
    const written = multi.rt;
    if (multi.expr && written.indirection?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'UPDATE of an array element in a multiple-column assignment is not supported');
    // SET a[i] = v assigns the whole array with element i replaced (a missing column is 42703 first: SET t.x = …)
    columnIndex(def, written.name!, written.location);
    const rt = elementAssignment(written);
    const i = columnIndex(def, rt.name!, rt.location);
    const col = def.columns[i]!;
    assignOnce(assigned, i, !!written.indirection?.length, col.name);
    if (!('SetToDefault' in rt.val!)) checkUpdateValue(col);
    const paramType = written.indirection?.length && isArrayType(col.type) ? elementType(col.type) : col.type;
    scope.paramType = () => paramType;
    scope.clause = 'UPDATE';
    const expr = multi.expr ?? ('SetToDefault' in rt.val! ? compileExpr(col.default ?? { A_Const: { isnull: true } }, scope) : compileExpr(rt.val!, scope));
    checkAssignable(expr.type, col.type, col.name);
    return { i, expr, from: assignedFrom(rt.val!, expr) };
  });
  scope.paramType = undefined;
  generatedColumns(def, scope.planner);
  return sets;
}

/** The updated row: `old` with each SET column assigned its expression's value over `input`. */
export function applySets(sets: ReturnType<typeof compileSets>, def: TableDef, input: readonly Value[], old: readonly Value[], ctx: RunContext): Value[] {
  const row = [...old];
  for (const s of sets) {
    const col = def.columns[s.i]!;
    row[s.i] = coerceToColumn(s.expr.eval(input, ctx), col.type, col.typmod, s.from);
  }
  generatedColumns(def)?.(row, ctx);
  return row;
}

export function planUpdate(stmt: UpdateStmt, state: DbState, planner: SelectPlanner, tree?: TreeMover): StatementPlan {
  const root = treeTarget(state, stmt);
  if (root && stmt.fromClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'UPDATE … FROM of a table with children or partitions is not supported');
  if (root) return planTreeChange('UPDATE', stmt, root, state, planner, (s, mover) => planUpdate(s, state, planner, mover));
  if (stmt.fromClause?.length) return planJoinedChange('UPDATE', stmt, stmt.fromClause, state, planner);
  const table = targetTable(state, stmt.relation);
  const def = table.def;
  const oid = def.oid;
  const scope = tableScope(def, planner, stmt.relation?.alias?.aliasname ?? def.name);
  const sets = compileSets(stmt.targetList, def, scope);
  scope.clause = 'WHERE';
  const where = stmt.whereClause ? compileExpr(stmt.whereClause, scope) : undefined;
  const scan = planTableScan(table, stmt.whereClause, scope);
  const checker = rowChecker(def, planner);
  const ret = stmt.returningClause ? returning(stmt.returningClause.exprs, scope) : undefined;
  const fks = foreignKeyEvents(state, planner);
  return changeRows('UPDATE', oid, hasSubselect(stmt.whereClause, stmt.targetList, stmt.returningClause), scan, where, ret, fks, (txn, ctx, id, old) => {
    const row = applySets(sets, def, old, old, ctx);
    if (tree?.leaves(txn, def, row, ctx)) {
      tree.move(txn, ctx, def, id, old, row, fks);
      return row;
    }
    checker.check(txn.state.table(oid), row, ctx, id);
    txn.write({ kind: 'update', table: oid, rowid: id, row });
    fks?.updated(oid, id, old, row);
    return row;
  });
}

export function planDelete(stmt: DeleteStmt, state: DbState, planner: SelectPlanner): StatementPlan {
  const root = treeTarget(state, stmt);
  if (root && stmt.usingClause?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'DELETE … USING of a table with children or partitions is not supported');
  if (root) return planTreeChange('DELETE', stmt, root, state, planner, (s) => planDelete(s, state, planner));
  if (stmt.usingClause?.length) return planJoinedChange('DELETE', stmt, stmt.usingClause, state, planner);
  const table = targetTable(state, stmt.relation);
  const def = table.def;
  const oid = def.oid;
  const scope = tableScope(def, planner, stmt.relation?.alias?.aliasname ?? def.name);
  scope.clause = 'WHERE';
  const where = stmt.whereClause ? compileExpr(stmt.whereClause, scope) : undefined;
  const scan = planTableScan(table, stmt.whereClause, scope);
  const ret = stmt.returningClause ? returning(stmt.returningClause.exprs, scope) : undefined;
  const fks = foreignKeyEvents(state, planner);
  return changeRows('DELETE', oid, hasSubselect(stmt.whereClause, stmt.returningClause), scan, where, ret, fks, (txn, _ctx, id, old) => {
    txn.write({ kind: 'delete', table: oid, rowid: id });
    fks?.deleted(oid, id, old);
    return old;
  });
}

/**
 * UPDATE and DELETE share their loop: scan, filter by WHERE, change each row, and return
 * RETURNING over the row as `change` leaves it (the new row for UPDATE, the old one for DELETE).
 */
function changeRows(
  command: 'UPDATE' | 'DELETE',
  oid: Oid,
  subselects: boolean,
  scan: ReturnType<typeof planTableScan>,
  where: Compiled | undefined,
  ret: ReturnType<typeof returning> | undefined,
  fks: ForeignKeyEvents | undefined,
  change: (txn: WriteTxn, ctx: RunContext, id: RowId, old: Value[]) => Value[],
): StatementPlan {
  return {
    command,
    columns: ret?.columns ?? [],
    writes: true,
    run(runCtx) {
      const txn = txnOf(runCtx);
      const ctx = statementContext(runCtx, txn, subselects);
      fks?.reset();
      const { ids, rows } = scan(ctx);
      const out: Value[][] = [];
      let count = 0;
      for (let r = 0; r < ids.length; r++) {
        const old = rows[r]!;
        if (where && where.eval(old, ctx) !== true) continue;
        if (!stillCurrent(ctx, txn, oid, ids[r]!, old)) continue;
        const row = change(txn, ctx, ids[r]!, old);
        count++;
        if (ret) out.push(ret.exprs.map((e) => e.eval(row, ctx)));
      }
      fks?.finish(txn, ctx);
      return { rows: out, rowCount: count };
    },
  };
}
