/**
 * `UPDATE t SET j['a'][0] = v` on a jsonb column, as jsonb_subscript_assign / setPath with
 * JB_PATH_CREATE | JB_PATH_FILL_GAPS | JB_PATH_CONSISTENT_POSITION do it: missing keys are added,
 * missing levels created (an array where the next subscript is an integer, else an object), arrays
 * padded with nulls up to the index; a NULL column starts as [] or {} by its first subscript's
 * type; a NULL value stores JSON null; a scalar on the path, a NULL subscript or a negative index
 * before the start is an error.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import type { Value } from '../types.ts';
import { isJsonObject, nested, topLevel } from '../types/jsonb.ts';
import { jsonbSubscriptArg } from './jsonb-subscript.ts';

/** The internal function a multi-subscript assignment is rewritten to: (column, value, subscripts…). */
export const JSONB_ASSIGN = '*jsonb_assign*';

const isInteger = (s: string): boolean => /^\s*[+-]?\d+$/.test(s) && Math.abs(Number(s)) <= 2147483647;

function scalarOnPath(): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, 'cannot replace existing key', {
    detail: 'The path assumes key is a composite object, but it is a scalar value.',
  });
}

function setPath(container: Value, path: string[], level: number, value: Value): Value {
  const key = path[level]!, last = level === path.length - 1;
  const inner = (old: Value | undefined): Value => {
    if (last) return value;
    if (old === undefined) return setPath(isInteger(path[level + 1]!) ? [] : {}, path, level + 1, value);
    if (Array.isArray(old) || isJsonObject(old)) return setPath(old, path, level + 1, value);
    throw scalarOnPath();
  };
  if (Array.isArray(container)) {
    if (!isInteger(key)) {
      throw new SqlError(SQLSTATE.invalid_text_representation, `path element at position ${level + 1} is not an integer: "${key}"`);
    }
    const given = Number(key);
    const idx = given < 0 ? container.length + given : given;
    if (idx < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, `path element at position ${level + 1} is out of range: ${given}`);
    const out = container.slice();
    while (out.length < idx) out.push(null);
    out[idx] = inner(idx < container.length ? container[idx] : undefined);
    return out;
  }
  if (isJsonObject(container)) {
    const out: Record<string, Value> = { ...container };
    out[key] = inner(Object.prototype.hasOwnProperty.call(container, key) ? container[key] : undefined);
    return out;
  }
  throw scalarOnPath();
}

export function compileJsonbAssign(column: Expr, value: Expr, subscripts: Expr[]): Expr {
  const ce = column.eval, ve = retype(value, 'jsonb').eval;
  const steps = subscripts.map((s) => jsonbSubscriptArg(s).eval);
  const expectArray = subscripts[0]!.type === 'int2' || subscripts[0]!.type === 'int4';
  return expr('jsonb', (row, ctx) => {
    const path: string[] = [];
    for (const s of steps) {
      const k = s(row, ctx);
      if (k === null) throw new SqlError('22004', 'jsonb subscript in assignment must not be null');
      path.push(String(k as string | number));
    }
    const doc = ce(row, ctx);
    const v = ve(row, ctx);
    return topLevel(setPath(doc === null ? (expectArray ? [] : {}) : doc, path, 0, v === null ? null : nested(v)));
  });
}
