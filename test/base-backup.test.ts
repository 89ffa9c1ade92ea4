import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { decodeMessage, encodeMessage } from '../packages/engine/src/replication/protocol.ts';
import { caughtUp, memoryCluster, until, webrtcCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

async function accounts(node: Node, n: number): Promise<void> {
  await node.exec('create table account(id int primary key, balance int not null)');
  await node.transaction(async (tx) => {
    for (let i = 0; i < n; i++) await tx.query('insert into account values ($1, 100)', [i]);
  });
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
    expect(backup[backup.length - 1]!.done).toBe(backup[0]!.total);
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
    const send = p.transport.send.bind(p.transport);
    let damaged = false;
    p.transport.send = async (to, bytes) => {
      const d = decodeMessage(bytes);
      if (!damaged && d.ok && d.msg.t === 'backup_chunk' && d.msg.offset === 0) {
        damaged = true;
        const flipped = d.msg.bytes.slice();
        flipped[100]! ^= 0x40;
        return send(to, encodeMessage({ ...d.msg, bytes: flipped }));
      }
      return send(to, bytes);
    };
    const s = await mc.open('fresh', { role: 'standby' });
    await until('the refusal', () => s.logs.some((l) => l === 'invalid base backup: incorrect checksum'));
    await until('the second base backup', async () => (await s.node.status()).systemId === p.node.systemId);
    await caughtUp(p.node, s.node);
    expect(damaged).toBe(true);
    expect((await s.node.query('select count(*)::int as n, sum(balance)::int as total from account')).rows).toEqual([{ n: 5_000, total: 500_000 }]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });
});
