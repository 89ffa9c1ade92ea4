/**
 * Snapshots of a database state: what a checkpoint stores and a base backup ships. Rows are kept
 * in row-id order and indexes are rebuilt on load (bulk-loaded: the primary key at once, others on first use, state/lazy-index.ts), so equal states give equal bytes; `contentHash`
 * turns that into a short fingerprint tests compare across nodes.
 */
import { ValuePackr } from '../msgpack.ts';
import { bulkRows, type RowRun } from './bulk.ts';
import { bulkIndex } from './bulk-index.ts';
import type { DomainDef, TypeDef, FunctionDef, IndexDef, SequenceDef, TableDef } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import { DbState, IndexData, TableData } from './state.ts';
import { lazyIndex } from './lazy-index.ts';

export interface Snapshot {
  nextOid: number;
  members: string[];
  tables: { def: TableDef; nextRowId: number; ids: number[]; rows: Value[][]; indexes: IndexDef[] }[];
  sequences: { def: SequenceDef; value: number | bigint; called: boolean; version?: number }[];
  /** Enum types; absent in snapshots of databases that have none (and in those written before enums). */
  types?: TypeDef[];
  /** CREATE SCHEMA's schemas; absent when there are none (and in snapshots written before them). */
  schemas?: string[];
  /** SQL functions and procedures; absent when there are none (and in snapshots written before them). */
  functions?: FunctionDef[];
  /** Domains; absent when there are none (and in snapshots written before them). */
  domains?: DomainDef[];
  /** Schema oids and COMMENT ON text (catalog/namespaces.ts, comments.ts); absent when there are none (and in snapshots written before them). */
  pgCatalog?: { schemaOids: [string, number][]; comments: [string, string][] };
}

/** The state's enum types by oid, or undefined when there are none (the snapshot keeps its older shape). */
export function snapshotTypes(state: DbState): TypeDef[] | undefined {
  return state.types.size ? [...state.types.values()].sort((a, b) => a.oid - b.oid) : undefined;
}

/** The snapshot fields of the state's catalog beyond tables and sequences: enum types and schemas, each absent when empty. */
export function snapshotCatalog(state: DbState): Pick<Snapshot, 'types' | 'schemas' | 'functions' | 'domains' | 'pgCatalog'> {
  const types = snapshotTypes(state);
  const functions = [...state.functions.values()].sort((a, b) => a.oid - b.oid);
  const domains = [...state.domains.values()].sort((a, b) => a.oid - b.oid);
  return {
    ...(types ? { types } : {}), ...(state.schemas.size ? { schemas: [...state.schemas].sort() } : {}),
    ...(functions.length ? { functions } : {}), ...(domains.length ? { domains } : {}),
    ...(state.schemaOids.size || state.comments.size ? { pgCatalog: { schemaOids: sorted(state.schemaOids), comments: sorted(state.comments) } } : {}),
  };
}

const sorted = <V>(m: ReadonlyMap<string, V>): [string, V][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

export function takeSnapshot(state: DbState): Snapshot {
  const tables = [...state.tables.values()]
    .sort((a, b) => a.def.oid - b.def.oid)
    .map((t) => {
      const ids: number[] = [];
      const rows: Value[][] = [];
      t.rows.forEachPair((id, row) => { ids.push(id); rows.push(row); });
      return { def: t.def, nextRowId: t.nextRowId, ids, rows, indexes: t.indexes.map((i) => i.def) };
    });
  return { nextOid: state.nextOid, members: [...state.members].sort(), tables, sequences: sequenceEntries(state), ...snapshotCatalog(state) };
}

/** The sequences as a snapshot holds them (checkpoints and base backups alike), in oid order. */
export function sequenceEntries(state: DbState): Snapshot['sequences'] {
  return [...state.sequences.values()]
    .sort((a, b) => a.def.oid - b.def.oid)
    .map((s) => ({ def: s.def, value: s.value, called: s.called, ...(s.version ? { version: s.version } : {}) }));
}

/** A snapshot whose tables' rows come in runs: a chunked checkpoint's chunks, in row-id order; `data` when the caller built the table already (`restoreTable`). */
export type RunSnapshot = Omit<Snapshot, 'tables'> & { tables: (Omit<Snapshot['tables'][number], 'ids' | 'rows'> & { runs: RowRun[]; data?: TableData })[] };

/** A table from its rows in row-id order: `rows` (and `primary`, the primary key's entries) when the caller bulk-built them already. */
export function restoreTable(t: Pick<Snapshot['tables'][number], 'def' | 'nextRowId' | 'indexes'>, runs: readonly RowRun[], rows = bulkRows(runs), primary?: IndexData['tree']): TableData {
  const data = new TableData(t.def, rows, t.nextRowId);
  // the primary key now (nearly every statement reads it), any other index on first use
  data.indexes = t.indexes.map((def) => {
    if (!def.primary) return new IndexData(def, data.def, lazyIndex(def, data.def, data.rows));
    return primary ? new IndexData(def, data.def, primary) : bulkIndex(def, data, runs);
  });
  return data;
}

export function restoreSnapshot(snap: Snapshot | RunSnapshot): DbState {
  const state = new DbState();
  state.nextOid = snap.nextOid;
  state.members = new Set(snap.members ?? []);
  state.schemas = new Set(snap.schemas ?? []);
  state.schemaOids = new Map(snap.pgCatalog?.schemaOids ?? []);
  state.comments = new Map(snap.pgCatalog?.comments ?? []);
  // schemas of a snapshot written before schemas had oids get the next ones, the same on every node restoring it
  for (const name of [...state.schemas].sort()) if (!state.schemaOids.has(name)) state.schemaOids = new Map([...state.schemaOids, [name, state.allocateOid()]]);
  for (const t of snap.tables) {
    const data = 'runs' in t ? t.data ?? restoreTable(t, t.runs) : restoreTable(t, [{ ids: t.ids, rows: t.rows }]);
    state.tables.set(t.def.oid, data);
    state.ownCatalog().tableNames.set(t.def.name, t.def.oid);
    for (const ix of t.indexes) {
      state.ownCatalog().indexNames.set(ix.name, ix.oid);
      state.ownCatalog().indexTables.set(ix.oid, t.def.oid);
    }
  }
  for (const t of snap.types ?? []) {
    state.ownCatalog().types.set(t.oid, t);
    state.ownCatalog().typeNames.set(t.name, t.oid);
  }
  for (const f of snap.functions ?? []) state.ownCatalog().functions.set(f.oid, f);
  for (const d of snap.domains ?? []) state.ownCatalog().domains.set(d.oid, d);
  for (const s of snap.sequences) {
    state.ownCatalog().sequences.set(s.def.oid, { def: s.def, value: s.value, called: s.called, ...(s.version ? { version: s.version } : {}) });
    state.ownCatalog().sequenceNames.set(s.def.name, s.def.oid);
  }
  return state;
}

// A whole state is packed with a Packr of its own: a shared one would keep its scratch buffer, grown
// to several times the largest state ever packed, for the life of the process.
const packr = () => new ValuePackr();

export function encodeSnapshot(snap: Snapshot): Uint8Array {
  return packr().pack(snap);
}

export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  return packr().unpack(bytes) as Snapshot;
}

/**
 * A fingerprint of the visible content (tables, rows, sequences) independent of row ids and of
 * how the state was reached: two nodes with equal hashes answer every query alike.
 */
export async function contentHash(state: DbState): Promise<string> {
  const snap = takeSnapshot(state);
  const canonical = {
    tables: snap.tables.map((t) => ({ def: t.def, indexes: t.indexes, rows: t.rows })),
    sequences: snap.sequences,
    ...(snap.types ? { types: snap.types } : {}),
    ...(snap.schemas ? { schemas: snap.schemas } : {}),
    ...(snap.functions ? { functions: snap.functions } : {}),
    ...(snap.domains ? { domains: snap.domains } : {}),
    ...(snap.pgCatalog ? { pgCatalog: snap.pgCatalog } : {}),
  };
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(packr().pack(canonical)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
