/**
 * TRUNCATE [TABLE] t, … [CONTINUE IDENTITY] [RESTRICT | CASCADE]: every row of the tables goes,
 * as one `truncate` WAL record per table. A table referenced by a foreign key from a table not
 * truncated with it is refused as PostgreSQL refuses it, unless CASCADE adds the referencing
 * tables. RESTART IDENTITY sets the sequences owned by their columns back to their START, in
 * the same transaction (a sequence_reset record each).
 */
import type { RangeVar, TruncateStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { DbState } from '../state/state.ts';
import type { StatementPlan } from './plan.ts';
import { qualifiedName, userRelationName } from './schema.ts';
import { pos } from './from.ts';
import { refuseView } from './view/ddl.ts';
import { canonical } from './int8.ts';
import { params } from './sequence/options.ts';
import { followingVersion } from './sequence/functions.ts';
import { treeMembers } from './inherit/tree.ts';

export function planTruncate(stmt: TruncateStmt): StatementPlan {
  const cascade = stmt.behavior === 'DROP_CASCADE';
  const relations = (stmt.relations ?? []).map((n) => (n as { RangeVar: RangeVar }).RangeVar);
  return {
    command: 'TRUNCATE TABLE',
    columns: [],
    writes: true,
    run(ctx) {
      const txn = ctx.env.txn!;
      const oids = new Set<number>();
      for (const rv of relations) {
        const name = userRelationName(rv);
        const oid = name === undefined ? undefined : txn.state.tableNames.get(name);
        if (oid === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${qualifiedName(rv)}" does not exist`, { position: pos(rv.location) });
        refuseView(txn.state.table(oid).def, 'table', rv.location);
        oids.add(oid);
        // TRUNCATE t empties its children too; TRUNCATE ONLY t only t (a partitioned table has nothing of its own: PostgreSQL refuses it)
        if (rv.inh) for (const m of treeMembers(txn.state, oid)) oids.add(m.oid);
        else if (txn.state.table(oid).def.partitionKey) throw new SqlError(SQLSTATE.wrong_object_type, 'cannot truncate only a partitioned table', { hint: 'Do not specify the ONLY keyword, or use TRUNCATE ONLY on the partitions directly.' });
      }
      for (const oid of oids) addReferencing(txn.state, oid, oids, cascade);
      for (const oid of oids) txn.write({ kind: 'truncate', table: oid });
      if (stmt.restart_seqs) {
        for (const seq of txn.state.sequences.values()) {
          if (seq.def.ownedBy && oids.has(seq.def.ownedBy.table)) {
            txn.write({ kind: 'sequence_reset', sequence: seq.def.oid, value: canonical(params(seq.def).start), called: false, version: followingVersion(seq) });
          }
        }
      }
      return { rows: [], rowCount: 0 };
    },
  };
}

/** Tables referencing `oid` must be truncated too: added with CASCADE (and theirs in turn), refused otherwise. */
function addReferencing(state: DbState, oid: number, oids: Set<number>, cascade: boolean): void {
  for (const t of state.tables.values()) {
    if (oids.has(t.def.oid) || !t.def.foreignKeys?.some((fk) => fk.refTable === oid)) continue;
    if (!cascade) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'cannot truncate a table referenced in a foreign key constraint', {
        detail: `Table "${t.def.name}" references "${state.table(oid).def.name}".`,
        hint: `Truncate table "${t.def.name}" at the same time, or use TRUNCATE ... CASCADE.`,
      });
    }
    oids.add(t.def.oid);
    addReferencing(state, t.def.oid, oids, cascade);
  }
}
