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
  slots: { name: string; restartLsn: Lsn | null; lost: boolean }[];
  /** The last election term this node voted in: stored before the vote is sent, so a restart cannot vote twice. */
  votedTerm?: number;
}

/** A contiguous run of encoded WAL records: the unit of one flush (usually one transaction). */
export interface WalChunk {
  lsn: Lsn;
  end: Lsn;
  bytes: Uint8Array;
}

export interface StoredCheckpoint {
  lsn: Lsn;
  /** Sealed snapshot bytes (see envelope.ts). */
  bytes: Uint8Array;
}

export interface Storage {
  readonly kind: 'indexeddb' | 'memory';
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
  close(): Promise<void>;
}
