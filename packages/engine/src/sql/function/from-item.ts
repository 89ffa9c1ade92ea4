/**
 * A SQL function as a FROM item (`FROM f(1) AS t (a, b) WITH ORDINALITY`): its result columns
 * under the alias's names, one row per row it returns.
 */
import type { FuncCall, Node, RangeFunction } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { Expr } from '../compiled.ts';
import { strings } from '../names.ts';
import type { Scope } from '../scope.ts';
import type { FunctionItem } from '../functions/srf.ts';
import { sqlFunctionItem } from './call.ts';

export function sqlFunctionInFrom(rf: RangeFunction, call: FuncCall, scope: Scope, compile: (n: Node, scope: Scope) => Expr): FunctionItem | undefined {
  const item = sqlFunctionItem(call, scope, compile);
  if (!item) return undefined;
  const name = strings(call.funcname).pop()!;
  const alias = rf.alias?.aliasname ?? name;
  const colnames = strings(rf.alias?.colnames);
  // a function of one result column names it after the alias, as PostgreSQL does
  const own = item.columns.length === 1 && item.columns[0]!.name === name ? [{ ...item.columns[0]!, name: alias }] : item.columns;
  const width = own.length + (rf.ordinality ? 1 : 0);
  if (colnames.length > width) {
    throw new SqlError(SQLSTATE.invalid_column_reference, `table "${alias}" has ${width} columns available but ${colnames.length} columns specified`);
  }
  const columns = own.map((c, i) => ({ name: colnames[i] ?? c.name, type: c.type }));
  if (rf.ordinality) columns.push({ name: colnames[own.length] ?? 'ordinality', type: 'int8' });
  return {
    columns,
    label: `Function Scan on ${name}${alias === name ? '' : ` ${alias}`}`,
    rows: (outer, ctx) => {
      const out = item.rows(outer, ctx);
      return rf.ordinality ? out.map((r, i) => [...r, i + 1]) : out;
    },
  };
}
