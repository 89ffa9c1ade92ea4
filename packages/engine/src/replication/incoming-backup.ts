/**
 * A base backup as it arrives on a standby: its bytes, appended chunk by chunk at the offsets the
 * sender gives, and their CRC-32C computed as each chunk lands. The checksum then runs while the
 * next chunks are on the wire instead of over the whole snapshot after the last one (at 1M rows,
 * tens of MB at the end, before the install can start).
 */
import { ENVELOPE_HEADER, envelopeCrc } from '../storage/envelope.ts';
import { crc32c } from '../wal/crc32.ts';
import type { BackupMeta } from './receiver.ts';

export class IncomingBackup {
  /** Grows as chunks arrive (doubling), never to what the sender merely claims. */
  private buf = new Uint8Array(0);
  private received = 0;
  /** CRC-32C of the body (after the envelope header) received so far. */
  private runningCrc = 0;

  constructor(
    readonly meta: BackupMeta,
    readonly total: number,
  ) {}

  get done(): number {
    return this.received;
  }

  /** Take the next chunk; why it cannot be taken, if it cannot. */
  add(offset: number, bytes: Uint8Array): string | null {
    if (offset !== this.received || offset + bytes.length > this.total) return 'base backup chunk out of range';
    const end = offset + bytes.length;
    if (end > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.total, Math.max(end, 2 * this.buf.length)));
      grown.set(this.buf.subarray(0, this.received));
      this.buf = grown;
    }
    this.buf.set(bytes, offset);
    this.received = end;
    const from = Math.max(offset, ENVELOPE_HEADER);
    if (end > from) this.runningCrc = crc32c(this.buf, from, end, this.runningCrc);
    return null;
  }

  /** All of it, with the CRC of its body, once every byte announced has arrived and the envelope's checksum matches; else why not. */
  complete(): { bytes: Uint8Array; crc: number } | string {
    if (this.received !== this.total) return 'incomplete base backup';
    if (this.total < ENVELOPE_HEADER || envelopeCrc(this.buf) !== this.runningCrc) return 'invalid base backup: incorrect checksum';
    return { bytes: this.buf, crc: this.runningCrc };
  }
}
