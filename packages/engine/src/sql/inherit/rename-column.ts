/**
 * ALTER TABLE … RENAME COLUMN in an inheritance tree, as PostgreSQL's renameatt: without ONLY
 * the column is renamed in every table below the one named too (each once, also a child of two
 * parents of the tree, children first); a table may not rename a column it has from more parents
 * than the rename reaches it through (attinhcount), and ONLY is refused on a table with children.
 */
import { SqlError } from '../../errors.ts';
import type { TableDef } from '../../catalog/types.ts';
import type { DbState } from '../../state/state.ts';
import { childrenOf, treeMembers } from './tree.ts';

/**
 * Renames `column` of `table` and, when `recurse`, of its descendants: `renameOne` renames it in
 * one table, told how many of that table's parents the rename comes through and how many give it
 * the column (counted before any is renamed, as PostgreSQL keeps attinhcount).
 */
export function renameColumnInTree(state: DbState, table: TableDef, column: string, recurse: boolean, renameOne: (def: TableDef, expectedParents: number, inherited: number) => void): void {
  const members = recurse ? treeMembers(state, table.oid) : [table];
  if (!recurse && childrenOf(state, table.oid).length) throw new SqlError('42P16', `inherited column "${column}" must be renamed in child tables too`);
  const inTree = new Set(members.map((m) => m.oid));
  const inherited = members.map((m) => inheritedCount(state, m, column));
  // children first, the named table last (renameatt's order, so the same error comes first)
  for (const [i, m] of [...members.entries()].slice(1)) renameOne(state.table(m.oid).def, (m.inherits ?? []).filter((p) => inTree.has(p)).length, inherited[i]!);
  renameOne(state.table(table.oid).def, 0, inherited[0]!);
}

/** How many of `table`'s parents give it `column` (PostgreSQL's attinhcount). */
export function inheritedCount(state: DbState, table: TableDef, column: string): number {
  return (table.inherits ?? []).filter((p) => state.table(p).def.columns.some((c) => c.name === column)).length;
}
