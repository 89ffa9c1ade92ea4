import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openNode, SqlError } from '../src/index.ts';
import { indexedDbStorage, databaseName } from '../src/storage/indexeddb.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { Storage, WalChunk } from '../src/storage/storage.ts';
import { decodeRecords } from '../src/wal/codec.ts';
import { Replayer } from '../src/state/replay.ts';
import { DbState } from '../src/state/state.ts';
import { contentHash } from '../src/state/snapshot.ts';
import { FIRST_LSN } from '../src/wal/lsn.ts';
import { seal } from '../src/storage/envelope.ts';
import { storageCrashSuite, workload } from './storage-crash-suite.ts';

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

describe('WAL replay', () => {
  it('replaying a node\'s WAL into an empty state gives the same content hash', async () => {
    const storage = memoryStorage();
    const node = await openNode({ cluster: unique('c'), storage });
    await workload(node);
    const expected = await node.contentHash();

    const bytes: WalChunk[] = await storage.readWal(FIRST_LSN);
    const replayer = new Replayer(new DbState(), FIRST_LSN);
    for (const chunk of bytes) {
      const { records, invalid } = decodeRecords(chunk.bytes, chunk.lsn);
      expect(invalid).toBeUndefined();
      for (const r of records) replayer.apply(r);
    }
    expect(await contentHash(replayer.state)).toBe(expected);
    await node.close();
  });

  it('LSNs strictly increase and print as X/Y', async () => {
    const node = await openNode({ cluster: unique('c'), storage: 'memory' });
    const a = (await node.query('select pg_current_wal_lsn() as l')).rows[0]!.l as string;
    await node.exec('create table t(x int)');
    const b = (await node.query('select pg_current_wal_lsn() as l')).rows[0]!.l as string;
    expect(a).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const num = (s: string) => { const [h, l] = s.split('/'); return parseInt(h!, 16) * 2 ** 32 + parseInt(l!, 16); };
    expect(num(b)).toBeGreaterThan(num(a));
    await node.close();
  });
});

storageCrashSuite('IndexedDB', (cluster, nodeId) => indexedDbStorage(cluster, nodeId));

describe('IndexedDB WAL chunks', () => {
  it('IndexedDB stores each WAL chunk in a buffer of its own, though small commits share the writer\'s slabs', async () => {
    const cluster = unique('slab');
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec('create table t(id int primary key, v text)');
    for (let i = 0; i < 20; i++) await node.query('insert into t values ($1, $2)', [i, 'x'.repeat(20)]);
    const storage = await indexedDbStorage(cluster, 'a');
    const wal = await storage.readWal(0);
    await storage.close();
    await node.close();
    expect(wal.length).toBeGreaterThan(0);
    for (const c of wal) {
      expect(c.bytes.byteLength).toBe(c.end - c.lsn);
      expect(c.bytes.buffer.byteLength).toBe(c.bytes.byteLength);
    }
  });
});

describe('IndexedDB storage', () => {
  it('storage written by an unknown newer format version is refused, not misread', async () => {
    const cluster = unique('ver');
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.close();
    // a control record sealed with format version 99
    const good = seal({ any: 'thing' });
    const forged = new Uint8Array(good);
    new DataView(forged.buffer).setUint32(4, 99, true);
    const { openDB } = await import('idb');
    const db = await openDB(databaseName(cluster, 'a'));
    await db.put('meta', { bytes: forged }, 'control');
    db.close();
    const err = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).message).toBe('database files are incompatible with server');
    expect((err as SqlError).detail).toMatch(/format version 99/);
  });

  it('nodes with different cluster or nodeId never share storage', async () => {
    const cluster = unique('iso');
    const a = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    const b = await openNode({ cluster, nodeId: 'b', storage: 'indexeddb' });
    const c = await openNode({ cluster: cluster + '-other', nodeId: 'a', storage: 'indexeddb' });
    await a.exec('create table t(x int)');
    for (const other of [b, c]) {
      await expect(other.query('select * from t')).rejects.toMatchObject({ code: '42P01' });
    }
    expect(a.systemId).not.toBe(b.systemId);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('a generated nodeId is persisted per cluster', async () => {
    const cluster = unique('gen');
    const a = await openNode({ cluster, storage: 'indexeddb' });
    await a.exec('create table t(x int)');
    await a.close();
    const again = await openNode({ cluster, storage: 'indexeddb' });
    expect(again.nodeId).toBe(a.nodeId);
    expect((await again.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    await again.close();
  });
});

describe('durability and group commit', () => {
  function gatedStorage(): { storage: Storage; open: () => void; appends: () => number } {
    const inner = memoryStorage();
    let gate: Promise<void> = new Promise(() => {});
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    let calls = 0;
    const storage: Storage = {
      ...inner,
      async appendWal(chunks) {
        calls++;
        await gate;
        return inner.appendWal(chunks);
      },
    };
    return { storage, open: () => release(), appends: () => calls };
  }

  it("synchronousCommit 'off' returns before the flush, 'on' only after it", async () => {
    for (const level of ['off', 'on'] as const) {
      const g = gatedStorage();
      const node = await openNode({ cluster: unique('sync'), storage: g.storage, synchronousCommit: level });
      let done = false;
      const create = node.exec('create table t(x int)').then(() => (done = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(level === 'off');
      g.open();
      await create;
      expect(done).toBe(true);
      await node.close();
    }
  });

  it('commits that arrive during a flush share the next storage write', async () => {
    const g = gatedStorage();
    const node = await openNode({ cluster: unique('group'), storage: g.storage, synchronousCommit: 'off' });
    await node.exec('create table t(x int)');
    await node.exec('alter table t add y int default 7');
    const commits = Array.from({ length: 50 }, (_, i) => node.query('insert into t values ($1)', [i]));
    await Promise.all(commits);
    g.open();
    await node.checkpoint();
    // one write holds the first commits, one more holds all that queued behind it
    expect(g.appends()).toBeLessThanOrEqual(3);
    expect((await node.query('select count(*)::int as n, min(y) as y from t')).rows).toEqual([{ n: 50, y: 7 }]);
    await node.close();
  });
});
