// An authenticated but malicious peer: everything it can make a node allocate or keep is bounded
// by a setting (SECURITY.md, "What a key holder can do").
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type ReplicationMessage } from '../packages/engine/src/replication/protocol.ts';
import { caughtUp, lsnNumber, memoryCluster, until, webrtcCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

/** A raw peer on the cluster's network that speaks the replication protocol directly. */
function rogue(mc: ReturnType<typeof memoryCluster>, id: string) {
  const t = mc.net.transport(id);
  const got: ReplicationMessage[] = [];
  t.on('message', (_from, bytes) => {
    const d = decodeMessage(bytes);
    if (d.ok) got.push(d.msg);
  });
  return { got, send: (to: string, msg: ReplicationMessage) => t.send(to, encodeMessage(msg)), close: () => t.close() };
}

describe('a malicious authenticated peer', () => {
  it('asking for 100 base backups a second is throttled (maxBaseBackupsPerMinute)', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec('create table t(id int primary key)');
    const evil = rogue(mc, 'evil');
    try {
      for (let i = 0; i < 100; i++) await evil.send('primary', { t: 'base_backup', slot: null });
      const errors = () => evil.got.filter((m) => m.t === 'error');
      // each request answered: refused, or a backup started (a newer request from the same peer ends the one before it)
      await until('every request answered', () => errors().length + evil.got.filter((m) => m.t === 'backup_start').length === 100 && evil.got.some((m) => m.t === 'backup_end'));
      expect(evil.got.filter((m) => m.t === 'backup_start')).toHaveLength(6);
      expect(errors()).toHaveLength(94);
      expect(errors()[0]).toEqual({ t: 'error', code: '53400', message: 'base backup requests from "evil" exceed 6 per minute' });
      expect(p.logs.filter((l) => l.includes('exceed 6 per minute'))).toHaveLength(94);
    } finally {
      await evil.close();
    }
  });

  it('cannot create more replication slots than maxReplicationSlots (53400, as PostgreSQL)', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary', { maxReplicationSlots: 3 });
    const lsn = lsnNumber((await p.node.status()).lsn.flush);
    const evil = rogue(mc, 'evil');
    try {
      for (let i = 0; i < 5; i++) await evil.send('primary', { t: 'start_replication', slot: `pin_${i}`, timeline: 1, lsn });
      await until('two refusals', () => evil.got.filter((m) => m.t === 'error').length === 2);
      expect(evil.got.filter((m) => m.t === 'error')).toEqual([
        { t: 'error', code: '53400', message: 'all replication slots are in use' },
        { t: 'error', code: '53400', message: 'all replication slots are in use' },
      ]);
      expect(Number((await p.node.query('select count(*) as n from pg_replication_slots')).rows[0]?.n)).toBe(3);
      await expect(p.node.query(`select pg_create_physical_replication_slot('mine')`)).rejects.toMatchObject({ code: '53400', message: 'all replication slots are in use' });
    } finally {
      await evil.close();
    }
  });

  it('a base backup whose first piece claims 200 MiB allocates only what arrives and is refused as incomplete; the next one succeeds', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec(`create table t(id int primary key, v text); insert into t values (1, 'one')`);
    const send = p.transport.send.bind(p.transport);
    let lied = false;
    p.transport.send = async (to, bytes) => {
      const d = decodeMessage(bytes);
      if (!lied && d.ok && d.msg.t === 'backup_chunk' && d.msg.offset === 0) {
        lied = true;
        const claimed = d.msg.bytes.slice();
        new DataView(claimed.buffer).setUint32(0, 200 * 1024 * 1024, true);
        return send(to, encodeMessage({ ...d.msg, bytes: claimed }));
      }
      return send(to, bytes);
    };
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 1);
    try {
      const s = await mc.open('standby', { role: 'standby' });
      await until('the refusal', () => s.logs.some((l) => l === 'incomplete base backup'));
      await caughtUp(p.node, s.node);
      expect((await s.node.query('select * from t')).rows).toEqual([{ id: 1, v: 'one' }]);
    } finally {
      clearInterval(sample);
    }
    expect(lied).toBe(true);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });

  it('walrtc_peer_stats shows what each peer sent and what was refused', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await p.node.exec('create table t(id int primary key)');
    const s = await c.open('standby', { role: 'standby' });
    await caughtUp(p.node, s.node);
    const rows = (await p.node.query('select * from walrtc_peer_stats')).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ peer: 'standby', connected: true, refused_until: null });
    expect(Number(rows[0]?.messages_received)).toBeGreaterThan(0);
    expect(Number(rows[0]?.bytes_received)).toBeGreaterThan(0);
    expect(Number(rows[0]?.frames_rejected)).toBe(0);
    expect(Number(rows[0]?.disconnects_for_abuse)).toBe(0);
  });
});
