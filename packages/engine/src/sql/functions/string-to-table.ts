/**
 * string_to_table(string, delimiter [, null_string]): string_to_array's pieces as rows. A NULL
 * delimiter splits into characters and a NULL null_string marks nothing, so the function runs
 * with NULL arguments (only a NULL string gives no rows), unlike the other set-returning functions.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import { retype, type Expr } from '../compiled.ts';
import { TYPE_NAME } from '../types.ts';
import type { JsonSet } from './json-sets.ts';

export function stringToTableSet(name: string, args: Expr[]): JsonSet {
  if (args.length < 2 || args.length > 3 || !args.every((a) => a.type === 'unknown' || a.type === 'text' || a.type === 'varchar')) {
    throw new SqlError(SQLSTATE.undefined_function, `function ${name}(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  return {
    args: args.map((a) => retype(a, 'text')),
    columns: [{ name, type: 'text' }],
    nullable: true,
    run: ([s, d, n = null]) => {
      if (s === null || s === '') return [];
      const str = s as string;
      const parts = d === null ? Array.from(str) : d === '' ? [str] : str.split(d as string);
      return parts.map((p) => [n !== null && p === n ? null : p]);
    },
  };
}
