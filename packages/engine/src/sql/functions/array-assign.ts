/**
 * `UPDATE t SET a[i] = v`: the column gets its array with element i replaced, extended with NULLs
 * when i is past the end, as PostgreSQL assigns. Slices, several subscripts, and subscripts that
 * would move the lower bound (i < 1, or i > 1 on a NULL array) are refused with 0A000.
 */
import type { Node, ResTarget } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { TYPE_NAME, type Value } from '../types.ts';
import { dimensions, elementType, isArrayType } from '../types/array.ts';
import { compileJsonbAssign, JSONB_ASSIGN } from './jsonb-assign.ts';

/** `SET j[a][b] = v`: (column, value, subscripts…), for jsonb columns; arrays refuse several subscripts. */
export function compileSubscriptsAssign([a, v, ...subscripts]: Expr[]): Expr {
  if (a!.type === 'jsonb') return compileJsonbAssign(a!, v!, subscripts);
  if (isArrayType(a!.type)) throw featureNotSupported('UPDATE of an array slice, several subscripts or a subfield');
  throw new SqlError(SQLSTATE.datatype_mismatch, `cannot subscript type ${TYPE_NAME[a!.type]} because it does not support subscripting`);
}

/** The internal function the assignment is rewritten to: (array, subscript, value). */
export const ARRAY_ASSIGN = '*array_assign*';

/** `SET a[i] = v` as `SET a = *array_assign*(a, i, v)`; other targets unchanged. */
export function elementAssignment(rt: ResTarget): ResTarget {
  const ind = rt.indirection ?? [];
  if (!ind.length) return rt;
  const only = ind.length === 1 && 'A_Indices' in ind[0]! ? ind[0].A_Indices : undefined;
  const column: Node = { ColumnRef: { fields: [{ String: { sval: rt.name! } }] } };
  const plain = ind.map((i) => ('A_Indices' in i && !i.A_Indices.is_slice ? i.A_Indices.uidx : undefined));
  // several subscripts: only a jsonb column takes them (sql/functions/jsonb-assign.ts)
  if (ind.length > 1 && plain.every((x) => x)) {
    return { ...rt, indirection: undefined, val: { FuncCall: { funcname: [{ String: { sval: JSONB_ASSIGN } }], args: [column, rt.val!, ...(plain as Node[])] } } };
  }
  if (!only || only.is_slice || !only.uidx) throw featureNotSupported('UPDATE of an array slice, several subscripts or a subfield');
  return { ...rt, indirection: undefined, val: { FuncCall: { funcname: [{ String: { sval: ARRAY_ASSIGN } }], args: [column, only.uidx, rt.val!] } } };
}

export function compileArrayAssign(args: Expr[]): Expr {
  const [a, i, v] = args as [Expr, Expr, Expr];
  if (a.type === 'jsonb') return compileJsonbAssign(a, v, [i]);
  if (!isArrayType(a.type)) {
    throw new SqlError(SQLSTATE.datatype_mismatch, 'cannot subscript a column that is not an array');
  }
  const ae = a.eval, ie = retype(i, 'int4').eval, ve = retype(v, elementType(a.type)).eval;
  return expr(a.type, (row, ctx) => {
    const arr = ae(row, ctx) as Value[] | null;
    const k = ie(row, ctx);
    if (k === null) throw new SqlError('22004', 'array subscript in assignment must not be null');
    const at = k as number;
    if (arr !== null && dimensions(arr).length > 1) throw featureNotSupported('assigning one element of a multidimensional array');
    if (at < 1 || (arr === null && at !== 1) || (arr !== null && arr.length === 0 && at !== 1)) {
      throw featureNotSupported('array assignments that change the lower bound');
    }
    const out = arr ? arr.slice() : [];
    while (out.length < at - 1) out.push(null);
    out[at - 1] = ve(row, ctx);
    return out;
  });
}
