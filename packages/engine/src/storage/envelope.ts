/**
 * Sealing for persisted blobs (control record, checkpoints): magic, format version, CRC-32C and
 * the msgpack payload. Opening refuses a different magic, a newer version or a bad checksum
 * instead of guessing, as PostgreSQL refuses a pg_control it does not understand.
 */
import { Packr } from 'msgpackr';
import { SqlError, SQLSTATE } from '../errors.ts';
import { PACK_OPTIONS, ValuePackr } from '../msgpack.ts';
import { crc32c } from '../wal/crc32.ts';

/** 2: exact int8 and numeric values in checkpoints (see msgpack.ts); 1 held them as doubles. */
export const STORAGE_FORMAT_VERSION = 2;
const MAGIC = 0x5741_4c52; // "WALR"
export const ENVELOPE_HEADER = 12;
const HEADER = ENVELOPE_HEADER;
const unpackr = new Packr(PACK_OPTIONS);

/** `packr`: one a caller sealing many blobs in a row shares between them (its scratch buffer is reused); `encodeOptions`: msgpackr's. */
export function seal(payload: unknown, packr?: Packr, encodeOptions?: number): Uint8Array {
  // a fresh packer per blob by default: a process-wide one keeps a scratch buffer as large as the largest checkpoint
  const body = (packr ?? new ValuePackr()).pack(payload, encodeOptions);
  const out = new Uint8Array(HEADER + body.length);
  out.set(body, HEADER);
  return stampEnvelope(out, crc32c(out, HEADER));
}

/** Write the header onto `out`, whose body (from ENVELOPE_HEADER on, checksum `crc`) is in place: sealing in pieces. */
export function stampEnvelope(out: Uint8Array, crc: number): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, STORAGE_FORMAT_VERSION, true);
  view.setUint32(8, crc, true);
  return out;
}

/** The body checksum an envelope's header records (unchecked). */
export function envelopeCrc(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
}

/**
 * Whether `bytes` look like a sealed envelope of this format (length, magic, version) and, with
 * `checkCrc`, whether its body matches its checksum: unseal's checks without the decode, for bytes
 * passed on unopened (a base backup sending stored checkpoint chunks).
 */
export function sealedIntact(bytes: Uint8Array, checkCrc: boolean): boolean {
  if (bytes.length < HEADER) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== STORAGE_FORMAT_VERSION) return false;
  return !checkCrc || view.getUint32(8, true) === crc32c(bytes, HEADER);
}

/** `crc`: the body's CRC-32C when the caller computed it already (a base backup, as its chunks arrived). */
export function unseal<T>(bytes: Uint8Array, what: string, crc?: number): T {
  checkSealed(bytes, what, crc);
  return unpackr.unpack(bytes.subarray(HEADER)) as T;
}

/** unseal's checks (magic, version, checksum) with its errors, without the decode: bytes kept sealed until read (checkpoint/encoded-table.ts). */
export function checkSealed(bytes: Uint8Array, what: string, crc?: number): void {
  if (bytes.length < HEADER) throw corrupted(what, 'too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw corrupted(what, 'bad magic number');
  const version = view.getUint32(4, true);
  if (version !== STORAGE_FORMAT_VERSION) {
    throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'database files are incompatible with server', {
      detail: `The ${what} was written with format version ${version}, but this build of walrtc supports version ${STORAGE_FORMAT_VERSION}.`,
    });
  }
  if (view.getUint32(8, true) !== (crc ?? crc32c(bytes, HEADER))) throw corrupted(what, 'incorrect checksum');
}

function corrupted(what: string, why: string): SqlError {
  return new SqlError(SQLSTATE.data_corrupted, `invalid ${what}: ${why}`);
}
