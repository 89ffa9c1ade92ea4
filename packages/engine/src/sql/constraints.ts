/**
 * Row constraints checked before a row change is logged: NOT NULL (23502), CHECK (23514) and
 * unique indexes (23505), with PostgreSQL's messages and details.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { TableDef } from '../catalog/types.ts';
import type { TableData } from '../state/state.ts';
import type { RowId } from '../wal/record.ts';
import { compileExpr } from './expr.ts';
import { RowScope, type SubqueryPlanner } from './from.ts';
import type { Compiled, EvalContext } from './scope.ts';
import type { Value } from './types.ts';
import { formatValue } from './values.ts';
import { ownName } from './schema/keys.ts';
import { rowTypeOf } from './rowtype/row-type.ts';
import { partitionCheck } from './partition/write.ts';
import { domainColumns } from './types/domain.ts';

export interface RowChecker {
  check(table: TableData, row: Value[], ctx: EvalContext, self?: RowId): void;
}

export function tableScope(def: TableDef, planner: SubqueryPlanner, alias = def.name): RowScope {
  return new RowScope([{ alias, relname: def.name, columns: def.columns.map((c) => ({ name: c.name, type: c.type })), offset: 0, ...rowTypeOf(def) }], def.columns.length, planner);
}

export function rowChecker(def: TableDef, planner: SubqueryPlanner): RowChecker {
  const notNull = def.columns.map((c, i) => (c.notNull ? i : -1)).filter((i) => i >= 0);
  const domains = domainColumns(def, planner);
  const checks: { name: string; expr: Compiled }[] = def.checks.map((c) => {
    const scope = tableScope(def, planner);
    scope.clause = 'check constraints';
    return { name: c.name, expr: compileExpr(c.expr, scope) };
  });
  const partition = partitionCheck(def, planner);
  return {
    check(table, row, ctx, self) {
      for (const [i, check] of domains) check(row[i], ctx);
      for (const i of notNull) {
        if (row[i] === null || row[i] === undefined) {
          throw new SqlError(SQLSTATE.not_null_violation, `null value in column "${def.columns[i]!.name}" of relation "${ownName(def.name)}" violates not-null constraint`, {
            detail: `Failing row contains ${failingRow(def, row)}.`,
          });
        }
      }
      for (const c of checks) {
        if (c.expr.eval(row, ctx) === false) {
          throw new SqlError(SQLSTATE.check_violation, `new row for relation "${ownName(def.name)}" violates check constraint "${c.name}"`, {
            detail: `Failing row contains ${failingRow(def, row)}.`,
          });
        }
      }
      partition?.(row, ctx);
      for (const ix of table.indexes) {
        if (!ix.def.unique || !ix.covers(row)) continue;
        const key = ix.keyOf(row);
        if (ix.conflicts(key, self) !== undefined) {
          const types = ix.keyTypes(def);
          const values = (ix.composite ? (key as Value[]) : [key]).map((v, i) => formatValue(v, types[i]!) ?? 'null');
          throw new SqlError(SQLSTATE.unique_violation, `duplicate key value violates unique constraint "${ownName(ix.def.name)}"`, {
            detail: `Key (${ix.def.columns.join(', ')})=(${values.join(', ')}) already exists.`,
          });
        }
      }
    },
  };
}

function failingRow(def: TableDef, row: Value[]): string {
  return `(${def.columns.map((c, i) => formatValue(row[i], c.type) ?? 'null').join(', ')})`;
}
