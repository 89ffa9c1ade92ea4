/**
 * VACUUM and ANALYZE: walrtc keeps no dead row versions and no planner statistics, so both only
 * check what PostgreSQL checks (the tables and columns exist, VACUUM is outside a transaction
 * block) and change nothing — as on PostgreSQL, no query result depends on them.
 */
import type { RangeVar, VacuumRelation, VacuumStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { StatementPlan } from './plan.ts';
import { qualifiedName, userRelationName } from './schema.ts';
import { strings } from './names.ts';

export function planVacuum(stmt: VacuumStmt): StatementPlan {
  const command = stmt.is_vacuumcmd ? 'VACUUM' : 'ANALYZE';
  const rels = (stmt.rels ?? []).map((n) => (n as { VacuumRelation: VacuumRelation }).VacuumRelation);
  return {
    command,
    columns: [],
    writes: false,
    run(ctx) {
      if (command === 'VACUUM' && ctx.env.txn) throw new SqlError(SQLSTATE.active_sql_transaction, 'VACUUM cannot run inside a transaction block');
      const state = ctx.env.state;
      for (const r of rels) {
        const rv = r.relation as RangeVar;
        const name = userRelationName(rv);
        const oid = name === undefined ? undefined : state.tableNames.get(name);
        if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${qualifiedName(rv)}" does not exist`);
        const def = state.table(oid).def;
        for (const col of strings(r.va_cols)) {
          if (!def.columns.some((c) => c.name === col)) throw new SqlError(SQLSTATE.undefined_column, `column "${col}" of relation "${def.name}" does not exist`);
        }
      }
      return { rows: [], rowCount: 0 };
    },
  };
}
