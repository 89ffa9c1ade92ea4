/**
 * DROP TABLE of a table with children: its partitions go with a partitioned table; inheritance
 * children only with CASCADE or when the same DROP names them (PostgreSQL's 2BP01 otherwise).
 */
import { SqlError } from '../../errors.ts';
import type { Oid, TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import { ownName } from '../schema/keys.ts';
import { childrenOf } from './tree.ts';

export function dropTreeBelow(state: DbState, oid: Oid, dropped: Set<Oid>, cascade: boolean, drop: (child: TableDef) => void): void {
  const parent = state.tables.get(oid)?.def;
  if (!parent) return;
  const children = childrenOf(state, oid);
  const blocking = children.filter((c) => !c.partitionBound && !dropped.has(c.oid));
  if (blocking.length && !cascade) {
    throw new SqlError('2BP01', `cannot drop table ${ownName(parent.name)} because other objects depend on it`, {
      detail: blocking.map((x) => `table ${ownName(x.name)} depends on table ${ownName(parent.name)}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  for (const c of children) dropped.add(c.oid);
  for (const c of children) {
    if (state.tables.has(c.oid)) drop(c);
  }
}
