/**
 * One suite, two hosts: the same checks against openNode (in-process) and the worker client
 * talking to a NodeHost over a MessageChannel, the way a page talks to its module worker. The
 * real Worker runs in the browser end-to-end test (test/e2e).
 */
import { describe, expect, it } from 'vitest';
import { memoryNetwork } from '@walrtc/transport';
import { SqlError, type QueryResult } from '../src/index.ts';
import type { OpenWorkerNodeOptions } from '../src/worker/index.ts';
import { hosts, inProcess, viaWorker } from './hosts.ts';

let counter = 0;

describe.each(hosts)('%s', (_name, open) => {
  const fresh = () => open({ cluster: `worker-suite-${process.pid}-${++counter}`, nodeId: `n${counter}`, storage: 'memory', log: () => {} });

  it('runs exec and query with parameters', async () => {
    const node = await fresh();
    const created = await node.exec(`create table t(id int primary key, name text not null); insert into t values (1, 'one'), (2, 'two')`);
    expect(created.map((r) => r.command)).toEqual(['CREATE TABLE', 'INSERT']);
    const r = await node.query<{ id: number; name: string }>('select id, name from t where id = $1', [2]);
    expect(r).toMatchObject({ rows: [{ id: 2, name: 'two' }], rowCount: 1, command: 'SELECT' });
    expect(r.fields.map((f) => [f.name, f.type])).toEqual([['id', 'int4'], ['name', 'text']]);
  });

  it('rejects with SqlError carrying SQLSTATE, detail and position', async () => {
    const node = await fresh();
    await node.exec(`create table t(id int primary key)`);
    await node.query('insert into t values (1)');
    const dup = await node.query('insert into t values (1)').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(SqlError);
    expect(dup).toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "t_pkey"', detail: 'Key (id)=(1) already exists.' });
    const syntax = await node.query('select * fro t').catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(SqlError);
    expect(syntax).toMatchObject({ code: '42601', position: 10 });
    await expect(node.query('select * from missing')).rejects.toMatchObject({ code: '42P01', message: 'relation "missing" does not exist' });
  });

  it('commits a transaction, and rolls it back when its body throws', async () => {
    const node = await fresh();
    await node.exec('create table t(id int primary key)');
    const n = await node.transaction(async (tx) => {
      await tx.query('insert into t values ($1)', [1]);
      await tx.exec('insert into t values (2); insert into t values (3)');
      return (await tx.query<{ n: number }>('select count(*)::int as n from t')).rows[0]!.n;
    });
    expect(n).toBe(3);
    const failed = node.transaction(async (tx) => {
      await tx.query('insert into t values (4)');
      await tx.query('insert into t values (1)');
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    await expect(node.transaction(async () => {
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect((await node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 3 }]);
  });

  it('delivers live results and stops after unsubscribe', async () => {
    const node = await fresh();
    await node.exec('create table t(id int)');
    const seen: QueryResult[] = [];
    const stop = node.live('select count(*)::int as n from t', [], (r) => seen.push(r));
    await until(() => seen.length === 1);
    await node.query('insert into t values (1)');
    await until(() => seen.at(-1)?.rows[0]?.n === 1);
    stop();
    await node.query('insert into t values (2)');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.at(-1)!.rows).toEqual([{ n: 1 }]);
  });

  it('reports status, checkpoints, hashes, and refuses calls after close', async () => {
    const node = await fresh();
    await node.exec('create table t(id int); insert into t values (1)');
    expect(await node.status()).toMatchObject({ nodeId: node.nodeId, role: 'primary' });
    await node.checkpoint();
    expect(await node.contentHash()).toMatch(/^[0-9a-f]{64}$/);
    await node.close();
    await expect(async () => node.query('select 1')).rejects.toMatchObject({ code: '57P01' });
  });
});

describe('worker client with a bridged transport', () => {
  it('streams from a primary as a hot standby, refuses writes with 25006, runs live queries, and is promoted', async () => {
    const net = memoryNetwork({ log: () => {} });
    const cluster = `worker-bridge-${process.pid}`;
    const common = { cluster, storage: 'memory' as const, keepaliveMs: 50, log: () => {} };
    const primary = await inProcess({ ...common, nodeId: 'p', transport: net.transport('p') } as OpenWorkerNodeOptions);
    await primary.exec(`create table t(id int primary key); insert into t values (1), (2)`);
    const progress: string[] = [];
    const standby = await viaWorker({ ...common, role: 'standby', transport: net.transport('s'), onProgress: (p) => progress.push(p.phase) });
    expect(standby.nodeId).toBe('s');
    const seen: QueryResult[] = [];
    standby.live('select count(*)::int as n from t', [], (r) => seen.push(r), { onError: () => {} });
    await until(() => seen.at(-1)?.rows[0]?.n === 2);
    await primary.query('insert into t values (3)');
    await until(() => seen.at(-1)?.rows[0]?.n === 3);
    expect(progress).toContain('backup');
    const write = await standby.query('update t set id = id + 10').catch((e: unknown) => e);
    expect(write).toBeInstanceOf(SqlError);
    expect(write).toMatchObject({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' });
    expect(await standby.contentHash()).toBe(await primary.contentHash());

    await primary.close();
    await standby.promote();
    expect(await standby.status()).toMatchObject({ role: 'primary', timeline: 2 });
    await standby.query('insert into t values (4)');
    await until(() => seen.at(-1)?.rows[0]?.n === 4);
  });
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
