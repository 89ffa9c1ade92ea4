/**
 * A base backup as it arrives on a standby (checkpoint/backup-stream.ts's frames): each piece is
 * checked (its envelope's CRC), decoded and validated as soon as its last byte lands, so when the
 * stream ends only the bulk load is left. Nothing of it counts until `finish` has matched the
 * sender's summary (frames, bytes, stream checksum) and every table's row count: a damaged piece is
 * refused where it is, a truncated stream at its end, and either way nothing is installed.
 * Memory follows what arrives: a frame's claimed length is bounded, and its bytes are kept only
 * as they come.
 */
import { BACKUP_LAYOUT_VERSION, FRAME_PREFIX, frameCrc, type BackupHeader, type BackupPiece, type BackupRows, type BackupSummary } from '../checkpoint/backup-stream.ts';
import { CHUNK_IDS } from '../checkpoint/format.ts';
import type { RowRun } from '../state/bulk.ts';
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

/** A complete, verified backup: the snapshot to bulk-load and the chunks that hold its rows. */
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
  private readonly runs: RowRun[][] = [];
  private readonly counts: number[] = [];
  private readonly chunks: ReceivedChunk[] = [];
  /** The table `rows` pieces are at (its position in the header), and the last chunk index seen there. */
  private table = 0;
  private lastIndex = -1;
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
    if (h.tables.some((t, i) => (this.counts[i] ?? 0) !== t.rows)) return this.fail('incomplete base backup');
    const { k: _k, backup: _b, tables, ...catalog } = h;
    const snapshot: RunSnapshot = { ...catalog, tables: tables.map((t, i) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, runs: this.runs[i] ?? [] })) };
    return { meta: this.meta, snapshot, chunks: this.chunks };
  }

  private fail(reason: string): string {
    this.failed = reason;
    this.parts = [];
    this.runs.length = 0;
    this.chunks.length = 0;
    return reason;
  }

  private push(part: Uint8Array): void {
    this.parts.push(part);
    this.partBytes += part.length;
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
    let piece: BackupPiece;
    try {
      piece = unseal<BackupPiece>(sealed, 'base backup');
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    this.crc = frameCrc(frame, this.crc);
    this.pieces++;
    if (!this.header) return piece?.k === 'header' ? this.start(piece) : 'invalid base backup: it does not start with its header';
    if (piece?.k !== 'rows') return 'invalid base backup: a second header';
    const refused = this.rows(piece);
    if (refused) return refused;
    this.rowBytes += frame.length;
    if (this.keepBytes) this.chunks.push({ oid: piece.oid, index: piece.index, rows: piece.ids.length, bytes: sealed });
    else this.chunks.push({ oid: piece.oid, index: piece.index, rows: piece.ids.length });
    return null;
  }

  private start(h: BackupHeader): string | null {
    if (h.backup !== BACKUP_LAYOUT_VERSION) return `invalid base backup: layout version ${String(h.backup)}, this build of walrtc reads version ${BACKUP_LAYOUT_VERSION}`;
    if (!Array.isArray(h.tables) || !Array.isArray(h.sequences) || typeof h.nextOid !== 'number') return 'invalid base backup: a malformed header';
    this.header = h;
    return null;
  }

  /** A chunk of the current table or of a later one, ids ascending inside its own row-id range. */
  private rows(p: BackupRows): string | null {
    const tables = this.header!.tables;
    while (this.table < tables.length && tables[this.table]!.def.oid !== p.oid) {
      this.table++;
      this.lastIndex = -1;
    }
    if (this.table >= tables.length) return `invalid base backup: rows of table ${String(p.oid)} out of order`;
    const { ids, rows, index } = p;
    if (!Number.isSafeInteger(index) || index <= this.lastIndex) return `invalid base backup: chunk ${String(index)} of table ${p.oid} out of order`;
    if (!Array.isArray(ids) || !Array.isArray(rows) || !ids.length || ids.length !== rows.length) return `invalid base backup: chunk ${index} of table ${p.oid} is malformed`;
    let last = index * CHUNK_IDS - 1;
    for (const id of ids) {
      if (!(id > last)) return `invalid base backup: chunk ${index} of table ${p.oid} is malformed`;
      last = id;
    }
    if (last >= (index + 1) * CHUNK_IDS) return `invalid base backup: chunk ${index} of table ${p.oid} is malformed`;
    this.lastIndex = index;
    (this.runs[this.table] ??= []).push({ ids, rows });
    this.counts[this.table] = (this.counts[this.table] ?? 0) + ids.length;
    this.rowsIn += ids.length;
    return null;
  }
}
