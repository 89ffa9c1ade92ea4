/**
 * Rewind (the pg_rewind idea): a node whose WAL went past the point where the new primary's
 * timeline forked from its own has diverged. It rebuilds its state as of the fork from its last
 * checkpoint plus its own WAL, discards everything after the fork (logging what it threw away),
 * and can then follow the new timeline. When its checkpoint is already past the fork, it cannot,
 * and the caller takes a base backup instead.
 */
import type { ControlTxn } from '../control/control.ts';
import { loadCheckpoint } from '../checkpoint/load.ts';
import { seal } from '../storage/envelope.ts';
import { Replayer } from '../state/replay.ts';
import { takeSnapshot } from '../state/snapshot.ts';
import { decodeRecords } from '../wal/codec.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import type { PositionedRecord } from '../wal/record.ts';
import type { NodeCore } from './replication.ts';

/** Rewind `core` to `fork` inside a control update; false when its checkpoint or WAL no longer reaches back that far. */
export async function rewindTo(core: NodeCore, txn: ControlTxn, fork: Lsn): Promise<boolean> {
  const { storage, wal } = core;
  await wal.flushAll().catch(() => {});
  const control = txn.current();
  const checkpoint = await storage.readCheckpoint();
  if (!control || !checkpoint || checkpoint.lsn > fork) return false;
  const replayer = new Replayer((await loadCheckpoint(storage, checkpoint)).state, checkpoint.lsn);
  const discarded: PositionedRecord[] = [];
  let expected = checkpoint.lsn;
  for (const chunk of await storage.readWal(checkpoint.lsn)) {
    if (chunk.lsn > expected) break;
    const { records } = decodeRecords(chunk.bytes.subarray(expected - chunk.lsn), expected);
    for (const r of records) {
      if (r.end <= fork) replayer.apply(r);
      else discarded.push(r);
    }
    expected = chunk.end;
  }
  if (replayer.replayLsn !== fork) return false;

  const commits = discarded.filter((r) => r.record.kind === 'commit');
  const tables = new Set<string>();
  for (const r of discarded) {
    const rec = r.record;
    if ('table' in rec && typeof rec.table === 'number') tables.add(core.db.state.tables.get(rec.table)?.def.name ?? String(rec.table));
  }
  const state = replayer.state;
  await storage.truncateWal(fork);
  await txn.write({ ...control, checkpointLsn: fork }, { lsn: fork, bytes: seal(takeSnapshot(state)) });
  wal.resetTo(fork);
  txn.setReplayer(new Replayer(state, fork));
  core.db.publish(state, { end: fork, tables: new Set(state.tables.keys()) });
  const end = discarded.length ? discarded[discarded.length - 1]!.end : fork;
  core.log('log', `rewound to ${formatLsn(fork)}: discarded WAL from ${formatLsn(fork)} to ${formatLsn(end)}, ` +
    `${commits.length} committed transaction(s)${commits.length ? ` (xid ${commits.map((c) => (c.record as { xid: number }).xid).join(', ')})` : ''}` +
    `${tables.size ? ` changing ${[...tables].sort().join(', ')}` : ''}`);
  return true;
}
