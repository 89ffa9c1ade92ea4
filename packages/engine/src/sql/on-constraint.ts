/**
 * The arbiter indexes of `INSERT … ON CONFLICT`, as PostgreSQL's infer_arbiter_indexes finds
 * them: every unique index for a bare ON CONFLICT, those on exactly the inferred columns, or
 * exactly the named constraint's index for `ON CONSTRAINT name` — a conflict on another unique
 * index then still raises 23505.
 * The name must be a constraint of the target table (42704 otherwise, a plain unique index
 * included) and one with a unique index (42809 for a CHECK or FOREIGN KEY constraint).
 */
import type { OnConflictClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { TableData } from '../state/state.ts';
import { ownName } from './schema/keys.ts';

function constraintArbiter(table: TableData, name: string): number {
  const def = table.def;
  const index = table.indexes.find((ix) => ix.def.constraint && ownName(ix.def.name) === name);
  if (index) return index.def.oid;
  if (def.checks.some((c) => c.name === name) || (def.foreignKeys ?? []).some((f) => f.name === name)) {
    throw new SqlError('42809', 'constraint in ON CONFLICT clause has no associated index');
  }
  throw new SqlError(SQLSTATE.undefined_object, `constraint "${name}" for table "${ownName(def.name)}" does not exist`);
}

/** `inferred`: the clause names its arbiters (columns or a constraint), as DO UPDATE requires. */
export function arbiterIndexes(clause: OnConflictClause, table: TableData): { indexOids: number[]; inferred: boolean } {
  const named = clause.infer?.conname;
  if (named) return { indexOids: [constraintArbiter(table, named)], inferred: true };
  const wanted = (clause.infer?.indexElems ?? []).map((e) => ('IndexElem' in e ? e.IndexElem.name! : ''));
  const indexOids = table.indexes
    .filter((ix) => ix.def.unique && (wanted.length === 0 || (!ix.exprs && sameSet(ix.def.columns, wanted))))
    .map((ix) => ix.def.oid);
  if (wanted.length && !indexOids.length) {
    throw new SqlError(SQLSTATE.invalid_column_reference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  }
  return { indexOids, inferred: wanted.length > 0 };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
