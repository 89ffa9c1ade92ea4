import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { decodeMessage, encodeMessage, type SenderMessage } from '../packages/engine/src/replication/protocol.ts';
import { concat } from '../packages/engine/src/wal/codec.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { caughtUp, memoryCluster, until, webrtcCluster, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

async function accounts(node: Node, n: number): Promise<void> {
  await node.exec('create table account(id int primary key, balance int not null)');
  await node.transaction(async (tx) => {
    for (let i = 0; i < n; i++) await tx.query('insert into account values ($1, 100)', [i]);
  });
}

type BackupMessage = Extract<SenderMessage, { t: 'backup_chunk' | 'backup_end' }>;

/** Route the primary's backup_chunk and backup_end messages through `hook`, which forwards what it wants with `forward`. */
function interceptBackup(p: TestNode, hook: (msg: BackupMessage, forward: (m: BackupMessage) => Promise<void>) => Promise<void>): void {
  const send = p.transport.send.bind(p.transport);
  p.transport.send = async (to, bytes) => {
    const d = decodeMessage(bytes);
    if (!d.ok || (d.msg.t !== 'backup_chunk' && d.msg.t !== 'backup_end')) return send(to, bytes);
    const original = d.msg;
    return hook(original, (m) => send(to, m === original ? bytes : encodeMessage(m)));
  };
  // a transport that frames parts gets the backup's chunks that way: through the hook too
  if (p.transport.sendParts) p.transport.sendParts = (to, parts) => p.transport.send(to, concat(parts));
}

/** The standby holds the primary's system id, has caught up and has the same content. */
async function tookBackup(p: TestNode, s: TestNode): Promise<void> {
  await until('the base backup', async () => (await s.node.status()).systemId === p.node.systemId);
  await caughtUp(p.node, s.node);
  expect(await s.node.contentHash()).toBe(await p.node.contentHash());
}

describe('base backup (pg_basebackup)', () => {
  it('a new standby with empty storage receives a chunked base backup with progress, then streams', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await accounts(p.node, 20_000);
    const progress: { phase: string; done: number; total: number }[] = [];
    const s = await c.open('fresh', { role: 'standby', onProgress: (e) => progress.push(e) });
    await until('the base backup', async () => (await s.node.status()).systemId === p.node.systemId);
    await caughtUp(p.node, s.node);
    const backup = progress.filter((e) => e.phase === 'backup');
    expect(backup.length).toBeGreaterThan(2);
    // the size is an estimate while the pieces stream (as PostgreSQL's backup_total), exact at the end
    expect(backup[backup.length - 1]!.done).toBe(backup[backup.length - 1]!.total);
    expect(backup.every((e) => e.done <= e.total || e.total === 0)).toBe(true);
    expect(backup.map((e) => e.done)).toEqual([...backup.map((e) => e.done)].sort((a, b) => a - b));
    expect((await s.node.query('select count(*)::int as n, sum(balance)::int as total from account')).rows).toEqual([{ n: 20_000, total: 2_000_000 }]);

    await p.node.query('update account set balance = balance + 1 where id = 7');
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select balance from account where id = 7')).rows).toEqual([{ balance: 101 }]);
    expect(s.logs.some((l) => /base backup received: consistent at [0-9A-F]+\/[0-9A-F]+/.test(l))).toBe(true);
  });

  it('a base backup taken while the primary keeps writing is consistent', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await accounts(p.node, 2_000);
    let writing = true;
    let transfers = 0;
    const writer = (async () => {
      while (writing) {
        const from = transfers % 2000;
        const to = (transfers * 7 + 1) % 2000;
        await p.node.transaction(async (tx) => {
          await tx.query('update account set balance = balance - 1 where id = $1', [from]);
          await tx.query('update account set balance = balance + 1 where id = $1', [to]);
        });
        transfers++;
        // memory storage flushes in microtasks: let the network and timers run between transfers
        await new Promise((r) => setImmediate(r));
      }
    })();
    const s = await c.open('fresh', { role: 'standby' });
    const sums = new Set<number>();
    await until('the standby to have data and see transfers', async () => {
      if ((await s.node.status()).systemId !== p.node.systemId) return false;
      sums.add((await s.node.query<{ total: number }>('select sum(balance)::int as total from account')).rows[0]!.total);
      return transfers > 50;
    });
    writing = false;
    await writer;
    await caughtUp(p.node, s.node);
    sums.add((await s.node.query<{ total: number }>('select sum(balance)::int as total from account')).rows[0]!.total);
    expect([...sums]).toEqual([200_000]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it("pg_stat_replication shows the standby in state 'backup' while a base backup streams over a slow link", async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await accounts(p.node, 30_000);
    mc.net.delay(30);
    const s = await mc.open('fresh', { role: 'standby' });
    const states = new Set<string>();
    await until('the standby to stream', async () => {
      for (const r of (await p.node.query<{ state: string }>('select state from pg_stat_replication')).rows) states.add(r.state);
      return states.has('streaming');
    }, 20_000);
    expect(states.has('backup')).toBe(true);
    mc.net.delay(0);
    await caughtUp(p.node, s.node);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a base backup damaged on the way is refused by its checksum and taken again', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await accounts(p.node, 5_000);
    let damaged = false;
    interceptBackup(p, async (m, forward) => {
      if (damaged || m.t !== 'backup_chunk' || m.offset !== 0) return forward(m);
      damaged = true;
      const flipped = m.bytes.slice();
      flipped[100]! ^= 0x40;
      return forward({ ...m, bytes: flipped });
    });
    const s = await mc.open('fresh', { role: 'standby' });
    await until('the refusal', () => s.logs.some((l) => l === 'invalid base backup: incorrect checksum'));
    await tookBackup(p, s);
    expect(damaged).toBe(true);
    expect((await s.node.query('select count(*)::int as n, sum(balance)::int as total from account')).rows).toEqual([{ n: 5_000, total: 500_000 }]);
  });

  it("the primary's commits complete while a streamed backup is in flight, and reach the standby after it", async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await accounts(p.node, 20_000);
    // hold the stream after its second piece: the backup is in flight, neither done nor abandoned
    let chunks = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    interceptBackup(p, async (m, forward) => {
      if (++chunks > 2) await held;
      return forward(m);
    });
    const s = await c.open('fresh', { role: 'standby' });
    await until('the backup in flight', () => chunks > 2);
    for (let i = 0; i < 20; i++) await p.node.query('update account set balance = balance + 1 where id = $1', [i]);
    await p.node.query('insert into account values (20000, 7)');
    expect((await s.node.status()).systemId).toBeNull();
    release();
    await tookBackup(p, s);
    expect((await s.node.query('select count(*)::int as n, sum(balance)::int as total from account')).rows).toEqual([{ n: 20_001, total: 2_000_027 }]);
  });

  it('a piece damaged in the middle of the stream is refused as soon as it lands, before the stream ends, and the backup taken again', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await accounts(p.node, 20_000);
    let chunks = 0;
    let refused = false;
    interceptBackup(p, async (m, forward) => {
      if (refused || ++chunks < 3) return forward(m);
      if (chunks === 3 && m.t === 'backup_chunk') {
        const flipped = m.bytes.slice();
        flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
        return forward({ ...m, bytes: flipped });
      }
      // the rest of the first stream waits for the standby's verdict on what it has, then is dropped
      await until('the refusal', () => refused);
    });
    const s = await mc.open('fresh', { role: 'standby' });
    await until('the refusal', () => s.logs.some((l) => l === 'invalid base backup: incorrect checksum'));
    expect((await s.node.status()).systemId).toBeNull();
    refused = true;
    await tookBackup(p, s);
    expect((await s.node.query('select count(*)::int as n, sum(balance)::int as total from account')).rows).toEqual([{ n: 20_000, total: 2_000_000 }]);
  });

  it('a sender that goes away in the middle of the stream leaves nothing installed; the backup is taken again when it is back', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await accounts(p.node, 20_000);
    let chunks = 0;
    interceptBackup(p, async (m, forward) => {
      await forward(m);
      // the primary is cut off from the standby with the stream half sent
      if (++chunks === 3) mc.net.partition(['primary'], ['fresh']);
    });
    const s = await mc.open('fresh', { role: 'standby' });
    await until('the upstream gone', () => s.logs.some((l) => l === 'replication terminated by upstream "primary"'));
    expect((await s.node.status()).systemId).toBeNull();
    await expect(s.node.query('select count(*) from account')).rejects.toMatchObject({ code: '42P01' });
    mc.net.heal();
    await tookBackup(p, s);
    expect((await s.node.query('select count(*)::int as n from account')).rows).toEqual([{ n: 20_000 }]);
  });

  for (const deferChunks of [true, false]) {
    it(`a standby that crashes right after installing a base backup reopens from it, with no second backup (chunks ${deferChunks ? 'kept as rows' : 'stored sealed'})`, async () => {
      const mc = memoryCluster();
      c = mc;
      const p = await mc.open('primary');
      await accounts(p.node, 10_000);
      await p.node.exec('create index on account(balance)');
      const storage = memoryStorage({ deferChunks });
      const s = await mc.open('fresh', { role: 'standby', storage });
      await until('the base backup', async () => (await s.node.status()).systemId === p.node.systemId);
      // a crash: the standby is cut off and never closed, so no checkpoint of its own replaces the backup's
      await s.transport.close();
      await p.node.query('update account set balance = 1 where id < 10');
      const again = await mc.open('fresh', { role: 'standby', storage });
      await caughtUp(p.node, again.node);
      expect(again.logs.some((l) => l.includes('base backup'))).toBe(false);
      expect((await again.node.query('select count(*)::int as n, sum(balance)::int as total from account where balance < 100')).rows).toEqual([{ n: 10, total: 10 }]);
      expect(await again.node.contentHash()).toBe(await p.node.contentHash());
    });
  }
});
