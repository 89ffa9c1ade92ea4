/**
 * The walsender's side of a streamed base backup: the stream of the node's state, sending the last
 * checkpoint's stored chunks where nothing changed since; its frames go out as `backup_chunk`
 * payloads of at most `limit` bytes while the next frame is made. The transport's send resolves
 * once a message fits the channel's bufferedAmount budget (back-pressure), so making frame n+1
 * runs while frame n drains, and the channel is fed as long as the sender has data.
 */
import { streamBackup, type BackupStream } from '../checkpoint/backup-stream.ts';
import type { NodeCore } from './replication.ts';

/** A backup of the node's state as it is now; `verify`: check each stored chunk's CRC before sending it as stored. */
export function backupStream(core: NodeCore, verify: boolean): BackupStream {
  const store = core.storage.chunks;
  const base = core.checkpointer.baseFor(core.control.checkpointsWritten);
  // a store that keeps chunks as the checkpoint's rows would encode them when read: the clone serves as well
  return streamBackup(core.db.latest(), store && !store.putDeferred && base ? { base, store, verify } : undefined);
}

/** Send every frame of `stream`; false when `wanted()` turned false first (the standby went away or gave up). */
export async function sendFrames(stream: BackupStream, limit: number, wanted: () => boolean, send: (offset: number, bytes: Uint8Array) => Promise<void>): Promise<boolean> {
  const frames = stream.frames;
  let offset = 0;
  let next = frames.next();
  try {
    for (let r = await next; !r.done; r = await next) {
      const frame = r.value;
      for (let at = 0; at < frame.length; at += limit) {
        if (!wanted()) return false;
        const part = frame.subarray(at, at + limit);
        const sending = send(offset, part);
        offset += part.length;
        // an async generator runs to its next yield inside next(): the next frame is packed now, before the wait
        if (at + limit >= frame.length) next = frames.next();
        await sending;
      }
    }
    return true;
  } finally {
    // stopped early: the frame being packed is dropped and the stream's clones with it
    next.catch(() => {});
    void frames.return().catch(() => {});
  }
}
