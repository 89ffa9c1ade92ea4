/**
 * `INSERT … ON CONFLICT ON CONSTRAINT name`: the arbiter is exactly that constraint's index, as
 * in PostgreSQL (infer_arbiter_indexes) — a conflict on another unique index still raises 23505.
 * The name must be a constraint of the target table (42704 otherwise, a plain unique index
 * included) and one with a unique index (42809 for a CHECK or FOREIGN KEY constraint).
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { TableData } from '../state/state.ts';
import { ownName } from './schema/keys.ts';

export function constraintArbiter(table: TableData, name: string): number {
  const def = table.def;
  const index = table.indexes.find((ix) => ix.def.constraint && ownName(ix.def.name) === name);
  if (index) return index.def.oid;
  if (def.checks.some((c) => c.name === name) || (def.foreignKeys ?? []).some((f) => f.name === name)) {
    throw new SqlError('42809', 'constraint in ON CONFLICT clause has no associated index');
  }
  throw new SqlError(SQLSTATE.undefined_object, `constraint "${name}" for table "${ownName(def.name)}" does not exist`);
}
