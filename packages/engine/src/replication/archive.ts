/**
 * The WAL archive (archive_command / restore_command): every flushed WAL chunk of a primary is
 * copied here, and a standby the primary can no longer serve reads from it. An interface, so a
 * remote peer can be an archive later; IndexedDB and memory archives ship.
 */
import { openDB, type DBSchema } from 'idb';
import type { WalChunk } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';

export interface WalArchive {
  /** archive_command: keep these chunks (in LSN order, called in order). */
  archive(chunks: readonly WalChunk[]): Promise<void>;
  /** restore_command: the archived chunks from `from` on, in LSN order. */
  restore(from: Lsn): Promise<WalChunk[]>;
}

export function memoryArchive(): WalArchive {
  const chunks: WalChunk[] = [];
  return {
    async archive(c) {
      for (const x of c) if (!chunks.length || x.lsn >= chunks[chunks.length - 1]!.end) chunks.push(x);
    },
    async restore(from) {
      return chunks.filter((c) => c.end > from);
    },
  };
}

interface ArchiveSchema extends DBSchema {
  wal: { key: Lsn; value: WalChunk };
}

/** An archive in its own IndexedDB database, shared by every tab of the origin that names it. */
export async function indexedDbArchive(name: string): Promise<WalArchive & { close(): void }> {
  const db = await openDB<ArchiveSchema>(`walrtc-archive:${name}`, 1, { upgrade: (d) => void d.createObjectStore('wal', { keyPath: 'lsn' }) });
  return {
    async archive(chunks) {
      const tx = db.transaction('wal', 'readwrite');
      for (const c of chunks) void tx.store.put({ lsn: c.lsn, end: c.end, bytes: c.bytes });
      await tx.done;
    },
    async restore(from) {
      const all = await db.getAll('wal', IDBKeyRange.lowerBound(0));
      return all.filter((c) => c.end > from);
    },
    close: () => db.close(),
  };
}
