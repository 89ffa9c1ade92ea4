// The WAL writer's flush waits (wal/xlog.ts): commits waiting on the same flush share one promise,
// storage with a synchronous append (memory) is written in the appending turn's microtask, and a
// wait for WAL inside a batch already being written resolves when that batch is durable.
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/storage/memory.ts';
import type { Storage, WalChunk } from '../src/storage/storage.ts';
import { decodeRecords } from '../src/wal/codec.ts';
import type { Lsn } from '../src/wal/lsn.ts';
import type { WalRecord } from '../src/wal/record.ts';
import { WalWriter } from '../src/wal/xlog.ts';

const commit = (xid: number): WalRecord => ({ kind: 'commit', xid, time: 1_700_000_000_000 + xid });

/** Memory storage whose appends wait for `open()` each (a wrapper: its appendWal has no synchronous form). */
function gated(fail = false): { storage: Storage; open: () => void; batches: WalChunk[][] } {
  const inner = memoryStorage();
  const batches: WalChunk[][] = [];
  let release: () => void = () => {};
  const storage: Storage = {
    ...inner,
    async appendWal(chunks) {
      batches.push([...chunks]);
      await new Promise<void>((r) => (release = r));
      if (fail) throw new Error('disk full');
      return inner.appendWal(chunks);
    },
  };
  return { storage, open: () => release(), batches };
}

const settled = async (p: Promise<void>): Promise<string> => {
  let state = 'pending';
  p.then(() => (state = 'resolved'), () => (state = 'rejected'));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('WAL flush waits', () => {
  it('memory storage: appends of one turn are one batch, flushed before the next macrotask, in LSN order', async () => {
    const storage = memoryStorage();
    const wal = new WalWriter(storage, 0 as Lsn);
    const seen: number[] = [];
    wal.onFlush((chunks) => seen.push(chunks.length));
    const a = wal.append([commit(1)]);
    const b = wal.appendRecords([commit(2)], [commit(3)], commit(4));
    const waits = [wal.waitFlush(a), wal.waitFlush(b)];
    expect(wal.flushLsn).toBe(0);
    await Promise.all(waits);
    expect(wal.flushLsn).toBe(b);
    expect(seen).toEqual([2]);
    const chunks = await storage.readWal(0 as Lsn);
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.bytes.length, 0));
    let at = 0;
    for (const c of chunks) {
      bytes.set(c.bytes, at);
      at += c.bytes.length;
    }
    expect(decodeRecords(bytes, 0 as Lsn).records.map((r) => r.record)).toEqual([commit(1), commit(2), commit(3), commit(4)]);
    // already durable: resolves at once
    expect(await settled(wal.waitFlush(a))).toBe('resolved');
  });

  it('a wait for WAL inside the batch being written, asked only once it is being written, resolves when it is durable', async () => {
    const g = gated();
    const wal = new WalWriter(g.storage, 0 as Lsn);
    const a = wal.append([commit(1)]);
    await Promise.resolve();
    expect(g.batches.length).toBe(1);
    // appended while the first batch is in flight: the next batch
    const b = wal.append([commit(2)]);
    const waitA = wal.waitFlush(a);
    const waitB = wal.waitFlush(b);
    const beyond = wal.waitFlush((b + 1) as Lsn);
    expect(await settled(waitA)).toBe('pending');
    g.open();
    expect(await settled(waitA)).toBe('resolved');
    expect(wal.flushLsn).toBe(a);
    expect(await settled(waitB)).toBe('pending');
    expect(g.batches.length).toBe(2);
    g.open();
    expect(await settled(waitB)).toBe('resolved');
    expect(await settled(beyond)).toBe('pending');
    const c = wal.append([commit(3)]);
    await Promise.resolve();
    g.open();
    expect(await settled(beyond)).toBe('resolved');
    expect(wal.flushLsn).toBe(c);
  });

  it('a failed flush rejects the waits on the batch in flight and on the one queued behind it, and later waits', async () => {
    const g = gated(true);
    const wal = new WalWriter(g.storage, 0 as Lsn);
    const a = wal.append([commit(1)]);
    await Promise.resolve();
    const b = wal.append([commit(2)]);
    const waits = [wal.waitFlush(a), wal.waitFlush(b)];
    const outcomes = waits.map((w) => w.then(() => 'resolved', (e: { code?: string }) => e.code));
    g.open();
    expect(await Promise.all(outcomes)).toEqual(['XX001', 'XX001']);
    expect(wal.flushLsn).toBe(0);
    expect(wal.insertLsn).toBe(0);
    await expect(wal.waitFlush(a)).rejects.toMatchObject({ code: 'XX001' });
    expect(() => wal.append([commit(3)])).toThrow(/could not write to WAL: disk full/);
  });
});
