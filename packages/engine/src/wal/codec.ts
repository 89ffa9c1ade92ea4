/**
 * WAL record encoding: each record is an envelope of format version (1 byte), payload length
 * (u32), CRC-32C over version+length+payload (u32), then the msgpack payload. Decoding refuses an
 * unknown version and stops at the first torn or corrupted record, reporting where, as
 * PostgreSQL's `invalid record length at 0/…` / `incorrect resource manager data checksum`.
 */
import { ValuePackr } from '../msgpack.ts';
import { crc32c } from './crc32.ts';
import { ScratchWriter } from './pack-fast.ts';
import { formatLsn, type Lsn } from './lsn.ts';
import type { PositionedRecord, WalRecord } from './record.ts';

/** 2: int8 beyond 2^53 as msgpack int64, numeric as an exact-decimal extension (1 held both as doubles). */
export const WAL_FORMAT_VERSION = 2;
const HEADER = 9;

const packr = new ValuePackr();

export function encodeRecords(records: readonly WalRecord[]): Uint8Array[] {
  return records.map(encodeRecord);
}

export function encodeRecord(record: WalRecord): Uint8Array {
  const payload = packr.pack(record);
  const out = new Uint8Array(HEADER + payload.length);
  out.set(payload, HEADER);
  const view = new DataView(out.buffer);
  out[0] = WAL_FORMAT_VERSION;
  view.setUint32(1, payload.length, true);
  view.setUint32(5, crc32c(out, HEADER, out.length) ^ crcOfHeader(out), true);
  return out;
}

/**
 * Encode records back to back into one buffer, byte for byte what concatenating `encodeRecord`
 * of each would give. `ends[i]` is the offset just past record i.
 */
export function encodeBatch(records: readonly WalRecord[]): { bytes: Uint8Array; ends: number[] } {
  const ends: number[] = [];
  return { bytes: encodeRecordsOf(records, EMPTY, undefined, ends), ends };
}

/**
 * `head`, then `body`, then `last` (when given) back to back, as `encodeBatch` of them all: a
 * commit's records without an array made to hold them. The records are written straight into the
 * current slab (pack-fast.ts, msgpackr for what it does not cover); a batch that outgrows it is
 * copied out of the writer's grown buffer into one of its own.
 */
export function encodeRecordsOf(head: readonly WalRecord[], body: readonly WalRecord[], last?: WalRecord, ends?: number[]): Uint8Array {
  if (SLAB - slabAt < RETIRE) newSlab();
  const w = scratch;
  const start = slabAt;
  w.target(slab, slabView, start);
  try {
    for (let i = 0; i < head.length; i++) encodeOne(w, head[i]!, start, ends);
    for (let i = 0; i < body.length; i++) encodeOne(w, body[i]!, start, ends);
    if (last) encodeOne(w, last, start, ends);
    if (w.buf === slab) {
      slabAt = w.pos;
      return slab.subarray(start, slabAt);
    }
    // outgrew the slab: the writer copied it into a larger buffer of its own, let go below
    return w.buf.slice(start, w.pos);
  } finally {
    w.target(slab, slabView, slabAt);
  }
}

function encodeOne(w: ScratchWriter, record: WalRecord, start: number, ends: number[] | undefined): void {
  const at = w.pos;
  w.ensure(HEADER);
  w.pos = at + HEADER;
  if (!w.pack(record)) {
    w.pos = at + HEADER;
    w.write(packr.pack(record));
  }
  const end = w.pos;
  const b = w.buf;
  // the header by hand (little-endian u32s): a DataView per batch cost more than the record's CRC
  b[at] = WAL_FORMAT_VERSION;
  putU32(b, at + 1, end - at - HEADER);
  putU32(b, at + 5, crc32c(b, at + HEADER, end) ^ crcOfHeader(b, at));
  ends?.push(end - start);
}

const EMPTY: readonly WalRecord[] = [];

/**
 * Batches are written into shared 64 KiB slabs (a point commit is ~100 bytes): a buffer of their
 * own per commit cost more than encoding it. Bytes handed out are never written again, so the
 * views stay valid for as long as anyone holds them; storage that persists by structured clone
 * copies them out first (`standalone`). A slab with less than RETIRE bytes left is retired.
 */
const SLAB = 64 * 1024;
const RETIRE = 1024;
let slab = new Uint8Array(SLAB);
let slabView = new DataView(slab.buffer);
let slabAt = 0;
const scratch = new ScratchWriter(slab, slabView);

function newSlab(): void {
  slab = new Uint8Array(SLAB);
  slabView = new DataView(slab.buffer);
  slabAt = 0;
}

function putU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v;
  buf[at + 1] = v >>> 8;
  buf[at + 2] = v >>> 16;
  buf[at + 3] = v >>> 24;
}

function crcOfHeader(buf: Uint8Array, at = 0): number {
  // the header fields are covered by mixing in their own checksum, so a flipped length is caught too
  return crc32c(buf, at, at + 5);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface DecodeResult {
  records: PositionedRecord[];
  /** Set when decoding stopped before the end of the bytes: what was wrong and where. */
  invalid?: { lsn: Lsn; reason: string };
}

/** Decode the records in `bytes`, the first of which starts at `startLsn`. */
export function decodeRecords(bytes: Uint8Array, startLsn: Lsn): DecodeResult {
  const records: PositionedRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    const lsn = startLsn + at;
    if (bytes.length - at < HEADER) return { records, invalid: { lsn, reason: `invalid record length at ${formatLsn(lsn)}: expected at least ${HEADER}, got ${bytes.length - at}` } };
    const version = bytes[at]!;
    if (version !== WAL_FORMAT_VERSION) return { records, invalid: { lsn, reason: `invalid record format version ${version} at ${formatLsn(lsn)}` } };
    const len = view.getUint32(at + 1, true);
    const end = at + HEADER + len;
    if (end > bytes.length) return { records, invalid: { lsn, reason: `invalid record length at ${formatLsn(lsn)}: wanted ${HEADER + len}, got ${bytes.length - at}` } };
    const crc = view.getUint32(at + 5, true);
    if ((crc32c(bytes, at + HEADER, end) ^ crcOfHeader(bytes, at)) >>> 0 !== crc) {
      return { records, invalid: { lsn, reason: `incorrect resource manager data checksum in record at ${formatLsn(lsn)}` } };
    }
    let record: WalRecord;
    try {
      record = packr.unpack(bytes.subarray(at + HEADER, end)) as WalRecord;
    } catch {
      return { records, invalid: { lsn, reason: `invalid record at ${formatLsn(lsn)}: undecodable payload` } };
    }
    if (typeof record !== 'object' || record === null || typeof record.kind !== 'string') {
      return { records, invalid: { lsn, reason: `invalid record at ${formatLsn(lsn)}: no record kind` } };
    }
    records.push({ lsn, end: startLsn + end, record });
    at = end;
  }
  return { records };
}
