/** Storage that lives and dies with the node: for tests, benchmarks and throwaway nodes. */
import type { Lsn } from '../wal/lsn.ts';
import type { CheckpointChunks, ControlFile, DeferredChunk, PendingStore, Storage, StoredCheckpoint, StoredPendingXact, WalChunk } from './storage.ts';

export interface MemoryStorageOptions {
  /**
   * Keep checkpoint chunks as the checkpoint's frozen rows and seal them only when read (reopen,
   * rewind), instead of a sealed copy of every row beside the rows themselves (default true).
   * false stores sealed bytes, as IndexedDB does: what a benchmark of checkpoint work measures.
   */
  deferChunks?: boolean;
}

export function memoryStorage(options: MemoryStorageOptions = {}): Storage {
  let control: ControlFile | undefined;
  let checkpoint: StoredCheckpoint | undefined;
  let wal: WalChunk[] = [];
  const stored = new Map<string, Uint8Array | DeferredChunk>();
  const chunks: CheckpointChunks = {
    async put(list) { for (const c of list) stored.set(c.key, c.bytes); },
    async get(keys) {
      return keys.map((k) => {
        const c = stored.get(k);
        return c === undefined || c instanceof Uint8Array ? c : c.seal();
      });
    },
    async retain(keys) { for (const k of [...stored.keys()]) if (!keys.has(k)) stored.delete(k); },
  };
  if (options.deferChunks !== false) chunks.putDeferred = async (list) => { for (const c of list) stored.set(c.key, c); };
  const queued = new Map<number, StoredPendingXact>();
  let lastSeq = 0;
  const pending: PendingStore = {
    async load() { return { entries: [...queued.values()].sort((a, b) => a.seq - b.seq).map((e) => structuredClone(e)), lastSeq }; },
    async put(e) {
      queued.set(e.seq, structuredClone(e));
      lastSeq = Math.max(lastSeq, e.seq);
    },
    async remove(seqs) { for (const s of seqs) queued.delete(s); },
  };
  const appendNow = (list: readonly WalChunk[]): void => { for (const c of list) wal.push(c); };
  // `now`: the WAL writer appends here in its own turn (wal/xlog.ts), there being nothing to wait for
  const appendWal = Object.assign(async (list: readonly WalChunk[]) => appendNow(list), { now: appendNow });
  return {
    kind: 'memory',
    pending,
    async readControl() { return control && structuredClone(control); },
    async writeControl(c) { control = structuredClone(c); },
    appendWal,
    async readWal(from: Lsn, maxBytes = Infinity) {
      const out: WalChunk[] = [];
      let bytes = 0;
      for (const c of wal) {
        if (c.end <= from) continue;
        if (out.length && bytes >= maxBytes) break;
        out.push(c);
        bytes += c.bytes.length;
      }
      return out;
    },
    async removeWalBefore(lsn) { wal = wal.filter((c) => c.end > lsn); },
    async truncateWal(lsn) {
      wal = wal.filter((c) => c.lsn < lsn).map((c) => (c.end > lsn ? { lsn: c.lsn, end: lsn, bytes: c.bytes.subarray(0, lsn - c.lsn) } : c));
    },
    async writeCheckpoint(cp, c) { checkpoint = cp; control = structuredClone(c); },
    async readCheckpoint() { return checkpoint; },
    chunks,
    async close() {},
  };
}
