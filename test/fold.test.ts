/**
 * Plan-time constant folding (sql/fold/): what the recorded corpus (test/reference/fold-corpus.ts)
 * cannot show — parameters and the plan cache. PostgreSQL's extended protocol (as PGlite shows)
 * plans an unnamed statement with its parameter values, so a WHEN decided by a parameter drops
 * its branch before folding; walrtc plans once per SQL text and leaves such branches to run time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';

describe('plan-time constant folding', () => {
  let node: Node;
  beforeAll(async () => {
    node = await openNode({ cluster: `fold-${process.pid}`, storage: 'memory' });
    await node.exec('create table f (i int); insert into f values (1), (2)');
  });
  afterAll(async () => {
    await node.close();
  });

  it('raises a folded error on every execution of a cached plan, rows or not', async () => {
    const sql = 'select case when i > 100 then 1/0 else 0 end as x from f';
    await expect(node.query(sql)).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
    await expect(node.query(sql)).rejects.toMatchObject({ code: '22012' });
    await expect(node.query('select 1/0 as x from f where false')).rejects.toMatchObject({ code: '22012' });
  });

  it('does not fold a branch that a parameter decides (PostgreSQL drops it for these values)', async () => {
    expect((await node.query('select case when $1::int > 0 then 1/0 else 0 end as x', [-1])).rows).toEqual([{ x: 0 }]);
    expect((await node.query('select case when $1::int > 0 then 1/$2::int else 0 end as x', [-1, 0])).rows).toEqual([{ x: 0 }]);
    await expect(node.query('select case when $1::int > 0 then 1/0 else 0 end as x', [1])).rejects.toMatchObject({ code: '22012' });
    expect((await node.query('select coalesce($1::int, 1/0) as x', [5])).rows).toEqual([{ x: 5 }]);
    expect((await node.query('select $1::bool or 1/0 = 1 as x', [true])).rows).toEqual([{ x: true }]);
  });

  it('keeps parameters and the time out of folded constants', async () => {
    const sql = 'select $1::int + 1 as x, now() = now() as same';
    expect((await node.query(sql, [1])).rows).toEqual([{ x: 2, same: true }]);
    expect((await node.query(sql, [41])).rows).toEqual([{ x: 42, same: true }]);
    const a = (await node.query<{ d: Date }>("select now() + interval '1 day' as d")).rows[0]!.d;
    await node.exec('begin');
    const b = (await node.query<{ d: Date }>("select now() + interval '1 day' as d")).rows[0]!.d;
    await node.exec('commit');
    expect(b.getTime()).toBeGreaterThanOrEqual(a.getTime());
    expect(b.getTime()).not.toBe(new Date(86_400_000).getTime());
  });
});
