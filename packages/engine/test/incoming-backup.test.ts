/**
 * A base backup as the standby receives it (replication/incoming-backup.ts): chunks in order only,
 * the checksum taken as they arrive matching the envelope's, a damaged or short one refused.
 */
import { describe, expect, it } from 'vitest';
import { IncomingBackup } from '../src/replication/incoming-backup.ts';
import { seal, unseal } from '../src/storage/envelope.ts';

const meta = { systemId: '1', timeline: 1, lsn: 0, history: [] };
const sealed = seal({ rows: Array.from({ length: 5000 }, (_, i) => [i, `row ${i}`]) });

function receive(bytes: Uint8Array, piece: number): IncomingBackup {
  const b = new IncomingBackup(meta, bytes.length);
  for (let off = 0; off < bytes.length; off += piece) expect(b.add(off, bytes.subarray(off, off + piece))).toBeNull();
  return b;
}

describe('an incoming base backup', () => {
  it('assembles the chunks, whatever their size, into the bytes sent, with the checksum the envelope holds', () => {
    for (const piece of [1, 5, 11, 12, 13, 1000, 64 * 1024, sealed.length]) {
      const whole = receive(sealed, piece).complete();
      if (typeof whole === 'string') throw new Error(whole);
      expect(whole.bytes).toEqual(sealed);
      expect(unseal(whole.bytes, 'base backup', whole.crc)).toEqual(unseal(sealed, 'base backup'));
    }
  });

  it('refuses a chunk out of order or past the announced size, and a backup short of it', () => {
    const b = new IncomingBackup(meta, sealed.length);
    expect(b.add(100, sealed.subarray(100, 200))).toBe('base backup chunk out of range');
    expect(b.add(0, sealed.subarray(0, 100))).toBeNull();
    expect(b.add(0, sealed.subarray(0, 100))).toBe('base backup chunk out of range');
    expect(b.complete()).toBe('incomplete base backup');
    const small = new IncomingBackup(meta, 50);
    expect(small.add(0, sealed.subarray(0, 51))).toBe('base backup chunk out of range');
  });

  it('refuses a backup damaged anywhere, header or body', () => {
    for (const at of [8, 12, 1000, sealed.length - 1]) {
      const damaged = sealed.slice();
      damaged[at]! ^= 1;
      expect(receive(damaged, 4096).complete()).toBe('invalid base backup: incorrect checksum');
    }
  });
});
