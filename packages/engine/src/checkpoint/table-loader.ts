/**
 * One table loaded from its rows as they come, a row-id chunk at a time in row-id order (a stored
 * checkpoint's chunks at open, a base backup's pieces as they land): the row tree's leaves are cut
 * and the primary key's entries built as each chunk is added, so when the last chunk is in only
 * the trees' upper levels are left to make. Other indexes are built on first use (state/lazy-index.ts).
 */
import type { IndexDef, TableDef } from '../catalog/types.ts';
import { AscendingKeyBuilder, RowTreeBuilder, type RowRun } from '../state/bulk.ts';
import type { IndexKey } from '../state/keys.ts';
import { restoreTable } from '../state/snapshot.ts';
import { IndexData, type TableData } from '../state/state.ts';

export interface LoadedTableDef {
  def: TableDef;
  nextRowId: number;
  indexes: IndexDef[];
}

export class TableLoader {
  /** The chunks added, as the bulk loaders took them: the primary key is built from them if its keys did not ascend. */
  readonly runs: RowRun[] = [];
  private readonly rows = new RowTreeBuilder();
  private readonly primary: { add(run: RowRun): void; finish(): ReturnType<AscendingKeyBuilder['finish']> } | undefined;

  constructor(readonly table: LoadedTableDef) {
    this.primary = primaryKeys(table);
  }

  /** The next chunk: its ids ascend, all above the last chunk's. */
  add(run: RowRun): void {
    this.runs.push(run);
    this.rows.add(run);
    this.primary?.add(run);
  }

  finish(): TableData {
    return restoreTable(this.table, this.runs, this.rows.finish(), this.primary?.finish());
  }
}

/** The primary key's entries, built chunk by chunk beside the rows while its keys ascend with the row ids (a serial key); undefined without one. */
function primaryKeys(t: LoadedTableDef): TableLoader['primary'] {
  const def = t.indexes.find((d) => d.primary);
  if (!def) return undefined;
  const shape = new IndexData(def, t.def);
  const builder = new AscendingKeyBuilder();
  return {
    add(run) {
      const keys = new Array<IndexKey>(run.rows.length);
      for (let i = 0; i < keys.length; i++) keys[i] = shape.treeKey(shape.keyOf(run.rows[i]!));
      builder.add(keys, run.ids);
    },
    finish: () => builder.finish(),
  };
}
