/**
 * Reading one table's rows for UPDATE and DELETE: the best index path for the WHERE clause's
 * conditions (plan/access.ts), else a full scan. The caller applies the whole WHERE to each row.
 */
import type { Node } from '@pgsql/types';
import type { TableData } from '../state/state.ts';
import type { Value } from './types.ts';
import type { RunContext } from './env.ts';
import type { RowId } from '../wal/record.ts';
import type { Scope } from './scope.ts';
import { columnResolver, conjuncts } from './plan/access.ts';
import { planScan } from './plan/scan.ts';

export type TableScan = (ctx: RunContext) => { ids: RowId[]; rows: Value[][] };

export function planTableScan(table: TableData, where: Node | undefined, scope: Scope): TableScan {
  const scan = planScan({
    table,
    alias: table.def.name,
    conds: where ? conjuncts(where) : [],
    scope,
    columnOf: columnResolver(scope, 0, table.def.columns.length),
  });
  return (ctx) => {
    // the first match is held apart: a point UPDATE or DELETE gets arrays of one, not two grown by push
    let first: Value[] | undefined;
    let firstId = 0;
    let ids: RowId[] | undefined;
    let rows: Value[][] | undefined;
    scan.run(ctx, (id, row) => {
      if (ids) {
        ids.push(id);
        rows!.push(row);
      } else if (first === undefined) {
        first = row;
        firstId = id;
      } else {
        ids = [firstId, id];
        rows = [first, row];
      }
      return true;
    });
    if (ids) return { ids, rows: rows! };
    return first === undefined ? { ids: [], rows: [] } : { ids: [firstId], rows: [first] };
  };
}

export { conjuncts };
