/**
 * Installing a complete, verified base backup on a standby: its tables are still the pieces as they
 * arrived (replication/incoming-backup.ts; decoded on first use or in the background after this,
 * checkpoint/encoded-table.ts), and the backup is stored as the node's checkpoint in
 * the incremental checkpoint's own shape (checkpoint/format.ts): its pieces are the chunks (sealed
 * as received, or, in a store that keeps chunks as the rows themselves, deferred over the loaded
 * trees) and a manifest names them. The chunks and the control record that points at the manifest
 * are written inside one control update, so a crash leaves the node either as it was or with the
 * whole backup; the chunks of the checkpoint it replaces are removed after, and the installed
 * backup is the base the node's next incremental checkpoint diffs against.
 */
import { frozenRows } from '../checkpoint/encoded-table.ts';
import { MANIFEST_VERSION, type ChunkRef, type Manifest } from '../checkpoint/format.ts';
import type { CheckpointBase } from '../checkpoint/load.ts';
import { sealLater } from '../checkpoint/writer.ts';
import { Replayer } from '../state/replay.ts';
import { restoreSnapshot, takeSnapshot } from '../state/snapshot.ts';
import type { DbState } from '../state/state.ts';
import { seal } from '../storage/envelope.ts';
import { standalone, type ControlFile, type Storage } from '../storage/storage.ts';
import type { ReceivedBackup } from './incoming-backup.ts';
import type { NodeCore } from './replication.ts';

/** Chunks go to storage in batches of this many: one storage transaction each. */
const BATCH_CHUNKS = 64;

/** Replace the node's state and WAL with `backup`, consistent at its LSN. */
export async function installBackup(core: NodeCore, backup: ReceivedBackup): Promise<void> {
  const { meta } = backup;
  const state = restoreSnapshot(backup.snapshot);
  await core.control.update(async (txn) => {
    const control: ControlFile = {
      systemId: meta.systemId,
      nodeId: core.nodeId,
      timeline: meta.timeline,
      checkpointLsn: meta.lsn,
      history: meta.history,
      slots: txn.current()?.slots ?? [],
      ...(txn.current()?.votedTerm ? { votedTerm: txn.current()!.votedTerm } : {}),
    };
    await core.wal.flushAll().catch(() => {});
    await core.storage.truncateWal(0);
    const stored = await storeCheckpoint(core.storage, state, backup);
    await txn.write(control, { lsn: meta.lsn, bytes: stored.bytes });
    // the backup's checkpoint is the stored one now: the next checkpoint diffs against it, and no other chunk is named
    core.checkpointer.adopt(stored.base, core.control.checkpointsWritten);
    core.wal.resetTo(meta.lsn);
    txn.setReplayer(new Replayer(state, meta.lsn));
    core.db.publish(state, { end: meta.lsn, tables: new Set(state.tables.keys()) });
    // left behind on failure, they are removed by the next checkpoint or the next open
    await core.storage.chunks?.retain(stored.keys).catch(() => {});
  });
}

/** The backup's chunks, written, and the sealed manifest naming them (or, without a chunk store, the whole snapshot). */
async function storeCheckpoint(storage: Storage, state: DbState, backup: ReceivedBackup): Promise<{ bytes: Uint8Array; base: CheckpointBase | undefined; keys: Set<string> }> {
  const store = storage.chunks;
  if (!store) return { bytes: seal(takeSnapshot(state)), base: undefined, keys: new Set() };
  const { snapshot } = backup;
  const token = `b${backup.meta.lsn.toString(36)}.${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`;
  const refs = new Map<number, ChunkRef[]>(snapshot.tables.map((t) => [t.def.oid, []]));
  const keys = new Set<string>();
  // frozen here: replay changes the state's own tables after the install (their chunks as received while still encoded)
  const frozen = new Map(snapshot.tables.map((t) => [t.def.oid, frozenRows(state.table(t.def.oid))]));
  for (let i = 0; i < backup.chunks.length; i += BATCH_CHUNKS) {
    const batch = backup.chunks.slice(i, i + BATCH_CHUNKS).map((c) => {
      const key = `${c.oid}.${c.index}.${token}`;
      refs.get(c.oid)!.push({ index: c.index, key, rows: c.rows, ...(store.putDeferred ? {} : { bytes: c.bytes.length }) });
      keys.add(key);
      return { ...c, key };
    });
    // a store that keeps chunks in the heap holds them as the loaded rows, sealed only if ever read
    if (store.putDeferred) await store.putDeferred(batch.map((c) => ({ key: c.key, seal: sealLater(frozen.get(c.oid)!, c.index) })));
    else await store.put(batch.map((c) => ({ key: c.key, bytes: standalone(c.bytes) })));
  }
  const { tables, ...catalog } = snapshot;
  const manifest: Manifest = {
    chunked: MANIFEST_VERSION,
    ...catalog,
    tables: tables.map((t) => ({ def: t.def, nextRowId: t.nextRowId, indexes: t.indexes, chunks: refs.get(t.def.oid)! })),
  };
  const base: CheckpointBase = { lsn: backup.meta.lsn, manifest, tables: new Map([...frozen].map(([oid, rows]) => [oid, { rows, chunks: refs.get(oid)! }])) };
  return { bytes: seal(manifest), base, keys };
}
