/**
 * UPDATE and DELETE of a table with children (not ONLY): the statement runs once per table of
 * the tree that holds rows, each time against that table alone under the name the statement
 * gave (so `parent.col` still resolves), all reading one snapshot taken before the statement
 * (a row an UPDATE moved to a partition scanned later is not changed twice). RETURNING `*` is
 * the parent's columns, as PostgreSQL returns them.
 */
import type { DeleteStmt, Node, ResTarget, UpdateStmt } from '@pgsql/types';
import type { TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { StatementPlan } from '../plan.ts';
import type { SubqueryPlanner } from '../from.ts';
import { snapshot } from '../cte/modifying.ts';
import { ownName } from '../schema/keys.ts';
import { userRelationName } from '../schema.ts';
import type { Value } from '../types.ts';
import { partitionMover } from '../partition/write.ts';
import { hasChildren, treeMembers } from './tree.ts';

export type TreeMover = ReturnType<typeof partitionMover>;

/** The root of a not-ONLY target with children, or undefined when the statement touches one table. */
export function treeTarget(state: DbState, stmt: UpdateStmt | DeleteStmt): TableDef | undefined {
  const rv = stmt.relation;
  if (!rv?.inh) return undefined;
  const name = userRelationName(rv);
  const oid = name === undefined ? undefined : state.tableNames.get(name);
  if (oid === undefined) return undefined;
  const def = state.table(oid).def;
  return def.partitionKey || hasChildren(state, oid) ? def : undefined;
}

export function planTreeChange<S extends UpdateStmt | DeleteStmt>(
  command: 'UPDATE' | 'DELETE',
  stmt: S,
  root: TableDef,
  state: DbState,
  planner: SubqueryPlanner,
  planOne: (stmt: S, mover: TreeMover) => StatementPlan,
): StatementPlan {
  const rv = stmt.relation!;
  const alias = rv.alias?.aliasname ?? ownName(rv.relname!);
  const mover = partitionMover(root, planner);
  const returningList = stmt.returningClause ? expandStar(stmt.returningClause.exprs ?? [], root, alias) : undefined;
  const holders = treeMembers(state, root.oid).filter((m) => !m.partitionKey);
  // a partitioned table without partitions still plans the statement once, for its errors and RETURNING columns
  const plans = (holders.length ? holders : [root]).map((m) => planOne({
    ...stmt,
    relation: { ...rv, schemaname: undefined, relname: m.name, inh: false, alias: { aliasname: alias } },
    ...(returningList ? { returningClause: { ...stmt.returningClause, exprs: returningList } } : {}),
  }, mover));
  const first = plans[0];
  return {
    command,
    columns: first?.columns ?? [],
    writes: true,
    run(runCtx) {
      const txn = runCtx.env.txn;
      if (!txn) throw new Error('write statement run without a transaction');
      // one snapshot for every member, unless a data-modifying WITH already gave the statement one
      const ctx = runCtx.env.state === txn.state ? { ...runCtx, env: { ...runCtx.env, state: snapshot(runCtx.env.state) } } : runCtx;
      const rows: Value[][] = [];
      let rowCount = 0;
      for (const p of plans) {
        const r = p.run(ctx);
        rowCount += r.rowCount ?? 0;
        rows.push(...r.rows);
      }
      return { rows, rowCount };
    },
  };
}

/** `*` and `alias.*` in RETURNING as the root's columns, which every member has. */
function expandStar(list: Node[], root: TableDef, alias: string): Node[] {
  return list.flatMap((item) => {
    const rt = (item as { ResTarget: ResTarget }).ResTarget;
    const fields = rt.val && 'ColumnRef' in rt.val ? rt.val.ColumnRef.fields ?? [] : [];
    if (!fields.some((f) => 'A_Star' in f)) return [item];
    return root.columns.map((c) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: c.name } }] } }, location: rt.location } }));
  });
}
