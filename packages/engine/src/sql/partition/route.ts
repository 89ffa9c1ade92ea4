/**
 * Tuple routing: the leaf partition a row of a partitioned table belongs in (descending through
 * sub-partitioned tables), and the partition constraint of a row written to a partition
 * directly — the same choice made at each level above it, so both can never disagree.
 */
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { SubqueryPlanner } from '../from.ts';
import type { EvalContext } from '../scope.ts';
import type { Value } from '../types.ts';
import { formatValue } from '../values.ts';
import { ownName } from '../schema/keys.ts';
import { childrenOf, columnMap, mapRow } from '../inherit/tree.ts';
import { boundContains } from './bound.ts';
import { keyReader } from './key.ts';
import { partitionHash } from './hash.ts';

/** The partition of `def` (one level) whose bound holds the row, or undefined. */
function choose(state: DbState, def: TableDef, row: readonly Value[], ctx: EvalContext, planner: SubqueryPlanner): { child?: TableDef; key: Value[] } {
  const key = keyReader(def, planner)(row, ctx);
  const children = childrenOf(state, def.oid);
  if (def.partitionKey!.strategy === 'hash') {
    const h = partitionHash(def.partitionKey!, key);
    return { child: children.find((c) => c.partitionBound?.kind === 'hash' && h % BigInt(c.partitionBound.modulus) === BigInt(c.partitionBound.remainder)), key };
  }
  const child = children.find((c) => c.partitionBound && c.partitionBound.kind !== 'default' && boundContains(c.partitionBound, key))
    ?? children.find((c) => c.partitionBound?.kind === 'default');
  return { child, key };
}

/** The leaf partition for a row of the partitioned table `def`, and the row laid out as the leaf's. */
export function routeRow(state: DbState, def: TableDef, row: Value[], ctx: EvalContext, planner: SubqueryPlanner): { leaf: TableDef; row: Value[] } {
  for (;;) {
    const { child, key } = choose(state, def, row, ctx, planner);
    if (!child) {
      const k = def.partitionKey!.keys;
      throw new SqlError(SQLSTATE.check_violation, `no partition of relation "${ownName(def.name)}" found for row`, {
        detail: `Partition key of the failing row contains (${k.map((x) => x.text).join(', ')}) = (${key.map((v, i) => formatValue(v, k[i]!.type) ?? 'null').join(', ')}).`,
      });
    }
    row = mapRow(row, columnMap(def, child));
    if (!child.partitionKey) return { leaf: child, row };
    def = child;
  }
}

/** Whether a row of the partition `def` satisfies its partition constraint (and its parents', up the tree). */
export function fitsPartition(state: DbState, def: TableDef, row: readonly Value[], ctx: EvalContext, planner: SubqueryPlanner): boolean {
  while (def.partitionBound) {
    const parent = state.table(def.inherits![0]!).def;
    const up = mapRow(row, columnMap(def, parent));
    if (choose(state, parent, up, ctx, planner).child?.oid !== def.oid) return false;
    def = parent;
    row = up;
  }
  return true;
}

export function partitionViolation(def: TableDef, row: readonly Value[]): SqlError {
  return new SqlError(SQLSTATE.check_violation, `new row for relation "${ownName(def.name)}" violates partition constraint`, {
    detail: `Failing row contains (${def.columns.map((c, i) => formatValue(row[i], c.type) ?? 'null').join(', ')}).`,
  });
}
