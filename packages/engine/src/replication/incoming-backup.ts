/**
 * A base backup as it arrives on a standby (checkpoint/backup-stream.ts's frames): each piece is
 * checked (its envelope's CRC) as soon as its last byte lands and kept as it came: its rows are
 * decoded and validated when the table is first needed, or in the background after the install
 * (checkpoint/encoded-table.ts), so the stream itself allocates nothing per row (the collector
 * copying a million freshly decoded rows per scavenge is what paced it). Nothing of it counts until `finish` has matched the
 * sender's summary (frames, bytes, stream checksum) and every table's row count: a damaged piece is
 * refused where it is, a truncated stream at its end, and either way nothing is installed.
 * Memory follows what arrives: a frame's claimed length is bounded, and its bytes are kept only
 * as they come.
 */
import { BACKUP_LAYOUT_VERSION, FRAME_PREFIX, frameCrc, type BackupHeader, type BackupSummary } from '../checkpoint/backup-stream.ts';
import { chunkRows, EncodedTable, type EncodedChunk } from '../checkpoint/encoded-table.ts';
import { CHUNK_IDS } from '../checkpoint/format.ts';
import type { RunSnapshot } from '../state/snapshot.ts';
import { TableData } from '../state/state.ts';
import { checkSealed, ENVELOPE_HEADER, unseal } from '../storage/envelope.ts';
import type { BackupMeta } from './receiver.ts';

/** The largest piece a standby takes: a chunk of CHUNK_IDS rows of up to 128 KiB each. */
export const MAX_PIECE_BYTES = 256 * 1024 * 1024;

export interface ReceivedChunk {
  oid: number;
  index: number;
  rows: number;
  /** The sealed piece as received (a checkpoint chunk). */
  bytes: Uint8Array;
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
  /** Per table of the header, its chunks so far. */
  private encoded: EncodedChunk[][] = [];
  private readonly counts: number[] = [];
  private readonly chunks: ReceivedChunk[] = [];
  /** The piece expected next: a table (its position in the header) and a chunk of it (the position in its `chunks`). */
  private table = 0;
  private chunk = 0;
  private rowsIn = 0;
  private rowBytes = 0;
  private failed: string | undefined;

  constructor(readonly meta: BackupMeta) {}

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
    const snapshot: RunSnapshot = {
      ...catalog,
      tables: tables.map((t, i) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, runs: [], data: TableData.deferred(t.def, t.nextRowId, new EncodedTable(t, this.encoded[i]!, 'base backup')) })),
    };
    return { meta: this.meta, snapshot, chunks: this.chunks };
  }

  private fail(reason: string): string {
    this.failed = reason;
    this.parts = [];
    this.encoded = [];
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

  /** Check and place one frame (the header decoded, a chunk kept sealed); why not, if it does not fit the stream. */
  private piece(frame: Uint8Array): string | null {
    const sealed = frame.subarray(FRAME_PREFIX);
    let header: BackupHeader | undefined;
    try {
      if (this.header) checkSealed(sealed, 'base backup');
      else header = unseal<BackupHeader>(sealed, 'base backup');
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    this.crc = frameCrc(frame, this.crc);
    this.pieces++;
    if (!this.header) return header && header.k === 'header' ? this.start(header) : 'invalid base backup: it does not start with its header';
    this.skipDone();
    const t = this.header.tables[this.table];
    const rows = chunkRows(sealed);
    if (rows === 'header') return 'invalid base backup: a second header';
    if (!t) return 'invalid base backup: more pieces than its header names';
    const index = t.chunks[this.chunk]!;
    if (rows === undefined || rows < 1 || rows > CHUNK_IDS) return `invalid base backup: chunk ${index} of table ${t.def.oid} is malformed`;
    this.encoded[this.table]!.push({ index, rows, bytes: sealed });
    this.counts[this.table] = (this.counts[this.table] ?? 0) + rows;
    this.rowsIn += rows;
    this.chunk++;
    this.rowBytes += frame.length;
    this.chunks.push({ oid: t.def.oid, index, rows, bytes: sealed });
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
    this.encoded = h.tables.map(() => []);
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
