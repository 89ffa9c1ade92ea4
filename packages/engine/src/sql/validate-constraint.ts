/**
 * ALTER TABLE … VALIDATE CONSTRAINT: checks the rows a NOT VALID foreign key or CHECK constraint
 * left unchecked when it was added, then marks it valid (a WAL-logged alter_table_def).
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { TableData } from '../state/state.ts';
import { checkRows } from './constraint-ddl.ts';
import type { RunContext, WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { foreignKeyEvents } from './foreign-keys.ts';
import { RowScope, type SubqueryPlanner } from './from.ts';

export function validateConstraint(name: string, table: TableData, txn: WriteTxn, ctx: RunContext, planner: SubqueryPlanner): void {
  const def = table.def;
  const fk = def.foreignKeys?.find((f) => f.name === name);
  if (fk) {
    if (!fk.notValid) return;
    // every row checked as if inserted now, as ADD CONSTRAINT does without NOT VALID
    txn.write({ kind: 'alter_table_def', table: { ...def, foreignKeys: def.foreignKeys!.map((f) => (f.name === name ? { ...f, notValid: undefined } : f)) } });
    const events = foreignKeyEvents(txn.state, planner, name)!;
    txn.state.table(def.oid).rows.forEachPair((id) => events.inserted(def.oid, id));
    events.finish(txn, ctx, true);
    return;
  }
  const check = def.checks.find((c) => c.name === name);
  if (check) {
    if (!check.notValid) return;
    const scope = new RowScope([{ alias: def.name, columns: def.columns.map((x) => ({ name: x.name, type: x.type })), offset: 0 }], def.columns.length, planner);
    scope.clause = 'check constraints';
    checkRows(def, name, compileExpr(check.expr, scope), table, ctx);
    txn.write({ kind: 'alter_table_def', table: { ...def, checks: def.checks.map((c) => (c.name === name ? { name: c.name, expr: c.expr } : c)) } });
    return;
  }
  // UNIQUE and PRIMARY KEY constraints are always valid
  if (table.indexes.some((i) => i.def.constraint && i.def.name === name)) return;
  throw new SqlError(SQLSTATE.undefined_object, `constraint "${name}" of relation "${def.name}" does not exist`);
}
