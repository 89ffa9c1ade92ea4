/**
 * Offline writes under faults: duplicated and reordered deliveries (seeded), a primary killed while
 * a batch is in flight with a new one elected, and a reload of the origin with transactions queued
 * in IndexedDB. In every case no transaction is applied twice, none is lost, and each origin's
 * order is kept.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Storage } from '@walrtc/engine';
import { memoryStorage } from '../../packages/engine/src/storage/memory.ts';
import { allMembers, caughtUp, memoryCluster, primaryOf, until, type TestCluster, type TestNode } from '../cluster.ts';
import { prng } from '../prng.ts';
import { chaos, converged, drained } from './support.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

/** The primary's log, in the order it applied the transactions, and what it recorded for `origin`. */
async function applied(p: Node, origin: string) {
  const ks = (await p.query<{ k: number }>('select k from log order by n')).rows.map((r) => r.k);
  const recorded = (await p.query<{ seq: number; outcome: string }>('select seq, outcome from walrtc_applied_xacts where origin = $1 order by seq', [origin])).rows;
  return { ks, recorded };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('offline writes under faults', () => {
  it('duplicated, reordered and lost offline messages: each transaction applied once, in order (30 seeded runs)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = prng(seed);
      const mc = memoryCluster();
      c = mc;
      const wrap = chaos(random, { duplicate: 0.4, reorder: 0.4, drop: 0.15 });
      const p = await mc.open('primary', {}, wrap);
      await p.node.exec('create table log(n serial primary key, k int not null)');
      const s = await mc.open('standby', { role: 'standby', offlineWrites: true, keepaliveMs: 20 }, wrap);
      await caughtUp(p.node, s.node);
      for (const i of range(20)) {
        // some while cut off, some while connected: the queue is sent in batches of varying size
        if (i === 1 || i === 11) mc.net.partition(['standby'], ['primary']);
        if (i === 6 || i === 16) mc.net.heal();
        await s.node.query('insert into log(k) values ($1)', [i]);
      }
      mc.net.heal();
      await drained(s.node, 20_000).catch((e: Error) => { throw new Error(`seed ${seed}: ${e.message}`); });
      const { ks, recorded } = await applied(p.node, 'standby');
      expect([seed, ks]).toEqual([seed, range(20)]);
      expect([seed, recorded]).toEqual([seed, range(20).map((seq) => ({ seq, outcome: 'applied' }))]);
      await converged(p.node, s.node);
      await mc.closeAll();
      c = undefined;
    }
  }, 120_000);

  it('the primary is killed while a batch is in flight and another is elected, with duplicated and reordered messages: nothing applied twice, nothing lost, order kept (5 seeded runs)', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const random = prng(100 + seed);
      const mc = memoryCluster();
      c = mc;
      const AUTO = { role: 'auto' as const, failoverTimeout: 300, keepaliveMs: 50, offlineWrites: true };
      const wrap = chaos(random, { duplicate: 0.3, reorder: 0.3 });
      const nodes = await Promise.all(['n1', 'n2', 'n3'].map((id) => mc.open(id, AUTO, wrap)));
      const primary = await primaryOf(nodes);
      await primary.node.exec('create table log(n serial primary key, k int not null)');
      const standbys = nodes.filter((n) => n !== primary);
      // members, not only streaming (a join waits while a stalled primary's lease has lapsed), and
      // the joins replayed by the standbys that will elect the next primary
      await allMembers(nodes);
      for (const n of standbys) await caughtUp(primary.node, n.node);
      const [origin, other] = standbys as [TestNode, TestNode];
      mc.net.partition([origin.node.nodeId], [primary.node.nodeId, other.node.nodeId]);
      for (const i of range(300)) await origin.node.query('insert into log(k) values ($1)', [i]);
      mc.net.heal();
      // mid-batch: some applied on the old primary, the rest not yet
      const killAt = 20 + Math.floor(random() * 200);
      await until('the primary to apply part of the queue', async () => {
        const [row] = (await primary.node.query<{ n: number }>(`select count(*)::int as n from log`)).rows;
        return row!.n >= killAt;
      });
      mc.net.kill(primary.node.nodeId);
      const next = await primaryOf(standbys, 10_000);
      await drained(origin.node).catch((e: Error) => { throw new Error(`seed ${seed}: ${e.message}`); });
      const { ks, recorded } = await applied(next.node, origin.node.nodeId);
      expect([seed, ks]).toEqual([seed, range(300)]);
      expect([seed, recorded]).toEqual([seed, range(300).map((seq) => ({ seq, outcome: 'applied' }))]);
      for (const n of standbys) if (n !== next) await converged(next.node, n.node);
      await mc.closeAll();
      c = undefined;
    }
  }, 120_000);

  it('the call returns only once the transaction is stored: a crash right after keeps it, a failed store queues nothing', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec('create table log(n serial primary key, k int not null)');
    const inner = memoryStorage();
    let failing = false;
    const storage: Storage = {
      ...inner,
      pending: {
        load: () => inner.pending!.load(),
        put: async (e) => {
          if (failing) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return inner.pending!.put(e);
        },
        remove: (seqs) => inner.pending!.remove(seqs),
      },
    };
    const opts = { role: 'standby' as const, offlineWrites: true, storage };
    const crashed = await mc.open('origin', opts);
    await caughtUp(p.node, crashed.node);
    mc.net.partition(['origin'], ['primary']);
    await crashed.node.query('insert into log(k) values (1)');
    failing = true;
    await expect(crashed.node.query('insert into log(k) values (2)')).rejects.toMatchObject({ code: '58030', message: 'could not queue the offline transaction: The quota has been exceeded.' });
    expect((await crashed.node.query<{ k: number }>('select k from log')).rows).toEqual([{ k: 1 }]);
    failing = false;
    // the process dies without close(): a new node opens the same storage (and takes over the id on the network)
    const s = await mc.open('origin', opts);
    mc.net.heal();
    await drained(s.node);
    expect((await applied(p.node, 'origin')).ks).toEqual([1]);
    await crashed.node.close().catch(() => {});
  }, 60_000);

  it('a transaction too large for one message is rejected (54000) without holding up the ones after it', async () => {
    const mc = memoryCluster({ maxMessageSize: 64 * 1024 });
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec('create table doc(id int primary key, body text not null)');
    const s = await mc.open('standby', { role: 'standby', offlineWrites: true });
    await caughtUp(p.node, s.node);
    mc.net.partition(['standby'], ['primary']);
    const big = await s.node.query('insert into doc values (1, $1)', ['x'.repeat(100_000)]);
    const small = await s.node.query(`insert into doc values (2, 'fits')`);
    mc.net.heal();
    expect(await big.pending!.verdict!).toMatchObject({ status: 'rejected', code: '54000', message: expect.stringMatching(/^offline transaction of 1\d{5} bytes is too large to forward$/) });
    expect(await small.pending!.verdict!).toMatchObject({ status: 'applied', seq: 2 });
    expect((await p.node.query('select id from doc')).rows).toEqual([{ id: 2 }]);
  });

  it('a reload of the origin keeps its queued transactions (IndexedDB), shows them again and sends them once', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec('create table log(n serial primary key, k int not null)');
    const opts = { role: 'standby' as const, offlineWrites: true, storage: 'indexeddb' as const };
    let s = await mc.open('reloaded', opts);
    await caughtUp(p.node, s.node);
    await s.node.query('insert into log(k) values (1)');
    await drained(s.node);
    mc.net.partition(['reloaded'], ['primary']);
    for (const i of [2, 3, 4]) await s.node.query('insert into log(k) values ($1)', [i]);
    await mc.close(s);
    s = await mc.open('reloaded', opts);
    await s.node.offline!.settled();
    expect((await s.node.query<{ seq: number; state: string }>('select seq, state from walrtc_pending order by seq')).rows)
      .toEqual([{ seq: 2, state: 'queued' }, { seq: 3, state: 'queued' }, { seq: 4, state: 'queued' }]);
    expect((await s.node.query<{ k: number }>('select k from log order by k')).rows.map((r) => r.k)).toEqual([1, 2, 3, 4]);
    // a new transaction after the reload continues the sequence
    const r = await s.node.query('insert into log(k) values (5)');
    expect(r.pending?.seq).toBe(5);
    mc.net.heal();
    expect(await r.pending!.verdict!).toMatchObject({ status: 'applied', seq: 5 });
    await drained(s.node);
    const { ks, recorded } = await applied(p.node, 'reloaded');
    expect(ks).toEqual([1, 2, 3, 4, 5]);
    expect(recorded.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
  }, 60_000);
});
