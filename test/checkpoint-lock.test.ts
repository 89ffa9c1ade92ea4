/**
 * A checkpoint holds the control lock only to start and to switch to the new checkpoint: a
 * promotion issued while its chunks are being written completes at once, and the checkpoint
 * either lands on the new timeline or is dropped, never written over the promotion.
 */
import type { Storage } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, memoryCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

interface Holding {
  storage: Storage;
  inner: Storage;
  /** Hold the next chunk write; `reached` resolves when it starts, `release` lets it finish. */
  arm(): { reached: Promise<void>; release: () => void };
}

/** Memory storage whose chunk writes can be held. */
function holdingStorage(): Holding {
  const inner = memoryStorage();
  const chunks = inner.chunks!;
  let hold: { reached: () => void; released: Promise<void> } | undefined;
  const storage: Storage = {
    ...inner,
    chunks: {
      async put(list) {
        const h = hold;
        hold = undefined;
        if (h) {
          h.reached();
          await h.released;
        }
        return chunks.put(list);
      },
      get: (keys) => chunks.get(keys),
      retain: (keys) => chunks.retain(keys),
    },
  };
  return {
    storage,
    inner,
    arm() {
      let reached!: () => void;
      let release!: () => void;
      const r = new Promise<void>((ok) => (reached = ok));
      hold = { reached, released: new Promise<void>((ok) => (release = ok)) };
      return { reached: r, release };
    },
  };
}

describe('checkpoints and the control lock', () => {
  it('a standby promoted while its restartpoint is being written is promoted without waiting for it', async () => {
    c = memoryCluster();
    const p = await c.open('primary');
    await p.node.exec('create table t(id int primary key, v text)');
    for (let i = 0; i < 50; i++) await p.node.query('insert into t values ($1, $2)', [i, `row ${i}`]);
    const held = holdingStorage();
    const s = await c.open('standby', { role: 'standby', storage: held.storage });
    await caughtUp(p.node, s.node);
    // a change since the base backup, which is the standby's checkpoint base: its restartpoint has a chunk to write
    await p.node.query(`update t set v = 'since the backup' where id = 0`);
    await caughtUp(p.node, s.node);
    await c.close(p);

    const { reached, release } = held.arm();
    let checkpointDone = false;
    const checkpoint = s.node.checkpoint().then(() => void (checkpointDone = true));
    await reached;
    // bounded: before this change the promotion waited for the whole checkpoint (here: forever)
    const promoted = await Promise.race([
      s.node.promote().then(() => 'promoted'),
      new Promise<string>((r) => setTimeout(() => r('still waiting for the checkpoint'), 5000)),
    ]);
    if (promoted !== 'promoted') release();
    expect(promoted).toBe('promoted');
    expect(checkpointDone).toBe(false);
    expect((await s.node.status()).role).toBe('primary');
    await s.node.query('insert into t values ($1, $2)', [1000, 'on the new timeline']);

    release();
    await checkpoint;
    const expected = await s.node.contentHash();
    const { timeline } = await s.node.status();
    // a crash now: the stored control record keeps the promotion, and recovery has every row
    const reopened = await c.open('standby-again', { nodeId: 'standby', storage: held.inner, failover: 'manual' });
    expect((await reopened.node.status()).timeline).toBe(timeline);
    expect(await reopened.node.contentHash()).toBe(expected);
  });

  it('a CHECKPOINT asked for while one is being written waits for one that covers its own commits', async () => {
    c = memoryCluster();
    const held = holdingStorage();
    const p = await c.open('primary', { storage: held.storage, maxWalSize: 1 << 30, maxSlotWalKeepSize: 4096 });
    await p.node.exec(`create table t(id int primary key, v text); insert into t values (-1, 'first')`);
    const { reached, release } = held.arm();
    const first = p.node.checkpoint();
    await reached;
    await p.node.query(`select pg_create_physical_replication_slot('away', true)`);
    for (let i = 0; i < 50; i++) await p.node.query('insert into t values ($1, $2)', [i, 'x'.repeat(200)]);
    // PostgreSQL's CHECKPOINT waits for a checkpoint that started after it was asked for
    const second = p.node.checkpoint();
    release();
    await Promise.all([first, second]);
    expect((await p.node.query(`select wal_status from pg_replication_slots where slot_name = 'away'`)).rows).toEqual([{ wal_status: 'lost' }]);
  });
});
