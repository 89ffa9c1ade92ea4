/**
 * Opening a node keeps its checkpoint's chunks encoded (checkpoint/encoded-table.ts): it reads and
 * checks them in slices, decodes none, and the background builder decodes them after open in slices
 * that yield to the event loop, so a page opening a large table keeps running its other tasks.
 * Counted by event-loop turns, not by time.
 */
import { describe, expect, it } from 'vitest';
import { openNode, type Node } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { DbState } from '../src/state/state.ts';

const stateOf = (node: Node): DbState => (node as unknown as { core: { db: { state: DbState } } }).core.db.state;

describe('opening a node in slices', () => {
  it('opens a 200,000-row checkpoint without decoding it, decodes it after open while other tasks run, and opens to the same rows', async () => {
    const storage = memoryStorage({ deferChunks: false });
    const options = { cluster: `slices-${process.pid}`, nodeId: 'n1', storage, log: () => {} };
    const first = await openNode(options);
    await first.exec('create table t(id int primary key, v text, n int); create index t_n on t(n)');
    await first.query(`insert into t select g, 'row ' || g, g % 100 from generate_series(1, 200000) g`);
    await first.checkpoint();
    const expected = await first.contentHash();
    await first.close();

    const again = await openNode(options);
    const table = () => { const s = stateOf(again); return s.table(s.tableNames.get('t')!); };
    expect(table().stillEncoded?.size).toBe(200_000);
    let turns = 0;
    const deadline = Date.now() + 60_000;
    while (table().stillEncoded && Date.now() < deadline) {
      turns++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    // a memory storage answers at once: decoded in one go, the event loop would not have turned
    expect(table().stillEncoded).toBeUndefined();
    expect(turns).toBeGreaterThan(1);
    expect(await again.contentHash()).toBe(expected);
    expect((await again.query('select count(*)::int as c from t where n = 7')).rows).toEqual([{ c: 2000 }]);
    await again.close();
  });
});

describe('the primary key built chunk by chunk while opening', () => {
  it('serves lookups and refuses duplicates whether its keys ascend with the row ids or not', async () => {
    const storage = memoryStorage({ deferChunks: false });
    const options = { cluster: `slices-pk-${process.pid}`, nodeId: 'n1', storage, log: () => {} };
    const first = await openNode(options);
    await first.exec(`create table up(id int primary key, v text);
      create table down(id int primary key, v text);
      create table pair(a int, b text, primary key (a, b));
      create table words(w text primary key)`);
    await first.query(`insert into up select g, 'v' || g from generate_series(1, 9000) g`);
    // keys that fall as row ids rise: the chunk-by-chunk build gives up and the key is sorted instead
    await first.query(`insert into down select g, 'v' || g from generate_series(9000, 1, -1) g`);
    await first.query(`insert into pair select g / 3, 'b' || (g % 3) from generate_series(1, 9000) g`);
    await first.query(`insert into words select md5(g::text) from generate_series(1, 5000) g`);
    // one more ascending key after a gap: still ascending
    await first.query(`insert into up values (20000, 'late')`);
    await first.checkpoint();
    const expected = await first.contentHash();
    await first.close();

    const again = await openNode(options);
    expect(await again.contentHash()).toBe(expected);
    for (const [sql, rows] of [
      ['select v from up where id = 4321', [{ v: 'v4321' }]],
      ['select v from up where id = 20000', [{ v: 'late' }]],
      ['select v from down where id = 4321', [{ v: 'v4321' }]],
      [`select a, b from pair where a = 1000 and b = 'b1'`, [{ a: 1000, b: 'b1' }]],
      [`select w from words where w = md5('77')`, [{ w: '28dd2c7955ce926456240b2ff0100bde' }]],
      ['select id from up where id between 8999 and 30000 order by id', [{ id: 8999 }, { id: 9000 }, { id: 20000 }]],
    ] as const) expect({ sql, rows: (await again.query(sql)).rows }).toEqual({ sql, rows });
    for (const sql of [`insert into up values (20000, 'x')`, `insert into down values (1, 'x')`, `insert into pair values (1000, 'b1')`, `insert into words values (md5('77'))`]) {
      await expect(again.query(sql)).rejects.toMatchObject({ code: '23505' });
    }
    await again.close();
  });
});
