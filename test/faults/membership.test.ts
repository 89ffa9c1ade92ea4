/**
 * Membership, terms and a lapsed lease, both found when a loaded CI machine stalled the process
 * running every node: a standby that starts streaming while the primary cannot write (its lease ran
 * out) still becomes a voting member once the lease holds again; and a primary whose standby stood
 * for election while it was stalled steps down rather than stay fenced beside a standby that can
 * never win, so the two elect one of them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeOptions } from '@walrtc/engine';
import type { Transport } from '@walrtc/transport';
import { decodeMessage } from '../../packages/engine/src/replication/protocol.ts';
import { caughtUp, memoryCluster, primaryOf, until, type TestNode } from '../cluster.ts';
import { silenceable } from './faults.ts';

type Cluster = ReturnType<typeof memoryCluster>;
let c: Cluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

/** A standby whose answers to the primary's lease pings are lost while `drop` is on; everything else flows. */
function losingPongs(): { wrap: (t: Transport) => Transport; drop: (on: boolean) => void } {
  let dropping = false;
  const isPong = (bytes: Uint8Array) => {
    const d = decodeMessage(bytes);
    return d.ok && d.msg.t === 'pong';
  };
  const wrap = (t: Transport): Transport => new Proxy(t, {
    get(target, prop) {
      if (prop === 'send') return async (to: string, bytes: Uint8Array) => (dropping && isPong(bytes) ? undefined : target.send(to, bytes));
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { wrap, drop: (on) => void (dropping = on) };
}

describe('membership while the lease has lapsed', () => {
  it('a standby that started streaming while the primary was fenced becomes a voting member once the lease holds: the primary\'s loss elects another', async () => {
    const mc = memoryCluster();
    c = mc;
    const o: Partial<NodeOptions> = { failover: 'auto', failoverTimeout: 1000, keepaliveMs: 50 };
    const n1 = await mc.open('n1', { ...o, role: 'primary' });
    const pongs = losingPongs();
    const n2 = await mc.open('n2', { ...o, role: 'auto' }, pongs.wrap);
    await until('n2 streaming', async () => (await n1.node.status()).replication.some((s) => s.applicationName === 'n2' && s.state === 'streaming'));
    await until('the primary to accept writes', () => n1.node.exec('create table t(id int primary key)').then(() => true, () => false));
    await until('n2 to join', () => n1.logs.includes('member "n2" joined the cluster'));

    // n2 still streams and hears the primary (so it stands for nothing), but the lease counts only its pongs
    pongs.drop(true);
    await until('the primary to fence itself', () => n1.logs.some((l) => l.startsWith('fenced: this primary can reach only 1 of 2 cluster members')));
    const n3 = await mc.open('n3', { ...o, role: 'auto' });
    await until('n3 streaming', async () => (await n1.node.status()).replication.some((s) => s.applicationName === 'n3' && s.state === 'streaming'));
    pongs.drop(false);
    await until('the lease back', () => n1.logs.includes('a majority is reachable again: accepting writes'));
    await until('n3 to join', () => n1.logs.includes('member "n3" joined the cluster'));
    await n1.node.query('insert into t values (1)');
    // no synchronous standby is named: the commit survives the primary's loss once the standbys have it
    // (ARCHITECTURE.md, "Commits and failover"); an acknowledgement alone does not wait for them
    await caughtUp(n1.node, n2.node);
    await caughtUp(n1.node, n3.node);

    mc.net.kill('n1');
    const elected: TestNode = await primaryOf([n2, n3], 15_000);
    await until('a write on the new primary', () => elected.node.query('insert into t values (2)').then(() => true, () => false));
    expect((await elected.node.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  }, 60_000);
});

describe('a primary that stalled past the failover timeout', () => {
  it('its standby stood for election meanwhile and failed: once they hear each other again one of them accepts writes', async () => {
    const mc = memoryCluster();
    c = mc;
    const o: Partial<NodeOptions> = { failover: 'auto', failoverTimeout: 1000, keepaliveMs: 50 };
    const frozen = silenceable();
    const n1 = await mc.open('n1', { ...o, role: 'primary' }, frozen.wrap);
    const n2 = await mc.open('n2', { ...o, role: 'auto' });
    await until('the primary to accept writes', () => n1.node.exec('create table t(id int primary key)').then(() => true, () => false));
    await until('n2 to join', () => n1.logs.includes('member "n2" joined the cluster'));

    // the primary's tab is frozen: its standby, hearing nothing, stands in a newer term it cannot win alone
    frozen.silence(true);
    await until('n2 to stand', () => n2.logs.some((l) => l.includes('standing for election')));
    await until('the primary to fence itself', () => n1.logs.some((l) => l.startsWith('fenced:')));
    frozen.silence(false);
    const writable = await until('a primary that accepts a write', async () => {
      for (const n of [n1, n2]) if (await n.node.query('insert into t values (1) on conflict do nothing').then(() => true, () => false)) return n;
      return undefined;
    }, 20_000);
    expect((await writable.node.query('select id from t')).rows).toEqual([{ id: 1 }]);
  }, 60_000);
});
