/**
 * A base backup as a stream of pieces (the BASE_BACKUP format): sealed at one LSN from
 * copy-on-write clones, a piece at a time in slices that yield, so the walsender sends each piece
 * while the next is packed and the standby decodes each as it lands. Nothing is sealed whole: a
 * million-row backup never exists as one buffer on either side.
 *
 * The stream is a sequence of frames: a 4-byte little-endian length, then one sealed piece
 * (envelope.ts: magic, version, CRC-32C of its body). The first piece is the header (the catalog,
 * sequences and, per table, its definition and row count); then, table by table in the header's
 * order, one `rows` piece per row-id chunk (format.ts's CHUNK_IDS), which is exactly a checkpoint
 * chunk, so the standby can store it as one. Size and checksum are known only at the end and travel
 * in `backup_end` (`BackupSummary`): the frame count, the byte count and a CRC-32C over every
 * frame's length and envelope header, which with each piece's own CRC covers every byte in order.
 */
import { Packr } from 'msgpackr';
import type { IndexDef, Oid, TableDef } from '../catalog/types.ts';
import { PACK_OPTIONS } from '../msgpack.ts';
import type { Value } from '../sql/types.ts';
import { sequenceEntries, snapshotCatalog, type Snapshot } from '../state/snapshot.ts';
import type { DbState } from '../state/state.ts';
import { ENVELOPE_HEADER, stampEnvelope } from '../storage/envelope.ts';
import { crc32c } from '../wal/crc32.ts';
import type { RowId } from '../wal/record.ts';
import { CHUNK_IDS } from './format.ts';
import { Slicer } from './slices.ts';
import { presentChunks } from './writer.ts';

/** Layout of the pieces (the header's `backup`): an unknown one is refused, not guessed at. */
export const BACKUP_LAYOUT_VERSION = 1;
/** Bytes before a frame's sealed piece: its length. */
export const FRAME_PREFIX = 4;
/** What the stream checksum covers of each frame: its length and the piece's envelope header. */
export const FRAME_HEAD = FRAME_PREFIX + ENVELOPE_HEADER;

export interface BackupTable {
  def: TableDef;
  nextRowId: number;
  indexes: IndexDef[];
  /** How many rows its `rows` pieces hold together. */
  rows: number;
}

export type BackupHeader = Omit<Snapshot, 'tables'> & { k: 'header'; backup: number; tables: BackupTable[] };
/** One checkpoint chunk's rows: ids ascending, all in [index·CHUNK_IDS, (index+1)·CHUNK_IDS). */
export interface BackupRows {
  k: 'rows';
  oid: Oid;
  index: number;
  ids: RowId[];
  rows: Value[][];
}
export type BackupPiece = BackupHeader | BackupRows;

/** What `backup_end` says of the stream, checked by the standby before anything is installed. */
export interface BackupSummary {
  totalBytes: number;
  pieces: number;
  crc: number;
}

/** Fold one complete frame's head into the stream checksum. */
export function frameCrc(frame: Uint8Array, prev: number): number {
  return crc32c(frame, 0, FRAME_HEAD, prev);
}

export interface BackupStream {
  /** The frames, each packed when asked for. */
  frames: AsyncGenerator<Uint8Array, void, undefined>;
  /** Valid once `frames` is done. */
  summary(): BackupSummary;
}

/**
 * The stream of `state` as it is now: everything but the rows is read at once and the tables are
 * cloned (O(1)), so commits made while the frames are packed do not show in them.
 */
export function streamBackup(state: DbState): BackupStream {
  const tables = [...state.tables.values()]
    .sort((a, b) => a.def.oid - b.def.oid)
    .map((t) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes.map((i) => i.def), rows: t.rows.clone() }));
  const header: BackupHeader = {
    k: 'header',
    backup: BACKUP_LAYOUT_VERSION,
    nextOid: state.nextOid,
    members: [...state.members].sort(),
    sequences: sequenceEntries(state),
    ...snapshotCatalog(state),
    tables: tables.map((t) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, rows: t.rows.size })),
  };
  const summary: BackupSummary = { totalBytes: 0, pieces: 0, crc: 0 };
  // one packer and one pair of arrays for every piece, filled by index: fresh ones per piece are garbage the collector pauses for
  const packr = new Packr(PACK_OPTIONS);
  const frame = (piece: BackupPiece): Uint8Array => {
    const out = sealFrame(piece, packr);
    summary.totalBytes += out.length;
    summary.pieces++;
    summary.crc = frameCrc(out, summary.crc);
    return out;
  };
  async function* frames(): AsyncGenerator<Uint8Array, void, undefined> {
    const slicer = new Slicer();
    yield frame(header);
    const piece: BackupRows = { k: 'rows', oid: 0, index: 0, ids: new Array<RowId>(CHUNK_IDS), rows: new Array<Value[]>(CHUNK_IDS) };
    for (const t of tables) {
      piece.oid = t.def.oid;
      for (const index of presentChunks(t.rows)) {
        await slicer.maybeYield();
        let n = 0;
        t.rows.forRange(index * CHUNK_IDS, (index + 1) * CHUNK_IDS, false, (id, row) => {
          piece.ids[n] = id;
          piece.rows[n++] = row;
        });
        piece.ids.length = n;
        piece.rows.length = n;
        piece.index = index;
        yield frame(piece);
      }
    }
  }
  return { frames: frames(), summary: () => ({ ...summary }) };
}

/** One frame: the length, then the piece sealed as envelope.ts seals (a `rows` piece is a valid checkpoint chunk). */
function sealFrame(piece: BackupPiece, packr: Packr): Uint8Array {
  const body = packr.pack(piece);
  const out = new Uint8Array(FRAME_HEAD + body.length);
  out.set(body, FRAME_HEAD);
  new DataView(out.buffer).setUint32(0, ENVELOPE_HEADER + body.length, true);
  stampEnvelope(out.subarray(FRAME_PREFIX), crc32c(out, FRAME_HEAD));
  return out;
}

/** Pack every frame of a backup of `state` and drop it: the bytes a base backup takes (benchmarks, tests). */
export async function packBackup(state: DbState): Promise<number> {
  const { frames, summary } = streamBackup(state);
  for await (const _ of frames);
  return summary().totalBytes;
}
