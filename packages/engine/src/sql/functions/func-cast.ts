/**
 * Function-style casts: `float8(x)`, `int4(x)`, `numeric(x)`, `text(x)` … PostgreSQL resolves a
 * call named after a type, with one argument and no function of that name taking it, as an
 * explicit cast to that type (func_get_detail's FUNCDETAIL_COERCION); a pair without a cast
 * stays "function … does not exist".
 */
import { castFunction } from '../cast.ts';
import { constant, expr, type Expr } from '../compiled.ts';
import { foldingSuppressed } from '../fold/fold.ts';
import type { SqlType } from '../types.ts';

/** The type names a call may use, as pg_type spells them. */
const CAST_TYPES: Record<string, SqlType> = {
  int2: 'int2', int4: 'int4', int8: 'int8', float4: 'float4', float8: 'float8', numeric: 'numeric',
  text: 'text', varchar: 'varchar', bpchar: 'bpchar', name: 'name', bool: 'bool', date: 'date',
  timestamp: 'timestamp', timestamptz: 'timestamptz', interval: 'interval', json: 'json', jsonb: 'jsonb',
  uuid: 'uuid', bytea: 'bytea',
};

/** The cast `name(arg)` stands for, or undefined when `name` is no type or the types have no cast. */
export function functionStyleCast(name: string, args: Expr[]): Expr | undefined {
  const type = CAST_TYPES[name];
  const arg = args[0];
  if (!type || args.length !== 1 || !arg) return undefined;
  let cast: ReturnType<typeof castFunction>;
  try {
    cast = castFunction(arg.type, type, -1, true);
  } catch {
    return undefined;
  }
  if (arg.konst && (arg.type === 'unknown' || !foldingSuppressed())) return constant(cast(arg.value), type);
  const inner = arg.eval;
  return expr(type, (row, ctx) => cast(inner(row, ctx)));
}
