import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recover } from '../../packages/engine/src/recovery.ts';
import { decodeRecords } from '../../packages/engine/src/wal/codec.ts';
import { allMembers, caughtUp, lsnNumber, memoryCluster, type TestCluster } from '../cluster.ts';
import { faultyStorage, prng, reopen } from './faults.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@walrtc/engine';
import { fileStorage } from '@walrtc/node';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';

// the same crashes on every storage that keeps WAL: memory (the engine's logic) and files (the Node peer's)
const dirs: string[] = [];
const storages: [string, () => Promise<Storage>][] = [
  ['memory', async () => memoryStorage()],
  ['file', async () => fileStorage(dirs[dirs.push(await mkdtemp(join(tmpdir(), 'walrtc-faults-'))) - 1]!)],
];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

describe.each(storages)('WAL storage under crashes and long catch-ups (%s)', (_kind, makeStorage) => {
  it('a crash at any step of the WAL truncation recovery keeps every transaction before the torn one', async () => {
    for (let crashAfter = 0; crashAfter <= 3; crashAfter++) {
      const mc = memoryCluster();
      c = mc;
      const p = await mc.open('p');
      await p.node.exec('create table t(id int primary key)');
      const storage = faultyStorage(prng(crashAfter), 0, await makeStorage());
      const s = await mc.open('s', { role: 'standby', storage });
      // the primary adds the standby as a member by a WAL record of its own; it must come before
      // the three transactions, or it is the last chunk the standby stores
      await allMembers([p, s]);
      await caughtUp(p.node, s.node);
      // while the standby is away, three transactions: it receives them as one batch, stored as one chunk
      mc.net.partition(['p'], ['s']);
      for (let i = 1; i <= 3; i++) await p.node.query('insert into t values ($1)', [i]);
      mc.net.heal();
      await caughtUp(p.node, s.node);
      // caughtUp waits for the standby to have the batch on storage, not only replayed; then it stops
      // here without a checkpoint (which would remove that WAL)
      mc.net.kill('s');
      const chunks = await storage.readWal(0);
      const last = chunks[chunks.length - 1]!;
      const commits = decodeRecords(last.bytes, last.lsn).records.filter((r) => r.record.kind === 'commit');
      expect(commits.length, 'one chunk with the three transactions').toBe(3);
      // the third transaction is torn (bad checksum): recovery keeps the first two and truncates
      // the rest of that chunk, and the process crashes after `crashAfter` writes of it
      const torn = last.bytes.slice();
      torn[commits[1]!.end - last.lsn + 12]! ^= 0x5a;
      await storage.truncateWal(last.lsn);
      await storage.appendWal([{ ...last, bytes: torn }]);
      storage.crashAfterWrites(crashAfter);
      await recover(storage, 's', () => {}, false).catch(() => {});
      storage.crashAfterWrites(Infinity);
      const again = await reopen(mc.name, 's', storage);
      const ids = (await again.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id);
      await again.close();
      expect(ids, `crash after ${crashAfter} writes`).toEqual([1, 2]);
      await mc.closeAll();
    }
  });

  it('catch-up from storage reads about what it sends (a cursor from the standby position), not the whole tail per batch', async () => {
    const mc = memoryCluster();
    c = mc;
    const storage = faultyStorage(prng(1), 0, await makeStorage());
    let p = await mc.open('p', { storage, synchronousCommit: 'off' });
    await p.node.exec('create table t(id int primary key, v text)');
    const s = await mc.open('s', { role: 'standby' });
    await caughtUp(p.node, s.node);
    mc.net.partition(['p'], ['s']);
    const from = lsnNumber((await p.node.status()).lsn.flush);
    for (let i = 0; i < 400; i++) await p.node.query('insert into t values ($1, $2)', [i, 'x'.repeat(5000)]);
    // a restarted primary has nothing in memory: the catch-up comes from storage
    await mc.close(p);
    p = await mc.open('p', { storage });
    const to = lsnNumber((await p.node.status()).lsn.flush);
    const readBefore = storage.walBytesRead;
    mc.net.heal();
    await caughtUp(p.node, s.node, 30_000);
    const read = storage.walBytesRead - readBefore;
    expect(to - from).toBeGreaterThan(1_900_000);
    expect(read).toBeLessThan(2 * (to - from));
    expect((await s.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 400 }]);
  }, 60_000);
});
