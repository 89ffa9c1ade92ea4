/**
 * A standby on memory storage keeps its restartpoints' chunks unsealed (the frozen rows of the
 * restartpoint): stopped without close() and reopened on that storage, it starts from them, replays
 * its own WAL after them and catches up, to the primary's content hash.
 */
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, memoryCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

describe('memory storage with unsealed chunks on a standby', () => {
  it('a standby stopped after a restartpoint reopens from it, catches up and matches the primary', async () => {
    c = memoryCluster();
    const p = await c.open('primary');
    await p.node.exec('create table t(id int primary key, v text, n int); create index t_n on t(n)');
    await p.node.query(`insert into t select g, 'row ' || g, g % 13 from generate_series(1, 5000) g`);
    const storage = memoryStorage();
    const s = await c.open('standby', { role: 'standby', storage });
    await caughtUp(p.node, s.node);
    await s.node.checkpoint();
    const atRestartpoint = (await s.node.query('select count(*)::int as c, sum(n)::int as s from t')).rows;

    // changes after the restartpoint: in the standby's WAL only, while the restartpoint's rows stay as they were
    await p.node.query(`update t set v = 'changed', n = n + 100 where id % 3 = 0`);
    await p.node.query('delete from t where id between 1000 and 1999');
    await caughtUp(p.node, s.node);
    // a crash: the standby is cut off and never closed; a second node opens its storage
    await s.transport.close();

    const again = await c.open('standby', { role: 'standby', storage });
    await caughtUp(p.node, again.node);
    expect(await again.node.contentHash()).toBe(await p.node.contentHash());
    for (const sql of ['select count(*)::int as c, sum(n)::int as s from t', `select id, v from t where n = 105 order by id desc limit 5`]) {
      expect((await again.node.query(sql)).rows).toEqual((await p.node.query(sql)).rows);
    }
    // it started from its own restartpoint and WAL, not from a base backup
    expect(again.logs.some((l) => l.includes('base backup'))).toBe(false);
    expect(atRestartpoint).toEqual([{ c: 5000, s: Array.from({ length: 5000 }, (_, i) => (i + 1) % 13).reduce((a, b) => a + b, 0) }]);
  });
});
