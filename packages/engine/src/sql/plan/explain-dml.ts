/**
 * EXPLAIN of INSERT, UPDATE and DELETE in PostgreSQL's shape: `Insert on t` over `Result` (one
 * VALUES row), `Values Scan on "*VALUES*"` (several) or the SELECT's plan; `Update on t` and
 * `Delete on t` over the scan that finds their rows (the same access path the statement runs,
 * plan/scan.ts), with the rest of WHERE as its Filter. The statement is planned first, so EXPLAIN
 * reports the errors running it would. Forms whose plan shape is not modelled are refused (0A000).
 */
import { treeTarget } from '../inherit/dml.ts';
import type { DeleteStmt, InsertStmt, Node, OnConflictClause, RangeVar, SelectStmt, UpdateStmt } from '@pgsql/types';
import { featureNotSupported } from '../../errors.ts';
import type { DbState, TableData } from '../../state/state.ts';
import { tableScope } from '../constraints.ts';
import { planDelete, planInsert, planUpdate, targetTable } from '../dml.ts';
import type { SelectPlanner } from '../select.ts';
import { columnResolver, conjuncts } from './access.ts';
import { deparse, planNode, type PlanNode } from './explain.ts';
import { arbiterIndexes } from '../on-constraint.ts';
import { ownName } from '../schema/keys.ts';
import { planScan } from './scan.ts';

export function explainDml(query: Node, state: DbState, planner: SelectPlanner): PlanNode | undefined {
  if ('InsertStmt' in query) return explainInsert(query.InsertStmt, state, planner);
  if ('UpdateStmt' in query) return explainChange('Update', query.UpdateStmt, state, planner, () => planUpdate(query.UpdateStmt, state, planner));
  if ('DeleteStmt' in query) return explainChange('Delete', query.DeleteStmt, state, planner, () => planDelete(query.DeleteStmt, state, planner));
  return undefined;
}

function explainInsert(stmt: InsertStmt, state: DbState, planner: SelectPlanner): PlanNode {
  if (stmt.withClause) throw featureNotSupported('EXPLAIN of INSERT with WITH');
  planInsert(stmt, state, planner);
  const table = targetTable(state, stmt.relation);
  const select = stmt.selectStmt && 'SelectStmt' in stmt.selectStmt ? stmt.selectStmt.SelectStmt : undefined;
  return planNode(`Insert on ${nameOf(table, stmt.relation)}`, [sourceOf(select, planner)], stmt.onConflictClause ? conflictDetails(stmt.onConflictClause, table) : []);
}

/** PostgreSQL's ON CONFLICT lines: the resolution, the arbiters when the clause names them, DO UPDATE's WHERE. */
function conflictDetails(clause: OnConflictClause, table: TableData): string[] {
  const { indexOids, inferred } = arbiterIndexes(clause, table);
  const names = table.indexes.filter((ix) => indexOids.includes(ix.def.oid)).map((ix) => ownName(ix.def.name));
  return [
    `Conflict Resolution: ${clause.action === 'ONCONFLICT_UPDATE' ? 'UPDATE' : 'NOTHING'}`,
    ...(inferred ? [`Conflict Arbiter Indexes: ${names.join(', ')}`] : []),
    ...(clause.whereClause ? [`Conflict Filter: ${deparse(clause.whereClause)}`] : []),
  ];
}

function sourceOf(select: SelectStmt | undefined, planner: SelectPlanner): PlanNode {
  if (!select) return planNode('Result');
  const values = select.valuesLists;
  if (values && !select.sortClause && !select.limitCount && !select.limitOffset) {
    return planNode(values.length === 1 ? 'Result' : 'Values Scan on "*VALUES*"');
  }
  return planner.plan(select).node;
}

function explainChange(verb: 'Update' | 'Delete', stmt: UpdateStmt | DeleteStmt, state: DbState, planner: SelectPlanner, validate: () => unknown): PlanNode {
  const from = 'fromClause' in stmt ? stmt.fromClause : (stmt as DeleteStmt).usingClause;
  if (from?.length) throw featureNotSupported(`EXPLAIN of ${verb.toUpperCase()} with ${verb === 'Update' ? 'FROM' : 'USING'}`);
  if (stmt.withClause) throw featureNotSupported(`EXPLAIN of ${verb.toUpperCase()} with WITH`);
  validate();
  if (treeTarget(state, stmt)) throw featureNotSupported(`EXPLAIN of ${verb.toUpperCase()} on a table with children or partitions`);
  const table = targetTable(state, stmt.relation);
  const alias = stmt.relation?.alias?.aliasname ?? table.def.name;
  const scope = tableScope(table.def, planner, alias);
  scope.clause = 'WHERE';
  const conds = stmt.whereClause ? conjuncts(stmt.whereClause) : [];
  // the statement checks its whole WHERE on each row the scan gives; what the index does not cover is the Filter
  const scan = planScan({ table, alias, conds, scope, columnOf: columnResolver(scope, 0, table.def.columns.length), test: () => true, filterNodes: conds });
  return planNode(`${verb} on ${nameOf(table, stmt.relation)}`, [scan.node]);
}

function nameOf(table: TableData, rv: RangeVar | undefined): string {
  const alias = rv?.alias?.aliasname;
  return alias && alias !== table.def.name ? `${table.def.name} ${alias}` : table.def.name;
}
