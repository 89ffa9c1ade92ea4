/**
 * Prefix operators that PostgreSQL implements by a function: `@ x` (abs, every numeric type),
 * `|/ x` (sqrt) and `||/ x` (cbrt), the last two over float8 only, as pg_operator defines them;
 * and the infix `x ^ y` (power, over float8 or numeric).
 */
import type { FuncCall } from '@pgsql/types';
import { isNumericType } from '../cast.ts';
import { retype, type Expr } from '../compiled.ts';
import { compileFunction } from '../functions.ts';
import { operatorError } from '../operators.ts';

export const PREFIX_FUNCTIONS: Record<string, { name: string; float8Only: boolean }> = {
  '@': { name: 'abs', float8Only: false },
  '|/': { name: 'sqrt', float8Only: true },
  '||/': { name: 'cbrt', float8Only: true },
};

export function compilePrefixFunction(op: string, arg: Expr): Expr {
  const { name, float8Only } = PREFIX_FUNCTIONS[op]!;
  if (arg.type !== 'unknown' && !isNumericType(arg.type)) throw operatorError(op, arg.type, undefined);
  const call: FuncCall = { funcname: [{ String: { sval: name } }] };
  return compileFunction(call, name, [float8Only ? retype(arg, 'float8') : arg]);
}

/** `x ^ y`: power(float8, float8) or power(numeric, numeric), resolved as the function call is. */
export function compilePowerOperator(l: Expr, r: Expr): Expr {
  for (const t of [l.type, r.type]) if (t !== 'unknown' && !isNumericType(t)) throw operatorError('^', l.type, r.type);
  return compileFunction({ funcname: [{ String: { sval: 'power' } }] }, 'power', [l, r]);
}
