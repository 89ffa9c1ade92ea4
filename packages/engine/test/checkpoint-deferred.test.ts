/**
 * A memory storage keeps checkpoint chunks unsealed (`putDeferred`): as the checkpoint's frozen
 * rows, sealed only when read. What a reader gets must be exactly what a sealed write at the
 * checkpoint would have stored, whatever commits come after it; recovery, crashes part-way and
 * incremental checkpoints behave as with sealed chunks. A "crash" is a second node opened on the
 * same storage while the first is never closed.
 */
import { describe, expect, it } from 'vitest';
import { openNode, type Node } from '../src/index.ts';
import { unseal } from '../src/storage/envelope.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { ChunkPayload, Manifest } from '../src/checkpoint/format.ts';
import type { DeferredChunk, Storage } from '../src/storage/storage.ts';
import { prng } from '../../../test/prng.ts';

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;
const open = (cluster: string, storage: Storage) => openNode({ cluster, nodeId: 'n1', storage, log: () => {} });

/** Every chunk the stored manifest names, as the bytes a reader gets, in manifest order. */
async function storedChunks(storage: Storage): Promise<Uint8Array[]> {
  const manifest = unseal<Manifest>((await storage.readCheckpoint())!.bytes, 'checkpoint');
  const keys = manifest.tables.flatMap((t) => t.chunks.map((c) => c.key));
  return (await storage.chunks!.get(keys)).map((b) => b!);
}

async function fill(node: Node, rows: number): Promise<void> {
  await node.exec('create table t(id int primary key, v text, n int); create index t_n on t(n)');
  await node.query(`insert into t select g, 'row ' || g, g % 97 from generate_series(1, $1::int) g`, [rows]);
}

describe('memory storage: checkpoint chunks kept unsealed', () => {
  it('stores no sealed chunk bytes, and reads back the rows as they were at the checkpoint after later commits change them', async () => {
    const inner = memoryStorage();
    let sealedPuts = 0;
    let deferredPuts = 0;
    const storage: Storage = {
      ...inner,
      chunks: {
        put: async (list) => { sealedPuts++; return inner.chunks!.put(list); },
        putDeferred: async (list) => { deferredPuts++; return inner.chunks!.putDeferred!(list); },
        get: (keys) => inner.chunks!.get(keys),
        retain: (keys) => inner.chunks!.retain(keys),
      },
    };
    const node = await open(unique('deferred'), storage);
    await fill(node, 10_000);
    await node.checkpoint();
    expect(sealedPuts).toBe(0);
    expect(deferredPuts).toBeGreaterThan(0);
    const atCheckpoint = await storedChunks(storage);
    const rowsAtCheckpoint = (await node.query<{ id: number; v: string; n: number }>('select id, v, n from t order by id')).rows;

    await node.query(`update t set v = 'changed' where id % 3 = 0`);
    await node.query('delete from t where id between 2000 and 4000');
    await node.query(`insert into t values (20000, 'new', 1)`);

    const later = await storedChunks(storage);
    expect(later).toEqual(atCheckpoint);
    const decoded = atCheckpoint.flatMap((b) => unseal<ChunkPayload>(b, 'checkpoint chunk').rows);
    expect(decoded.map(([id, v, n]) => ({ id, v, n }))).toEqual(rowsAtCheckpoint);
  });

  it('seals what a sealed store would have stored, byte for byte', async () => {
    const nodes = [memoryStorage(), memoryStorage({ deferChunks: false })];
    const chunks: Uint8Array[][] = [];
    for (const storage of nodes) {
      const node = await open(unique('same-bytes'), storage);
      await fill(node, 5_000);
      await node.query(`update t set v = null where id % 7 = 0`);
      await node.checkpoint();
      chunks.push(await storedChunks(storage));
      await node.close();
    }
    expect(chunks[0]!.length).toBeGreaterThan(1);
    expect(chunks[0]).toEqual(chunks[1]);
  });

  it('random writes between incremental checkpoints and a crash reopen to the same rows and content hash', async () => {
    for (const seed of [1, 2, 3]) {
      const next = prng(seed);
      const storage = memoryStorage();
      const cluster = unique(`random-${seed}`);
      const node = await open(cluster, storage);
      await node.exec('create table r(id int primary key, v text, n int)');
      const model = new Map<number, { v: string | null; n: number }>();
      for (let step = 0; step < 60; step++) {
        const op = next();
        const id = 1 + Math.floor(next() * 6000);
        if (op < 0.4) {
          const rows = Array.from({ length: 50 }, (_, i) => id * 10 + i).filter((k) => !model.has(k));
          for (const k of rows) model.set(k, { v: `v${k}`, n: k % 13 });
          if (rows.length) await node.exec(`insert into r values ${rows.map((k) => `(${k}, 'v${k}', ${k % 13})`).join(', ')}`);
        } else if (op < 0.65) {
          const lo = id * 10, hi = lo + Math.floor(next() * 3000);
          for (const [k, r] of model) if (k >= lo && k <= hi) model.set(k, { ...r, v: r.v === null ? 'x' : null });
          await node.query(`update r set v = case when v is null then 'x' else null end where id between $1 and $2`, [lo, hi]);
        } else if (op < 0.85) {
          const lo = id * 10, hi = lo + Math.floor(next() * 2000);
          for (const k of [...model.keys()]) if (k >= lo && k <= hi) model.delete(k);
          await node.query('delete from r where id between $1 and $2', [lo, hi]);
        } else {
          await node.checkpoint();
        }
      }
      const expected = await node.contentHash();
      const reopened = await open(cluster, storage);
      expect(await reopened.contentHash()).toBe(expected);
      const rows = (await reopened.query<{ id: number; v: string | null; n: number }>('select id, v, n from r order by id')).rows;
      expect(rows).toEqual([...model].sort((a, b) => a[0] - b[0]).map(([id, r]) => ({ id, ...r })));
      // a range through the rebuilt primary key agrees with the model too
      const range = (await reopened.query<{ id: number }>('select id from r where id between 20000 and 30000 order by id desc')).rows.map((r) => r.id);
      expect(range).toEqual([...model.keys()].filter((k) => k >= 20000 && k <= 30000).sort((a, b) => b - a));
      await reopened.close();
    }
  });

  it('a checkpoint whose deferred chunk writes fail part-way leaves the previous one in force and recovers to the same content hash', async () => {
    const inner = memoryStorage();
    let calls = 0;
    let failFrom = Infinity;
    const storage: Storage = {
      ...inner,
      chunks: {
        put: (list) => inner.chunks!.put(list),
        putDeferred: async (list: readonly DeferredChunk[]) => {
          if (++calls >= failFrom) throw new Error('injected chunk write failure');
          return inner.chunks!.putDeferred!(list);
        },
        get: (keys) => inner.chunks!.get(keys),
        retain: (keys) => inner.chunks!.retain(keys),
      },
    };
    const cluster = unique('deferred-fail');
    const node = await open(cluster, storage);
    await fill(node, 40_000);
    await node.checkpoint();
    const before = (await inner.readControl())!.checkpointLsn;
    await node.query(`update t set v = v || '!' where id % 100 = 0`);
    await node.query('delete from t where id between 30000 and 30100');
    const expected = await node.contentHash();
    failFrom = calls + 2;
    await expect(node.checkpoint()).rejects.toThrow('injected chunk write failure');
    expect((await inner.readControl())!.checkpointLsn).toBe(before);

    const reopened = await open(cluster, inner);
    expect(await reopened.contentHash()).toBe(expected);
    expect(Number((await reopened.query<{ c: unknown }>('select count(*) as c from t')).rows[0]!.c)).toBe(40_000 - 101);
    await reopened.close();
  });
});
