/**
 * Tables kept as their sealed checkpoint or base-backup chunks until first needed
 * (checkpoint/encoded-table.ts): a reopened node and a base-backup standby hold their rows
 * encoded, and everything done to such a table — reads, WAL redo, DDL, a checkpoint, a base backup
 * sent from it, a crash, a promotion — answers as a node that decoded it at once. The background
 * builder is off here, so the tables stay encoded until something touches them; every answer is
 * compared with a node that never reopened.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import type { Manifest } from '../packages/engine/src/checkpoint/format.ts';
import { IndexBuilds } from '../packages/engine/src/state/index-builds.ts';
import type { DbState, TableData } from '../packages/engine/src/state/state.ts';
import { seal, stampEnvelope, unseal } from '../packages/engine/src/storage/envelope.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import type { Storage } from '../packages/engine/src/storage/storage.ts';
import { crc32c } from '../packages/engine/src/wal/crc32.ts';
import { baseBackupStandby, caughtUp, memoryCluster, until, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster | undefined;
const open: Node[] = [];
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
  for (const n of open.splice(0)) await n.close().catch(() => {});
});
beforeAll(() => void (IndexBuilds.inBackground = false));
afterAll(() => void (IndexBuilds.inBackground = true));

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;
const stateOf = (node: Node): DbState => (node as unknown as { core: { db: { state: DbState } } }).core.db.state;
const table = (node: Node, name = 't'): TableData => {
  const s = stateOf(node);
  return s.table(s.tableNames.get(name)!);
};
const encoded = (node: Node, name = 't') => table(node, name).stillEncoded !== undefined;
const rows = async (node: Node, sql: string) => (await node.query(sql)).rows;

const SCHEMA = `create table t(id int primary key, n int, s text); create index t_n on t(n); create unique index t_s on t(s);
  create table u(k text primary key, v int)`;
const FILL = [
  `insert into t select g, g % 97, 'row ' || g from generate_series(1, 6000) g`,
  `insert into u select 'k' || g, g from generate_series(1, 3000) g`,
];
const QUERIES = [
  'select count(*)::int as c from t',
  'select min(n) as lo, max(n) as hi, min(id) as a, max(id) as b from t',
  'select id, n from t where n = 7 order by id limit 5',
  `select id from t where s = 'row 17'`,
  `select v from u where k = 'k42'`,
  'select count(*)::int as c from u',
];

async function answers(node: Node): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const sql of QUERIES) out.push(await rows(node, sql));
  return out;
}

/** The chunk keys the stored checkpoint's manifest names. */
async function manifestKeys(storage: Storage): Promise<string[]> {
  const m = unseal<Manifest>((await storage.readCheckpoint())!.bytes, 'checkpoint');
  return m.tables.flatMap((t) => t.chunks.map((ch) => ch.key)).sort();
}

/** A node filled and closed (close checkpoints), on a storage that keeps chunks sealed as IndexedDB does (or in the heap), beside one that never reopened. */
async function filled(sealed = true): Promise<{ storage: Storage; cluster: string; eager: Node; reopen: () => Promise<Node> }> {
  const storage = memoryStorage({ deferChunks: !sealed });
  const cluster = unique('encoded');
  const first = await openNode({ cluster, nodeId: 'n1', storage, log: () => {} });
  const eager = await openNode({ cluster: unique('eager'), nodeId: 'n1', storage: memoryStorage(), log: () => {} });
  open.push(eager);
  for (const n of [first, eager]) {
    await n.exec(SCHEMA);
    for (const sql of FILL) await n.query(sql);
  }
  await first.close();
  const reopen = async () => {
    const n = await openNode({ cluster, nodeId: 'n1', storage, log: () => {} });
    open.push(n);
    return n;
  };
  return { storage, cluster, eager, reopen };
}

describe('a reopened node whose tables are still encoded', () => {
  it('answers EXPLAIN, count(*), min/max and lookups as a node that never reopened, decoding each table once', async () => {
    for (const sealed of [true, false]) {
      const { eager, reopen } = await filled(sealed);
      const node = await reopen();
      expect([encoded(node, 't'), encoded(node, 'u')]).toEqual([true, true]);
      const explain = await rows(node, 'explain select id from t where n = 7');
      expect(explain).toEqual(await rows(eager, 'explain select id from t where n = 7'));
      expect(await answers(node)).toEqual(await answers(eager));
      expect([encoded(node, 't'), encoded(node, 'u')]).toEqual([false, false]);
      expect(await node.contentHash()).toBe(await eager.contentHash());
    }
  });

  it('checkpoints without rewriting or losing its encoded chunks, and a crash after recovers the same content', async () => {
    for (const sealed of [true, false]) {
      const { storage, eager, reopen } = await filled(sealed);
      const before = await manifestKeys(storage);
      const node = await reopen();
      await node.checkpoint();
      expect(encoded(node, 't')).toBe(true);
      // nothing changed: the manifest names the very chunks it named
      expect(await manifestKeys(storage)).toEqual(before);
      // a write to u only: t is still encoded and keeps its chunks; u's changed chunk is written anew
      await node.query(`update u set v = -1 where k = 'k7'`);
      await eager.query(`update u set v = -1 where k = 'k7'`);
      await node.checkpoint();
      expect([encoded(node, 't'), encoded(node, 'u')]).toEqual([true, false]);
      const after = await manifestKeys(storage);
      expect(after.filter((k) => !before.includes(k))).toHaveLength(1);
      // a crash: a second node on the same storage while the first is never closed
      const again = await reopen();
      expect(await answers(again)).toEqual(await answers(eager));
      expect(await again.contentHash()).toBe(await eager.contentHash());
    }
  });

  it('redoes the WAL after its checkpoint into a table not decoded yet when it opens after a crash, decoding first only a table that WAL writes thousands of times', async () => {
    const { eager, reopen } = await filled();
    const node = await reopen();
    await node.checkpoint();
    for (const n of [node, eager]) {
      await n.query(`update t set n = n + 1000 where id % 5 = 0`);
      await n.query('delete from t where id between 100 and 300');
      await n.query(`insert into t values (7000, 7, 'new row')`);
    }
    // crashed with the writes in the WAL only: the next open replays them onto t's log, decoding nothing
    const again = await reopen();
    expect([encoded(again, 't'), encoded(again, 'u')]).toEqual([true, true]);
    expect(table(again, 't').encodedAsLoaded).toBeUndefined();
    expect(await answers(again)).toEqual(await answers(eager));
    expect(await again.contentHash()).toBe(await eager.contentHash());
    // thousands of writes to u in the WAL: u is decoded (in slices) before they are replayed
    for (const n of [again, eager]) await n.query(`insert into u select 'z' || g, g from generate_series(1, 5000) g`);
    const third = await reopen();
    expect([encoded(third, 't'), encoded(third, 'u')]).toEqual([true, false]);
    expect(await answers(third)).toEqual(await answers(eager));
    expect(await third.contentHash()).toBe(await eager.contentHash());
  });

  it("keeps a transaction's writes to a table still encoded its own: rolled back they are gone, committed they show once", async () => {
    const { eager, reopen } = await filled();
    for (const n of [await reopen(), eager]) {
      await n.exec('create table w(a int, b text)');
      await n.query(`insert into w select g, 'w' || g from generate_series(1, 5000) g`);
      await n.checkpoint();
    }
    const node = await reopen();
    expect(encoded(node, 'w')).toBe(true);
    await node.exec(`begin; insert into w values (-1, 'gone'); delete from w where a <= 10; rollback`);
    await node.exec(`begin; insert into w values (-2, 'kept'); update w set b = 'x' where a = 20`);
    await node.exec('commit');
    await eager.exec(`insert into w values (-2, 'kept'); update w set b = 'x' where a = 20`);
    const q = `select count(*)::int as c, min(a) as lo, count(*) filter (where b = 'x')::int as x from w`;
    expect(await rows(node, q)).toEqual(await rows(eager, q));
    expect(await node.contentHash()).toBe(await eager.contentHash());
  });

  it('takes DDL before its first read as a node that never reopened does', async () => {
    const statements = [
      'alter table t add column z int default 5',
      'alter table t rename column s to label',
      'alter table t rename to t2',
      'alter table t alter column n type bigint',
      'create index t_id_n on t(id, n)',
      'drop index t_n',
      'truncate t',
      'drop table t',
    ];
    for (const sql of statements) {
      const { eager, reopen } = await filled();
      const node = await reopen();
      expect(encoded(node, 't')).toBe(true);
      await node.exec(sql);
      await eager.exec(sql);
      expect({ sql, hash: await node.contentHash() }).toEqual({ sql, hash: await eager.contentHash() });
      if (!sql.startsWith('drop table') && !sql.includes('rename to')) {
        const q = `select count(*)::int as c, min(id) as lo, max(id) as hi from t`;
        expect({ sql, rows: await rows(node, q) }).toEqual({ sql, rows: await rows(eager, q) });
      }
      // checkpointed with the DDL, then crashed: the next open has the same content
      await node.checkpoint();
      const again = await reopen();
      expect({ sql, hash: await again.contentHash() }).toEqual({ sql, hash: await eager.contentHash() });
    }
  });

  it('refuses a damaged stored chunk when it opens (its CRC), not at the first read; a sound envelope around malformed rows fails every read of that table alike', async () => {
    const { storage, reopen } = await filled();
    const m = unseal<Manifest>((await storage.readCheckpoint())!.bytes, 'checkpoint');
    const ref = m.tables.find((t) => t.def.name === 't')!.chunks[1]!;
    const [good] = await storage.chunks!.get([ref.key]);
    const damaged = good!.slice();
    damaged[damaged.length - 3]! ^= 0x20;
    await storage.chunks!.put([{ key: ref.key, bytes: damaged }]);
    await expect(reopen()).rejects.toMatchObject({ code: 'XX001', message: 'invalid checkpoint chunk: incorrect checksum' });
    // sealed correctly, but ids outside the chunk's own range: only decoding can tell
    await storage.chunks!.put([{ key: ref.key, bytes: seal({ ids: Array.from({ length: ref.rows }, (_, i) => i + 1), rows: Array.from({ length: ref.rows }, () => [1, 1, 'x']) }) }]);
    const node = await reopen();
    expect(await rows(node, `select v from u where k = 'k5'`)).toEqual([{ v: 5 }]);
    for (let i = 0; i < 2; i++) await expect(node.query('select count(*) from t')).rejects.toMatchObject({ code: 'XX001', message: 'invalid checkpoint chunk: chunk 1 of table "t" is malformed' });
    // a body that is not msgpack at all under a sound CRC: the same error, not the decoder's
    const garbage = seal(null);
    garbage.fill(0xc1, 12);
    stampEnvelope(garbage, crc32c(garbage, 12));
    await storage.chunks!.put([{ key: ref.key, bytes: garbage }]);
    const third = await reopen();
    await expect(third.query('select count(*) from t')).rejects.toMatchObject({ code: 'XX001', message: 'invalid checkpoint chunk: chunk 1 of table "t" is malformed' });
  });
});

/** A primary of a new memory cluster, filled and checkpointed: what a base backup sends. */
async function checkpointedPrimary(): Promise<{ cluster: TestCluster; p: TestNode }> {
  const cluster = (c = memoryCluster());
  const p = await cluster.open('primary', { role: 'primary' });
  await p.node.exec(SCHEMA);
  for (const sql of FILL) await p.node.query(sql);
  await p.node.checkpoint();
  return { cluster, p };
}

describe('a base-backup standby whose tables are still encoded', () => {
  it('installs without decoding, replays WAL into them without decoding either, and answers as the primary', async () => {
    const { cluster, p } = await checkpointedPrimary();
    const s = await baseBackupStandby(cluster, p, 'fresh');
    expect([encoded(s.node, 't'), encoded(s.node, 'u')]).toEqual([true, true]);
    await p.node.query(`update t set n = n + 1000 where id % 5 = 0`);
    await p.node.query('delete from t where id between 100 and 300');
    await caughtUp(p.node, s.node);
    // the redo decoded nothing: its writes wait on t's log until something reads t
    expect([encoded(s.node, 't'), encoded(s.node, 'u')]).toEqual([true, true]);
    expect(table(s.node, 't').encodedAsLoaded).toBeUndefined();
    // a checkpoint (restartpoint) now writes t from its rows, u as it came
    await s.node.checkpoint();
    expect([encoded(s.node, 't'), encoded(s.node, 'u')]).toEqual([false, true]);
    expect(await answers(s.node)).toEqual(await answers(p.node));
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a standby on its own storage crashes with its tables still encoded and reloads the same content', async () => {
    const { cluster, p } = await checkpointedPrimary();
    const storage = memoryStorage({ deferChunks: false });
    const s = await cluster.open('fresh', { role: 'standby', storage });
    await until('the base backup', async () => (await s.node.status()).systemId === p.node.systemId);
    await caughtUp(p.node, s.node);
    expect(encoded(s.node, 't')).toBe(true);
    const crashed = await openNode({ cluster: cluster.name, nodeId: 'fresh', storage, log: () => {} });
    open.push(crashed);
    expect(encoded(crashed, 't')).toBe(true);
    expect(await crashed.contentHash()).toBe(await p.node.contentHash());
  });

  it('a standby promoted before it decoded anything refuses a duplicate and takes writes', async () => {
    const { cluster, p } = await checkpointedPrimary();
    const s = await baseBackupStandby(cluster, p, 'fresh');
    expect(encoded(s.node, 't')).toBe(true);
    await cluster.close(p);
    await s.node.promote();
    await expect(s.node.query(`insert into t values (9000, 1, 'row 17')`)).rejects.toMatchObject({ code: '23505' });
    await s.node.query(`insert into t values (9001, 1, 'row 9001')`);
    expect(await rows(s.node, 'select count(*)::int as c from t')).toEqual([{ c: 6001 }]);
  });

  it('a base backup sent from a node whose tables are still encoded sends them as they are, and the standby ends with its content', async () => {
    const cluster = (c = memoryCluster());
    const storage = memoryStorage({ deferChunks: false });
    const first = await cluster.open('primary', { role: 'primary', storage });
    await first.node.exec(SCHEMA);
    for (const sql of FILL) await first.node.query(sql);
    await cluster.close(first);
    const p = await cluster.open('primary', { role: 'primary', storage });
    expect(encoded(p.node, 't')).toBe(true);
    const s = await baseBackupStandby(cluster, p, 'fresh');
    // sending it decoded nothing on the primary
    expect([encoded(p.node, 't'), encoded(p.node, 'u')]).toEqual([true, true]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await p.node.query(`insert into t values (9001, 1, 'row 9001')`);
    await caughtUp(p.node, s.node);
    expect(await answers(s.node)).toEqual(await answers(p.node));
  });
});
