/**
 * MERGE (PostgreSQL 15): the target joined with the source on the ON condition (merge/match.ts),
 * then per source row and matched target row the first WHEN MATCHED clause whose condition holds,
 * and per unmatched source row the first WHEN NOT MATCHED one. Each change is the same row record
 * (insert, update, delete) an INSERT, UPDATE or DELETE writes, checked by the same constraints and
 * foreign-key events, so standbys replay it as such. A target row changed twice is 21000.
 */
import { hasChildren } from '../inherit/tree.ts';
import type { MergeStmt, MergeWhenClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { RowId } from '../../wal/record.ts';
import { rowChecker } from '../constraints.ts';
import { hasSubselect, statementContext, stillCurrent, txnOf } from '../dml.ts';
import { compileExpr, compilePredicate } from '../expr.ts';
import { pos, RowScope } from '../from.ts';
import { foreignKeyEvents } from '../foreign-keys.ts';
import { generatedColumns } from '../generated.ts';
import type { StatementPlan } from '../plan.ts';
import type { RunContext } from '../env.ts';
import { qualifiedName, userRelationName } from '../schema.ts';
import type { SelectPlanner } from '../select.ts';
import type { Compiled } from '../scope.ts';
import type { Value } from '../types.ts';
import { planMatcher } from './match.ts';
import { checkReachable, compileWhen, type WhenAction } from './when.ts';

export function planMerge(stmt: MergeStmt, state: DbState, planner: SelectPlanner): StatementPlan {
  if (stmt.returningClause) throw new SqlError(SQLSTATE.syntax_error, 'syntax error at or near "returning"');
  if (stmt.withClause?.recursive) throw new SqlError(SQLSTATE.syntax_error, 'WITH RECURSIVE is not supported for MERGE statement');
  const clauses = (stmt.mergeWhenClauses ?? []).map((n) => (n as { MergeWhenClause: MergeWhenClause }).MergeWhenClause);
  checkReachable(clauses);

  const rv = stmt.relation!;
  const name = userRelationName(rv);
  const oid = name === undefined ? undefined : state.tableNames.get(name);
  if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${qualifiedName(rv)}" does not exist`, { position: pos(rv.location) });
  const table = state.table(oid);
  const def = table.def;
  if (def.view || def.system) {
    throw new SqlError(SQLSTATE.feature_not_supported, `cannot execute MERGE on relation "${def.name}"`, { detail: 'This operation is not supported for views.' });
  }
  if (def.partitionKey || (rv.inh && hasChildren(state, oid))) throw new SqlError(SQLSTATE.feature_not_supported, 'MERGE into a table with children or partitions is not supported');
  const alias = rv.alias?.aliasname ?? def.name;
  const width = def.columns.length;

  const source = planSource(stmt, planner, alias);
  for (const e of source.scope.entries) {
    if (e.alias === alias) {
      throw new SqlError('42712', `name "${alias}" specified more than once`, { detail: 'The name is used both as MERGE target table and data source.' });
    }
  }
  const own = { alias, relname: def.name, columns: def.columns.map((c) => ({ name: c.name, type: c.type })), offset: 0 };
  const entries = [own, ...source.scope.entries.map((e) => ({ ...e, offset: e.offset + width }))];
  const scope = new RowScope(entries, width + source.scope.width, planner);

  scope.clause = 'JOIN/ON';
  const on = compilePredicate(stmt.joinCondition!, scope);
  scope.clause = undefined;
  const match = planMatcher(stmt.joinCondition!, on, scope, width, table);

  const noColumns = new RowScope([], 0, planner);
  const defaults: (Compiled | undefined)[] = def.columns.map((c) => (c.default ? compileExpr(c.default, noColumns) : undefined));
  const actions = clauses.map((c) => compileWhen(c, def, scope, alias, defaults));
  const matched = actions.filter((a) => a.matched);
  const notMatched = actions.filter((a) => !a.matched);
  const generated = generatedColumns(def, planner);
  const checker = rowChecker(def, planner);
  const fks = foreignKeyEvents(state, planner);
  const subselects = hasSubselect(stmt.joinCondition, stmt.mergeWhenClauses, stmt.sourceRelation);

  const first = (list: readonly WhenAction[], joined: readonly Value[], ctx: RunContext) =>
    list.find((a) => !a.cond || a.cond.eval(joined, ctx) === true);

  return {
    command: 'MERGE',
    columns: [],
    writes: true,
    run(runCtx) {
      const txn = txnOf(runCtx);
      const ctx = statementContext(runCtx, txn, subselects);
      fks?.reset();
      const sources = source.source(ctx, undefined);
      const matches = match(ctx.env.state.table(oid), sources, ctx);
      // target rows this statement updated or deleted: another change to one of them is 21000
      const changed = new Set<RowId>();
      let count = 0;
      for (let s = 0; s < sources.length; s++) {
        const src = sources[s]!;
        const pairs = matches[s]!;
        if (!pairs.length) {
          const joined = [...new Array<Value>(width).fill(null), ...src];
          const action = first(notMatched, joined, ctx);
          if (action?.kind !== 'insert') continue;
          const row = action.row(joined, ctx);
          generated?.(row, ctx);
          const t = txn.state.table(oid);
          checker.check(t, row, ctx);
          fks?.inserted(oid, t.nextRowId);
          txn.write({ kind: 'insert', table: oid, rowid: t.nextRowId, row });
          count++;
          continue;
        }
        for (const { id, row: old } of pairs) {
          const joined = [...old, ...src];
          const action = first(matched, joined, ctx);
          if (!action || action.kind === 'nothing' || action.kind === 'insert') continue;
          if (changed.has(id)) {
            throw new SqlError(SQLSTATE.cardinality_violation, 'MERGE command cannot affect row a second time', {
              hint: 'Ensure that not more than one source row matches any one target row.',
            });
          }
          if (!stillCurrent(ctx, txn, oid, id, old)) continue;
          changed.add(id);
          if (action.kind === 'delete') {
            txn.write({ kind: 'delete', table: oid, rowid: id });
            fks?.deleted(oid, id, old);
          } else {
            const row = action.apply(joined, old, ctx);
            checker.check(txn.state.table(oid), row, ctx, id);
            txn.write({ kind: 'update', table: oid, rowid: id, row });
            fks?.updated(oid, id, old, row);
          }
          count++;
        }
      }
      fks?.finish(txn, ctx);
      return { rows: [], rowCount: count };
    },
  };
}


/** The source's FROM item, which cannot see the target (PostgreSQL names it in its error). */
function planSource(stmt: MergeStmt, planner: SelectPlanner, target: string) {
  try {
    return planner.planFromItems([stmt.sourceRelation!]);
  } catch (e) {
    if (e instanceof SqlError && e.message === `missing FROM-clause entry for table "${target}"`) {
      throw new SqlError(SQLSTATE.undefined_table, `invalid reference to FROM-clause entry for table "${target}"`, {
        detail: `There is an entry for table "${target}", but it cannot be referenced from this part of the query.`,
      });
    }
    throw e;
  }
}
