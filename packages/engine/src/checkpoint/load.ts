/**
 * Loading the stored checkpoint (recovery, rewind): a whole snapshot as before, or a manifest whose
 * chunks are read and concatenated, then bulk-loaded like a snapshot. Alongside the state comes the
 * base the next incremental checkpoint diffs against: the loaded trees (cloned, so replay never
 * touches them) and the chunks that hold them.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Oid } from '../catalog/types.ts';
import type { Value } from '../sql/types.ts';
import type { BTreeType } from '../state/btree.ts';
import { restoreSnapshot, type RunSnapshot, type Snapshot } from '../state/snapshot.ts';
import type { RowRun } from '../state/bulk.ts';
import type { DbState } from '../state/state.ts';
import { unseal } from '../storage/envelope.ts';
import type { Storage, StoredCheckpoint } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { RowId } from '../wal/record.ts';
import { checkManifestVersion, isManifest, type ChunkPayload, type ChunkRef, type Manifest } from './format.ts';

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
  for (const t of payload.tables) {
    const found = t.chunks.length ? await chunkStore(storage).get(t.chunks.map((c) => c.key)) : [];
    // each chunk's arrays go to the bulk loaders as they are: no table-sized copy of them
    const runs: RowRun[] = t.chunks.map((ref, i) => {
      const bytes = found[i];
      if (!bytes) throw new SqlError(SQLSTATE.data_corrupted, `invalid checkpoint: chunk "${ref.key}" is missing`);
      const chunk = unseal<ChunkPayload>(bytes, 'checkpoint chunk');
      if (chunk.ids.length !== ref.rows || chunk.rows.length !== ref.rows) throw new SqlError(SQLSTATE.data_corrupted, `invalid checkpoint: chunk "${ref.key}" holds ${chunk.ids.length} rows, expected ${ref.rows}`);
      keys.add(ref.key);
      return chunk;
    });
    tables.push({ def: t.def, nextRowId: t.nextRowId, runs, indexes: t.indexes });
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
