/**
 * `(a JOIN b …) AS x [(c1, …)]`: an aliased join is one FROM item named x whose columns are the
 * join's output columns (those `SELECT *` shows: merged USING columns, then each side's own), and
 * the tables inside it can no longer be named from outside (PostgreSQL's 42P01 with its hint).
 * The join's rows are re-laid out to that column order, so the entry is an ordinary one.
 */
import type { Alias, Node } from '@pgsql/types';
import { SqlError } from '../errors.ts';
import type { Built, RangeEntry } from './from.ts';
import type { SqlType, Value } from './types.ts';

type AliasColumns = (alias: string, columns: readonly { name: string; type: SqlType }[], colnames: readonly Node[] | undefined) => { name: string; type: SqlType }[];

/** 42712 when two entries inside one join share a name (checked before the alias hides them). */
export function checkDistinctNames(entries: readonly RangeEntry[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (!e.alias) continue;
    if (seen.has(e.alias)) throw new SqlError('42712', `table name "${e.alias}" specified more than once`);
    seen.add(e.alias);
  }
}

export function aliasJoin(built: Built, alias: Alias, aliasColumns: AliasColumns): Built {
  checkDistinctNames(built.entries);
  const slots: number[] = [];
  const columns: { name: string; type: SqlType }[] = [];
  for (const e of built.entries) {
    e.columns.forEach((c, i) => {
      if (e.hidden?.has(c.name)) return;
      slots.push(e.offset + i);
      columns.push(c);
    });
  }
  const name = alias.aliasname!;
  const shadows = built.entries.flatMap((e) => [...(e.alias ? [e.alias] : []), ...(e.shadows ?? [])]);
  const inner = built.source;
  const project = (row: readonly Value[]): Value[] => slots.map((s) => row[s] ?? null);
  return {
    entries: [{ alias: name, columns: aliasColumns(name, columns, alias.colnames), offset: 0, shadows }],
    width: slots.length,
    source: (ctx, o) => inner(ctx, o).map(project),
    tables: new Map(),
    node: built.node,
  };
}
