/**
 * An autocommit write's answer is carried up as one Committing (wal/committing.ts): the statement,
 * backend and client add steps to it, and the client's promise is the only one the engine makes for
 * the statement. What must not change with it: a commit is reported once its WAL is flushed and
 * shown, a failed flush is reported with its SQLSTATE and leaves nothing visible (set_config of the
 * statement undone too), statements of the session keep their order, and exec's await of the same
 * answer (attached after the flush) still gets it.
 */
import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { Storage, WalChunk } from '../src/storage/storage.ts';

const nodes: Node[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close().catch(() => {});
});

/** Memory storage (synchronous appends) whose WAL writes throw while `failing.on`. */
function failable(): { storage: Storage; failing: { on: boolean } } {
  const inner = memoryStorage();
  const failing = { on: false };
  const now = (chunks: readonly WalChunk[]): void => {
    if (failing.on) throw new Error('disk full');
    (inner.appendWal as unknown as { now: (c: readonly WalChunk[]) => void }).now(chunks);
  };
  const appendWal = Object.assign(async (chunks: readonly WalChunk[]) => now(chunks), { now });
  return { storage: { ...inner, appendWal }, failing };
}

async function node(storage: Storage | 'memory' = 'memory'): Promise<Node> {
  const n = await openNode({ cluster: `committing-${process.pid}-${Math.random()}`, nodeId: 'n', storage, log: () => {} });
  nodes.push(n);
  await n.exec('CREATE TABLE p (id int PRIMARY KEY, n int)');
  return n;
}

/** Promises created while `fn` runs (async_hooks), per call of `fn`. */
async function promisesPer(calls: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let count = 0;
  const hook = createHook({ init: (_id, type) => { if (type === 'PROMISE') count++; } });
  hook.enable();
  try {
    for (let i = 0; i < calls; i++) await fn(i);
  } finally {
    hook.disable();
  }
  return count / calls;
}

describe('an autocommit write answers through one promise', () => {
  it('a point INSERT and UPDATE on a memory node make as many promises as awaiting one bare promise does', async () => {
    const n = await node();
    for (let i = 0; i < 20; i++) await n.query('INSERT INTO p (id, n) VALUES ($1, $2)', [-1 - i, i]);
    // what the hooks count for the caller's own await of one promise (the promise and await's own)
    const bare = await promisesPer(200, () => new Promise((r) => queueMicrotask(() => r(undefined))));
    const insert = await promisesPer(200, (i) => n.query('INSERT INTO p (id, n) VALUES ($1, $2)', [i, i]));
    const update = await promisesPer(200, (i) => n.query('UPDATE p SET n = $1 WHERE id = $2', [i + 1, i]));
    expect({ insert: Math.round(insert), update: Math.round(update) }).toEqual({ insert: Math.round(bare), update: Math.round(bare) });
    expect((await n.query('SELECT count(*)::int AS c, sum(n)::int AS s FROM p WHERE id >= 0')).rows).toEqual([{ c: 200, s: 200 * 201 / 2 }]);
  });

  it('is reported after it is shown: a read queued right behind the write sees it, and calls keep their order', async () => {
    const n = await node();
    const calls = [];
    for (let i = 0; i < 50; i++) {
      calls.push(n.query('INSERT INTO p (id, n) VALUES ($1, $2)', [i, i]));
      calls.push(n.query('SELECT count(*)::int AS c FROM p'));
    }
    const results = await Promise.all(calls);
    expect(results.filter((_, i) => i % 2 === 1).map((r) => (r.rows[0] as { c: number }).c)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // exec awaits the same answer after the flush has happened
    const [r] = await n.exec('UPDATE p SET n = n + 1 WHERE id = 3');
    expect(r!.affectedRows).toBe(1);
  });

  it('a flush that fails at once is reported with XX001; the row is not visible and the statement\'s set_config is undone', async () => {
    const { storage, failing } = failable();
    const n = await node(storage);
    await n.query("INSERT INTO p (id, n) SELECT 1, 1 WHERE set_config('my.mark', 'kept', false) = 'kept'");
    failing.on = true;
    await expect(n.query("INSERT INTO p (id, n) SELECT 2, 2 WHERE set_config('my.mark', 'lost', false) = 'lost'")).rejects.toMatchObject({ code: 'XX001', message: expect.stringMatching(/^could not write to WAL: disk full/) });
    await expect(n.query('UPDATE p SET n = 5 WHERE id = 1')).rejects.toMatchObject({ code: '25006' });
    expect((await n.query("SELECT id, n, current_setting('my.mark') AS mark FROM p")).rows).toEqual([{ id: 1, n: 1, mark: 'kept' }]);
  });
});
