import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../packages/engine/src/replication/protocol.ts';
import { caughtUp, lsnNumber, memoryCluster, until, type TestCluster } from '../cluster.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

const LIMIT = 32 * 1024;

describe('transactions larger than the transport carries in one message', () => {
  it('a transaction of 3× the message limit replicates in pieces, and the standby shows it whole', async () => {
    const mc = memoryCluster({ maxMessageSize: LIMIT });
    c = mc;
    const p = await mc.open('p');
    await p.node.exec('create table t(id int primary key, v text)');
    const s = await mc.open('s', { role: 'standby' });
    await caughtUp(p.node, s.node);
    const sizes: number[] = [];
    const send = p.transport.send.bind(p.transport);
    p.transport.send = async (to, bytes) => {
      const d = decodeMessage(bytes);
      if (d.ok && d.msg.t === 'xlog_data') sizes.push(bytes.length);
      return send(to, bytes);
    };
    const seen: number[] = [];
    s.node.live('select count(*)::int as n from t', [], (r) => void seen.push(Number(r.rows[0]!.n)), { schedule: (f) => queueMicrotask(f) });
    const before = (await p.node.status()).lsn.flush;
    await p.node.transaction(async (tx) => {
      for (let i = 0; i < 300; i++) await tx.query('insert into t values ($1, $2)', [i, 'x'.repeat(300)]);
    });
    const after = (await p.node.status()).lsn.flush;
    expect(lsnNumber(after) - lsnNumber(before)).toBeGreaterThan(3 * LIMIT);
    await caughtUp(p.node, s.node);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMIT);
    expect((await s.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 300 }]);
    expect(seen.every((n) => n === 0 || n === 300)).toBe(true);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a standby whose WAL cannot be sent hears why and reconnects, instead of reporting streaming forever', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('p');
    await p.node.exec('create table t(id int primary key)');
    const s = await mc.open('s', { role: 'standby' });
    await caughtUp(p.node, s.node);
    const send = p.transport.send.bind(p.transport);
    let failures = 1;
    p.transport.send = async (to, bytes) => {
      const d = decodeMessage(bytes);
      if (failures > 0 && d.ok && d.msg.t === 'xlog_data') {
        failures--;
        throw new Error('simulated send failure');
      }
      return send(to, bytes);
    };
    await p.node.query('insert into t values (1)');
    await until('the standby to hear of it', () => s.logs.some((l) => l.includes('could not send WAL to "s": simulated send failure')));
    await caughtUp(p.node, s.node);
    expect((await s.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
  });
});
