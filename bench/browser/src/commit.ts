/**
 * Durable commits on IndexedDB: walrtc (in the page and in its module worker, synchronousCommit
 * 'on'), PGlite on `idb://`, and raw `idb` (one put per readwrite transaction, awaited; with the
 * transaction's default durability and with durability 'strict'). Every run uses fresh
 * databases, deleted afterwards.
 */
import { PGlite } from '@electric-sql/pglite';
import { openNode } from '@walrtc/engine';
import { openWorkerNode } from '@walrtc/engine/worker';
import { openDB } from 'idb';
import type { CommitKind, Throughput } from './api.ts';

const NAME = 'x'.repeat(50);
const CREATE = 'create table t (id int primary key, name text, n int)';
const INSERT = 'insert into t values ($1, $2, $3)';

interface Committer {
  commit(i: number): Promise<unknown>;
  close(): Promise<void>;
}

async function open(kind: CommitKind, tag: string): Promise<Committer> {
  const quiet = () => {};
  switch (kind) {
    case 'walrtc-page': {
      const node = await openNode({ cluster: tag, nodeId: 'bench', storage: 'indexeddb', synchronousCommit: 'on', log: quiet });
      await node.query(CREATE);
      return { commit: (i) => node.query(INSERT, [i, NAME, i]), close: () => node.close() };
    }
    case 'walrtc-worker': {
      const node = await openWorkerNode({ cluster: tag, nodeId: 'bench', storage: 'indexeddb', synchronousCommit: 'on', log: quiet });
      await node.query(CREATE);
      return { commit: (i) => node.query(INSERT, [i, NAME, i]), close: () => node.close() };
    }
    case 'pglite': {
      const db = await PGlite.create(`idb://${tag}`);
      await db.query(CREATE);
      return { commit: (i) => db.query(INSERT, [i, NAME, i]), close: () => db.close() };
    }
    case 'idb':
    case 'idb-strict': {
      const db = await openDB(tag, 1, { upgrade: (d) => void d.createObjectStore('t') });
      const durability: IDBTransactionDurability = kind === 'idb' ? 'default' : 'strict';
      return {
        async commit(i) {
          const tx = db.transaction('t', 'readwrite', { durability });
          void tx.store.put({ id: i, name: NAME, n: i }, i);
          await tx.done;
        },
        close: async () => db.close(),
      };
    }
  }
}

/** Delete every IndexedDB database whose name contains `tag` (walrtc and PGlite name theirs after it). */
async function drop(tag: string): Promise<void> {
  for (const { name } of await indexedDB.databases()) {
    if (!name?.includes(tag)) continue;
    await new Promise<void>((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
  }
}

async function withCommitter<T>(kind: CommitKind, body: (c: Committer) => Promise<T>): Promise<T> {
  const tag = `bench-${kind}-${crypto.randomUUID().slice(0, 8)}`;
  const c = await open(kind, tag);
  try {
    return await body(c);
  } finally {
    await c.close().catch(() => {});
    await drop(tag);
  }
}

export function latency(kind: CommitKind, commits: number, warmup: number): Promise<number[]> {
  return withCommitter(kind, async (c) => {
    for (let i = 0; i < warmup; i++) await c.commit(i);
    const ms: number[] = [];
    for (let i = warmup; i < warmup + commits; i++) {
      const t0 = performance.now();
      await c.commit(i);
      ms.push(performance.now() - t0);
    }
    return ms;
  });
}

export function throughput(kind: CommitKind, commits: number, concurrency: number): Promise<Throughput> {
  return withCommitter(kind, async (c) => {
    for (let i = 0; i < 50; i++) await c.commit(-1 - i);
    let next = 0;
    const loop = async () => {
      while (next < commits) await c.commit(next++);
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, loop));
    return { commits, ms: performance.now() - t0 };
  });
}
