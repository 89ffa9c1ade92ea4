/**
 * Opening a node loads its checkpoint in slices (checkpoint/load.ts): between reading, decoding and
 * cutting chunks into leaves it yields to the event loop, so a page opening a large table keeps
 * running its other tasks. Counted by event-loop turns, not by time.
 */
import { describe, expect, it } from 'vitest';
import { openNode } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';

describe('opening a node in slices', () => {
  it('lets other tasks run while it loads a 100,000-row checkpoint, and opens to the same rows', async () => {
    const storage = memoryStorage({ deferChunks: false });
    const options = { cluster: `slices-${process.pid}`, nodeId: 'n1', storage, log: () => {} };
    const first = await openNode(options);
    await first.exec('create table t(id int primary key, v text, n int); create index t_n on t(n)');
    await first.query(`insert into t select g, 'row ' || g, g % 100 from generate_series(1, 100000) g`);
    await first.checkpoint();
    const expected = await first.contentHash();
    await first.close();

    let turns = 0;
    let open = true;
    const tick = () => {
      turns++;
      if (open) setImmediate(tick);
    };
    setImmediate(tick);
    const again = await openNode(options);
    open = false;
    // a memory storage answers at once: without slices, opening would be one task
    expect(turns).toBeGreaterThan(3);
    expect(await again.contentHash()).toBe(expected);
    expect((await again.query('select count(*)::int as c from t where n = 7')).rows).toEqual([{ c: 1000 }]);
    await again.close();
  });
});
