/**
 * Incremental checkpoints that never stall: the committed state is cloned (O(1), copy-on-write)
 * at one LSN, and only the row-id chunks that differ from the last stored checkpoint are encoded
 * and written, in slices that yield to the event loop so commits go on meanwhile. Nothing counts
 * until the node stores the manifest together with the control record that points at it; chunks
 * of a checkpoint that stopped half-way are named by no manifest and are removed later. A store in
 * the JS heap (memory storage) takes the chunks unsealed, as the frozen rows they would encode.
 * Owned by the Node, driven from its checkpoint inside a control update.
 */
import { Packr, RESET_BUFFER_MODE } from 'msgpackr';
import type { IndexDef, TableDef } from '../catalog/types.ts';
import { ValuePackr } from '../msgpack.ts';
import type { Value } from '../sql/types.ts';
import type { BTreeType } from '../state/btree.ts';
import { changedRowIds } from '../state/bulk.ts';
import { sequenceEntries, snapshotCatalog, takeSnapshot } from '../state/snapshot.ts';
import type { DbState } from '../state/state.ts';
import { seal } from '../storage/envelope.ts';
import type { CheckpointChunk, DeferredChunk, Storage } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { RowId } from '../wal/record.ts';
import { CHUNK_IDS, chunkOf, MANIFEST_VERSION, type ChunkPayload, type ChunkRef, type Manifest, type TableManifest } from './format.ts';
import { frozenRows, isEncoded, rowsOf, type RowSource } from './encoded-table.ts';
import type { CheckpointBase } from './load.ts';
import { Slicer } from './slices.ts';

/**
 * Chunks go to storage in batches of this many (or this many bytes), each its own storage
 * transaction: a commit's WAL append that reaches the disk behind one waits for at most this much.
 */
const BATCH_CHUNKS = 16;
const BATCH_BYTES = 256 << 10;

export interface PreparedCheckpoint {
  /** What to store as the checkpoint: a sealed manifest (or a whole snapshot without a chunk store). */
  bytes: Uint8Array;
  base: CheckpointBase | undefined;
  keys: Set<string>;
  /** Chunk bytes written for this checkpoint (none for chunks a store keeps unsealed). */
  written: number;
}

interface Frozen {
  def: TableDef;
  nextRowId: number;
  indexes: IndexDef[];
  rows: RowSource;
}

export class Checkpointer {
  /**
   * Which stored checkpoint `base` stands for: the control owner's count of checkpoints written
   * (NodeControl.checkpointsWritten) when it was stored; 0 is the one recovered at open. An LSN
   * would not do: a base backup or a rewind can store another checkpoint at the same LSN.
   */
  private stamp = 0;

  constructor(private base: CheckpointBase | undefined) {}

  /** The base of the stored checkpoint `stamp` names, or undefined when this checkpointer's base is another's. */
  baseFor(stamp: number): CheckpointBase | undefined {
    return this.stamp === stamp ? this.base : undefined;
  }

  /** Another writer (a base backup's install) stored checkpoint `stamp`, whose trees and chunks are `base`. */
  adopt(base: CheckpointBase | undefined, stamp: number): void {
    this.base = base;
    this.stamp = stamp;
  }

  /**
   * Write the chunks of `state` (consistent at `lsn`) that differ from the last checkpoint, which
   * is the `stamp`th stored; a base from any other checkpoint (a rewind stored a whole snapshot
   * since) is not trusted and everything is written.
   */
  async prepare(storage: Storage, state: DbState, lsn: Lsn, stamp: number): Promise<PreparedCheckpoint> {
    const store = storage.chunks;
    if (!store) return { bytes: seal(takeSnapshot(state)), base: undefined, keys: new Set(), written: 0 };
    // everything the manifest says is read now: the state's shared parts (sequences) move on while we yield
    const frozen: Frozen[] = [...state.tables.values()]
      .sort((a, b) => a.def.oid - b.def.oid)
      .map((t) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexDefs, rows: frozenRows(t) }));
    const sequences = sequenceEntries(state);
    const header = { nextOid: state.nextOid, members: [...state.members].sort(), ...snapshotCatalog(state) };
    const base = this.baseFor(stamp);
    const token = `${lsn.toString(36)}.${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`;
    const slicer = new Slicer();
    // one packer for every chunk of this checkpoint: a fresh one per chunk is garbage the collector pauses for
    const packr = new ValuePackr();
    const scratch: ChunkPayload = { ids: new Array<RowId>(CHUNK_IDS), rows: new Array<Value[]>(CHUNK_IDS) };
    const pending: CheckpointChunk[] = [];
    const deferred: DeferredChunk[] = [];
    let pendingBytes = 0;
    let written = 0;
    const flush = async () => {
      if (deferred.length) await store.putDeferred!(deferred.splice(0));
      if (!pending.length) return;
      const batch = pending.splice(0);
      pendingBytes = 0;
      await store.put(batch);
    };

    const tables: TableManifest[] = [];
    const bases: CheckpointBase['tables'] = new Map();
    const keys = new Set<string>();
    for (const t of frozen) {
      const before = base?.tables.get(t.def.oid);
      const dirty = before ? dirtyChunks(t.rows, before.rows) : undefined;
      const refs: ChunkRef[] = before && dirty ? before.chunks.filter((c) => !dirty.has(c.index)) : [];
      const { rows } = t;
      for (const index of dirty ? [...dirty].sort((a, b) => a - b) : isEncoded(rows) ? rows.layout : presentChunks(rows)) {
        const key = `${t.def.oid}.${index}.${token}`;
        // a table still encoded (never read since open or its backup): its chunks are written as they came
        const c = isEncoded(rows) ? rows.sealed(index) : undefined;
        if (c) {
          if (store.putDeferred) deferred.push({ key, seal: sealLater(rows, index) });
          else {
            pending.push({ key, bytes: c.bytes });
            pendingBytes += c.bytes.length;
            written += c.bytes.length;
          }
          refs.push({ index, key, rows: c.rows, ...(store.putDeferred ? {} : { bytes: c.bytes.length }) });
          if (deferred.length >= BATCH_CHUNKS || pending.length >= BATCH_CHUNKS || pendingBytes >= BATCH_BYTES) await flush();
        } else if (store.putDeferred) {
          const n = rowsOf(rows).forRange(index * CHUNK_IDS, (index + 1) * CHUNK_IDS, false);
          if (!n) continue;
          deferred.push({ key, seal: sealLater(rows, index) });
          refs.push({ index, key, rows: n });
          if (deferred.length >= BATCH_CHUNKS) await flush();
        } else {
          const chunk = encodeChunk(rowsOf(rows), index, packr, scratch);
          if (!chunk) continue;
          pending.push({ key, bytes: chunk.bytes });
          pendingBytes += chunk.bytes.length;
          written += chunk.bytes.length;
          refs.push({ index, key, rows: chunk.rows, bytes: chunk.bytes.length });
          if (pending.length >= BATCH_CHUNKS || pendingBytes >= BATCH_BYTES) await flush();
        }
        await slicer.maybeYield();
      }
      await flush();
      refs.sort((a, b) => a.index - b.index);
      for (const r of refs) keys.add(r.key);
      tables.push({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, chunks: refs });
      bases.set(t.def.oid, { rows: t.rows, chunks: refs });
    }
    const manifest: Manifest = { chunked: MANIFEST_VERSION, ...header, tables, sequences };
    return { bytes: seal(manifest), base: { lsn, tables: bases, manifest }, keys, written };
  }

  /** The prepared checkpoint is stored as the `stamp`th: it is the base from now on, and chunks it does not name go. */
  async stored(storage: Storage, prepared: PreparedCheckpoint, stamp: number): Promise<void> {
    this.adopt(prepared.base, stamp);
    // chunks left behind now are removed by the next checkpoint or the next open
    await storage.chunks?.retain(prepared.keys).catch(() => {});
  }
}

/**
 * Chunk indexes where `now` differs from `before`; undefined when they cannot be compared (write
 * it all). A table still encoded since `before` was stored is unchanged; one decoded since is
 * compared with the rows as decoded, which its tree is a copy-on-write copy of.
 */
function dirtyChunks(now: RowSource, was: RowSource): Set<number> | undefined {
  if (isEncoded(was) && was === now) return new Set();
  const before = isEncoded(was) ? was.loaded : was;
  if (isEncoded(now) || !before) return undefined;
  const dirty = new Set<number>();
  try {
    changedRowIds(now, before, (id) => dirty.add(chunkOf(id)));
  } catch {
    // trees built with different comparators (a table rebuilt from scratch): write it all
    return undefined;
  }
  return dirty;
}

/** A deferred chunk's `seal`: the chunk `index` of `rows` (a frozen clone) encoded when it is read, or as it came while still encoded. */
export function sealLater(rows: RowSource, index: number): () => Uint8Array {
  return () => (isEncoded(rows) ? rows.sealed(index)?.bytes : undefined) ?? encodeChunk(rowsOf(rows), index, new ValuePackr(), { ids: [], rows: [] })!.bytes;
}

/** Every chunk index that holds a row, jumping over empty ranges. */
export function* presentChunks(rows: BTreeType<RowId, Value[]>): Generator<number> {
  let k = rows.minKey();
  while (k !== undefined) {
    const index = chunkOf(k);
    yield index;
    k = rows.nextHigherKey((index + 1) * CHUNK_IDS - 1);
  }
}

/**
 * Each chunk is packed where the one before was (msgpackr's RESET_BUFFER_MODE; `seal` copies it out
 * at once). Left to itself msgpackr packs each chunk after the last in its buffer and, when the
 * chunk does not fit, allocates a new buffer of its size or more: nearly one per chunk, ~135 KB each,
 * so a full checkpoint of 1M rows allocated ~60 MB of such buffers beside the ~56 MB of sealed
 * chunks, all outside the JS heap, and external memory growing that fast is what made V8 collect
 * during the checkpoint ("external memory pressure" scavenges, and a full mark-compact started
 * early: bench/checkpoint-gap.ts, bench/README.md seventh round).
 */
const REUSE_PACK_BUFFER = RESET_BUFFER_MODE;

/**
 * `scratch` is the same pair of arrays for every chunk of a checkpoint, filled by index: growing two
 * fresh arrays per chunk was most of what a checkpoint allocated besides its output (GC pauses).
 */
function encodeChunk(rows: BTreeType<RowId, Value[]>, index: number, packr: Packr, scratch: ChunkPayload): { bytes: Uint8Array; rows: number } | undefined {
  const n = fillChunk(rows, index, scratch);
  return n ? { bytes: seal(scratch, packr, REUSE_PACK_BUFFER), rows: n } : undefined;
}

/** Fill `scratch` (reused arrays, filled by index) with chunk `index` of `rows`; how many rows it holds. */
export function fillChunk(rows: BTreeType<RowId, Value[]>, index: number, scratch: ChunkPayload): number {
  let n = 0;
  rows.forRange(index * CHUNK_IDS, (index + 1) * CHUNK_IDS, false, (id, row) => {
    scratch.ids[n] = id;
    scratch.rows[n++] = row;
  });
  scratch.ids.length = n;
  scratch.rows.length = n;
  return n;
}
