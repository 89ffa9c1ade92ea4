/**
 * Redo: apply one WAL record to a database state. The primary's executor and a standby's
 * replay both change state only through here, so the same records on the same state always give
 * the same state.
 */
import type { Node } from '@pgsql/types';
import BTree, { NODE_SIZE } from './btree.ts';
import type { Value } from '../sql/types.ts';
import type { WalRecord } from '../wal/record.ts';
import { buildIndex, nextCatalogVersion, TableData, type DbState } from './state.ts';
import { attnums, forgetComments, redoComment } from '../catalog/comments.ts';

export function redo(state: DbState, rec: WalRecord): void {
  if (state.comments.size) forgetComments(state, rec);
  switch (rec.kind) {
    case 'create_table': {
      state.adopt(rec.table.oid, new TableData(rec.table));
      state.ownCatalog().tableNames.set(rec.table.name, rec.table.oid);
      seenOid(state, rec.table.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_table': {
      const t = state.table(rec.table);
      for (const ix of t.indexes) {
        state.ownCatalog().indexNames.delete(ix.def.name);
        state.ownCatalog().indexTables.delete(ix.def.oid);
      }
      state.tables.delete(rec.table);
      state.ownCatalog().tableNames.delete(t.def.name);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'rename_table': {
      const t = state.writable(rec.table);
      state.ownCatalog().tableNames.delete(t.def.name);
      t.def = { ...t.def, name: rec.name };
      state.ownCatalog().tableNames.set(rec.name, rec.table);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'add_column': {
      const t = state.writable(rec.table);
      t.def = { ...t.def, columns: [...t.def.columns, rec.column] };
      rewriteRows(t, (row) => [...row, rec.fill]);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_column': {
      const t = state.writable(rec.table);
      const at = t.column(rec.column);
      // a CHECK or FOREIGN KEY that mentions the column goes with it, as in PostgreSQL
      const checks = t.def.checks.filter((c) => !mentions(c.expr, rec.column));
      const foreignKeys = t.def.foreignKeys?.filter((fk) => !fk.columns.includes(rec.column));
      const dropped = [...(t.def.dropped ?? []), { attnum: attnums(t.def)[at]!, typmod: t.def.columns[at]!.typmod }].sort((a, b) => a.attnum - b.attnum);
      t.def = { ...t.def, columns: t.def.columns.filter((_, i) => i !== at), checks, foreignKeys, dropped };
      rewriteRows(t, (row) => row.filter((_, i) => i !== at));
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'rename_column': {
      const t = state.writable(rec.table);
      const rename = (c: string) => (c === rec.column ? rec.name : c);
      const checks = t.def.checks.map((c) => ({ ...c, expr: renameColumnRefs(c.expr, rec.column, rec.name) }));
      const foreignKeys = t.def.foreignKeys?.map((fk) => ({ ...fk, columns: fk.columns.map(rename) }));
      t.def = { ...t.def, checks, foreignKeys, columns: t.def.columns.map((c) => (c.name === rec.column ? { ...c, name: rec.name } : c)) };
      renameReferencedColumn(state, rec.table, rename);
      t.indexes = t.indexes.map((ix) => buildIndex({ ...ix.def, columns: ix.def.columns.map(rename) }, t));
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'alter_table_def': {
      const t = state.writable(rec.table.oid);
      t.def = rec.table;
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'rewrite_table': {
      const t = state.writable(rec.table.oid);
      t.def = rec.table;
      const rows = new BTree<number, Value[]>(undefined, undefined, NODE_SIZE);
      for (const [id, row] of rec.rows) rows.set(id, row);
      t.rows = rows;
      t.reindex();
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'create_index': {
      const t = state.writable(rec.index.table);
      if (!t.def.hasIndex) t.def = { ...t.def, hasIndex: true };
      t.indexes = [...t.indexes, buildIndex(rec.index, t)];
      state.ownCatalog().indexNames.set(rec.index.name, rec.index.oid);
      state.ownCatalog().indexTables.set(rec.index.oid, rec.index.table);
      seenOid(state, rec.index.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_index': {
      const tableOid = state.indexTables.get(rec.index);
      if (tableOid === undefined) return;
      const t = state.writable(tableOid);
      const ix = t.indexes.find((i) => i.def.oid === rec.index);
      t.indexes = t.indexes.filter((i) => i.def.oid !== rec.index);
      if (ix) state.ownCatalog().indexNames.delete(ix.def.name);
      state.ownCatalog().indexTables.delete(rec.index);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'rename_index': {
      const tableOid = state.indexTables.get(rec.index);
      if (tableOid === undefined) return;
      const t = state.writable(tableOid);
      const ix = t.indexes.find((i) => i.def.oid === rec.index)!;
      state.ownCatalog().indexNames.delete(ix.def.name);
      // rebuilt rather than changed in place: the committed state may share the index object
      t.indexes = t.indexes.map((i) => (i === ix ? buildIndex({ ...ix.def, name: rec.name }, t) : i));
      state.ownCatalog().indexNames.set(rec.name, rec.index);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'create_sequence': {
      state.ownCatalog().sequences.set(rec.sequence.oid, { def: rec.sequence, value: rec.sequence.start ?? (rec.sequence.increment !== undefined && rec.sequence.increment < 0 ? rec.sequence.max ?? -1 : rec.sequence.min ?? 1), called: false });
      state.ownCatalog().sequenceNames.set(rec.sequence.name, rec.sequence.oid);
      seenOid(state, rec.sequence.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_sequence': {
      const s = state.sequences.get(rec.sequence);
      if (s) state.ownCatalog().sequenceNames.delete(s.def.name);
      state.ownCatalog().sequences.delete(rec.sequence);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'create_type': {
      const old = state.types.get(rec.type.oid);
      if (old) state.ownCatalog().typeNames.delete(old.name);
      state.ownCatalog().types.set(rec.type.oid, rec.type);
      state.ownCatalog().typeNames.set(rec.type.name, rec.type.oid);
      seenOid(state, rec.type.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_type': {
      const t = state.types.get(rec.type);
      if (t) state.ownCatalog().typeNames.delete(t.name);
      state.ownCatalog().types.delete(rec.type);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'create_function': {
      state.ownCatalog().functions.set(rec.function.oid, rec.function);
      seenOid(state, rec.function.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'create_domain': {
      state.ownCatalog().domains.set(rec.domain.oid, rec.domain);
      seenOid(state, rec.domain.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_domain': {
      state.ownCatalog().domains.delete(rec.domain);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'drop_function': {
      state.ownCatalog().functions.delete(rec.function);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'sequence_set': {
      const s = state.sequences.get(rec.sequence);
      if (!s) return;
      if (rec.version !== undefined) {
        if (rec.version <= (s.version ?? 0)) return;
        s.version = rec.version;
      } else if (s.called && !(rec.value > s.value)) return; // unversioned (older WAL): only a move onwards counts
      s.value = rec.value;
      s.called = true;
      return;
    }
    case 'alter_sequence': {
      const s = state.sequences.get(rec.sequence.oid);
      if (!s) return;
      state.ownCatalog().sequenceNames.delete(s.def.name);
      // a new object: the fork's change stays its own until it commits
      const newer = rec.version > (s.version ?? 0);
      state.ownCatalog().sequences.set(rec.sequence.oid, newer
        ? { def: rec.sequence, value: rec.value, called: rec.called, version: rec.version }
        : { def: rec.sequence, value: s.value, called: s.called, version: s.version });
      state.ownCatalog().sequenceNames.set(rec.sequence.name, rec.sequence.oid);
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'sequence_reset': {
      const s = state.sequences.get(rec.sequence);
      if (s && rec.version > (s.version ?? 0)) state.ownCatalog().sequences.set(rec.sequence, { def: s.def, value: rec.value, called: rec.called, version: rec.version });
      return;
    }
    case 'insert':
      state.writable(rec.table).insert(rec.rowid, rec.row);
      return;
    case 'update':
      state.writable(rec.table).update(rec.rowid, rec.row);
      return;
    case 'delete':
      state.writable(rec.table).delete(rec.rowid);
      return;
    case 'truncate': {
      // row ids go on from where they were, so a replayed truncate gives the same ids afterwards
      const t = state.writable(rec.table);
      t.rows = new BTree<number, Value[]>(undefined, undefined, NODE_SIZE);
      t.reindex();
      return;
    }
    case 'create_schema':
    case 'drop_schema': {
      const schemas = new Set(state.schemas);
      const oids = new Map(state.schemaOids);
      if (rec.kind === 'create_schema') {
        schemas.add(rec.name);
        // a record written before schemas had oids gets the next one, the same on every node replaying it
        const oid = rec.oid ?? state.allocateOid();
        oids.set(rec.name, oid);
        seenOid(state, oid);
      } else {
        schemas.delete(rec.name);
        oids.delete(rec.name);
      }
      state.schemas = schemas;
      state.schemaOids = oids;
      state.catalogVersion = nextCatalogVersion();
      return;
    }
    case 'comment':
      redoComment(state, rec);
      return;
    case 'membership': {
      const members = new Set(state.members);
      if (rec.action === 'join') members.add(rec.nodeId);
      else members.delete(rec.nodeId);
      state.members = members;
      return;
    }
    case 'notify':
    case 'commit':
    case 'abort':
    case 'checkpoint':
    case 'timeline_switch':
      return;
  }
}

function mentions(expr: Node, column: string): boolean {
  let found = false;
  JSON.stringify(expr, (k, v) => {
    if (k === 'ColumnRef' && JSON.stringify(v).includes(JSON.stringify(column))) found = true;
    return v;
  });
  return found;
}

function renameColumnRefs(expr: Node, from: string, to: string): Node {
  return JSON.parse(JSON.stringify(expr, function (this: Record<string, unknown>, k, v) {
    if (k === 'ColumnRef') {
      const fields = (v as { fields: { String?: { sval?: string } }[] }).fields.map((f) =>
        f.String?.sval === from ? { String: { sval: to } } : f);
      return { ...v, fields };
    }
    return v;
  })) as Node;
}

/** Foreign keys of any table that reference `table` follow a rename of its columns. */
function renameReferencedColumn(state: DbState, table: number, rename: (c: string) => string): void {
  for (const [oid, t] of state.tables) {
    if (!t.def.foreignKeys?.some((fk) => fk.refTable === table)) continue;
    const w = state.writable(oid);
    w.def = { ...w.def, foreignKeys: w.def.foreignKeys!.map((fk) => (fk.refTable === table ? { ...fk, refColumns: fk.refColumns.map(rename) } : fk)) };
  }
}

function seenOid(state: DbState, oid: number): void {
  if (oid >= state.nextOid) state.nextOid = oid + 1;
}

function rewriteRows(t: TableData, f: (row: Value[]) => Value[]): void {
  const rows = new BTree<number, Value[]>(undefined, undefined, NODE_SIZE);
  t.rows.forEachPair((id, row) => { rows.set(id, f(row)); });
  t.rows = rows;
  t.reindex();
}
