/**
 * ORDER BY … USING op: the operator must be the `<` or `>` of the key's type (a btree ordering
 * operator); `>` sorts descending, with NULLs first unless NULLS LAST says otherwise, as DESC does.
 */
import type { SortBy } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import { pos } from './from.ts';
import { lastName } from './names.ts';
import { COMPARISON_OPS, operatorError } from './operators.ts';
import type { SqlType } from './types.ts';

const UNORDERED: ReadonlySet<SqlType> = new Set(['json']);

export function usingDescending(by: SortBy, type: SqlType): boolean {
  const op = lastName(by.useOp);
  if (!COMPARISON_OPS.has(op) || UNORDERED.has(type)) throw operatorError(op, type, type);
  if (op !== '<' && op !== '>') {
    throw new SqlError(SQLSTATE.wrong_object_type, `operator ${op} is not a valid ordering operator`, {
      position: pos(by.location),
      hint: 'Ordering operators must be "<" or ">" members of btree operator families.',
    });
  }
  return op === '>';
}
