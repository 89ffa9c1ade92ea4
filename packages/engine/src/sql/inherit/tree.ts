/**
 * The inheritance tree read from the catalog: a table's parents are in its own definition
 * (`inherits`, PostgreSQL's pg_inherits rows), so children and descendants are found by looking
 * at every table. Partitions are children too, with one parent: their partitioned table.
 */
import type { Oid, TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import type { Value } from '../types.ts';

/** Direct children of `oid`, in creation (oid) order. */
export function childrenOf(state: DbState, oid: Oid): TableDef[] {
  const out: TableDef[] = [];
  for (const t of state.tables.values()) if (t.def.inherits?.includes(oid)) out.push(t.def);
  return out.sort((a, b) => a.oid - b.oid);
}

export function hasChildren(state: DbState, oid: Oid): boolean {
  for (const t of state.tables.values()) if (t.def.inherits?.includes(oid)) return true;
  return false;
}

/** `oid` and every table below it, each once (a child of two parents of the tree too), parents before children. */
export function treeMembers(state: DbState, oid: Oid): TableDef[] {
  const seen = new Set<Oid>([oid]);
  const out: TableDef[] = [state.table(oid).def];
  for (let i = 0; i < out.length; i++) {
    for (const child of childrenOf(state, out[i]!.oid)) {
      if (seen.has(child.oid)) continue;
      seen.add(child.oid);
      out.push(child);
    }
  }
  return out;
}

/** Whether `ancestor` is `oid` or above it. */
export function isAncestor(state: DbState, ancestor: Oid, oid: Oid): boolean {
  if (ancestor === oid) return true;
  return (state.tables.get(oid)?.def.inherits ?? []).some((p) => isAncestor(state, ancestor, p));
}

/**
 * Where each of `to`'s columns is in a row of `from` (matched by name; -1 for a column `from`
 * lacks, which reads NULL). Undefined when the rows have the same layout.
 */
export function columnMap(from: TableDef, to: TableDef): number[] | undefined {
  const map = to.columns.map((c) => from.columns.findIndex((x) => x.name === c.name));
  return map.length === from.columns.length && map.every((m, i) => m === i) ? undefined : map;
}

export function mapRow(row: readonly Value[], map: number[] | undefined): Value[] {
  if (!map) return row as Value[];
  return map.map((m) => (m < 0 ? null : row[m] ?? null));
}

/** The table PostgreSQL names for a foreign key a partition has from its partitioned table: the topmost one that has it. */
export function foreignKeyOwner(state: DbState, def: TableDef, name: string): TableDef {
  for (;;) {
    const parent = def.partitionBound ? state.tables.get(def.inherits![0]!)?.def : undefined;
    if (!parent?.foreignKeys?.some((f) => f.name === name)) return def;
    def = parent;
  }
}
