/**
 * The WAL archive (archive_command / restore_command / archive_cleanup_command): a primary copies
 * every flushed WAL chunk here under its timeline, and a standby its upstream can no longer serve
 * restores from it — following its own timeline history, so WAL a diverged old primary wrote past
 * a fork is never handed to it. Reads are bounded (a cursor); `cleanup` drops what no one needs.
 * An interface, so a remote peer can be an archive later; IndexedDB and memory archives ship.
 */
import { openDB, type DBSchema } from 'idb';
import { standalone, type WalChunk } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { TimelineHistoryEntry } from './protocol.ts';

export interface WalArchive {
  /** archive_command: keep these chunks of `timeline` (in LSN order, called in order). */
  archive(timeline: number, chunks: readonly WalChunk[]): Promise<void>;
  /** Archived chunks of `timeline` holding WAL at or after `from`, in LSN order, up to about `maxBytes`. */
  read(timeline: number, from: Lsn, maxBytes: number): Promise<WalChunk[]>;
  /** archive_cleanup_command: drop chunks that end at or before `before`, on every timeline. */
  cleanup(before: Lsn): Promise<void>;
}

/**
 * The archiver: hands every flushed chunk to `archive`, one call at a time and in order. Flushes
 * that come while a call is in flight join one batch, so the archive keeps pace with commits that
 * answer in a turn or two. Owns the chain of calls; a failed call is reported and the next goes on.
 */
export class Archiver {
  private chain: Promise<void> = Promise.resolve();
  /** The batch waiting for the call in flight, which later flushes of its timeline join. */
  private queued: { timeline: number; chunks: WalChunk[] } | undefined;

  constructor(private readonly archive: WalArchive, private readonly failed: (e: unknown) => void) {}

  add(timeline: number, chunks: readonly WalChunk[]): void {
    const queued = this.queued;
    if (queued && queued.timeline === timeline) {
      queued.chunks.push(...chunks);
      return;
    }
    const batch = { timeline, chunks: [...chunks] };
    this.queued = batch;
    this.chain = this.chain
      .then(() => {
        if (this.queued === batch) this.queued = undefined;
        return this.archive.archive(batch.timeline, batch.chunks);
      })
      .catch(this.failed);
  }

  /** Resolves once every chunk added so far has been handed to the archive (done or failed). */
  idle(): Promise<void> {
    return this.chain;
  }
}

/** Which timeline of `current`'s history holds the WAL at `lsn`, and where that timeline's part of it ends. */
export function timelineAt(history: readonly TimelineHistoryEntry[], current: number, lsn: Lsn): { timeline: number; end: Lsn } {
  let timeline = current;
  let end = Infinity;
  for (;;) {
    const forked = history.find((h) => h.timeline === timeline);
    if (!forked || lsn >= forked.switchLsn) return { timeline, end };
    end = forked.switchLsn;
    timeline = forked.parent;
  }
}

/**
 * restore_command for a node on `timeline` with `history`: the archived WAL from `from` on, up to
 * about `maxBytes`, each part taken from the timeline that holds it in this node's history.
 */
export async function restoreWal(archive: WalArchive, timeline: number, history: readonly TimelineHistoryEntry[], from: Lsn, maxBytes: number): Promise<WalChunk[]> {
  const out: WalChunk[] = [];
  let at = from;
  let bytes = 0;
  while (bytes < maxBytes) {
    const { timeline: t, end } = timelineAt(history, timeline, at);
    const chunks = (await archive.read(t, at, maxBytes - bytes)).filter((c) => c.end > at && c.lsn < end);
    if (!chunks.length) break;
    for (const c of chunks) {
      out.push(c);
      bytes += c.bytes.length;
      at = c.end;
    }
  }
  return out;
}

export function memoryArchive(): WalArchive {
  const timelines = new Map<number, WalChunk[]>();
  return {
    async archive(timeline, c) {
      const chunks = timelines.get(timeline) ?? [];
      timelines.set(timeline, chunks);
      for (const x of c) if (!chunks.length || x.lsn >= chunks[chunks.length - 1]!.end) chunks.push(x);
    },
    async read(timeline, from, maxBytes) {
      const out: WalChunk[] = [];
      let bytes = 0;
      for (const c of timelines.get(timeline) ?? []) {
        if (c.end <= from) continue;
        if (out.length && bytes >= maxBytes) break;
        out.push(c);
        bytes += c.bytes.length;
      }
      return out;
    },
    async cleanup(before) {
      for (const [t, chunks] of timelines) timelines.set(t, chunks.filter((c) => c.end > before));
    },
  };
}

interface ArchiveSchema extends DBSchema {
  wal: { key: [number, Lsn]; value: WalChunk & { timeline: number }; indexes: { end: Lsn } };
}

/** An archive in its own IndexedDB database, shared by every tab of the origin that names it. */
export async function indexedDbArchive(name: string): Promise<WalArchive & { close(): void }> {
  const db = await openDB<ArchiveSchema>(`walrtc-archive:${name}`, 2, {
    upgrade(d, oldVersion) {
      // version 1 keyed WAL by LSN alone, mixing timelines: its contents cannot be trusted
      if (oldVersion === 1) d.deleteObjectStore('wal' as never);
      d.createObjectStore('wal', { keyPath: ['timeline', 'lsn'] }).createIndex('end', 'end');
    },
  });
  const strict = { durability: 'strict' } as const;
  return {
    async archive(timeline, chunks) {
      const tx = db.transaction('wal', 'readwrite', strict);
      for (const c of chunks) void tx.store.put({ timeline, lsn: c.lsn, end: c.end, bytes: standalone(c.bytes) });
      await tx.done;
    },
    async read(timeline, from, maxBytes) {
      const tx = db.transaction('wal', 'readonly');
      const below = await tx.store.openCursor(IDBKeyRange.bound([timeline, 0], [timeline, from]), 'prev');
      const out: WalChunk[] = below && below.value.end > from ? [below.value] : [];
      let bytes = out[0]?.bytes.length ?? 0;
      let cursor = await tx.store.openCursor(IDBKeyRange.bound([timeline, from], [timeline, Infinity], true));
      while (cursor && !(out.length && bytes >= maxBytes)) {
        out.push(cursor.value);
        bytes += cursor.value.bytes.length;
        cursor = await cursor.continue();
      }
      return out.map((c) => ({ lsn: c.lsn, end: c.end, bytes: c.bytes }));
    },
    async cleanup(before) {
      const tx = db.transaction('wal', 'readwrite', strict);
      let cursor = await tx.store.index('end').openCursor(IDBKeyRange.upperBound(before));
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      await tx.done;
    },
    close: () => db.close(),
  };
}
