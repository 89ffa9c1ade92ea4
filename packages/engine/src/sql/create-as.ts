/**
 * CREATE TABLE … AS and SELECT … INTO: a new table with the query's columns (unknown becomes
 * text, as in PostgreSQL) and its rows, as one create_table record and one insert per row in the
 * statement's transaction. The command reports the rows it stored (PostgreSQL's `SELECT n`).
 */
import type { IntoClause, SelectStmt } from '@pgsql/types';
import type { TableDef } from '../catalog/types.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import { checkColumnName } from './ddl-checks.ts';
import { strings } from './names.ts';
import type { StatementPlan } from './plan.ts';
import { ddlSchemaOk } from './schema.ts';
import type { SelectPlanner } from './select.ts';
import { relationColumns } from './view/ddl.ts';
import { ownName } from './schema/keys.ts';
import { checkStorableType } from './types/oid.ts';

export function planCreateTableAs(select: SelectStmt, into: IntoClause, planner: SelectPlanner, ifNotExists = false): StatementPlan {
  const rv = into.rel!;
  ddlSchemaOk(rv.schemaname, false, rv.location);
  if (into.options?.length) throw new SqlError(SQLSTATE.feature_not_supported, 'storage parameters (WITH (…)) are not supported');
  const plan = planner.plan(select);
  const columns = relationColumns(plan.columns, strings(into.colNames), 'too many column names were specified');
  for (const c of columns) checkColumnName(c.name);
  // a stored row value would need a composite type (PostgreSQL makes the table's own row type)
  for (const c of columns) checkStorableType(c.name, c.type);
  const rowColumn = columns.find((c) => c.type === 'record');
  if (rowColumn) throw new SqlError(SQLSTATE.feature_not_supported, `a table column of a row type ("${rowColumn.name}") is not supported`);
  const name = rv.relname!;
  return {
    command: 'SELECT',
    columns: [],
    writes: true,
    run(ctx) {
      const txn = ctx.env.txn!;
      const state = txn.state;
      if (state.tableNames.has(name) || state.indexNames.has(name) || state.sequenceNames.has(name)) {
        if (ifNotExists) return { rows: [], rowCount: 0 };
        throw new SqlError(SQLSTATE.duplicate_table, `relation "${ownName(name)}" already exists`);
      }
      const rows = into.skipData ? [] : plan.run(ctx, undefined);
      const def: TableDef = { oid: state.allocateOid(), name, columns: columns.map((c) => ({ name: c.name, type: c.type, typmod: -1, notNull: false })), checks: [], rowType: state.allocateOid() };
      txn.write({ kind: 'create_table', table: def });
      for (const row of rows) txn.write({ kind: 'insert', table: def.oid, rowid: txn.state.table(def.oid).nextRowId, row });
      return { rows: [], rowCount: rows.length };
    },
  };
}
