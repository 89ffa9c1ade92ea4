/**
 * A standby restores its base backup with indexes built on first use (state/lazy-index.ts): the
 * WAL it replays afterwards is logged on them, its queries answer as the primary's, and once
 * promoted its first write still meets the unique index it has not built yet.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import type { DbState } from '../packages/engine/src/state/state.ts';
import { IndexBuilds } from '../packages/engine/src/state/index-builds.ts';
import { baseBackupStandby, caughtUp, memoryCluster, type TestCluster, type TestNode } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());
// of first use: what replay and reads do to indexes no background build has touched
beforeAll(() => void (IndexBuilds.inBackground = false));
afterAll(() => void (IndexBuilds.inBackground = true));

const stateOf = (node: Node): DbState => (node as unknown as { core: { db: { state: DbState } } }).core.db.state;
const built = (node: Node): Record<string, boolean> => {
  const state = stateOf(node);
  return Object.fromEntries(state.table(state.tableNames.get('t')!).indexes.map((ix) => [ix.def.name, ix.isBuilt]));
};
const QUERIES = [
  'select id, n from t where n = 7 order by id',
  'select id, n from t where n between 40 and 45 order by n desc, id limit 9',
  `select id from t where s = 'row 17'`,
  'select count(*)::int as c, min(n) as lo, max(n) as hi from t',
];

/** A primary of a new cluster holding `rows` rows of t, checkpointed: what a base backup sends. */
async function checkpointedPrimary(rows: number): Promise<TestNode> {
  c = memoryCluster();
  const p = await c.open('primary', { role: 'primary' });
  await p.node.exec('create table t(id int primary key, n int, s text); create index t_n on t(n); create unique index t_s on t(s)');
  await p.node.query(`insert into t select g, g % 97, 'row ' || g from generate_series(1, ${rows}) g`);
  await p.node.checkpoint();
  return p;
}

describe('a standby with indexes built on first use', () => {
  it('replays, answers as the primary, and once promoted refuses a duplicate by its unbuilt unique index (23505)', async () => {
    const p = await checkpointedPrimary(3000);
    const s = await baseBackupStandby(c, p);
    expect(built(s.node)).toEqual({ t_pkey: true, t_n: false, t_s: false });

    // replayed after the base backup: logged on the unbuilt indexes, not applied to a tree yet
    await p.node.query(`update t set n = n + 1000 where id % 5 = 0`);
    await p.node.query('delete from t where id between 100 and 300');
    await p.node.query(`insert into t values (5000, 7, 'new row')`);
    await caughtUp(p.node, s.node);
    expect(built(s.node)).toEqual({ t_pkey: true, t_n: false, t_s: false });
    for (const sql of QUERIES) expect({ sql, rows: (await s.node.query(sql)).rows }).toEqual({ sql, rows: (await p.node.query(sql)).rows });
    expect(built(s.node).t_n).toBe(true);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());

    // a second standby from a base backup, promoted before anything reads its unique index
    await p.node.checkpoint();
    const next = await baseBackupStandby(c, p, 'next');
    expect(built(next.node).t_s).toBe(false);
    await c.close(s);
    await c.close(p);
    await next.node.promote();
    await expect(next.node.query(`insert into t values (6000, 1, 'row 17')`)).rejects.toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "t_s"', detail: 'Key (s)=(row 17) already exists.' });
    await next.node.query(`insert into t values (6001, 1, 'row 6001')`);
    expect((await next.node.query(`select id from t where s in ('row 17', 'row 6001') order by id`)).rows).toEqual([{ id: 17 }, { id: 6001 }]);
  });

  it('a standby replaying while it builds its indexes in the background after the base backup answers as the primary', async () => {
    const p = await checkpointedPrimary(20_000);
    IndexBuilds.inBackground = true;
    try {
      // installing the base backup publishes a state with unbuilt indexes: the standby's builder takes them up
      const s = await baseBackupStandby(c, p);
      const builder = (s.node as unknown as { indexBuilds: IndexBuilds }).indexBuilds;
      let round = 0;
      // the primary writes while the standby builds; each batch is replayed between the build's slices
      while (builder.busy || round < 3) {
        if (++round > 10_000) throw new Error('the background build did not end');
        // each batch from an event of its own: the memory network delivers in microtasks, which never let the slices in
        await new Promise((resolve) => setImmediate(resolve));
        await p.node.query('update t set n = n + 1000 where id % 50 = $1', [round % 50]);
        await p.node.query('insert into t values ($1, 7, $2)', [100_000 + round, `new ${round}`]);
        await caughtUp(p.node, s.node);
        for (const sql of QUERIES.slice(0, 1)) expect({ sql, rows: (await s.node.query(sql)).rows }).toEqual({ sql, rows: (await p.node.query(sql)).rows });
      }
      expect(built(s.node)).toEqual({ t_pkey: true, t_n: true, t_s: true });
      for (const sql of QUERIES) expect({ sql, rows: (await s.node.query(sql)).rows }).toEqual({ sql, rows: (await p.node.query(sql)).rows });
      expect(await s.node.contentHash()).toBe(await p.node.contentHash());
      await expect(p.node.query(`insert into t values (200000, 1, 'new 1')`)).rejects.toMatchObject({ code: '23505' });
    } finally {
      IndexBuilds.inBackground = false;
    }
  });
});
