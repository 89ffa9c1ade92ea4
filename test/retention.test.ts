import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryArchive, type Node } from '@walrtc/engine';
import { caughtUp, until, webrtcCluster, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

const ROW = 'x'.repeat(200);

async function write(node: Node, rows: number): Promise<void> {
  for (let i = 0; i < rows; i++) await node.query('insert into t(v) values ($1)', [ROW]);
  await node.checkpoint();
}

/** A primary with a standby streaming from it (standby in IndexedDB, so it can be closed and reopened). */
/**
 * A standby that comes back retries its upstream with a backoff capped at 5 s (receiver.ts); on a
 * loaded machine the WebRTC mesh takes several attempts to form, so these waits allow a few of them.
 */
const RECONNECT_MS = 30_000;

async function pair(primaryOptions: Parameters<TestCluster['open']>[1], standbyOptions: Parameters<TestCluster['open']>[1] = {}) {
  const p = await c.open('primary', { maxWalSize: 8 * 1024, ...primaryOptions });
  await p.node.exec('create table t(id serial primary key, v text)');
  const options = { role: 'standby' as const, storage: 'indexeddb' as const, ...standbyOptions };
  const s = await c.open('standby', options);
  await caughtUp(p.node, s.node);
  return { p, s, reopen: async (old: TestNode) => { await c.close(old); return () => c.open('standby', options); } };
}

async function identical(p: TestNode, s: TestNode): Promise<void> {
  await caughtUp(p.node, s.node);
  expect(await s.node.contentHash()).toBe(await p.node.contentHash());
}

describe('WAL retention: wal_keep_size, replication slots, max_slot_wal_keep_size', { timeout: 90_000 }, () => {
  it('without a slot or wal_keep_size, a standby that was away gets "requested WAL segment … has already been removed" and takes a new base backup', async () => {
    c = webrtcCluster();
    const { p, s, reopen } = await pair({}, { primarySlotName: null });
    const again = await reopen(s);
    await write(p.node, 200);
    const s2 = await again();
    await until('the removed-WAL error', () => s2.logs.some((l) => /requested WAL segment [0-9A-F]{24} has already been removed/.test(l)), RECONNECT_MS);
    await until('a new base backup', () => s2.logs.some((l) => l.includes('base backup received')), RECONNECT_MS);
    await identical(p, s2);
  });

  it('wal_keep_size keeps recent WAL for a standby without a slot', async () => {
    c = webrtcCluster();
    const { p, s, reopen } = await pair({ walKeepSize: 1024 * 1024 }, { primarySlotName: null });
    const again = await reopen(s);
    await write(p.node, 200);
    const s2 = await again();
    await identical(p, s2);
    expect(s2.logs.some((l) => l.includes('base backup'))).toBe(false);
  });

  it('a replication slot keeps the WAL a disconnected standby needs, and persists across a primary restart', async () => {
    c = webrtcCluster();
    const { p, s, reopen } = await pair({ storage: 'indexeddb', maxSlotWalKeepSize: -1 });
    const again = await reopen(s);
    await write(p.node, 200);
    const slot = (await p.node.query('select slot_name, slot_type, active, restart_lsn, wal_status from pg_replication_slots')).rows;
    expect(slot).toMatchObject([{ slot_name: 'standby', slot_type: 'physical', active: false, wal_status: 'extended' }]);

    await c.close(p);
    const p2 = await c.open('primary', { storage: 'indexeddb', maxWalSize: 8 * 1024, maxSlotWalKeepSize: -1 });
    expect((await p2.node.query('select slot_name, restart_lsn from pg_replication_slots')).rows).toEqual([{ slot_name: 'standby', restart_lsn: slot[0]!.restart_lsn }]);
    await write(p2.node, 50);
    const s2 = await again();
    await identical(p2, s2);
    expect(s2.logs.some((l) => l.includes('base backup'))).toBe(false);
    await until('the slot to be active', async () => (await p2.node.query('select active from pg_replication_slots')).rows[0]?.active === true);
  });

  it("past max_slot_wal_keep_size the slot is 'lost'; the standby restores from the archive and ends identical", async () => {
    c = webrtcCluster();
    const archive = memoryArchive();
    const { p, s, reopen } = await pair({ maxSlotWalKeepSize: 16 * 1024, archive, archiveKeepSize: -1 }, { archive });
    const again = await reopen(s);
    await write(p.node, 300);
    expect((await p.node.query('select wal_status, restart_lsn, safe_wal_size from pg_replication_slots')).rows).toEqual([{ wal_status: 'lost', restart_lsn: null, safe_wal_size: null }]);
    expect(p.logs.some((l) => l.startsWith('invalidating obsolete replication slot "standby"'))).toBe(true);
    const s2 = await again();
    await until('the removed-WAL error', () => s2.logs.some((l) => /requested WAL segment [0-9A-F]{24} has already been removed/.test(l)), RECONNECT_MS);
    await until('restore from the archive', () => s2.logs.some((l) => l.startsWith('restored WAL from the archive')), RECONNECT_MS);
    await identical(p, s2);
    expect(s2.logs.some((l) => l.includes('base backup received'))).toBe(false);
  });

  it('without an archive, a standby whose slot was lost takes a fresh base backup; with autoBaseBackup off it stops and says why', async () => {
    c = webrtcCluster();
    const { p, s, reopen } = await pair({ maxSlotWalKeepSize: 16 * 1024 });
    const again = await reopen(s);
    await write(p.node, 300);
    const s2 = await again();
    await until('a new base backup', () => s2.logs.some((l) => l.includes('base backup received')), RECONNECT_MS);
    await identical(p, s2);

    const manual = await c.open('manual', { role: 'standby', storage: 'indexeddb', autoBaseBackup: false });
    await caughtUp(p.node, manual.node);
    await c.close(manual);
    await write(p.node, 300);
    const m2 = await c.open('manual', { role: 'standby', storage: 'indexeddb', autoBaseBackup: false });
    await until('the standby to give up', async () => (await m2.node.status()).receiver?.status === 'error', RECONNECT_MS);
    expect(m2.logs.some((l) => l.includes('autoBaseBackup is off'))).toBe(true);
  });

  it('pg_create_physical_replication_slot and pg_drop_replication_slot, with PostgreSQL errors', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    expect((await p.node.query(`select pg_create_physical_replication_slot('spare') as s`)).rows).toEqual([{ s: 'spare' }]);
    expect((await p.node.query(`select slot_name, active, restart_lsn, wal_status from pg_replication_slots`)).rows)
      .toEqual([{ slot_name: 'spare', active: false, restart_lsn: null, wal_status: null }]);
    await p.node.query(`select pg_create_physical_replication_slot('reserved', true)`);
    expect((await p.node.query(`select wal_status from pg_replication_slots where slot_name = 'reserved'`)).rows).toEqual([{ wal_status: 'reserved' }]);
    await expect(p.node.query(`select pg_create_physical_replication_slot('spare')`)).rejects.toMatchObject({ code: '42710', message: 'replication slot "spare" already exists' });
    await expect(p.node.query(`select pg_create_physical_replication_slot('Bad-Name')`)).rejects.toMatchObject({ code: '42602', message: 'replication slot name "Bad-Name" contains invalid character' });
    await p.node.query(`select pg_drop_replication_slot('spare')`);
    await expect(p.node.query(`select pg_drop_replication_slot('spare')`)).rejects.toMatchObject({ code: '42704', message: 'replication slot "spare" does not exist' });
  });
});
