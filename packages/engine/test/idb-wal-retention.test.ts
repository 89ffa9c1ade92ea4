/**
 * WAL retention on IndexedDB while commits go on: old WAL is removed in small transactions, so a
 * commit's append (same object store) never queues behind the whole removal — the 1.8 s commit
 * stall of a 1M-row checkpoint in Chromium — and nothing appended meanwhile is lost. The removal
 * is paced: its transactions start in the appends' pauses, or one per `maxDeferMs` when none come.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openNode } from '../src/index.ts';
import { indexedDbStorage } from '../src/storage/indexeddb.ts';
import type { WalChunk } from '../src/storage/storage.ts';

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

/** `n` contiguous chunks of `size` bytes from LSN 1000. */
function chunks(n: number, size: number, from = 1000): WalChunk[] {
  return Array.from({ length: n }, (_, i) => ({ lsn: from + i * size, end: from + (i + 1) * size, bytes: new Uint8Array(size).fill(i % 251) }));
}

describe('WAL retention on IndexedDB', () => {
  it('a WAL append issued while old WAL is removed completes before the removal does, and both take effect', async () => {
    const storage = await indexedDbStorage(unique('ret'), 'n1');
    // big chunks: the removal takes several transactions of a few chunks each
    const old = chunks(40, 100_000);
    await storage.appendWal(old);
    const keep = old[30]!.lsn;
    const done: string[] = [];
    const removal = storage.removeWalBefore(keep).then(() => void done.push('removal'));
    const appended = chunks(1, 100, old.at(-1)!.end);
    const append = storage.appendWal(appended).then(() => void done.push('append'));
    await Promise.all([removal, append]);
    expect(done).toEqual(['append', 'removal']);
    const left = await storage.readWal(0);
    expect(left.map((c) => c.lsn)).toEqual([...old.slice(30), ...appended].map((c) => c.lsn));
    await storage.close();
  });

  it('the chunk that straddles the retention LSN stays, and one that ends exactly at it goes', async () => {
    const storage = await indexedDbStorage(unique('ret'), 'n1');
    const all = chunks(40, 100);
    await storage.appendWal(all);
    await storage.removeWalBefore(all[20]!.lsn + 50);
    expect((await storage.readWal(0))[0]!.lsn).toBe(all[20]!.lsn);
    await storage.removeWalBefore(all[30]!.lsn);
    const left = await storage.readWal(0);
    expect(left.map((c) => c.lsn)).toEqual(all.slice(30).map((c) => c.lsn));
    expect(left[0]!.bytes).toEqual(all[30]!.bytes);
    await storage.removeWalBefore(0);
    expect((await storage.readWal(0)).length).toBe(10);
    await storage.close();
  });

  it('a removal requested while appends keep coming runs none of its transactions until they pause, then removes it all', async () => {
    const storage = await indexedDbStorage(unique('ret'), 'n1', { idleMs: 10, maxDeferMs: 1e9 });
    const old = chunks(20, 100_000);
    await storage.appendWal(old);
    let removed = false;
    const removal = storage.removeWalBefore(old[15]!.lsn).then(() => void (removed = true));
    // back-to-back appends, each issued as the previous one completes: never a pause
    let end = old.at(-1)!.end;
    for (let i = 0; i < 30; i++) {
      await storage.appendWal(chunks(1, 100, end));
      end += 100;
    }
    expect(removed).toBe(false);
    expect((await storage.readWal(0))[0]!.lsn).toBe(old[0]!.lsn);
    await removal;
    expect((await storage.readWal(0))[0]!.lsn).toBe(old[15]!.lsn);
    await storage.close();
  });

  it('appends that never pause do not hold the removal back longer than maxDeferMs per transaction', async () => {
    const storage = await indexedDbStorage(unique('ret'), 'n1', { idleMs: 1e9, maxDeferMs: 0 });
    const old = chunks(20, 100_000);
    await storage.appendWal(old);
    let removed = false;
    const removal = storage.removeWalBefore(old[15]!.lsn).then(() => void (removed = true));
    let end = old.at(-1)!.end;
    for (let i = 0; i < 10_000 && !removed; i++) {
      await storage.appendWal(chunks(1, 100, end));
      end += 100;
    }
    await removal;
    const left = await storage.readWal(0);
    expect(left[0]!.lsn).toBe(old[15]!.lsn);
    expect(left.at(-1)!.end).toBe(end);
    await storage.close();
  });

  it('a truncation stops a removal requested before it: WAL written after the truncation stays', async () => {
    const cluster = unique('ret');
    const storage = await indexedDbStorage(cluster, 'n1', { idleMs: 1e9, maxDeferMs: 1e9 });
    const old = chunks(20, 100);
    await storage.appendWal(old);
    // held back (no pause ever counts as one here) until the truncation has rewritten the tail
    const removal = storage.removeWalBefore(old[15]!.lsn);
    await storage.truncateWal(old[5]!.lsn);
    const rewritten = chunks(15, 100, old[5]!.lsn);
    await storage.appendWal(rewritten);
    await storage.close();
    await removal;
    const reopened = await indexedDbStorage(cluster, 'n1');
    expect((await reopened.readWal(0)).map((c) => c.lsn)).toEqual([...old.slice(0, 5), ...rewritten].map((c) => c.lsn));
    await reopened.close();
  });

  it('closing the storage finishes a requested removal without waiting for a pause', async () => {
    const cluster = unique('ret');
    const storage = await indexedDbStorage(cluster, 'n1', { idleMs: 1e9, maxDeferMs: 1e9 });
    const old = chunks(20, 100_000);
    await storage.appendWal(old);
    const removal = storage.removeWalBefore(old[15]!.lsn);
    await storage.close();
    await removal;
    const reopened = await indexedDbStorage(cluster, 'n1');
    expect((await reopened.readWal(0))[0]!.lsn).toBe(old[15]!.lsn);
    await reopened.close();
  });

  it('commits made while a checkpoint writes its chunks and removes old WAL are all present after a crash right after it', async () => {
    const cluster = unique('ret-node');
    const node = await openNode({ cluster, nodeId: 'n1', storage: await indexedDbStorage(cluster, 'n1'), log: () => {} });
    await node.exec('create table t(id int primary key, v text)');
    for (let from = 1; from <= 20_000; from += 500) {
      const values = Array.from({ length: 500 }, (_, i) => `(${from + i}, 'row ${from + i}')`);
      await node.exec(`insert into t values ${values.join(', ')}`);
    }
    let finished = false;
    const checkpoint = node.checkpoint().then(() => void (finished = true));
    let during = 0;
    for (let i = 1; !finished && i <= 10_000; i++) {
      await node.query('insert into t values ($1, $2)', [100_000 + i, `during ${i}`]);
      during = i;
    }
    await checkpoint;
    expect(during).toBeGreaterThan(0);
    const expected = await node.contentHash();
    // the first node is never closed: the second opens what storage holds, as after a crash
    const reopened = await openNode({ cluster, nodeId: 'n1', storage: await indexedDbStorage(cluster, 'n1'), log: () => {} });
    expect(Number((await reopened.query<{ c: unknown }>('select count(*) as c from t where id > 100000')).rows[0]!.c)).toBe(during);
    expect(await reopened.contentHash()).toBe(expected);
    await reopened.close();
  });
});
