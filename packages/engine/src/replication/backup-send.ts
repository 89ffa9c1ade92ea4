/**
 * The walsender's side of a streamed base backup: what to send (the last complete checkpoint as
 * stored, its LSN the backup's start, as pg_basebackup's; or, without one, a clone of the state as
 * it is now), and the sending: frames go out as `backup_chunk` payloads of at most `limit` bytes
 * while the next frame is made. The transport's send resolves once a message fits the channel's
 * bufferedAmount budget (back-pressure), so making frame n+1 runs while frame n drains, and the
 * channel is fed as long as the sender has data.
 */
import { streamBackup, streamCheckpoint, type BackupStream } from '../checkpoint/backup-stream.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { NodeCore } from './replication.ts';

/**
 * A backup of the node and the LSN it is consistent at, from which the standby streams next;
 * `verify`: check each stored chunk's CRC before sending it as stored. The checkpoint is sent
 * when it is on the node's current timeline (WAL from before a switch belongs to another one).
 */
export function startBackup(core: NodeCore, verify: boolean): { lsn: Lsn; stream: BackupStream } {
  const store = core.storage.chunks;
  const base = core.checkpointer.baseFor(core.control.checkpointsWritten);
  const control = core.control.file;
  // the switch record itself (at switchLsn) belongs to the timeline's start: the checkpoint must be after it
  const fork = control?.history.find((h) => h.timeline === control.timeline);
  // a store that keeps chunks as the checkpoint's rows would encode them when read: a clone of now is as cheap, with no WAL to replay after it
  if (store && !store.putDeferred && base && (!fork || base.lsn > fork.switchLsn)) return { lsn: base.lsn, stream: streamCheckpoint({ base, store, verify }) };
  return { lsn: core.wal.insertLsn, stream: streamBackup(core.db.latest()) };
}

/**
 * Send every frame of `stream`, cut into messages of at most `limit` bytes, each given to `send`
 * as the parts of the frames it holds; false when `wanted()` turned false first (the standby went
 * away or gave up).
 */
export async function sendFrames(stream: BackupStream, limit: number, wanted: () => boolean, send: (offset: number, parts: Uint8Array[]) => Promise<void>): Promise<boolean> {
  const frames = stream.frames;
  let offset = 0;
  let next = frames.next();
  try {
    for (let r = await next; !r.done; r = await next) {
      const frame = r.value;
      const length = frame.reduce((n, p) => n + p.length, 0);
      for (let at = 0; at < length; at += limit) {
        if (!wanted()) return false;
        const parts = cut(frame, at, Math.min(length, at + limit));
        const sending = send(offset, parts);
        offset += Math.min(limit, length - at);
        // an async generator runs to its next yield inside next(): the next frame is made now, before the wait
        if (at + limit >= length) next = frames.next();
        await sending;
      }
    }
    return true;
  } finally {
    // stopped early: the frame being made is dropped and the stream's clones with it
    next.catch(() => {});
    void frames.return().catch(() => {});
  }
}

/** The bytes [from, to) of a frame in parts, as views of its parts. */
function cut(frame: readonly Uint8Array[], from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const part of frame) {
    const end = start + part.length;
    if (end > from && start < to) out.push(part.subarray(Math.max(0, from - start), Math.min(part.length, to - start)));
    start = end;
  }
  return out;
}
