/**
 * A scan of a table with children (`FROM parent`, not `FROM ONLY parent`): the rows of the table
 * and of every table below it, each laid out as the parent's columns (PostgreSQL's Append over
 * the inheritance tree). A partitioned table holds no rows itself and is not scanned.
 */
import type { TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { RunContext } from '../env.ts';
import { planNode, type PlanNode } from '../plan/explain.ts';
import { count } from '../plan/explain-count.ts';
import type { Value } from '../types.ts';
import { ownName } from '../schema/keys.ts';
import { columnMap, hasChildren, mapRow, treeMembers } from './tree.ts';

export interface TreeScan {
  source: (ctx: RunContext) => Value[][];
  node: PlanNode;
}

/**
 * The scan over `def`'s tree, or undefined when it has no children (an ordinary table scan). Each
 * row carries one value past the parent's columns: the oid of the table it came from, which the
 * FROM item's `tableoid` reads (RangeEntry.tableOidAt).
 */
export function treeScan(state: DbState, def: TableDef, alias: string): TreeScan | undefined {
  if (!hasChildren(state, def.oid) && !def.partitionKey) return undefined;
  const members = treeMembers(state, def.oid).filter((m) => !m.partitionKey);
  const maps = members.map((m) => columnMap(m, def));
  const base = ownName(alias);
  const scans = members.map((m, i) => planNode(`Seq Scan on ${ownName(m.name)} ${base}_${i + 1}`));
  const node = members.length === 0 ? planNode('Result', [], ['One-Time Filter: false']) : planNode('Append', scans);
  return {
    node,
    source: (ctx) => {
      const out: Value[][] = [];
      members.forEach((m, i) => {
        const map = maps[i];
        const rows = ctx.env.state.table(m.oid).rows.valuesArray();
        count(scans[i]!, rows.length);
        for (const row of rows) {
          const mapped = map ? mapRow(row, map) : row.slice();
          mapped.push(m.oid);
          out.push(mapped);
        }
      });
      return out;
    },
  };
}
