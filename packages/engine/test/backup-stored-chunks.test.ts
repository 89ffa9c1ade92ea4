/**
 * A base backup sent as the last complete checkpoint stored it (checkpoint/backup-stream.ts's
 * streamCheckpoint): no row is encoded, the standby receives exactly the checkpoint's state
 * whatever commits run before or during the stream (they follow as WAL), and a stored chunk that is
 * missing or damaged is never passed on as sound: it is encoded from the checkpoint's rows instead,
 * or refused by the standby's checksum when it was sent unchecked.
 */
import { describe, expect, it } from 'vitest';
import { streamCheckpoint, type StoredChunks } from '../src/checkpoint/backup-stream.ts';
import type { Checkpointer } from '../src/checkpoint/writer.ts';
import type { NodeControl } from '../src/control/control.ts';
import { openNode, type Node } from '../src/index.ts';
import { IncomingBackup, type ReceivedBackup } from '../src/replication/incoming-backup.ts';
import { decodeMessage, encodeBackupChunk, encodeMessage } from '../src/replication/protocol.ts';
import { seal } from '../src/storage/envelope.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import { restoreSnapshot, takeSnapshot } from '../src/state/snapshot.ts';
import type { DbState } from '../src/state/state.ts';
import type { Storage } from '../src/storage/storage.ts';

const quiet = () => {};
const meta = { systemId: '1', timeline: 1, lsn: 0, history: [] };
type Core = { db: { latest(): DbState }; checkpointer: Checkpointer; control: NodeControl; storage: Storage };
const coreOf = (node: Node) => (node as unknown as { core: Core }).core;

/** A primary whose checkpoint chunks are stored sealed (as IndexedDB stores them), 20k rows in ~10 chunks, checkpointed. */
async function checkpointed(): Promise<{ node: Node; storage: Storage }> {
  const storage = memoryStorage({ deferChunks: false });
  const node = await openNode({ cluster: `stored-chunks-${Math.random()}`, storage, log: quiet });
  await node.exec(`create table t(id int primary key, v text); create table small(a int)`);
  for (let from = 1; from <= 20_000; from += 5000) {
    const values: string[] = [];
    for (let id = from; id < from + 5000; id++) values.push(`(${id}, 'row ${id}')`);
    await node.exec(`insert into t values ${values.join(', ')}`);
  }
  await node.exec(`insert into small values (1), (2)`);
  await node.checkpoint();
  return { node, storage };
}

function storedFrom(node: Node, verify = false): StoredChunks {
  const core = coreOf(node);
  const base = core.checkpointer.baseFor(core.control.checkpointsWritten);
  if (!base) throw new Error('no checkpoint base');
  return { base, store: core.storage.chunks!, verify };
}

/** Every key of the stored checkpoint's chunks, in the order a backup sends them. */
function storedKeys(from: StoredChunks): string[] {
  return [...from.base.tables.values()].flatMap((t) => t.chunks.map((c) => c.key));
}

/** Run the stream through a standby's IncomingBackup: the backup, or why it was refused. */
async function receive(stream: ReturnType<typeof streamCheckpoint>, beforeRest?: () => Promise<void>): Promise<ReceivedBackup | string> {
  const b = new IncomingBackup(meta);
  let offset = 0;
  let first = true;
  for await (const parts of stream.frames) {
    const frame = Buffer.concat(parts);
    const refused = b.add(offset, frame);
    if (refused) return refused;
    offset += frame.length;
    if (first && beforeRest) await beforeRest();
    first = false;
  }
  return b.finish(stream.summary());
}

const sealedState = (s: DbState) => Buffer.from(seal(takeSnapshot(s)));

describe('a base backup from the stored checkpoint', () => {
  it("sends every chunk as the checkpoint stored it and is received as the checkpoint's state, whatever commits run before and during the stream", async () => {
    const { node } = await checkpointed();
    const expected = sealedState(restoreSnapshot(takeSnapshot(coreOf(node).db.latest())));
    // after the checkpoint: these reach a standby as the WAL it streams from the checkpoint's LSN
    await node.query(`update t set v = 'changed' where id = 5000`);
    await node.query(`insert into t values (30000, 'new chunk')`);
    const stream = streamCheckpoint(storedFrom(node));
    const got = await receive(stream, async () => {
      await node.query(`update t set v = 'during' where id between 1 and 20000`);
      await node.query(`delete from small`);
    });
    if (typeof got === 'string') throw new Error(got);
    // t's 10 chunks and small's 1
    expect(stream.stats()).toEqual({ stored: 11, encoded: 0, replaced: [] });
    expect(sealedState(restoreSnapshot(got.snapshot)).equals(expected)).toBe(true);
    expect((await node.query('select count(*)::int as n from t where v = $1', ['during'])).rows).toEqual([{ n: 20_000 }]);
    await node.close();
  });

  it("encodes a stored chunk that is missing, truncated or not an envelope from the checkpoint's rows instead, without being asked to verify", async () => {
    const { node, storage } = await checkpointed();
    const expected = sealedState(coreOf(node).db.latest());
    const from = storedFrom(node);
    const keys = storedKeys(from);
    const [gone, short, garbled] = [keys[1]!, keys[3]!, keys[5]!];
    const store = storage.chunks!;
    const truncated = (await store.get([short]))[0]!.slice(0, -5);
    const notEnvelope = (await store.get([garbled]))[0]!.slice();
    notEnvelope[0]! ^= 0xff;
    await store.retain(new Set(keys.filter((k) => k !== gone && k !== short && k !== garbled)));
    await store.put([{ key: short, bytes: truncated }, { key: garbled, bytes: notEnvelope }]);
    await node.query(`update t set v = 'after' where id < 100`);
    const stream = streamCheckpoint(from);
    const got = await receive(stream);
    if (typeof got === 'string') throw new Error(got);
    expect(stream.stats()).toEqual({ stored: 8, encoded: 3, replaced: [gone, short, garbled] });
    expect(sealedState(restoreSnapshot(got.snapshot)).equals(expected)).toBe(true);
    await node.close();
  });

  it("a stored chunk whose body is damaged is refused by the standby's checksum when sent unchecked, and encoded from the checkpoint's rows when verified", async () => {
    const { node, storage } = await checkpointed();
    const expected = sealedState(coreOf(node).db.latest());
    const key = storedKeys(storedFrom(node))[4]!;
    const damaged = (await storage.chunks!.get([key]))[0]!.slice();
    damaged[damaged.length - 3]! ^= 0x01;
    await storage.chunks!.put([{ key, bytes: damaged }]);
    expect(await receive(streamCheckpoint(storedFrom(node, false)))).toBe('invalid base backup: incorrect checksum');
    const verified = streamCheckpoint(storedFrom(node, true));
    const got = await receive(verified);
    if (typeof got === 'string') throw new Error(got);
    expect(verified.stats().replaced).toEqual([key]);
    expect(sealedState(restoreSnapshot(got.snapshot)).equals(expected)).toBe(true);
    await node.close();
  });

  it('a backup_chunk sent from parts (a stored chunk behind its length) decodes as the same message encoded whole', () => {
    const big = new Uint8Array(70_000).map((_, i) => i * 7);
    for (const offset of [0, 300, 70_000, 2 ** 33 + 5]) {
      for (const parts of [[], [Uint8Array.of(1, 2, 3, 4)], [Uint8Array.of(9, 9, 9, 9), big.subarray(5)], [new Uint8Array(0), big, new Uint8Array(0)]]) {
        const whole = new Uint8Array(Buffer.concat(parts));
        const decoded = decodeMessage(encodeBackupChunk(offset, parts));
        expect(decoded).toEqual(decodeMessage(encodeMessage({ t: 'backup_chunk', offset, bytes: whole })));
        expect(decoded.ok && decoded.msg.t === 'backup_chunk' && Buffer.from(decoded.msg.bytes).equals(whole)).toBe(true);
      }
    }
  });
});
