/**
 * The guard that fails a call made on the node from inside its own transaction() (25001) uses
 * Node's AsyncLocalStorage, and while one is enabled Node 20 runs a hook on every promise of the
 * process: a bulk load through transaction() took 1.5× as long, and every statement after it
 * stayed slower. So the guard is opt-in (checkNestedCalls), and when on it is turned off again
 * when transaction() ends. Its own file: a transaction another test leaves open keeps the hooks
 * on, as it should.
 */
import 'fake-indexeddb/auto';
import { executionAsyncId } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { hosts } from './hosts.ts';

/** A promise continuation runs under async id 0 unless a hook (an enabled AsyncLocalStorage) tracks promises. */
const promiseAsyncId = () => Promise.resolve().then(() => executionAsyncId());

describe.each(hosts)('%s', (name, open) => {
  it('by default no promise is hooked, inside a transaction() or after it', async () => {
    const node = await open({ cluster: `guard-off-${process.pid}-${name}`, nodeId: 'n', storage: 'memory', log: () => {} });
    const inside = await node.transaction(async (tx) => {
      await tx.query('select 1');
      return promiseAsyncId();
    });
    expect([inside, await promiseAsyncId()]).toEqual([0, 0]);
  });

  it('with checkNestedCalls, once transaction() ends Node runs no hook on later promises, and the next transaction is guarded again', async () => {
    const node = await open({ cluster: `guard-cost-${process.pid}-${name}`, nodeId: 'n', storage: 'memory', log: () => {}, checkNestedCalls: true });
    expect(await promiseAsyncId()).toBe(0);
    await node.transaction(async (tx) => { await tx.query('select 1'); });
    expect(await promiseAsyncId()).toBe(0);
    await node.transaction(async () => {
      await expect(node.query('select 1')).rejects.toMatchObject({ code: '25001' });
    });
    expect(await promiseAsyncId()).toBe(0);
    await expect(node.transaction(async () => { throw new Error('fn failed'); })).rejects.toThrow('fn failed');
    expect(await promiseAsyncId()).toBe(0);
  });
});
