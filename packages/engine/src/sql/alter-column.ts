/**
 * ALTER TABLE … ALTER [COLUMN] c SET DEFAULT e | DROP DEFAULT | SET NOT NULL | DROP NOT NULL: the
 * table's definition changes (an `alter_table_def` WAL record), its rows do not; SET NOT NULL
 * first checks the rows already there. ALTER COLUMN … TYPE is alter-type.ts.
 */
import { domainColumn } from './types/domain.ts';
import type { AlterTableCmd } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { ColumnDef } from '../catalog/types.ts';
import type { TableData } from '../state/state.ts';
import { checkAssignable } from './cast.ts';
import { checkNoSubquery } from './ddl-checks.ts';
import type { WriteTxn } from './env.ts';
import { compileExpr } from './expr.ts';
import { RowScope, type SubqueryPlanner } from './from.ts';

export function alterColumn(cmd: AlterTableCmd, table: TableData, txn: WriteTxn, planner: SubqueryPlanner): void {
  const def = table.def;
  const at = table.column(cmd.name ?? '');
  if (at < 0) throw new SqlError(SQLSTATE.undefined_column, `column "${cmd.name}" of relation "${def.name}" does not exist`);
  const col = def.columns[at]!;
  let changed: ColumnDef;
  switch (cmd.subtype) {
    case 'AT_ColumnDefault': {
      if (!cmd.def) {
        changed = { ...col };
        delete changed.default;
        delete changed.defaultText;
        // a column of a domain falls back to the domain's DEFAULT
        changed = { ...changed, ...domainColumn(col.domain) };
        break;
      }
      checkNoSubquery(cmd.def, 'DEFAULT expression');
      const scope = new RowScope([], 0, planner);
      scope.clause = 'DEFAULT expressions';
      checkAssignable(compileExpr(cmd.def, scope).type, col.type, col.name);
      changed = { ...col, default: cmd.def };
      delete changed.defaultText;
      break;
    }
    case 'AT_SetNotNull':
      table.rows.forEachPair((_id, row) => {
        if (row[at] === null || row[at] === undefined) throw new SqlError(SQLSTATE.not_null_violation, `column "${col.name}" of relation "${def.name}" contains null values`);
      });
      changed = { ...col, notNull: true };
      break;
    default:
      if (table.indexes.some((ix) => ix.def.primary && ix.def.columns.includes(col.name))) {
        throw new SqlError(SQLSTATE.invalid_table_definition, `column "${col.name}" is in a primary key`);
      }
      changed = { ...col, notNull: false };
  }
  txn.write({ kind: 'alter_table_def', table: { ...def, columns: def.columns.map((c, i) => (i === at ? changed : c)) } });
}
