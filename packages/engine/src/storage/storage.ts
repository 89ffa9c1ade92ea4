/**
 * The storage seam: what a node persists (control record, WAL chunks, the latest checkpoint) and
 * the few operations recovery and retention need. IndexedDB and memory implement it.
 */
import type { Lsn } from '../wal/lsn.ts';

/** PostgreSQL's pg_control: who this node is and where recovery starts. */
export interface ControlFile {
  systemId: string;
  nodeId: string;
  timeline: number;
  /** LSN of the latest checkpoint; recovery replays the WAL from here. */
  checkpointLsn: Lsn;
  /** Timeline history: for each ancestor timeline, the LSN at which the next one forked from it. */
  history: { timeline: number; parent: number; switchLsn: Lsn }[];
  /** Persistent per-node settings that must survive restarts (replication slots, role). */
  slots: { name: string; restartLsn: Lsn | null; lost: boolean; logical?: SavedLogicalSlot }[];
  /** The last election term this node voted in: stored before the vote is sent, so a restart cannot vote twice. */
  votedTerm?: number;
}

/** What a logical slot keeps beyond its restart LSN (see logical/slot.ts). */
export interface SavedLogicalSlot {
  plugin: string;
  confirmedFlush: Lsn;
  twoPhase: boolean;
  failover: boolean;
  /** Synchronized from the primary (a standby's copy of a failover slot). */
  synced: boolean;
  /** The decoder's catalog at the restart LSN (packed). */
  catalog: Uint8Array;
}

/** A contiguous run of encoded WAL records: the unit of one flush (usually one transaction). */
export interface WalChunk {
  lsn: Lsn;
  end: Lsn;
  /** May be a view into a larger buffer (the WAL writer packs small commits into shared slabs): persist `standalone(bytes)`. */
  bytes: Uint8Array;
}

/** `bytes` in a buffer of its own: structured clone (IndexedDB, postMessage) copies a view's whole buffer. */
export function standalone(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

export interface StoredCheckpoint {
  lsn: Lsn;
  /** Sealed snapshot or chunked-checkpoint manifest (see envelope.ts, checkpoint/format.ts). */
  bytes: Uint8Array;
}

/** One sealed piece of a chunked checkpoint: a row-id range of one table, under a key never reused. */
export interface CheckpointChunk {
  key: string;
  bytes: Uint8Array;
}

/**
 * The chunks of incremental checkpoints. A chunk is written before the manifest that names it and
 * is never overwritten while a stored manifest names it, so a checkpoint that stops half-way leaves
 * only unnamed chunks behind, which `retain` later removes.
 */
export interface CheckpointChunks {
  put(chunks: readonly CheckpointChunk[]): Promise<void>;
  /** The chunks' bytes in the order asked; undefined for a missing key. */
  get(keys: readonly string[]): Promise<(Uint8Array | undefined)[]>;
  /**
   * `get`, one promise per key, all read together (one IndexedDB transaction): a reader decodes the
   * first chunks while the rest are still being read. Optional: `get` serves without it.
   */
  getEach?(keys: readonly string[]): Promise<Uint8Array | undefined>[];
  /** Remove every chunk whose key is not in `keys`. */
  retain(keys: ReadonlySet<string>): Promise<void>;
  /**
   * A store that lives in the JS heap may take chunks unsealed (`DeferredChunk`) instead of `put`:
   * their sealed copy would be a second copy of rows the heap holds anyway.
   */
  putDeferred?(chunks: readonly DeferredChunk[]): Promise<void>;
}

/**
 * A chunk kept as its source: `seal()` returns the bytes `put` would have been given, whenever it is
 * called. The source is the checkpoint's copy-on-write clone of the table (which the next
 * incremental checkpoint diffs against anyway), so keeping it costs only the rows changed since.
 */
export interface DeferredChunk {
  key: string;
  seal(): Uint8Array;
}

/** One statement of a queued offline write: its text, its parameters (msgpack, PACK_OPTIONS) and, for UPDATE/DELETE, the rows it changed on the origin. */
export interface PendingStatement {
  sql: string;
  params: Uint8Array | null;
  expect?: number;
}

/** A write transaction a standby queued (offline/): applied by the primary exactly once, by (origin, seq). */
export interface StoredPendingXact {
  seq: number;
  /** ms since the epoch, on the origin's clock. */
  queuedAt: number;
  statements: PendingStatement[];
  /** Set once the primary rejected it: kept for the app to inspect until dismissed. */
  failed?: { code: string; message: string; detail?: string };
}

/**
 * The offline-write queue (dbmirror's Pending). `lastSeq` is the highest sequence number ever
 * stored, kept apart from the entries so a removed entry's number is never handed out again.
 */
export interface PendingStore {
  load(): Promise<{ entries: StoredPendingXact[]; lastSeq: number }>;
  /** Store (or replace) one entry durably; raises lastSeq to its seq in the same write. */
  put(entry: StoredPendingXact): Promise<void>;
  remove(seqs: readonly number[]): Promise<void>;
}

export interface Storage {
  readonly kind: 'indexeddb' | 'memory' | 'file';
  readControl(): Promise<ControlFile | undefined>;
  writeControl(control: ControlFile): Promise<void>;
  appendWal(chunks: readonly WalChunk[]): Promise<void>;
  /**
   * Chunks holding WAL at or after `from`, in LSN order (the first may start before it). With
   * `maxBytes`, stops once that many bytes are read (at least one chunk): a cursor, so reading a
   * long WAL batch by batch costs what is read, not the whole tail each time.
   */
  readWal(from: Lsn, maxBytes?: number): Promise<WalChunk[]>;
  /** Drop chunks that end at or before `lsn` (retention). */
  removeWalBefore(lsn: Lsn): Promise<void>;
  /**
   * Drop the WAL from `lsn` on (rewind, a torn tail found by recovery, a new base backup): the
   * chunks that start at or after it and the tail of the one that straddles it, atomically — a
   * crash leaves either all of it or none of it done.
   */
  truncateWal(lsn: Lsn): Promise<void>;
  /** Store a checkpoint and the control record that points at it, atomically. */
  writeCheckpoint(checkpoint: StoredCheckpoint, control: ControlFile): Promise<void>;
  readCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Where incremental checkpoints keep their chunks; without it every checkpoint is one whole snapshot. */
  readonly chunks?: CheckpointChunks;
  /** Offline writes' pending transactions; without it a node cannot queue offline writes. */
  readonly pending?: PendingStore;
  close(): Promise<void>;
}
