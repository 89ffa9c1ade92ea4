/**
 * Loading the stored checkpoint (recovery, rewind): a whole snapshot as before, or a manifest whose
 * chunks are read all at once and checked (envelope, CRC) as they arrive, in slices that yield
 * (checkpoint/slices.ts), and kept sealed: each table's rows and primary key are decoded and built
 * on first use or in the background (checkpoint/encoded-table.ts), other indexes after that
 * (state/lazy-index.ts). Alongside the state comes the base the next incremental checkpoint diffs
 * against: the chunks that hold each table (and, once it is decoded, the rows as loaded).
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Oid } from '../catalog/types.ts';
import { restoreSnapshot, type RunSnapshot, type Snapshot } from '../state/snapshot.ts';
import { TableData, type DbState } from '../state/state.ts';
import { checkSealed, unseal } from '../storage/envelope.ts';
import type { Storage, StoredCheckpoint } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';
import { EncodedTable, type EncodedChunk, type RowSource } from './encoded-table.ts';
import { checkManifestVersion, isManifest, type ChunkRef, type Manifest } from './format.ts';
import { Slicer } from './slices.ts';

/** ms per slice of a load: well under a 50 ms task with a scavenge in it, few enough yields not to slow the load. */
const LOAD_SLICE_MS = 20;
/** Chunks asked of a store without `getEach` at once (~2,048 rows each). */
const READ_BATCH = 32;

export interface BaseTable {
  /** What the chunks hold: a frozen tree, or the chunks themselves while the table is still encoded. */
  rows: RowSource;
  chunks: ChunkRef[];
}

/** What the latest stored checkpoint holds, table by table, and its manifest (what a base backup sent from it says). */
export interface CheckpointBase {
  lsn: Lsn;
  tables: Map<Oid, BaseTable>;
  manifest: Manifest;
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
  const slicer = new Slicer(LOAD_SLICE_MS);
  const frozen = new Map<Oid, RowSource>();
  for (const t of payload.tables) {
    // each chunk is checked now and kept as stored: its rows are decoded when the table is first needed
    const encoded: EncodedChunk[] = [];
    for await (const [i, bytes] of chunkBytes(chunkStore(storage), t.chunks.map((c) => c.key))) {
      const ref = t.chunks[i]!;
      if (!bytes) throw new SqlError(SQLSTATE.data_corrupted, `invalid checkpoint: chunk "${ref.key}" is missing`);
      checkSealed(bytes, 'checkpoint chunk');
      keys.add(ref.key);
      encoded.push({ index: ref.index, rows: ref.rows, bytes });
      await slicer.maybeYield();
    }
    const rows = new EncodedTable(t, encoded, 'checkpoint chunk');
    frozen.set(t.def.oid, rows);
    tables.push({ def: t.def, nextRowId: t.nextRowId, runs: [], indexes: t.indexes, data: TableData.deferred(t.def, t.nextRowId, rows) });
  }
  const state = restoreSnapshot({ nextOid: payload.nextOid, members: payload.members, tables, sequences: payload.sequences, ...(payload.types ? { types: payload.types } : {}), ...(payload.schemas ? { schemas: payload.schemas } : {}), ...(payload.functions ? { functions: payload.functions } : {}), ...(payload.domains ? { domains: payload.domains } : {}), ...(payload.pgCatalog ? { pgCatalog: payload.pgCatalog } : {}) });
  const base: CheckpointBase = {
    lsn: stored.lsn,
    manifest: payload,
    tables: new Map(payload.tables.map((t) => [t.def.oid, { rows: frozen.get(t.def.oid)!, chunks: t.chunks }])),
  };
  return { state, base, keys };
}

/**
 * Decodes, in slices that yield, every table of `oids` still encoded: recovery does it before
 * replaying WAL into them, which would otherwise decode a whole table in one task.
 */
export async function decodeTables(state: DbState, oids: Iterable<Oid>): Promise<void> {
  const slicer = new Slicer(LOAD_SLICE_MS);
  for (const oid of oids) {
    const t = state.tables.get(oid);
    const rows = t?.stillEncoded;
    if (!rows) continue;
    while (!rows.step()) await slicer.maybeYield();
    void t!.rows;
  }
}

/**
 * The chunks' bytes in order, with their positions: all asked at once where the store can answer
 * each on its own (IndexedDB: one transaction), so the first are decoded while the rest are read;
 * otherwise in batches, the next in flight while one is decoded.
 */
async function* chunkBytes(store: NonNullable<Storage['chunks']>, keys: readonly string[]): AsyncGenerator<[number, Uint8Array | undefined]> {
  if (store.getEach) {
    const each = store.getEach(keys);
    // reads past a chunk that fails to decode are not awaited: their failures are not unhandled
    for (const read of each) read.catch(() => {});
    for (let i = 0; i < each.length; i++) yield [i, await each[i]];
    return;
  }
  const read = (at: number) => (at < keys.length ? store.get(keys.slice(at, at + READ_BATCH)) : undefined);
  let reading = read(0);
  for (let at = 0; at < keys.length; at += READ_BATCH) {
    const found = (await reading)!;
    reading = read(at + READ_BATCH);
    for (let i = 0; i < found.length; i++) yield [at + i, found[i]];
  }
}

export function chunkStore(storage: Storage): NonNullable<Storage['chunks']> {
  if (!storage.chunks) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'database files are incompatible with server', { detail: 'The checkpoint is stored in chunks, but this storage has no chunk store.' });
  return storage.chunks;
}
