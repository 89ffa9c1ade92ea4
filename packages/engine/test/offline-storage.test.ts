/**
 * The offline-write queue's storage (Storage.pending) in memory and IndexedDB, the IndexedDB
 * schema upgrade that adds it, and validation of the offline protocol messages.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { openNode } from '../src/index.ts';
import { decodeMessage, encodeMessage, OFFLINE_LIMITS, PROTOCOL_VERSION } from '../src/replication/protocol.ts';
import { databaseName, indexedDbStorage } from '../src/storage/indexeddb.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { PendingStore } from '../src/storage/storage.ts';
import { Packr } from 'msgpackr';

let n = 0;
const unique = (p: string) => `${p}-${process.pid}-${++n}`;
const entry = (seq: number) => ({ seq, queuedAt: 1_700_000_000_000 + seq, statements: [{ sql: `insert into t values (${seq})`, params: new Uint8Array([0x90]) }] });

for (const [kind, make] of [['memory', async () => memoryStorage()], ['indexeddb', async () => indexedDbStorage(unique('pending'), 'n1')]] as const) {
  describe(`pending store (${kind})`, () => {
    it('keeps entries in seq order, replaces one on put, and never lowers lastSeq when entries are removed', async () => {
      const storage = await make();
      const store = storage.pending as PendingStore;
      expect(await store.load()).toEqual({ entries: [], lastSeq: 0 });
      for (const s of [1, 2, 3]) await store.put(entry(s));
      await store.put({ ...entry(2), failed: { code: '23505', message: 'duplicate key' } });
      await store.remove([1, 3]);
      const { entries, lastSeq } = await store.load();
      expect(lastSeq).toBe(3);
      expect(entries).toEqual([{ ...entry(2), failed: { code: '23505', message: 'duplicate key' } }]);
      await storage.close();
    });
  });
}

it('an IndexedDB database of schema 2 is upgraded in place: the pending store is added and the node opens with its data', async () => {
  const cluster = unique('pending-v2');
  const v2 = await openDB(databaseName(cluster, 'n1'), 2, {
    upgrade(d) {
      d.createObjectStore('meta');
      d.createObjectStore('wal', { keyPath: 'lsn' });
      d.createObjectStore('chunks');
    },
  });
  v2.close();
  const first = await openNode({ cluster, nodeId: 'n1', storage: await indexedDbStorage(cluster, 'n1'), log: () => {} });
  await first.exec('create table t(a int); insert into t values (1)');
  await first.close();
  const storage = await indexedDbStorage(cluster, 'n1');
  await storage.pending!.put(entry(7));
  expect((await storage.pending!.load()).lastSeq).toBe(7);
  const node = await openNode({ cluster, nodeId: 'n1', storage, log: () => {} });
  expect((await node.query('select a from t')).rows).toEqual([{ a: 1 }]);
  await node.close();
});

describe('offline protocol messages', () => {
  const raw = (msg: unknown) => {
    const body = new Packr({ useRecords: false, moreTypes: false }).pack(msg);
    const out = new Uint8Array(body.length + 1);
    out[0] = PROTOCOL_VERSION;
    out.set(body, 1);
    return out;
  };
  const xact = { seq: 1, queuedAt: 1, statements: [{ sql: 'insert into t values (1)', params: null }] };

  it('a well-formed batch and verdict round-trip', () => {
    const m = { t: 'offline_xacts' as const, origin: 'a', xacts: [xact] };
    expect(decodeMessage(encodeMessage(m))).toEqual({ ok: true, msg: m });
    const v = { t: 'offline_verdicts' as const, origin: 'a', verdicts: [{ seq: 1, outcome: 'rejected' as const, lsn: 40, code: '23505', message: 'duplicate' }] };
    expect(decodeMessage(encodeMessage(v))).toEqual({ ok: true, msg: v });
  });

  it.each([
    ['a seq that is not a positive integer', { t: 'offline_xacts', origin: 'a', xacts: [{ ...xact, seq: 0 }] }, 'xacts'],
    ['a transaction without statements', { t: 'offline_xacts', origin: 'a', xacts: [{ ...xact, statements: [] }] }, 'xacts'],
    ['a statement longer than the limit', { t: 'offline_xacts', origin: 'a', xacts: [{ ...xact, statements: [{ sql: 'x'.repeat(OFFLINE_LIMITS.sqlBytes + 1), params: null }] }] }, 'xacts'],
    ['parameters that are not bytes', { t: 'offline_xacts', origin: 'a', xacts: [{ ...xact, statements: [{ sql: 'select 1', params: [1] }] }] }, 'xacts'],
    ['too many transactions', { t: 'offline_xacts', origin: 'a', xacts: Array.from({ length: OFFLINE_LIMITS.xacts + 1 }, () => xact) }, 'xacts'],
    ['an unknown outcome', { t: 'offline_verdicts', origin: 'a', verdicts: [{ seq: 1, outcome: 'maybe', lsn: 1 }] }, 'verdicts'],
    ['a missing origin', { t: 'offline_verdicts', verdicts: [] }, 'origin'],
  ])('rejects %s', (_what, msg, field) => {
    expect(decodeMessage(raw(msg))).toEqual({ ok: false, reason: `invalid field "${field}" in ${msg.t} message` });
  });
});
