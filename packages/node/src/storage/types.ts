/** The engine's storage types, derived from its public `Storage` seam (the engine exports only that). */
import type { Storage } from '@walrtc/engine';

export type { Storage };
export type WalChunk = Awaited<ReturnType<Storage['readWal']>>[number];
export type ControlFile = NonNullable<Awaited<ReturnType<Storage['readControl']>>>;
export type StoredCheckpoint = NonNullable<Awaited<ReturnType<Storage['readCheckpoint']>>>;
export type CheckpointChunks = NonNullable<Storage['chunks']>;
