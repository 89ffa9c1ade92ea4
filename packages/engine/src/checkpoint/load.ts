/**
 * Loading the stored checkpoint (recovery, rewind): a whole snapshot as before, or a manifest whose
 * chunks are read in batches (the next in flight while one is decoded), each chunk's rows cut into
 * the table's leaves as it is decoded, in slices that yield (checkpoint/slices.ts) so a page opening a
 * million rows keeps running its tasks; only the primary key is built here, other indexes on first
 * use (state/lazy-index.ts). Alongside the state comes the
 * base the next incremental checkpoint diffs against: the loaded trees (cloned, so replay never
 * touches them) and the chunks that hold them.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Oid } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { BTreeType } from '../state/btree.ts';
import { restoreSnapshot, restoreTable, type RunSnapshot, type Snapshot } from '../state/snapshot.ts';
import { RowTreeBuilder, type RowRun } from '../state/bulk.ts';
import type { DbState } from '../state/state.ts';
import { unseal } from '../storage/envelope.ts';
import type { Storage, StoredCheckpoint } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { RowId } from '../wal/record.ts';
import { checkManifestVersion, isManifest, type ChunkPayload, type ChunkRef, type Manifest } from './format.ts';
import { Slicer } from './slices.ts';

/** Chunks asked of the store at once (~2,048 rows each). */
const READ_BATCH = 32;

export interface BaseTable {
  rows: BTreeType<RowId, Value[]>;
  chunks: ChunkRef[];
}

/** What the latest stored checkpoint holds, table by table. */
export interface CheckpointBase {
  lsn: Lsn;
  tables: Map<Oid, BaseTable>;
}

export interface LoadedCheckpoint {
  state: DbState;
  /** Undefined for a whole-snapshot checkpoint: the next checkpoint writes every chunk. */
  base: CheckpointBase | undefined;
  /** The chunks the checkpoint names; every other stored chunk is garbage. */
  keys: Set<string>;
}

export async function loadCheckpoint(storage: Storage, stored: StoredCheckpoint): Promise<LoadedCheckpoint> {
  const payload = unseal<Manifest | Snapshot>(stored.bytes, 'checkpoint');
  if (!isManifest(payload)) return { state: restoreSnapshot(payload), base: undefined, keys: new Set() };
  checkManifestVersion(payload);
  const tables: RunSnapshot['tables'] = [];
  const keys = new Set<string>();
  const slicer = new Slicer();
  for (const t of payload.tables) {
    // each chunk's arrays go to the bulk loaders as they are: no table-sized copy of them
    const runs: RowRun[] = [];
    const rows = new RowTreeBuilder();
    const read = (at: number) => (at < t.chunks.length ? chunkStore(storage).get(t.chunks.slice(at, at + READ_BATCH).map((c) => c.key)) : undefined);
    let reading = read(0);
    for (let at = 0; at < t.chunks.length; at += READ_BATCH) {
      const found = (await reading)!;
      // the next batch is read while this one is decoded
      reading = read(at + READ_BATCH);
      for (let i = 0; i < found.length; i++) {
        const ref = t.chunks[at + i]!;
        const bytes = found[i];
        if (!bytes) throw new SqlError(SQLSTATE.data_corrupted, `invalid checkpoint: chunk "${ref.key}" is missing`);
        const chunk = unseal<ChunkPayload>(bytes, 'checkpoint chunk');
        if (chunk.ids.length !== ref.rows || chunk.rows.length !== ref.rows) throw new SqlError(SQLSTATE.data_corrupted, `invalid checkpoint: chunk "${ref.key}" holds ${chunk.ids.length} rows, expected ${ref.rows}`);
        keys.add(ref.key);
        runs.push(chunk);
        rows.add(chunk);
        await slicer.maybeYield();
      }
    }
    const data = restoreTable(t, runs, rows.finish());
    await slicer.maybeYield();
    tables.push({ def: t.def, nextRowId: t.nextRowId, runs, indexes: t.indexes, data });
  }
  const state = restoreSnapshot({ nextOid: payload.nextOid, members: payload.members, tables, sequences: payload.sequences, ...(payload.types ? { types: payload.types } : {}), ...(payload.schemas ? { schemas: payload.schemas } : {}), ...(payload.functions ? { functions: payload.functions } : {}), ...(payload.domains ? { domains: payload.domains } : {}), ...(payload.pgCatalog ? { pgCatalog: payload.pgCatalog } : {}) });
  const base: CheckpointBase = {
    lsn: stored.lsn,
    tables: new Map(payload.tables.map((t) => [t.def.oid, { rows: state.table(t.def.oid).rows.clone(), chunks: t.chunks }])),
  };
  return { state, base, keys };
}

export function chunkStore(storage: Storage): NonNullable<Storage['chunks']> {
  if (!storage.chunks) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'database files are incompatible with server', { detail: 'The checkpoint is stored in chunks, but this storage has no chunk store.' });
  return storage.chunks;
}
