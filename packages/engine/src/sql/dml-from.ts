/**
 * UPDATE … FROM and DELETE … USING: the target's rows joined with other FROM items. The WHERE,
 * the SET expressions and RETURNING see both; a target row is changed once, with the first joined
 * row that satisfies the WHERE (PostgreSQL leaves which one unspecified when several do), and a
 * target row that joins with nothing is left alone.
 */
import type { DeleteStmt, Node, UpdateStmt } from '@pgsql/types';
import { SqlError } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import type { RowId } from '../wal/record.ts';
import { rowChecker } from './constraints.ts';
import { applySets, compileSets, hasSubselect, returning, statementContext, stillCurrent, targetTable, txnOf } from './dml.ts';
import { compileExpr } from './expr.ts';
import { foreignKeyEvents } from './foreign-keys.ts';
import { RowScope } from './from.ts';
import type { StatementPlan } from './plan.ts';
import type { SelectPlanner } from './select.ts';
import type { Value } from './types.ts';
import { rowTypeOf } from './rowtype/row-type.ts';

export function planJoinedChange(command: 'UPDATE' | 'DELETE', stmt: UpdateStmt | DeleteStmt, from: readonly Node[], state: DbState, planner: SelectPlanner): StatementPlan {
  const table = targetTable(state, stmt.relation);
  const def = table.def;
  const oid = def.oid;
  const alias = stmt.relation?.alias?.aliasname ?? def.name;
  const items = planner.planFromItems(from);
  const width = def.columns.length;
  const own = { alias, relname: def.name, columns: def.columns.map((c) => ({ name: c.name, type: c.type })), offset: 0, ...rowTypeOf(def) };
  const entries = [own, ...items.scope.entries.map((e) => ({ ...e, offset: e.offset + width }))];
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.alias)) throw new SqlError('42712', `table name "${e.alias}" specified more than once`);
    seen.add(e.alias);
  }
  const scope = new RowScope(entries, width + items.scope.width, planner);

  const sets = command === 'UPDATE' ? compileSets((stmt as UpdateStmt).targetList, def, scope) : [];
  scope.clause = 'WHERE';
  const where = stmt.whereClause ? compileExpr(stmt.whereClause, scope) : undefined;
  const ret = stmt.returningClause ? returning(stmt.returningClause.exprs, scope) : undefined;
  const checker = command === 'UPDATE' ? rowChecker(def, planner) : undefined;
  const fks = foreignKeyEvents(state, planner);
  const subselects = hasSubselect(stmt.whereClause, (stmt as UpdateStmt).targetList, stmt.returningClause);

  return {
    command,
    columns: ret?.columns ?? [],
    writes: true,
    run(runCtx) {
      const txn = txnOf(runCtx);
      const ctx = statementContext(runCtx, txn, subselects);
      fks?.reset();
      const others = items.source(ctx, undefined);
      const targets: [RowId, Value[]][] = [];
      ctx.env.state.table(oid).rows.forEachPair((id, row) => { targets.push([id, row]); });
      const out: Value[][] = [];
      let count = 0;
      for (const [id, old] of targets) {
        let joined: Value[] | undefined;
        for (const other of others) {
          const both = [...old, ...other];
          if (!where || where.eval(both, ctx) === true) {
            joined = both;
            break;
          }
        }
        if (!joined || !stillCurrent(ctx, txn, oid, id, old)) continue;
        if (command === 'DELETE') {
          txn.write({ kind: 'delete', table: oid, rowid: id });
          fks?.deleted(oid, id, old);
        } else {
          const row = applySets(sets, def, joined, old, ctx);
          checker!.check(txn.state.table(oid), row, ctx, id);
          txn.write({ kind: 'update', table: oid, rowid: id, row });
          fks?.updated(oid, id, old, row);
          joined = [...row, ...joined.slice(width)];
        }
        count++;
        if (ret) out.push(ret.exprs.map((e) => e.eval(joined, ctx)));
      }
      fks?.finish(txn, ctx);
      return { rows: out, rowCount: count };
    },
  };
}
