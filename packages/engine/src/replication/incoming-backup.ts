/**
 * A base backup as it arrives on a standby (checkpoint/backup-stream.ts's frames): each piece is
 * checked (its envelope's CRC), decoded, validated and cut into its table's row tree and primary
 * key as soon as its last byte lands (checkpoint/table-loader.ts), so when the stream ends only the
 * trees' upper levels are left to build. Nothing of it counts until `finish` has matched the
 * sender's summary (frames, bytes, stream checksum) and every table's row count: a damaged piece is
 * refused where it is, a truncated stream at its end, and either way nothing is installed.
 * Memory follows what arrives: a frame's claimed length is bounded, and its bytes are kept only
 * as they come.
 */
import { BACKUP_LAYOUT_VERSION, FRAME_PREFIX, frameCrc, type BackupHeader, type BackupSummary } from '../checkpoint/backup-stream.ts';
import { CHUNK_IDS, type ChunkPayload } from '../checkpoint/format.ts';
import { TableLoader } from '../checkpoint/table-loader.ts';
import type { RunSnapshot } from '../state/snapshot.ts';
import { ENVELOPE_HEADER, unseal } from '../storage/envelope.ts';
import type { BackupMeta } from './receiver.ts';

/** The largest piece a standby takes: a chunk of CHUNK_IDS rows of up to 128 KiB each. */
export const MAX_PIECE_BYTES = 256 * 1024 * 1024;

export interface ReceivedChunk {
  oid: number;
  index: number;
  rows: number;
  /** The sealed piece as received (a checkpoint chunk), kept only when asked for. */
  bytes?: Uint8Array;
}

/** A complete, verified backup: the snapshot with its tables built, and the chunks that hold their rows. */
export interface ReceivedBackup {
  meta: BackupMeta;
  snapshot: RunSnapshot;
  chunks: ReceivedChunk[];
}

export class IncomingBackup {
  private received = 0;
  private pieces = 0;
  private crc = 0;
  /** The frame being assembled: its parts so far and, once its prefix is in, its length. */
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private need: number | undefined;
  private header: BackupHeader | undefined;
  private loaders: TableLoader[] = [];
  private readonly counts: number[] = [];
  private readonly chunks: ReceivedChunk[] = [];
  /** The piece expected next: a table (its position in the header) and a chunk of it (the position in its `chunks`). */
  private table = 0;
  private chunk = 0;
  private rowsIn = 0;
  private rowBytes = 0;
  private failed: string | undefined;

  /** `keepBytes`: keep each `rows` piece's sealed bytes (a store that writes them as checkpoint chunks). */
  constructor(
    readonly meta: BackupMeta,
    private readonly keepBytes: boolean,
  ) {}

  /** Bytes received so far. */
  get done(): number {
    return this.received;
  }

  /** The stream's size as it looks so far, from the bytes per row of the pieces in and the rows the header announced; undefined before that can be told. */
  get estimate(): number | undefined {
    const total = this.header?.tables.reduce((n, t) => n + t.rows, 0);
    if (total === undefined || (total > 0 && !this.rowsIn)) return undefined;
    if (total <= this.rowsIn) return this.received;
    return Math.max(this.received, Math.round(this.received + ((total - this.rowsIn) * this.rowBytes) / this.rowsIn));
  }

  /** Take the next bytes of the stream; why it cannot be taken, if it cannot (and every later call says so too). */
  add(offset: number, bytes: Uint8Array): string | null {
    if (this.failed) return this.failed;
    if (offset !== this.received) return this.fail('base backup chunk out of range');
    this.received += bytes.length;
    let at = 0;
    while (at < bytes.length) {
      if (this.need === undefined) {
        const take = Math.min(FRAME_PREFIX - this.partBytes, bytes.length - at);
        this.push(bytes.subarray(at, at + take));
        at += take;
        if (this.partBytes < FRAME_PREFIX) break;
        const prefix = this.joined();
        const length = new DataView(prefix.buffer, prefix.byteOffset, FRAME_PREFIX).getUint32(0, true);
        if (length < ENVELOPE_HEADER || length > MAX_PIECE_BYTES) return this.fail(`invalid base backup: a piece of ${length} bytes`);
        this.need = FRAME_PREFIX + length;
      }
      const take = Math.min(this.need - this.partBytes, bytes.length - at);
      this.push(bytes.subarray(at, at + take));
      at += take;
      if (this.partBytes < this.need) break;
      const frame = this.joined();
      this.parts = [];
      this.partBytes = 0;
      this.need = undefined;
      const refused = this.piece(frame);
      if (refused) return this.fail(refused);
    }
    return null;
  }

  /** The backup, once the sender's summary matches what arrived and everything announced is in; else why not. */
  finish(summary: BackupSummary): ReceivedBackup | string {
    if (this.failed) return this.failed;
    const h = this.header;
    if (this.partBytes || summary.totalBytes !== this.received || summary.pieces !== this.pieces || !h) return this.fail('incomplete base backup');
    if (summary.crc !== this.crc) return this.fail('invalid base backup: incorrect checksum');
    this.skipDone();
    if (this.table < h.tables.length || h.tables.some((t, i) => (this.counts[i] ?? 0) !== t.rows)) return this.fail('incomplete base backup');
    const { k: _k, backup: _b, tables, ...catalog } = h;
    const snapshot: RunSnapshot = { ...catalog, tables: tables.map((t, i) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, runs: this.loaders[i]!.runs, data: this.loaders[i]!.finish() })) };
    return { meta: this.meta, snapshot, chunks: this.chunks };
  }

  private fail(reason: string): string {
    this.failed = reason;
    this.parts = [];
    this.loaders = [];
    this.chunks.length = 0;
    return reason;
  }

  private push(part: Uint8Array): void {
    this.partBytes += part.length;
    // a frame's length and its piece, cut from one message, stay one view of it: joined() then copies nothing
    const last = this.parts.length === 1 ? this.parts[0]! : undefined;
    if (last && last.buffer === part.buffer && last.byteOffset + last.length === part.byteOffset) this.parts[0] = new Uint8Array(part.buffer, last.byteOffset, last.length + part.length);
    else this.parts.push(part);
  }

  /** The parts as one array: the part itself when a frame came in one message, so most frames are never copied. */
  private joined(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Uint8Array(this.partBytes);
    let n = 0;
    for (const p of this.parts) {
      out.set(p, n);
      n += p.length;
    }
    this.parts = [out];
    return out;
  }

  /** Check, decode and place one frame; why not, if it does not fit the stream. */
  private piece(frame: Uint8Array): string | null {
    const sealed = frame.subarray(FRAME_PREFIX);
    let piece: BackupHeader | ChunkPayload;
    try {
      piece = unseal<BackupHeader | ChunkPayload>(sealed, 'base backup');
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    this.crc = frameCrc(frame, this.crc);
    this.pieces++;
    if (!this.header) return piece && 'k' in piece && piece.k === 'header' ? this.start(piece) : 'invalid base backup: it does not start with its header';
    if (!piece || 'k' in piece) return 'invalid base backup: a second header';
    this.skipDone();
    const t = this.header.tables[this.table];
    if (!t) return 'invalid base backup: more pieces than its header names';
    const index = t.chunks[this.chunk]!;
    const refused = this.rows(t.def.oid, index, piece);
    if (refused) return refused;
    this.chunk++;
    this.rowBytes += frame.length;
    if (this.keepBytes) this.chunks.push({ oid: t.def.oid, index, rows: piece.ids.length, bytes: sealed });
    else this.chunks.push({ oid: t.def.oid, index, rows: piece.ids.length });
    return null;
  }

  /** Move past tables whose every chunk is in. */
  private skipDone(): void {
    const tables = this.header?.tables ?? [];
    while (this.table < tables.length && this.chunk >= tables[this.table]!.chunks.length) {
      this.table++;
      this.chunk = 0;
    }
  }

  private start(h: BackupHeader): string | null {
    if (h.backup !== BACKUP_LAYOUT_VERSION) return `invalid base backup: layout version ${String(h.backup)}, this build of walrtc reads version ${BACKUP_LAYOUT_VERSION}`;
    if (!Array.isArray(h.tables) || !Array.isArray(h.sequences) || typeof h.nextOid !== 'number' || !h.tables.every(tableShape)) return 'invalid base backup: a malformed header';
    this.header = h;
    this.loaders = h.tables.map((t) => new TableLoader(t));
    return null;
  }

  /** Chunk `index` of table `oid`: ids ascending inside its own row-id range, one row each. */
  private rows(oid: number, index: number, p: ChunkPayload): string | null {
    const { ids, rows } = p;
    if (!Array.isArray(ids) || !Array.isArray(rows) || !ids.length || ids.length !== rows.length) return `invalid base backup: chunk ${index} of table ${oid} is malformed`;
    let last = index * CHUNK_IDS - 1;
    for (const id of ids) {
      if (!(id > last)) return `invalid base backup: chunk ${index} of table ${oid} is malformed`;
      last = id;
    }
    if (last >= (index + 1) * CHUNK_IDS) return `invalid base backup: chunk ${index} of table ${oid} is malformed`;
    if (!rows.every(Array.isArray)) return `invalid base backup: chunk ${index} of table ${oid} is malformed`;
    try {
      this.loaders[this.table]!.add({ ids, rows });
    } catch {
      return `invalid base backup: chunk ${index} of table ${oid} is malformed`;
    }
    this.counts[this.table] = (this.counts[this.table] ?? 0) + ids.length;
    this.rowsIn += ids.length;
    return null;
  }
}

/** A header's table: its chunks named in ascending order, a row count. */
function tableShape(t: BackupHeader['tables'][number]): boolean {
  if (!t || !t.def || !Array.isArray(t.indexes) || !Number.isSafeInteger(t.rows) || !Array.isArray(t.chunks)) return false;
  let last = -1;
  for (const c of t.chunks) {
    if (!Number.isSafeInteger(c) || c <= last) return false;
    last = c;
  }
  return true;
}
