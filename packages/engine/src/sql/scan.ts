/**
 * Reading one table's rows for UPDATE, DELETE and single-table SELECT: an index lookup when the
 * WHERE clause pins every column of an index to a constant or parameter, else a full scan.
 */
import type { Node } from '@pgsql/types';
import { hasNull } from '../state/keys.ts';
import type { IndexData, TableData } from '../state/state.ts';
import type { SqlType, Value } from './types.ts';
import { coerceToColumn } from './cast.ts';
import type { RunContext } from './env.ts';
import type { RowId } from '../wal/record.ts';
import { compileExpr } from './expr.ts';
import type { Compiled, Scope } from './scope.ts';
import { strings } from './names.ts';

export type TableScan = (ctx: RunContext) => { ids: RowId[]; rows: Value[][] };

export function planTableScan(table: TableData, where: Node | undefined, scope: Scope): TableScan {
  const oid = table.def.oid;
  const pins = new Map<string, Compiled>();
  for (const c of where ? conjuncts(where) : []) {
    const pin = equalityPin(c, table, scope);
    if (pin && !pins.has(pin.column)) pins.set(pin.column, pin.value);
  }
  const index = pins.size ? chooseIndex(table.indexes, pins) : undefined;
  if (!index) {
    return (ctx) => {
      const ids: RowId[] = [];
      const rows: Value[][] = [];
      ctx.env.state.table(oid).rows.forEachPair((id, row) => { ids.push(id); rows.push(row); });
      return { ids, rows };
    };
  }
  const values = index.def.columns.map((c) => pins.get(c)!);
  const indexOid = index.def.oid;
  return (ctx) => {
    const t = ctx.env.state.table(oid);
    const ix = t.indexes.find((i) => i.def.oid === indexOid)!;
    const key = ix.composite ? values.map((v) => v.eval([], ctx)) : values[0]!.eval([], ctx);
    const ids: RowId[] = [];
    const rows: Value[][] = [];
    // `col = NULL` is never true; the index would otherwise return the rows whose key is NULL
    if (hasNull(key, ix.composite)) return { ids, rows };
    for (const id of ix.lookup(key)) {
      const row = t.rows.get(id);
      if (row) {
        ids.push(id);
        rows.push(row);
      }
    }
    return { ids, rows };
  };
}

/** The AND-ed parts of a condition. */
export function conjuncts(node: Node): Node[] {
  if ('BoolExpr' in node && node.BoolExpr.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(conjuncts);
  return [node];
}

/**
 * `column = constant/param` (either side) on one of the table's own columns: the column's name and
 * the compiled value. A name that resolves to an outer query's row is not a pin on this table.
 */
function equalityPin(node: Node, table: TableData, scope: Scope): { column: string; value: Compiled } | undefined {
  if (!('A_Expr' in node) || node.A_Expr.kind !== 'AEXPR_OP') return undefined;
  if (strings(node.A_Expr.name)[0] !== '=') return undefined;
  const { lexpr, rexpr } = node.A_Expr;
  for (const [col, val] of [[lexpr, rexpr], [rexpr, lexpr]] as const) {
    if (!col || !val || !('ColumnRef' in col) || !isConstant(val)) continue;
    const slot = scope.column(strings(col.ColumnRef.fields));
    if (slot.index >= table.def.columns.length) return undefined;
    const value = compileExpr(val, scope);
    if (value.type !== 'unknown' && !comparableForIndex(slot.type, value.type)) return undefined;
    return { column: table.def.columns[slot.index]!.name, value: value.type === 'unknown' ? asColumnType(value, slot.type) : value };
  }
  return undefined;
}

function isConstant(node: Node): boolean {
  if ('A_Const' in node || 'ParamRef' in node) return true;
  if ('TypeCast' in node) return node.TypeCast.arg !== undefined && isConstant(node.TypeCast.arg);
  return false;
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
const TEXT = new Set(['text', 'varchar']);

const FLOAT = new Set(['float4', 'float8']);
const EXACT = new Set(['int8', 'numeric']);

function comparableForIndex(col: string, val: string): boolean {
  if (col === val) return true;
  // int8/numeric against a double compares as double (PostgreSQL casts to float8), which an exact key lookup would not
  if (FLOAT.has(col) !== FLOAT.has(val) && (EXACT.has(col) || EXACT.has(val))) return false;
  return (NUMERIC.has(col) && NUMERIC.has(val)) || (TEXT.has(col) && TEXT.has(val));
}

/**
 * Index keys hold stored values, so an untyped literal or parameter is read as the column's type
 * first, as PostgreSQL does: '7' finds 7 in an int column, '2024-01-02' a date, and 'x' for an int
 * column is 22P02 rather than an empty result. A number stays as given (1.5 must not match 2).
 */
function asColumnType(value: Compiled, type: SqlType): Compiled {
  return {
    type,
    eval: (row, ctx) => {
      const v = value.eval(row, ctx);
      return typeof v === 'string' ? coerceToColumn(v, type) : v;
    },
  };
}

function chooseIndex(indexes: readonly IndexData[], pins: Map<string, Compiled>): IndexData | undefined {
  let best: IndexData | undefined;
  for (const ix of indexes) {
    if (!ix.def.columns.every((c) => pins.has(c))) continue;
    if (!best || (ix.def.unique && !best.def.unique) || ix.def.columns.length > best.def.columns.length) best = ix;
  }
  return best;
}
