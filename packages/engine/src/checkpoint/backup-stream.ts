/**
 * A base backup as a stream of pieces (the BASE_BACKUP format), consistent at one LSN: either the
 * last complete checkpoint, its chunks sent as stored, unopened (as pg_basebackup copies files; the
 * standby then streams the WAL from the checkpoint's LSN), or, for a node without one, copy-on-write
 * clones of the state taken when the backup is asked for, encoded a chunk at a time in slices that
 * yield. The walsender sends each piece while the next is made and the standby checks each as it
 * lands and keeps it sealed (checkpoint/encoded-table.ts). Nothing is sealed whole: a million-row backup never exists as one buffer on either side.
 *
 * The stream is a sequence of frames: a 4-byte little-endian length, then one sealed piece
 * (envelope.ts: magic, version, CRC-32C of its body). The first piece is the header (the catalog,
 * sequences and, per table, its definition, row count and the row-id chunks holding its rows);
 * then one piece per chunk, table by table in the header's order: exactly a checkpoint chunk
 * (format.ts's `ChunkPayload`), so the standby can store it as one, and a stored chunk goes out
 * with the CRC stored with it. Size and checksum are known only at the end and travel in
 * `backup_end` (`BackupSummary`): the frame count, the byte count and a CRC-32C over every frame's
 * length and envelope header, which with each piece's own CRC covers every byte.
 */
import type { Packr } from 'msgpackr';
import type { IndexDef, TableDef } from '../catalog/types.ts';
import { ValuePackr } from '../msgpack.ts';
import type { Value } from '../sql/types.ts';
import { sequenceEntries, snapshotCatalog, type Snapshot } from '../state/snapshot.ts';
import type { DbState } from '../state/state.ts';
import { ENVELOPE_HEADER, sealedIntact, stampEnvelope } from '../storage/envelope.ts';
import type { CheckpointChunks } from '../storage/storage.ts';
import { crc32c } from '../wal/crc32.ts';
import type { RowId } from '../wal/record.ts';
import { frozenRows, isEncoded, rowsOf, type RowSource } from './encoded-table.ts';
import { CHUNK_IDS, type ChunkPayload, type ChunkRef } from './format.ts';
import type { CheckpointBase } from './load.ts';
import { Slicer } from './slices.ts';
import { fillChunk, presentChunks } from './writer.ts';

/** Layout of the pieces (the header's `backup`): an unknown one is refused, not guessed at. 2: chunks named by the header, pieces are bare chunks. */
export const BACKUP_LAYOUT_VERSION = 2;
/** Bytes before a frame's sealed piece: its length. */
export const FRAME_PREFIX = 4;
/** What the stream checksum covers of each frame: its length and the piece's envelope header. */
export const FRAME_HEAD = FRAME_PREFIX + ENVELOPE_HEADER;
/** Stored chunks asked of the store at once; the next batch is read while one is sent. */
const READ_AHEAD = 16;

export interface BackupTable {
  def: TableDef;
  nextRowId: number;
  indexes: IndexDef[];
  /** How many rows its pieces hold together. */
  rows: number;
  /** The row-id chunks (floor(id / CHUNK_IDS)) that hold its rows, ascending: one piece each, in this order. */
  chunks: number[];
}

export type BackupHeader = Omit<Snapshot, 'tables'> & { k: 'header'; backup: number; tables: BackupTable[] };

/** What `backup_end` says of the stream, checked by the standby before anything is installed. */
export interface BackupSummary {
  totalBytes: number;
  pieces: number;
  crc: number;
}

/** The last complete checkpoint (its trees, chunks and manifest) and the store holding its chunks: what `streamCheckpoint` sends. */
export interface StoredChunks {
  base: CheckpointBase;
  store: CheckpointChunks;
  /** Recompute each stored chunk's CRC before sending it (the standby refused the last backup: one may be damaged). */
  verify: boolean;
}

/** How the pieces were made: sent as stored, encoded from the rows, and the stored chunks found missing or damaged (encoded instead). */
export interface BackupStats {
  stored: number;
  encoded: number;
  replaced: string[];
}

/** A frame as its parts, in order: a stored chunk goes out as its own bytes behind its length, never copied into one buffer first. */
export type Frame = readonly Uint8Array[];

export interface BackupStream {
  /** The frames, each made when asked for. */
  frames: AsyncGenerator<Frame, void, undefined>;
  /** Valid once `frames` is done. */
  summary(): BackupSummary;
  stats(): BackupStats;
}

/** Fold one complete frame's head into the stream checksum. */
export function frameCrc(frame: Uint8Array, prev: number): number {
  return crc32c(frame, 0, FRAME_HEAD, prev);
}

/** `frameCrc` of a frame in parts. */
function partsCrc(frame: Frame, prev: number): number {
  let crc = prev;
  let left = FRAME_HEAD;
  for (const part of frame) {
    const n = Math.min(left, part.length);
    crc = crc32c(part, 0, n, crc);
    left -= n;
    if (!left) break;
  }
  return crc;
}

interface Planned {
  index: number;
  /** The stored chunk that holds it, sent as stored. */
  ref: ChunkRef | undefined;
}

/** A table as a backup sends it: its rows (a frozen tree) and, in order, the chunks that hold them. */
interface SourceTable {
  def: TableDef;
  nextRowId: number;
  indexes: IndexDef[];
  rows: RowSource;
  plan: Planned[];
}

/**
 * The stream of `state` as it is now, every chunk encoded: everything but the rows is read at once
 * and the tables are cloned (O(1)), so commits made while the frames are made do not show in them.
 * For a node without a complete chunked checkpoint to send (`streamCheckpoint`).
 */
export function streamBackup(state: DbState): BackupStream {
  const tables = [...state.tables.values()]
    .sort((a, b) => a.def.oid - b.def.oid)
    .map((t) => {
      const rows = frozenRows(t);
      const chunks = isEncoded(rows) ? rows.layout : presentChunks(rows);
      return { def: t.def, nextRowId: t.nextRowId, indexes: t.indexDefs, rows, plan: Array.from(chunks, (index) => ({ index, ref: undefined })) };
    });
  const catalog = { nextOid: state.nextOid, members: [...state.members].sort(), sequences: sequenceEntries(state), ...snapshotCatalog(state) };
  return stream(catalog, tables, undefined);
}

/**
 * The stream of the last complete checkpoint, as pg_basebackup copies the files a checkpoint left
 * (its start LSN is that checkpoint's): the manifest's catalog, and each chunk as the checkpoint
 * stored it, unopened. A chunk the store no longer has, or that is not sound, is encoded from the
 * checkpoint's own frozen rows, which hold exactly what it held. The standby then streams the WAL
 * from the checkpoint's LSN, which the primary keeps, as its own recovery needs it too.
 */
export function streamCheckpoint(from: StoredChunks): BackupStream {
  const { chunked: _chunked, tables: manifestTables, ...catalog } = from.base.manifest;
  const tables = manifestTables.map((t) => ({
    def: t.def,
    nextRowId: t.nextRowId,
    indexes: t.indexes,
    rows: from.base.tables.get(t.def.oid)!.rows,
    plan: t.chunks.map((ref) => ({ index: ref.index, ref })),
  }));
  return stream(catalog, tables, from);
}

function stream(catalog: Omit<Snapshot, 'tables'>, tables: SourceTable[], from: StoredChunks | undefined): BackupStream {
  const header: BackupHeader = {
    k: 'header',
    backup: BACKUP_LAYOUT_VERSION,
    ...catalog,
    tables: tables.map((t) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, rows: t.rows.size, chunks: t.plan.map((p) => p.index) })),
  };
  const summary: BackupSummary = { totalBytes: 0, pieces: 0, crc: 0 };
  const stats: BackupStats = { stored: 0, encoded: 0, replaced: [] };
  // one packer and one pair of arrays for every piece, filled by index: fresh ones per piece are garbage the collector pauses for
  const packr = new ValuePackr();
  const frame = (out: Frame): Frame => {
    for (const part of out) summary.totalBytes += part.length;
    summary.pieces++;
    summary.crc = partsCrc(out, summary.crc);
    return out;
  };
  async function* frames(): AsyncGenerator<Frame, void, undefined> {
    const slicer = new Slicer();
    yield frame([sealFrame(header, packr)]);
    const stored = from && storedReader(from.store, tables.flatMap((t) => t.plan.flatMap((p) => (p.ref ? [p.ref.key] : []))));
    const scratch: ChunkPayload = { ids: new Array<RowId>(CHUNK_IDS), rows: new Array<Value[]>(CHUNK_IDS) };
    for (const t of tables) {
      for (const p of t.plan) {
        await slicer.maybeYield();
        if (stored && p.ref) {
          const bytes = await stored();
          // a stored chunk is sent only whole and sealed; one missing or damaged is encoded from the rows it held
          if (bytes && (p.ref.bytes === undefined || bytes.length === p.ref.bytes) && sealedIntact(bytes, from!.verify)) {
            stats.stored++;
            yield frame(storedFrame(bytes));
            continue;
          }
          stats.replaced.push(p.ref.key);
        }
        // a table still encoded holds its chunks as they came, checked then: sent as they are
        const sealed = isEncoded(t.rows) ? t.rows.sealed(p.index) : undefined;
        if (sealed) {
          stats.stored++;
          yield frame(storedFrame(sealed.bytes));
          continue;
        }
        fillChunk(rowsOf(t.rows), p.index, scratch);
        stats.encoded++;
        yield frame([sealFrame(scratch, packr)]);
      }
    }
  }
  return { frames: frames(), summary: () => ({ ...summary }), stats: () => ({ ...stats, replaced: [...stats.replaced] }) };
}

/** The stored chunks' bytes in `keys` order, one call each; a failed read is a missing chunk. */
function storedReader(store: CheckpointChunks, keys: readonly string[]): () => Promise<Uint8Array | undefined> {
  const read = (at: number) => (at < keys.length ? store.get(keys.slice(at, at + READ_AHEAD)).catch(() => []) : Promise.resolve([]));
  let base = 0;
  let current = read(0);
  let ahead = read(READ_AHEAD);
  let next = 0;
  return async () => {
    if (next - base >= READ_AHEAD) {
      base += READ_AHEAD;
      current = ahead;
      ahead = read(base + READ_AHEAD);
    }
    return (await current)[next++ - base];
  };
}

/** A stored chunk as a frame: its length, then its bytes as stored (their CRC with them). */
function storedFrame(sealed: Uint8Array): Frame {
  const prefix = new Uint8Array(FRAME_PREFIX);
  new DataView(prefix.buffer).setUint32(0, sealed.length, true);
  return [prefix, sealed];
}

/** One frame: the length, then the piece sealed as envelope.ts seals (a chunk piece is a valid checkpoint chunk). */
function sealFrame(piece: BackupHeader | ChunkPayload, packr: Packr): Uint8Array {
  const body = packr.pack(piece);
  const out = new Uint8Array(FRAME_HEAD + body.length);
  out.set(body, FRAME_HEAD);
  new DataView(out.buffer).setUint32(0, ENVELOPE_HEADER + body.length, true);
  stampEnvelope(out.subarray(FRAME_PREFIX), crc32c(out, FRAME_HEAD));
  return out;
}

/** Make every frame of a backup of `state` and drop it: the bytes a base backup takes (benchmarks, tests). */
export async function packBackup(state: DbState): Promise<number> {
  const { frames, summary } = streamBackup(state);
  for await (const _ of frames);
  return summary().totalBytes;
}
