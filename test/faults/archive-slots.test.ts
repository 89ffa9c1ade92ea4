import { afterEach, describe, expect, it } from 'vitest';
import { memoryArchive, type NodeOptions } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestCluster } from '../cluster.ts';
import { faultyStorage, prng } from './faults.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

const ids = async (n: { node: { query: (s: string) => Promise<{ rows: Record<string, unknown>[] }> } }) =>
  (await n.node.query('select id from t order by id')).rows.map((r) => Number(r.id));

describe('the archive is timeline-aware', () => {
  it('a standby restoring from the archive after two failovers gets only its timeline history\'s WAL, never a diverged primary\'s', async () => {
    const mc = memoryCluster();
    c = mc;
    const archive = memoryArchive();
    const o: Partial<NodeOptions> = { archive, primarySlotName: null, synchronousCommit: 'local' };
    const a = await mc.open('a', o);
    await a.node.exec('create table t(id int primary key)');
    const b = await mc.open('b', { ...o, role: 'standby' });
    const cc = await mc.open('c', { ...o, role: 'standby', upstream: 'b' });
    const dStorage = faultyStorage(prng(5), 0);
    const d = await mc.open('d', { ...o, role: 'standby', upstream: 'a', storage: dStorage });
    for (let i = 1; i <= 3; i++) await a.node.query('insert into t values ($1)', [i]);
    for (const s of [b, d]) await caughtUp(a.node, s.node);
    await caughtUp(a.node, cc.node);
    // d goes away; a is cut off and keeps writing (archived on timeline 1, past the coming fork)
    mc.net.partition(['d'], ['a', 'b', 'c']);
    mc.net.partition(['a'], ['b', 'c']);
    await a.node.query('insert into t values (666)');
    // failover 1: b (timeline 2); failover 2: c (timeline 3)
    await b.node.promote();
    await b.node.query('insert into t values (4)');
    await caughtUp(b.node, cc.node);
    await mc.close(b);
    await cc.node.promote();
    await cc.node.query('insert into t values (5)');
    // c keeps no WAL from before its checkpoint: d will have to restore from the archive
    await cc.node.checkpoint();
    expect((await cc.node.status()).timeline).toBe(3);
    await mc.close(d);
    await mc.close(a);
    mc.net.heal();
    const d2 = await mc.open('d', { ...o, role: 'standby', upstream: 'c', storage: dStorage });
    await until('d to restore from the archive', () => d2.logs.some((l) => l.startsWith('restored WAL from the archive')), 5_000);
    await caughtUp(cc.node, d2.node);
    expect(await ids(d2)).toEqual([1, 2, 3, 4, 5]);
    expect(await d2.node.contentHash()).toBe(await cc.node.contentHash());
  });

  it('archived WAL is pruned after checkpoints (archive_cleanup_command), keeping archiveKeepSize', async () => {
    const mc = memoryCluster();
    c = mc;
    const archive = memoryArchive();
    const p = await mc.open('p', { archive, archiveKeepSize: 0, primarySlotName: null });
    await p.node.exec('create table t(id int primary key, v text)');
    for (let i = 0; i < 20; i++) await p.node.query('insert into t values ($1, $2)', [i, 'x'.repeat(1000)]);
    expect((await archive.read(1, 0, Infinity)).length).toBeGreaterThan(10);
    await p.node.checkpoint();
    await until('the archive to be pruned', async () => (await archive.read(1, 0, Infinity)).length === 0);
  });
});

describe('replication slots', () => {
  it('an active slot refuses a second standby (55006) and the first keeps streaming', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('p');
    await p.node.exec('create table t(id int primary key)');
    const s1 = await mc.open('s1', { role: 'standby', primarySlotName: 'shared' });
    await caughtUp(p.node, s1.node);
    const s2 = await mc.open('s2', { role: 'standby', primarySlotName: 'shared' });
    await until('s2 to be refused', () => s2.logs.some((l) => l.includes('ERROR:  replication slot "shared" is active for node "s1"')));
    await p.node.query('insert into t values (1)');
    await caughtUp(p.node, s1.node);
    expect((await p.node.query('select application_name from pg_stat_replication')).rows).toEqual([{ application_name: 's1' }]);
    expect((await p.node.query('select slot_name, active from pg_replication_slots')).rows).toEqual([{ slot_name: 'shared', active: true }]);
  });

  it('the WAL a slot pins is bounded by default, and the slot of a member that leaves is dropped', async () => {
    const mc = memoryCluster();
    c = mc;
    const auto: Partial<NodeOptions> = { failover: 'auto', failoverTimeout: 400 };
    const p = await mc.open('p', { ...auto, role: 'primary' });
    const s1 = await mc.open('s1', { ...auto, role: 'auto' });
    const s2 = await mc.open('s2', { ...auto, role: 'auto' });
    await until('both streaming', async () => (await p.node.status()).replication.filter((s) => s.state === 'streaming').length === 2);
    const slots = async () => (await p.node.query('select slot_name, safe_wal_size from pg_replication_slots order by 1')).rows;
    await until('both slots', async () => (await slots()).length === 2);
    for (const s of await slots()) expect(typeof s.safe_wal_size).toBe('number');
    await mc.close(s2);
    await until('the slot of s2 to be dropped', async () => JSON.stringify((await slots()).map((s) => s.slot_name)) === '["s1"]');
    expect(p.logs.some((l) => l === 'dropped replication slot "s2" of member "s2", which left')).toBe(true);
    void s1;
  });
});
