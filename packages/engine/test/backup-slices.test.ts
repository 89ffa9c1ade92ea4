/**
 * Base backups sealed in slices (checkpoint/backup.ts): the same bytes as a whole snapshot sealed at
 * once, taken from the state as it was when asked for, while commits go on during the encoding.
 */
import { describe, expect, it } from 'vitest';
import { sealSnapshotInSlices } from '../src/checkpoint/backup.ts';
import { openNode } from '../src/index.ts';
import { seal, unseal } from '../src/storage/envelope.ts';
import { takeSnapshot, type Snapshot } from '../src/state/snapshot.ts';

const quiet = () => {};

describe('base backups sealed in slices', () => {
  it('give the bytes of the whole snapshot, for tables of every size and every kind of value', async () => {
    const node = await openNode({ cluster: 'backup-slices-bytes', log: quiet });
    await node.exec(`create table empty(a int)`);
    await node.exec(`create table few(id serial primary key, b bigint, n numeric, t text, f float8, ok boolean)`);
    await node.exec(`insert into few(b, n, t, f, ok) values (9007199254740993, 1.50, null, 0.5, true), (null, -0.001, 'x', null, false)`);
    await node.exec(`create table many(id int primary key, v text)`);
    for (let from = 1; from <= 70_000; from += 5000) {
      const values: string[] = [];
      for (let id = from; id < from + 5000; id++) values.push(`(${id}, 'v${id}')`);
      await node.exec(`insert into many values ${values.join(', ')}`);
    }
    await node.exec(`delete from many where id between 3000 and 9000`);
    const state = (node as unknown as { core: { db: { latest(): Parameters<typeof takeSnapshot>[0] } } }).core.db.latest();
    const sliced = await sealSnapshotInSlices(state);
    expect(Buffer.from(sliced).equals(Buffer.from(seal(takeSnapshot(state))))).toBe(true);
    await node.close();
  });

  it('hold the state as it was when asked for while commits made during the encoding complete', async () => {
    const node = await openNode({ cluster: 'backup-slices-commits', log: quiet });
    await node.exec(`create table t(id int primary key, v text)`);
    for (let from = 1; from <= 100_000; from += 5000) {
      const values: string[] = [];
      for (let id = from; id < from + 5000; id++) values.push(`(${id}, 'row ${id}')`);
      await node.exec(`insert into t values ${values.join(', ')}`);
    }
    const state = (node as unknown as { core: { db: { latest(): Parameters<typeof takeSnapshot>[0] } } }).core.db.latest();
    let sealed = false;
    const sealing = sealSnapshotInSlices(state).then((b) => ((sealed = true), b));
    await node.query(`insert into t values (100001, 'during')`);
    await node.query(`update t set v = 'changed' where id = 1`);
    expect(sealed).toBe(false);
    const snap = unseal<Snapshot>(await sealing, 'base backup');
    expect(snap.tables[0]!.ids.length).toBe(100_000);
    expect(snap.tables[0]!.rows[0]).toEqual([1, 'row 1']);
    await node.close();
  });
});
