/**
 * IndexedDB storage through `idb`: one database per (cluster, nodeId), with the sealed control
 * record and latest checkpoint in `meta`, WAL chunks in `wal` keyed by start LSN and the chunks of
 * incremental checkpoints in `chunks` (schema version 2 added that store) and offline writes' queue
 * in `pending` (schema version 3: entries by seq, plus the key 'lastSeq'). IndexedDB
 * transactions are atomic, so a checkpoint and the control record pointing at it land together.
 * Every write asks for `durability: 'strict'`: Chromium's default ('relaxed') reports success
 * before the data reaches the disk, which would make 'local' and 'on' commits lie. Removing what
 * nothing needs any more (old WAL, chunks no manifest names) does not: a removal a crash loses is
 * done again by the next one, and its flushes to disk would delay the commits' appends; old WAL
 * goes paced, in the appends' pauses (wal-removal.ts).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Lsn } from '../wal/lsn.ts';
import { seal, unseal } from './envelope.ts';
import { PacedRemoval, type RemovalPacing } from './wal-removal.ts';
import { standalone, type CheckpointChunks, type ControlFile, type PendingStore, type Storage, type StoredCheckpoint, type StoredPendingXact, type WalChunk } from './storage.ts';

interface Schema extends DBSchema {
  meta: { key: 'control' | 'checkpoint'; value: { bytes: Uint8Array; lsn?: Lsn } };
  wal: { key: Lsn; value: WalChunk };
  chunks: { key: string; value: Uint8Array };
  pending: { key: number | 'lastSeq'; value: StoredPendingXact | number };
}

/** WAL retention removes about this many bytes per transaction (chunks are keyed by LSN, so keys tell sizes). */
const REMOVE_BYTES = 256 << 10;
const REMOVE_KEYS = 64;

export function databaseName(cluster: string, nodeId: string): string {
  return `walrtc:${cluster}:${nodeId}`;
}

export async function indexedDbStorage(cluster: string, nodeId: string, pacing?: RemovalPacing): Promise<Storage> {
  const db: IDBPDatabase<Schema> = await openDB<Schema>(databaseName(cluster, nodeId), 3, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        d.createObjectStore('meta');
        d.createObjectStore('wal', { keyPath: 'lsn' });
      }
      if (oldVersion < 2) d.createObjectStore('chunks');
      if (oldVersion < 3) d.createObjectStore('pending');
    },
  });
  const strict = { durability: 'strict' } as const;
  const range = (lo?: Lsn, hi?: Lsn) =>
    lo === undefined ? IDBKeyRange.upperBound(hi!, true) : hi === undefined ? IDBKeyRange.lowerBound(lo) : IDBKeyRange.bound(lo, hi, false, true);

  const chunks: CheckpointChunks = {
    async put(list) {
      const tx = db.transaction('chunks', 'readwrite', strict);
      for (const c of list) void tx.store.put(c.bytes, c.key);
      await tx.done;
    },
    async get(keys) {
      const tx = db.transaction('chunks', 'readonly');
      return Promise.all(keys.map((k) => tx.store.get(k)));
    },
    getEach(keys) {
      const tx = db.transaction('chunks', 'readonly');
      return keys.map((k) => tx.store.get(k));
    },
    async retain(keys) {
      const tx = db.transaction('chunks', 'readwrite');
      for (const k of await tx.store.getAllKeys()) if (!keys.has(k)) void tx.store.delete(k);
      await tx.done;
    },
  };

  /** One ~256 KiB removal transaction below `lsn`, oldest first; false when nothing was left. */
  let bounds: { lsn: Lsn; below: IDBKeyRange | undefined } | undefined;
  /** Changed by every truncation: bounds found before one may reach WAL written after it. */
  let tails = 0;
  const removeStep = async (lsn: Lsn): Promise<boolean> => {
    if (bounds?.lsn !== lsn) {
      const seen = tails;
      // only the newest chunk starting below lsn can run past it (chunks are contiguous): it stays
      const last = await db.transaction('wal', 'readonly').store.openCursor(range(undefined, lsn), 'prev');
      if (seen !== tails) return false;
      bounds = { lsn, below: last ? IDBKeyRange.upperBound(last.value.lsn, last.value.end > lsn) : undefined };
    }
    const below = bounds.below;
    if (!below) return false;
    // keys only: a transaction that read every old chunk's bytes held the store for seconds
    const tx = db.transaction('wal', 'readwrite');
    const keys = await tx.store.getAllKeys(below, REMOVE_KEYS);
    let upTo = 0;
    while (upTo + 1 < keys.length && keys[upTo + 1]! - keys[0]! <= REMOVE_BYTES) upTo++;
    if (keys.length) void tx.store.delete(IDBKeyRange.bound(keys[0]!, keys[upTo]!));
    await tx.done;
    return keys.length > 0;
  };
  const removal = new PacedRemoval(removeStep, pacing);

  const pending: PendingStore = {
    async load() {
      const tx = db.transaction('pending', 'readonly');
      // numbers sort before strings in IndexedDB: this range holds the entries, not 'lastSeq'
      const entries = (await tx.store.getAll(IDBKeyRange.bound(0, Infinity))) as StoredPendingXact[];
      const last = await tx.store.get('lastSeq');
      return { entries, lastSeq: typeof last === 'number' ? last : 0 };
    },
    async put(entry) {
      const tx = db.transaction('pending', 'readwrite', strict);
      const last = await tx.store.get('lastSeq');
      void tx.store.put(entry, entry.seq);
      if (typeof last !== 'number' || last < entry.seq) void tx.store.put(entry.seq, 'lastSeq');
      await tx.done;
    },
    async remove(seqs) {
      const tx = db.transaction('pending', 'readwrite', strict);
      for (const s of seqs) void tx.store.delete(s);
      await tx.done;
    },
  };

  return {
    kind: 'indexeddb',
    chunks,
    pending,
    async readControl() {
      const row = await db.get('meta', 'control');
      return row && unseal<ControlFile>(row.bytes, 'control file');
    },
    async writeControl(control) {
      const tx = db.transaction('meta', 'readwrite', strict);
      void tx.store.put({ bytes: seal(control) }, 'control');
      await tx.done;
    },
    appendWal: (chunks) => removal.appending(async () => {
      const tx = db.transaction('wal', 'readwrite', strict);
      for (const c of chunks) void tx.store.put({ lsn: c.lsn, end: c.end, bytes: standalone(c.bytes) });
      await tx.done;
    }),
    async readWal(from, maxBytes = Infinity) {
      const tx = db.transaction('wal', 'readonly');
      // the chunk holding `from` starts at or before it: the last one below, then a cursor above
      const below = await tx.store.openCursor(range(undefined, from + 1), 'prev');
      const out: WalChunk[] = below && below.value.end > from ? [below.value] : [];
      let bytes = out[0]?.bytes.length ?? 0;
      let cursor = await tx.store.openCursor(range(from + 1));
      while (cursor && !(out.length && bytes >= maxBytes)) {
        out.push(cursor.value);
        bytes += cursor.value.bytes.length;
        cursor = await cursor.continue();
      }
      return out;
    },
    removeWalBefore: (lsn) => removal.request(lsn),
    async truncateWal(lsn) {
      removal.cancel();
      bounds = undefined;
      tails++;
      const tx = db.transaction('wal', 'readwrite', strict);
      const straddling = await tx.store.openCursor(range(undefined, lsn), 'prev');
      if (straddling && straddling.value.end > lsn) {
        const c = straddling.value;
        await straddling.update({ lsn: c.lsn, end: lsn, bytes: c.bytes.slice(0, lsn - c.lsn) });
      }
      await tx.store.delete(range(lsn));
      await tx.done;
    },
    async writeCheckpoint(checkpoint, control) {
      const tx = db.transaction('meta', 'readwrite', strict);
      void tx.store.put({ bytes: checkpoint.bytes, lsn: checkpoint.lsn }, 'checkpoint');
      void tx.store.put({ bytes: seal(control) }, 'control');
      await tx.done;
    },
    async readCheckpoint(): Promise<StoredCheckpoint | undefined> {
      const row = await db.get('meta', 'checkpoint');
      return row && row.lsn !== undefined ? { lsn: row.lsn, bytes: row.bytes } : undefined;
    },
    async close() {
      await removal.finish();
      db.close();
    },
  };
}
