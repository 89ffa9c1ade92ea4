/**
 * A base backup holds the WAL its standby streams from next, as pg_basebackup's temporary slot
 * does: a standby without a replication slot whose backup spans a checkpoint on the primary still
 * finds that WAL when it starts streaming (no "requested WAL segment … has already been removed",
 * no second backup), and the hold ends once it streams, or when it goes away.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';
import type { Storage } from '../../packages/engine/src/storage/storage.ts';
import { decodeMessage } from '../../packages/engine/src/replication/protocol.ts';
import { caughtUp, memoryCluster, until, type TestCluster, type TestNode } from '../cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

type Internals = { core: { control: { file: { checkpointLsn: number } | undefined } } };
const checkpointLsn = (node: Node) => (node as unknown as Internals).core.control.file!.checkpointLsn;

/** Memory storage with chunks stored sealed (so a backup sends the last checkpoint), recording every WAL removal's LSN. */
function recordingStorage(): { storage: Storage; removals: number[] } {
  const inner = memoryStorage({ deferChunks: false });
  const removals: number[] = [];
  return { storage: { ...inner, removeWalBefore: (lsn) => (removals.push(lsn), inner.removeWalBefore(lsn)) }, removals };
}

/** Hold the primary's backup_chunk messages after the second until `release`. */
function holdBackup(p: TestNode): { inFlight: Promise<void>; release(): void } {
  let chunks = 0;
  let release!: () => void;
  let started!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const inFlight = new Promise<void>((r) => (started = r));
  const send = p.transport.send.bind(p.transport);
  p.transport.send = async (to, bytes) => {
    const d = decodeMessage(bytes);
    if (d.ok && d.msg.t === 'backup_chunk' && ++chunks > 2) {
      started();
      await held;
    }
    return send(to, bytes);
  };
  return { inFlight, release };
}

async function checkpointedPrimary(): Promise<{ p: TestNode; removals: number[] }> {
  const mc = memoryCluster();
  c = mc;
  const { storage, removals } = recordingStorage();
  const p = await mc.open('primary', { storage, walKeepSize: 0 });
  await p.node.exec('create table account(id int primary key, balance int not null)');
  await p.node.transaction(async (tx) => {
    for (let i = 0; i < 20_000; i++) await tx.query('insert into account values ($1, 100)', [i]);
  });
  await p.node.checkpoint();
  // WAL after the checkpoint: the backup's standby replays it from the checkpoint's LSN
  await p.node.query('update account set balance = 0 where id = 10000');
  return { p, removals };
}

/** A slotless standby's backup held in flight while the primary commits and checkpoints: nothing it streams from next is removed. */
async function checkpointDuringBackup(p: TestNode, removals: number[]): Promise<{ s: TestNode; release(): void }> {
  const backupLsn = checkpointLsn(p.node);
  const hold = holdBackup(p);
  const s = await c.open('fresh', { role: 'standby', primarySlotName: null });
  await hold.inFlight;
  await p.node.query('insert into account values (20000, 7)');
  await p.node.checkpoint();
  expect(checkpointLsn(p.node)).toBeGreaterThan(backupLsn);
  expect(removals.at(-1)).toBeLessThanOrEqual(backupLsn);
  return { s, release: hold.release };
}

const backupsSent = (p: TestNode) => p.logs.filter((l) => /base backup to "fresh" sent:/.test(l)).length;

describe('base backup WAL hold', () => {
  it('a standby without a slot whose backup spans a checkpoint streams from the backup without 58P01 or a second backup, and the hold ends once it streams', async () => {
    const { p, removals } = await checkpointedPrimary();
    const { s, release } = await checkpointDuringBackup(p, removals);
    release();
    await until('the base backup', async () => (await s.node.status()).systemId === p.node.systemId);
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    expect(s.logs.filter((l) => l.includes('has already been removed'))).toEqual([]);
    expect(backupsSent(p)).toBe(1);
    // streaming: the next checkpoint keeps only what it keeps for everyone
    await p.node.query('update account set balance = 1 where id = 1');
    await p.node.checkpoint();
    expect(removals.at(-1)).toBe(checkpointLsn(p.node));
  });

  it('a standby that goes away in the middle of its backup holds no WAL', async () => {
    const { p, removals } = await checkpointedPrimary();
    const { s, release } = await checkpointDuringBackup(p, removals);
    await s.transport.close();
    await until('the primary to see the standby go', async () => (await p.node.status()).replication.length === 0);
    release();
    await p.node.query('insert into account values (20001, 7)');
    await p.node.checkpoint();
    expect(removals.at(-1)).toBe(checkpointLsn(p.node));
  });
});
