/**
 * A table's row type: PostgreSQL gives every table (and view) a composite pg_type entry of its own,
 * whose OID a whole-row reference (`select t from t`, `returning t`) reports and whose name is the
 * table's. The OID is allocated with the table's definition (TableDef.rowType), so the WAL record
 * that creates the table carries it to standbys and checkpoints keep it.
 */
import type { TableDef } from '../../catalog/types.ts';
import type { RowTypeRef } from '../scope.ts';
import { ownName } from '../schema/keys.ts';

/** The row type a FROM item over `def` exposes (undefined for definitions written before row types had an OID). */
export function rowTypeOf(def: TableDef): { rowType?: RowTypeRef } {
  return def.rowType === undefined ? {} : { rowType: { oid: def.rowType, name: ownName(def.name) } };
}
