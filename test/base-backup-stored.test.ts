/**
 * Base backups that send the primary's last checkpoint as it stored it (pg_basebackup copying
 * files): the standby ends with the primary's content whatever commits run during the backup, a
 * damaged stored chunk is never installed, a standby that crashes in the middle installs nothing,
 * and a standby that installs a backup keeps only that backup's chunks and checkpoints
 * incrementally from it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { streamBackup } from '../packages/engine/src/checkpoint/backup-stream.ts';
import type { Manifest } from '../packages/engine/src/checkpoint/format.ts';
import { unseal } from '../packages/engine/src/storage/envelope.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import type { Storage } from '../packages/engine/src/storage/storage.ts';
import type { DbState } from '../packages/engine/src/state/state.ts';
import { decodeMessage, encodeMessage, type SenderMessage } from '../packages/engine/src/replication/protocol.ts';
import { caughtUp, memoryCluster, until, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

type Internals = { core: { db: { latest(): DbState }; wal: { insertLsn: number } } };
const internals = (node: Node) => (node as unknown as Internals).core;

async function accounts(node: Node, n: number): Promise<void> {
  await node.exec('create table account(id int primary key, balance int not null)');
  await node.transaction(async (tx) => {
    for (let i = 0; i < n; i++) await tx.query('insert into account values ($1, 100)', [i]);
  });
}

/** Memory storage with chunks stored sealed, as IndexedDB stores them, that says which chunks it holds and how many it was given. */
function sealedStorage(): { storage: Storage; held: Set<string>; written: () => number } {
  const inner = memoryStorage({ deferChunks: false });
  const store = inner.chunks!;
  const held = new Set<string>();
  let written = 0;
  const storage: Storage = {
    ...inner,
    chunks: {
      async put(list) {
        for (const c of list) held.add(c.key);
        written += list.length;
        return store.put(list);
      },
      get: (keys) => store.get(keys),
      async retain(keys) {
        for (const k of [...held]) if (!keys.has(k)) held.delete(k);
        return store.retain(keys);
      },
    },
  };
  return { storage, held, written: () => written };
}

/** The chunk keys the stored checkpoint's manifest names. */
async function manifestKeys(storage: Storage): Promise<string[]> {
  const m = unseal<Manifest>((await storage.readCheckpoint())!.bytes, 'checkpoint');
  return m.tables.flatMap((t) => t.chunks.map((ch) => ch.key)).sort();
}

type BackupMessage = Extract<SenderMessage, { t: 'backup_chunk' | 'backup_end' }>;

function interceptBackup(p: TestNode, hook: (msg: BackupMessage, forward: () => Promise<void>) => Promise<void>): void {
  const send = p.transport.send.bind(p.transport);
  p.transport.send = async (to, bytes) => {
    const d = decodeMessage(bytes);
    if (!d.ok || (d.msg.t !== 'backup_chunk' && d.msg.t !== 'backup_end')) return send(to, bytes);
    return hook(d.msg, () => send(to, bytes));
  };
}

/** A memory cluster whose primary stores its chunks sealed and holds 20k accounts, checkpointed. */
async function checkpointedPrimary(storage = sealedStorage().storage): Promise<{ mc: ReturnType<typeof memoryCluster>; p: TestNode }> {
  const mc = memoryCluster();
  c = mc;
  const p = await mc.open('primary', { storage });
  await accounts(p.node, 20_000);
  await p.node.checkpoint();
  return { mc, p };
}

/** The standby took a backup from `p`, caught up, and holds the primary's content. */
async function tookBackup(p: TestNode, s: TestNode): Promise<void> {
  await until('the base backup', async () => (await s.node.status()).systemId === p.node.systemId);
  await caughtUp(p.node, s.node);
  expect(await s.node.contentHash()).toBe(await p.node.contentHash());
}

const sentAsStored = (p: TestNode) => p.logs.map((l) => /sent: (\d+) of (\d+) chunks as the last checkpoint stored them/.exec(l)).filter((m) => m !== null).map((m) => [Number(m[1]), Number(m[2])]);

describe('base backup from the stored checkpoint', () => {
  it("a commit during the backup to a chunk sent as stored reaches the standby by WAL, and the standby ends with the primary's content", async () => {
    const { mc, p } = await checkpointedPrimary();
    // a change since the checkpoint: it follows the checkpoint's chunks as WAL
    await p.node.query('update account set balance = 0 where id = 10000');
    let chunks = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    interceptBackup(p, async (_m, forward) => {
      if (++chunks > 2) await held;
      return forward();
    });
    const s = await mc.open('fresh', { role: 'standby' });
    await until('the backup in flight', () => chunks > 2);
    // every chunk of the table is touched, the ones being sent as stored included
    await p.node.query('update account set balance = balance + 1 where id % 1000 = 0');
    await p.node.query('insert into account values (20000, 7)');
    release();
    await tookBackup(p, s);
    expect((await s.node.query('select count(*)::int as n, sum(balance)::int as total from account')).rows).toEqual([{ n: 20_001, total: 2_000_000 - 100 + 20 + 7 }]);
    const [[stored, all]] = sentAsStored(p) as [[number, number]];
    expect(stored).toBe(all);
    expect(all).toBeGreaterThan(5);
  });

  it('a stored chunk damaged on the primary is refused by the standby, then checked and sent encoded from the rows', async () => {
    const primary = sealedStorage();
    const { mc, p } = await checkpointedPrimary(primary.storage);
    const key = (await manifestKeys(primary.storage))[3]!;
    const damaged = (await primary.storage.chunks!.get([key]))[0]!.slice();
    damaged[damaged.length - 7]! ^= 0x20;
    await primary.storage.chunks!.put([{ key, bytes: damaged }]);
    const s = await mc.open('fresh', { role: 'standby' });
    await until('the refusal', () => s.logs.some((l) => l === 'invalid base backup: incorrect checksum'));
    await tookBackup(p, s);
    expect(p.logs.some((l) => l.includes(`stored checkpoint chunk "${key}" is missing or damaged; sent encoded from the rows instead`))).toBe(true);
  });

  it('a standby that crashes in the middle of a backup sent from storage has installed nothing, and takes it again on restart', async () => {
    const { mc, p } = await checkpointedPrimary();
    const standby = sealedStorage();
    let chunks = 0;
    let crashed!: () => void;
    const crash = new Promise<void>((r) => (crashed = r));
    interceptBackup(p, async (_m, forward) => {
      await forward();
      if (++chunks === 3) crashed();
    });
    const s = await mc.open('fresh', { role: 'standby', storage: standby.storage });
    await crash;
    // the crash: the standby is cut off and never closed
    await s.transport.close();
    expect(await standby.storage.readControl()).toBeUndefined();
    expect(await standby.storage.readCheckpoint()).toBeUndefined();
    expect(standby.held.size).toBe(0);
    await tookBackup(p, await mc.open('fresh', { role: 'standby', storage: standby.storage }));
  });

  it("a standby that installs a second backup at its last checkpoint's LSN keeps only that backup's chunks, checkpoints from it without rewriting them, and reopens from it", async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await accounts(p.node, 20_000);
    const standby = sealedStorage();
    const s = await mc.open('fresh', { role: 'standby', storage: standby.storage });
    await tookBackup(p, s);
    // a restartpoint at the LSN the primary stands at: the next backup is taken at the same LSN
    await s.node.checkpoint();
    const first = await manifestKeys(standby.storage);
    const status = await p.node.status();
    const lsn = internals(p.node).wal.insertLsn;
    const stream = streamBackup(internals(p.node).db.latest());
    const send = (m: SenderMessage) => p.transport.send('fresh', encodeMessage(m));
    await send({ t: 'backup_start', systemId: status.systemId!, timeline: status.timeline, lsn, history: [] });
    let offset = 0;
    for await (const parts of stream.frames) {
      const frame = Buffer.concat(parts);
      await send({ t: 'backup_chunk', offset, bytes: frame });
      offset += frame.length;
    }
    await send({ t: 'backup_end', lsn, ...stream.summary() });
    await until('the second backup installed', () => s.logs.filter((l) => l.startsWith('base backup received')).length === 2);
    const second = await manifestKeys(standby.storage);
    expect(second.some((k) => first.includes(k))).toBe(false);
    expect([...standby.held].sort()).toEqual(second);
    // the installed backup is the checkpointer's base: a checkpoint with nothing changed writes no chunk
    const before = standby.written();
    await s.node.checkpoint();
    expect(standby.written()).toBe(before);
    expect([...standby.held].sort()).toEqual(await manifestKeys(standby.storage));
    await p.node.query('update account set balance = 5 where id < 3');
    await caughtUp(p.node, s.node);
    await s.transport.close();
    const again = await mc.open('fresh', { role: 'standby', storage: standby.storage });
    await caughtUp(p.node, again.node);
    expect(again.logs.some((l) => l.includes('base backup'))).toBe(false);
    expect(await again.node.contentHash()).toBe(await p.node.contentHash());
  });
});
