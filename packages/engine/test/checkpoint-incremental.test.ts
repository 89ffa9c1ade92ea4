/**
 * Incremental checkpoints (checkpoint/): only changed row-id chunks are written, commits go on
 * while one is written, and a checkpoint that stops part-way leaves the previous one in force.
 * A "crash" is a second node opened on the same storage while the first is never closed.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openNode, type Node } from '../src/index.ts';
import { seal, unseal } from '../src/storage/envelope.ts';
import { openDB } from 'idb';
import { databaseName, indexedDbStorage } from '../src/storage/indexeddb.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { CheckpointChunk, Storage } from '../src/storage/storage.ts';

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;
const quiet = () => {};

/**
 * Storage around `inner` that counts checkpoint bytes written (chunks and manifest), and can
 * hold the next chunk write until released, or fail every chunk write from the nth one on.
 */
function instrumented(inner: Storage = memoryStorage()) {
  const store = inner.chunks!;
  let held: { at: number; reached: () => void; released: Promise<void> } | undefined;
  const probe = {
    bytes: 0,
    puts: 0,
    failFrom: Infinity,
    keys: [] as string[],
    /** Hold the `ahead`th chunk write from now (1: the next one). */
    hold(ahead = 1): { reached: Promise<void>; release: () => void } {
      let reached!: () => void;
      let release!: () => void;
      const r = new Promise<void>((ok) => (reached = ok));
      held = { at: probe.puts + ahead, reached, released: new Promise<void>((ok) => (release = ok)) };
      return { reached: r, release };
    },
  };
  const storage: Storage = {
    ...inner,
    chunks: {
      async put(list: readonly CheckpointChunk[]) {
        probe.puts++;
        if (probe.puts >= probe.failFrom) throw new Error('injected chunk write failure');
        const h = held?.at === probe.puts ? held : undefined;
        if (h) {
          held = undefined;
          h.reached();
          await h.released;
        }
        for (const c of list) {
          probe.bytes += c.bytes.length;
          probe.keys.push(c.key);
        }
        return store.put(list);
      },
      get: (keys) => store.get(keys),
      retain: (keys) => store.retain(keys),
    },
    async writeCheckpoint(cp, control) {
      probe.bytes += cp.bytes.length;
      return inner.writeCheckpoint(cp, control);
    },
  };
  return { storage, inner, probe };
}

async function fill(node: Node, rows: number): Promise<void> {
  await node.exec('create table t(id int primary key, v text, n int)');
  await node.exec('create index t_n on t(n)');
  for (let from = 1; from <= rows; from += 1000) {
    const values: string[] = [];
    for (let id = from; id < Math.min(from + 1000, rows + 1); id++) values.push(`(${id}, 'row ${id}', ${id % 97})`);
    await node.exec(`insert into t values ${values.join(', ')}`);
  }
}

const open = (cluster: string, storage: Storage) => openNode({ cluster, nodeId: 'n1', storage, log: quiet });
const count = async (node: Node) => Number((await node.query<{ c: unknown }>('select count(*) as c from t')).rows[0]!.c);

/** A node on instrumented storage with `rows` rows in t and a complete checkpoint of them. */
async function checkpointed(name: string, rows: number) {
  const cluster = unique(name);
  const { storage, inner, probe } = instrumented();
  const node = await open(cluster, storage);
  await fill(node, rows);
  await node.checkpoint();
  return { cluster, node, inner, probe };
}

describe('incremental checkpoints', () => {
  it('a checkpoint after one changed row among 40k writes a small part of what the first one wrote', async () => {
    const { cluster, node, inner, probe } = await checkpointed('ckpt-small', 40_000);
    const first = probe.bytes;
    probe.bytes = 0;
    await node.query(`update t set v = 'changed' where id = 12345`);
    await node.checkpoint();
    expect(probe.bytes).toBeGreaterThan(0);
    expect(probe.bytes).toBeLessThan(first / 10);

    const reopened = await open(cluster, inner);
    expect(await reopened.contentHash()).toBe(await node.contentHash());
    expect((await reopened.query('select v from t where id = 12345')).rows).toEqual([{ v: 'changed' }]);
    // indexes are rebuilt on open and serve lookups
    const n5 = 'select count(*) as c from t where n = 5';
    expect(Number((await reopened.query<{ c: unknown }>(n5)).rows[0]!.c)).toBe(Number((await node.query<{ c: unknown }>(n5)).rows[0]!.c));
    expect((await reopened.query('select id from t where n = 5 order by id limit 2')).rows).toEqual([{ id: 5 }, { id: 102 }]);
    await reopened.close();
  });

  it('a checkpoint whose chunk writes fail part-way leaves the previous checkpoint in force: recovery replays the WAL after it to the same content hash and removes the orphaned chunks', async () => {
    const { cluster, node, inner, probe } = await checkpointed('ckpt-fail', 40_000);
    const before = (await inner.readControl())!.checkpointLsn;
    // every chunk changes, so the next checkpoint needs several chunk writes
    await node.query(`update t set v = v || '!' where id % 100 = 0`);
    await node.query('delete from t where id between 30000 and 30100');
    const expected = await node.contentHash();
    probe.failFrom = probe.puts + 2;
    const keysBefore = probe.keys.length;
    await expect(node.checkpoint()).rejects.toThrow('injected chunk write failure');
    const orphaned = probe.keys.slice(keysBefore);
    expect(orphaned.length).toBeGreaterThan(0);
    expect((await inner.readControl())!.checkpointLsn).toBe(before);

    const reopened = await open(cluster, inner);
    expect(await reopened.contentHash()).toBe(expected);
    expect(await count(reopened)).toBe(40_000 - 101);
    expect((await inner.chunks!.get(orphaned)).every((b) => b === undefined)).toBe(true);
    // and the recovered node checkpoints incrementally from there
    await reopened.checkpoint();
    const again = await open(cluster, inner);
    expect(await again.contentHash()).toBe(expected);
    await again.close();
  });

  it('a node that stops between two slices of a checkpoint recovers to the previous checkpoint + WAL', async () => {
    const { cluster, node, inner, probe } = await checkpointed('ckpt-stop', 40_000);
    await node.query(`update t set n = n + 1 where id % 50 = 0`);
    const expected = await node.contentHash();
    // the first batch is stored, the second never returns: the process is gone
    const keysBefore = probe.keys.length;
    const { reached } = probe.hold(2);
    void node.checkpoint();
    await reached;
    expect(probe.keys.length).toBeGreaterThan(keysBefore);
    const reopened = await open(cluster, inner);
    expect(await reopened.contentHash()).toBe(expected);
    await reopened.close();
  });

  it('commits complete while a checkpoint is held in the middle, and all of them are present after a crash right after it', async () => {
    const cluster = unique('ckpt-commits');
    const { storage, inner, probe } = instrumented();
    const node = await open(cluster, storage);
    await fill(node, 10_000);
    const { reached, release } = probe.hold();
    let finished = false;
    const checkpoint = node.checkpoint().then(() => void (finished = true));
    await reached;
    for (let i = 1; i <= 20; i++) await node.query('insert into t values ($1, $2, $3)', [100_000 + i, `during ${i}`, i]);
    await node.query('update t set v = $1 where id = 1', ['updated during']);
    expect(finished).toBe(false);
    release();
    await checkpoint;
    const expected = await node.contentHash();

    const reopened = await open(cluster, inner);
    expect(await count(reopened)).toBe(10_020);
    expect((await reopened.query('select v from t where id = 1')).rows).toEqual([{ v: 'updated during' }]);
    expect(await reopened.contentHash()).toBe(expected);
    await reopened.close();
  });

  it('a whole-snapshot checkpoint of the earlier format still loads, and the next checkpoint is chunked', async () => {
    const cluster = unique('ckpt-old');
    const inner = memoryStorage();
    const wholeOnly: Storage = { ...inner, chunks: undefined };
    const node = await open(cluster, wholeOnly);
    await fill(node, 5000);
    await node.checkpoint();
    const stored = unseal<Record<string, unknown>>((await inner.readCheckpoint())!.bytes, 'checkpoint');
    expect(stored).not.toHaveProperty('chunked');
    const expected = await node.contentHash();

    const reopened = await open(cluster, inner);
    expect(await reopened.contentHash()).toBe(expected);
    await reopened.checkpoint();
    expect(unseal<Record<string, unknown>>((await inner.readCheckpoint())!.bytes, 'checkpoint')).toHaveProperty('chunked', 1);
    const again = await open(cluster, inner);
    expect(await again.contentHash()).toBe(expected);
    await again.close();
  });

  it('a chunked checkpoint of an unknown layout version is refused: database files are incompatible with server', async () => {
    const cluster = unique('ckpt-version');
    const inner = memoryStorage();
    const node = await open(cluster, inner);
    await fill(node, 100);
    await node.checkpoint();
    const cp = (await inner.readCheckpoint())!;
    const manifest = unseal<Record<string, unknown>>(cp.bytes, 'checkpoint');
    await inner.writeCheckpoint({ lsn: cp.lsn, bytes: seal({ ...manifest, chunked: 99 }) }, (await inner.readControl())!);
    await expect(open(cluster, inner)).rejects.toMatchObject({ code: '55000', message: 'database files are incompatible with server' });
  });

  it('a chunk missing from storage is reported as a corrupted checkpoint, not loaded as an empty table', async () => {
    const cluster = unique('ckpt-missing');
    const inner = memoryStorage();
    const node = await open(cluster, inner);
    await fill(node, 100);
    await node.checkpoint();
    await inner.chunks!.retain(new Set());
    await expect(open(cluster, inner)).rejects.toMatchObject({ code: 'XX001', message: expect.stringMatching(/^invalid checkpoint: chunk ".*" is missing$/) });
  });

  it('an IndexedDB database of the first schema (no chunk store) is upgraded in place and keeps its data', async () => {
    const cluster = unique('ckpt-idb-v1');
    const v1 = await openDB(databaseName(cluster, 'n1'), 1, {
      upgrade(d) {
        d.createObjectStore('meta');
        d.createObjectStore('wal', { keyPath: 'lsn' });
      },
    });
    v1.close();
    const node = await open(cluster, await indexedDbStorage(cluster, 'n1'));
    await fill(node, 3000);
    await node.checkpoint();
    const expected = await node.contentHash();
    await node.close();
    const reopened = await open(cluster, await indexedDbStorage(cluster, 'n1'));
    expect(await reopened.contentHash()).toBe(expected);
    await reopened.close();
  });

  it('IndexedDB keeps chunks across reopen, and an incremental checkpoint there reloads to the same content', async () => {
    const cluster = unique('ckpt-idb');
    const node = await open(cluster, await indexedDbStorage(cluster, 'n1'));
    await fill(node, 5000);
    await node.checkpoint();
    await node.query(`update t set v = 'x' where id = 7`);
    await node.checkpoint();
    await node.query(`insert into t values (99999, 'after', 1)`);
    const expected = await node.contentHash();
    await node.close();
    const reopened = await open(cluster, await indexedDbStorage(cluster, 'n1'));
    expect(await reopened.contentHash()).toBe(expected);
    expect(await count(reopened)).toBe(5001);
    await reopened.close();
  });

  it('on IndexedDB, whose chunks are decoded as they are read, a chunk missing in the middle is reported as a corrupted checkpoint', async () => {
    const cluster = unique('ckpt-idb-missing');
    const node = await open(cluster, await indexedDbStorage(cluster, 'n1'));
    await fill(node, 10_000);
    await node.checkpoint();
    await node.close();
    const db = await openDB(databaseName(cluster, 'n1'));
    const keys = (await db.getAllKeys('chunks')).map(String).sort();
    expect(keys.length).toBeGreaterThan(3);
    await db.delete('chunks', keys[2]!);
    db.close();
    await expect(open(cluster, await indexedDbStorage(cluster, 'n1'))).rejects.toMatchObject({ code: 'XX001', message: `invalid checkpoint: chunk "${keys[2]}" is missing` });
  });
});
