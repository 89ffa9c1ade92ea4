import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeOptions, NodeStatus } from '@walrtc/engine';
import { memoryCluster, until, type TestNode } from '../cluster.ts';

type Cluster = ReturnType<typeof memoryCluster>;
let c: Cluster | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  worker = undefined;
  await c?.closeAll();
  c = undefined;
});

/** Start `nodeId` in a worker thread, wired to the memory network through a transport on this thread. */
async function workerNode(mc: Cluster, nodeId: string, options: Partial<NodeOptions>) {
  const inner = mc.net.transport(nodeId);
  // the worker loads TypeScript through tsx's loader, registered before the node module is imported
  const entry = new URL('./worker-node.ts', import.meta.url).href;
  const w = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
    workerData: { nodeId, options: { ...options, cluster: mc.name }, peers: inner.peers() },
  });
  worker = w;
  const logs: string[] = [];
  const pending = new Map<number, (v: unknown) => void>();
  let next = 0;
  const ready = new Promise<void>((resolve, reject) => {
    w.once('error', reject);
    w.on('message', (m: { kind: string; [k: string]: unknown }) => {
      if (m.kind === 'ready') resolve();
      else if (m.kind === 'log') logs.push(m.m as string);
      else if (m.kind === 'send') inner.send(m.to as string, m.msg as Uint8Array).catch(() => {});
      else if (m.kind === 'reply') pending.get(m.id as number)?.(m.value);
    });
  });
  inner.on('peer', (peer) => w.postMessage({ kind: 'peer', peer }));
  inner.on('peer-left', (peer) => w.postMessage({ kind: 'peer-left', peer }));
  inner.on('message', (from, msg) => w.postMessage({ kind: 'message', from, msg }));
  await ready;
  const call = <T>(kind: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      pending.set(id, resolve as (v: unknown) => void);
      w.postMessage({ kind, id, ...args });
    });
  return {
    logs,
    status: () => call<NodeStatus>('status'),
    exec: (sql: string) => call<{ ok: boolean; code?: string }>('exec', { sql }),
    freezeThenWrite: (ms: number, values: number[]) => call<{ ok: boolean; code?: string; message?: string }[]>('freeze-then-write', { ms, values }),
  };
}

describe('the lease under a frozen event loop', () => {
  it("a primary whose event loop is blocked for 3 s acknowledges no 'local' write when it wakes; a new primary was elected meanwhile", async () => {
    const mc = memoryCluster();
    c = mc;
    const settings: Partial<NodeOptions> = { failover: 'auto', failoverTimeout: 300, keepaliveMs: 50, synchronousCommit: 'local' };
    const p = await workerNode(mc, 'p', { ...settings, role: 'primary' });
    const standbys: TestNode[] = [await mc.open('s1', { ...settings, role: 'auto' }), await mc.open('s2', { ...settings, role: 'auto' })];
    await until('s1 and s2 streaming', async () => (await p.status()).replication.filter((s) => s.state === 'streaming').length === 2, 20_000);
    // voting members, not only streaming: a join waits while the primary's lease has lapsed (a stall
    // under load), and s1 and s2 elect only if they know each other as members — replayed before t
    await until('s1 and s2 to be members', () => ['s1', 's2'].every((id) => p.logs.includes(`member "${id}" joined the cluster`)), 20_000);
    await until('the primary to accept writes', async () => (await p.exec('create table t(id int primary key)')).ok, 20_000);
    await until('t on both standbys', async () => {
      for (const s of standbys) if (!(await s.node.query('select count(*) from t').then(() => true, () => false))) return false;
      return true;
    });

    const outcomes = await p.freezeThenWrite(3000, [1, 2, 3, 4, 5]);
    expect(outcomes.filter((o) => o.ok)).toEqual([]);
    expect(outcomes.every((o) => o.code === '25006' || o.code === '40003')).toBe(true);

    const next = await until('the new primary', async () => {
      for (const s of standbys) if ((await s.node.status()).role === 'primary') return s;
      return undefined;
    });
    expect((await next.node.status()).timeline).toBe(2);
    await until('the old primary to step down', async () => (await p.status()).role === 'standby', 20_000);
    await next.node.query('insert into t values (100)');
    expect((await next.node.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id)).toEqual([100]);
  }, 60_000);
});
