/**
 * Crash recovery of a node on one kind of durable storage: one suite, run against every Storage
 * that persists (IndexedDB here, the file storage in packages/node). A "crash" is a node that is
 * never closed, its storage reopened by a second node; torn and corrupted WAL is forged through
 * the storage's own operations.
 */
import { describe, expect, it } from 'vitest';
import { openNode, type Node } from '../src/index.ts';
import type { Storage } from '../src/storage/storage.ts';
import { FIRST_LSN } from '../src/wal/lsn.ts';

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

function logs() {
  const lines: string[] = [];
  return { lines, log: (_level: 'log' | 'warning', m: string) => void lines.push(m) };
}

export async function workload(node: Node): Promise<void> {
  await node.exec(`create table test(id serial primary key, comment text, n int check (n >= 0))`);
  await node.exec(`create index test_n on test(n)`);
  for (let i = 0; i < 20; i++) await node.query('insert into test(comment, n) values ($1, $2)', [`row ${i}`, i]);
  await node.query(`update test set comment = comment || '!' where n % 3 = 0`);
  await node.query('delete from test where n > 15');
  await node.exec(`alter table test add add_column1 text default 'x'`);
  await node.transaction(async (tx) => {
    await tx.query('insert into test(comment, n) values ($1, $2)', ['in tx', 100]);
    await tx.query('update test set add_column1 = $1 where id = $2', ['y', 1]);
  });
  await expect(node.transaction(async (tx) => {
    await tx.query('insert into test(comment, n) values ($1, $2)', ['rolled back', 200]);
    throw new Error('abort');
  })).rejects.toThrow('abort');
}

const rowsOf = async (node: Node) => (await node.query('select * from test order by id')).rows;

/** `open(cluster, nodeId)`: that node's storage, the same data each time it is called. */
export function storageCrashSuite(kind: string, open: (cluster: string, nodeId: string) => Promise<Storage>): void {
describe(`crash recovery (${kind})`, () => {
  it('a node dropped without close() reopens with every committed transaction', async () => {
    const cluster = unique('crash');
    const node = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a') });
    await workload(node);
    const before = await rowsOf(node);
    const hash = await node.contentHash();
    // no close(): the next open has only what the WAL made durable
    const reopened = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log: () => {} });
    expect(await rowsOf(reopened)).toEqual(before);
    expect(await reopened.contentHash()).toBe(hash);
    // sequences continue past values handed out before the crash, including the rolled-back one
    const r = await reopened.query<{ id: number }>('insert into test(comment, n) values ($1, $2) returning id', ['after', 1]);
    expect(r.rows[0]!.id).toBeGreaterThan(Math.max(...before.map((x) => x.id as number)) + 1);
    await reopened.close();
  });

  it('close() checkpoints: the WAL before the checkpoint is removed and the state survives', async () => {
    const cluster = unique('ckpt');
    const node = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a') });
    await workload(node);
    const rows = await rowsOf(node);
    await node.close();
    const storage = await open(cluster, 'a');
    const control = (await storage.readControl())!;
    expect(await storage.readWal(0)).toEqual([]);
    expect((await storage.readCheckpoint())!.lsn).toBe(control.checkpointLsn);
    await storage.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a') });
    expect(await rowsOf(reopened)).toEqual(rows);
    await reopened.close();
  });

  it('maxWalSize triggers a checkpoint by WAL volume', async () => {
    const cluster = unique('c');
    const storage = await open(cluster, 'a');
    const node = await openNode({ cluster, nodeId: 'a', storage, maxWalSize: 4096 });
    await node.exec('create table t(id int primary key, v text)');
    for (let i = 0; i < 200; i++) await node.query('insert into t values ($1, $2)', [i, 'x'.repeat(40)]);
    await node.checkpoint();
    const control = (await storage.readControl())!;
    expect(control.checkpointLsn).toBeGreaterThan(FIRST_LSN);
    const wal = await storage.readWal(0);
    expect(wal.every((c) => c.end > control.checkpointLsn)).toBe(true);
    await node.close();
  });

  it('a torn last batch is ignored and new WAL continues cleanly', async () => {
    const cluster = unique('torn');
    const node = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a') });
    await node.exec('create table t(id int primary key)');
    await node.query('insert into t values (1)');
    await node.query('insert into t values (2)');
    const storage = await open(cluster, 'a');
    const chunks = await storage.readWal(0);
    const last = chunks[chunks.length - 1]!;
    // the last transaction's bytes cut short, as if the write stopped half way
    await storage.truncateWal(last.lsn);
    await storage.appendWal([{ lsn: last.lsn, end: last.end - 5, bytes: last.bytes.subarray(0, last.bytes.length - 5) }]);
    await storage.close();

    const { lines, log } = logs();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log });
    expect((await reopened.query('select id from t order by id')).rows).toEqual([{ id: 1 }]);
    expect(lines.some((l) => /invalid record length at [0-9A-F]+\/[0-9A-F]+/.test(l))).toBe(true);
    await reopened.query('insert into t values (3)');
    const again = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log: () => {} });
    expect((await again.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 3 }]);
    await again.close();
  });

  it('a corrupted record stops replay at the last valid record and applies no garbage', async () => {
    const cluster = unique('crc');
    const node = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a') });
    await node.exec('create table t(id int primary key, v text)');
    for (let i = 1; i <= 5; i++) await node.query('insert into t values ($1, $2)', [i, 'value ' + i]);
    const storage = await open(cluster, 'a');
    const chunks = await storage.readWal(0);
    // flip one byte inside the payload of the 4th insert's transaction
    const victim = chunks[chunks.length - 2]!;
    const bytes = new Uint8Array(victim.bytes);
    bytes[bytes.length - 20] ^= 0xff;
    await storage.truncateWal(victim.lsn);
    await storage.appendWal([{ ...victim, bytes }, chunks[chunks.length - 1]!]);
    await storage.close();

    const { lines, log } = logs();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log });
    expect((await reopened.query('select id, v from t order by id')).rows).toEqual([1, 2, 3].map((i) => ({ id: i, v: 'value ' + i })));
    expect(lines.some((l) => /incorrect resource manager data checksum in record at [0-9A-F]+\/[0-9A-F]+/.test(l))).toBe(true);
    await reopened.close();
  });

  it('a WAL record of an unknown format version stops replay', async () => {
    const cluster = unique('walver');
    const node = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a') });
    await node.exec('create table t(id int)');
    await node.query('insert into t values (1)');
    const storage = await open(cluster, 'a');
    const chunks = await storage.readWal(0);
    const last = chunks[chunks.length - 1]!;
    const bytes = new Uint8Array(last.bytes);
    bytes[0] = 7;
    await storage.truncateWal(last.lsn);
    await storage.appendWal([{ ...last, bytes }]);
    await storage.close();
    const { lines, log } = logs();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log });
    expect((await reopened.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    expect(lines.some((l) => l.includes('invalid record format version 7'))).toBe(true);
    await reopened.close();
  });


  it('incremental checkpoints keep their chunks across reopen and reload to the same content', async () => {
    const cluster = unique('chunks');
    const node = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log: () => {} });
    await node.exec('create table t(id int primary key, v text)');
    await node.transaction(async (tx) => {
      for (let i = 0; i < 5000; i++) await tx.query('insert into t values ($1, $2)', [i, `v${i}`]);
    });
    await node.checkpoint();
    await node.query(`update t set v = 'x' where id = 7`);
    await node.checkpoint();
    await node.query(`insert into t values (99999, 'after')`);
    const expected = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: await open(cluster, 'a'), log: () => {} });
    expect(await reopened.contentHash()).toBe(expected);
    expect((await reopened.query('select count(*)::int as n from t')).rows).toEqual([{ n: 5001 }]);
    await reopened.close();
  });
});
}
