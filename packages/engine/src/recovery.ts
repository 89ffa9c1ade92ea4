/**
 * Startup (PostgreSQL's StartupXLOG): initialise a new cluster, or load the newest checkpoint and
 * replay the WAL after it. Replay stops at the first torn or corrupted record with PostgreSQL's
 * message; the incomplete transaction after the last commit is discarded, and so is the bad tail,
 * so new WAL continues from a clean point.
 */
import { seal } from './storage/envelope.ts';
import type { ControlFile, Storage, StoredCheckpoint } from './storage/storage.ts';
import { Replayer } from './state/replay.ts';
import { decodeTables, loadCheckpoint, type CheckpointBase } from './checkpoint/load.ts';
import { takeSnapshot } from './state/snapshot.ts';
import { DbState } from './state/state.ts';
import { decodeRecords } from './wal/codec.ts';
import { FIRST_LSN, formatLsn, type Lsn } from './wal/lsn.ts';

export type Logger = (level: 'log' | 'warning', message: string) => void;

export interface Recovered {
  state: DbState;
  /** Undefined for a standby that has no data yet: it waits for a base backup. */
  control: ControlFile | undefined;
  /** Where the next WAL record goes. */
  endLsn: Lsn;
  fresh: boolean;
  /** What the stored checkpoint holds, for the next incremental checkpoint to diff against. */
  base?: CheckpointBase;
}

export function newSystemIdentifier(): string {
  // PostgreSQL's: seconds since epoch in the high 32 bits, random low bits, shown in decimal
  const hi = BigInt(Math.floor(Date.now() / 1000)) << 32n;
  const lo = BigInt(crypto.getRandomValues(new Uint32Array(1))[0]!);
  return (hi | lo).toString();
}

/** A new cluster (initdb): its control record, empty state and first checkpoint, not yet stored. */
export function initialCluster(nodeId: string): { control: ControlFile; state: DbState; checkpoint: StoredCheckpoint } {
  const control: ControlFile = { systemId: newSystemIdentifier(), nodeId, timeline: 1, checkpointLsn: FIRST_LSN, history: [], slots: [] };
  const state = new DbState();
  return { control, state, checkpoint: { lsn: FIRST_LSN, bytes: seal(takeSnapshot(state)) } };
}

/** WAL records for one table past which recovery decodes it before replaying them (its write log holds 65,536). */
const DECODE_AFTER_WRITES = 4096;

/** `initialize`: create a new cluster when storage is empty (a primary); a standby waits for a base backup instead. */
export async function recover(storage: Storage, nodeId: string, log: Logger, initialize = true): Promise<Recovered> {
  const control = await storage.readControl();
  if (!control && !initialize) return { state: new DbState(), control: undefined, endLsn: FIRST_LSN, fresh: true };
  if (!control) {
    const fresh = initialCluster(nodeId);
    await storage.writeCheckpoint(fresh.checkpoint, fresh.control);
    return { state: fresh.state, control: fresh.control, endLsn: FIRST_LSN, fresh: true };
  }
  const checkpoint = await storage.readCheckpoint();
  if (!checkpoint || checkpoint.lsn !== control.checkpointLsn) {
    throw new Error(`could not locate a valid checkpoint record at ${formatLsn(control.checkpointLsn)}`);
  }
  const loaded = await loadCheckpoint(storage, checkpoint);
  // chunks of a checkpoint that stopped before its manifest was stored
  await storage.chunks?.retain(loaded.keys);
  const state = loaded.state;
  const replayer = new Replayer(state, checkpoint.lsn);
  let expected = checkpoint.lsn;
  let replayed = 0;
  const writes = new Map<number, number>();
  for (const chunk of await storage.readWal(checkpoint.lsn)) {
    if (chunk.lsn > expected) {
      log('warning', `invalid record at ${formatLsn(expected)}: WAL is missing up to ${formatLsn(chunk.lsn)}`);
      break;
    }
    // a chunk may begin before the checkpoint: skip the part already in the snapshot
    const from = expected - chunk.lsn;
    const { records, invalid } = decodeRecords(chunk.bytes.subarray(from), expected);
    // writes to a table still encoded wait on its log (state.ts) until it is decoded; a table this WAL writes
    // often enough to fill that log is decoded in slices first, not by its log's overflow in one task
    for (const r of records) if ('table' in r.record && typeof r.record.table === 'number') writes.set(r.record.table, (writes.get(r.record.table) ?? 0) + 1);
    await decodeTables(replayer.state, [...writes].flatMap(([oid, n]) => (n >= DECODE_AFTER_WRITES ? [oid] : [])));
    for (const r of records) {
      replayer.apply(r);
      replayed++;
    }
    if (invalid) {
      log('warning', invalid.reason);
      expected = -1;
      break;
    }
    expected = chunk.end;
  }
  const endLsn = replayer.replayLsn;
  if (replayer.inTransaction || expected !== endLsn) {
    // drop what follows the last complete transaction: a torn tail must not be continued
    await storage.truncateWal(endLsn);
  }
  if (replayed) log('log', `redo done at ${formatLsn(endLsn)}`);
  return { state: replayer.state, control, endLsn, fresh: false, base: loaded.base };
}

export function snapshotBytes(state: DbState): Uint8Array {
  return seal(takeSnapshot(state));
}

