/**
 * A standby's replay of one batch of streamed WAL: the whole batch is replayed on a trial copy of
 * the state first, so a record that cannot be applied throws before anything is written, replayed
 * or reported; only then is the chunk appended, the trial adopted and its commits published.
 */
import type { Notification } from '../sql/notify.ts';
import type { WalChunk } from '../storage/storage.ts';
import type { PositionedRecord, WalRecord } from '../wal/record.ts';
import type { NodeCore } from './replication.ts';

export function applyStreamedBatch(core: NodeCore, chunk: WalChunk, records: PositionedRecord[]): void {
  const replayer = core.control.replayer;
  const trial = replayer.trial();
  const tables = new Set<number>();
  const notifications: Notification[] = [];
  const committed: WalRecord[] = [];
  let end: number | undefined;
  for (const r of records) {
    const commit = trial.apply(r);
    if (!commit) continue;
    for (const t of commit.tables) tables.add(t);
    notifications.push(...commit.notifications);
    for (const c of commit.records) committed.push(c);
    end = commit.end;
  }
  core.wal.appendChunk(chunk);
  replayer.adopt(trial);
  if (end !== undefined) core.db.publish(replayer.state, { end, tables, notifications, records: committed });
}
