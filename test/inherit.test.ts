/**
 * Table inheritance and declarative partitioning as WAL (issue 10): the catalog changes (INHERITS,
 * PARTITION OF, ATTACH/DETACH, INHERIT/NO INHERIT) and the routed rows replay on a streaming and a
 * base-backup standby to the primary's content hash, and survive a checkpoint and a reopen. Routing
 * and parent scans are checked against a brute-force model on random data. PostgreSQL's results
 * and errors are checked in sql-inherit-reference.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import { baseBackupStandby, caughtUp, memoryCluster, primaryWithStandby, type TestCluster } from './cluster.ts';
import { prng } from './prng.ts';

const SCHEMA = `
  create table m (id int, region text, v int, primary key (id, region)) partition by list (region);
  create table m_eu partition of m for values in ('eu') partition by range (id);
  create table m_eu_lo partition of m_eu for values from (minvalue) to (100);
  create table m_eu_hi partition of m_eu for values from (100) to (maxvalue);
  create table m_us partition of m for values in ('us', 'ca');
  create table m_other partition of m default;
  insert into m values (1, 'eu', 1), (150, 'eu', 2), (3, 'us', 3), (4, 'br', 4), (5, 'ca', 5);
  update m set region = 'us' where id = 4;
  update m set id = 200 where id = 1;
  create table loose (id int not null, region text not null, v int);
  insert into loose values (7, 'jp', 7);
  alter table m attach partition loose for values in ('jp');
  alter table m detach partition m_other;
  create table animal (name text, legs int check (legs >= 0));
  create table bird (wings int) inherits (animal);
  create table pet (name text, legs int, owner text, constraint animal_legs_check check (legs >= 0));
  insert into animal values ('snake', 0);
  insert into bird values ('crow', 2, 2);
  alter table pet inherit animal;
  alter table animal add column note text default 'n';
  insert into pet values ('rex', 4, 'ann', 'dog');
  update animal set legs = legs + 1 where name <> 'snake';
`;
const ANSWERS = [
  ['select * from m order by id', [{ id: 3, region: 'us', v: 3 }, { id: 4, region: 'us', v: 4 }, { id: 5, region: 'ca', v: 5 }, { id: 7, region: 'jp', v: 7 }, { id: 150, region: 'eu', v: 2 }, { id: 200, region: 'eu', v: 1 }]],
  ['select id from m_eu_hi order by id', [{ id: 150 }, { id: 200 }]],
  ['select count(*)::int as n from m_other', [{ n: 0 }]],
  ['select name, legs, note from animal order by name', [{ name: 'crow', legs: 3, note: 'n' }, { name: 'rex', legs: 5, note: 'dog' }, { name: 'snake', legs: 0, note: 'n' }]],
  ['select name from only animal', [{ name: 'snake' }]],
] as const;

async function answers(node: Node): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [sql] of ANSWERS) out.push((await node.query(sql)).rows);
  return out;
}
const EXPECTED = ANSWERS.map(([, rows]) => rows);

describe('inheritance and partitioning', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('replay on a streaming and a base-backup standby to the primary\'s content hash', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    expect(await answers(p.node)).toEqual(EXPECTED);
    await caughtUp(p.node, s.node);
    expect(await answers(s.node)).toEqual(EXPECTED);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
    await expect(s.node.query("insert into m values (9, 'eu', 9)")).rejects.toMatchObject({ code: '25006' });
    await p.node.checkpoint();
    const fresh = await baseBackupStandby(c, p);
    expect(await answers(fresh.node)).toEqual(EXPECTED);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
    // dropping the partitioned table drops its partitions, on the standby too
    await p.node.exec('drop table m; drop table animal cascade');
    await caughtUp(p.node, s.node);
    await expect(s.node.query('select * from m_us')).rejects.toMatchObject({ code: '42P01' });
    await expect(s.node.query('select * from bird')).rejects.toMatchObject({ code: '42P01' });
    expect((await s.node.query('select count(*)::int as n from m_other')).rows).toEqual([{ n: 0 }]);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('survive a checkpoint and a reopen, and keep routing after it', async () => {
    const storage = memoryStorage();
    const cluster = `inherit-reopen-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    await node.exec(SCHEMA);
    await node.checkpoint();
    await node.exec("insert into m values (50, 'eu', 50); insert into bird values ('owl', 2, 2, 'x')");
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage, log: () => {} });
    try {
      expect(await reopened.contentHash()).toBe(hash);
      expect((await reopened.query('select id from m_eu_lo')).rows).toEqual([{ id: 50 }]);
      await reopened.exec("insert into m values (60, 'eu', 60)");
      expect((await reopened.query('select id from m_eu_lo order by id')).rows).toEqual([{ id: 50 }, { id: 60 }]);
      await expect(reopened.query("insert into m values (1, 'xx', 1)")).rejects.toMatchObject({
        code: '23514', message: 'no partition of relation "m" found for row', detail: 'Partition key of the failing row contains (region) = (xx).',
      });
      expect((await reopened.query('select count(*)::int as n from animal')).rows).toEqual([{ n: 4 }]);
    } finally {
      await reopened.close();
    }
  });

  it('route random rows where a brute-force model puts them, and parent scans see each row once', async () => {
    const node = await openNode({ cluster: `inherit-random-${process.pid}`, storage: 'memory' });
    const rand = prng(20261129);
    try {
      // range on a, then list on b under [0, 50), with DEFAULT partitions at both levels
      await node.exec(`
        create table r (a int, b int, n int) partition by range (a);
        create table r_low partition of r for values from (minvalue) to (0);
        create table r_mid partition of r for values from (0) to (50) partition by list (b);
        create table r_mid_small partition of r_mid for values in (0, 1, 2);
        create table r_mid_null partition of r_mid for values in (null, 3);
        create table r_mid_def partition of r_mid default;
        create table r_high partition of r for values from (50) to (80);
        create table r_def partition of r default;
      `);
      const leafOf = (a: number | null, b: number | null): string => {
        if (a === null) return 'r_def';
        if (a < 0) return 'r_low';
        if (a < 50) return b === null || b === 3 ? 'r_mid_null' : b <= 2 && b >= 0 ? 'r_mid_small' : 'r_mid_def';
        if (a < 80) return 'r_high';
        return 'r_def';
      };
      const value = (lo: number, hi: number) => (rand() < 0.1 ? null : lo + Math.floor(rand() * (hi - lo)));
      const model = new Map<number, { a: number | null; b: number | null }>();
      for (let n = 0; n < 300; n++) {
        const row = { a: value(-20, 100), b: value(-1, 6) };
        model.set(n, row);
        await node.query('insert into r values ($1, $2, $3)', [row.a, row.b, n]);
      }
      // random updates of the key move rows between partitions (and levels)
      for (let k = 0; k < 60; k++) {
        const n = Math.floor(rand() * 300);
        const row = { a: value(-20, 100), b: value(-1, 6) };
        model.set(n, row);
        await node.query('update r set a = $1, b = $2 where n = $3', [row.a, row.b, n]);
      }
      const leaves = ['r_low', 'r_mid_small', 'r_mid_null', 'r_mid_def', 'r_high', 'r_def'];
      for (const leaf of leaves) {
        const got = (await node.query<{ n: number }>(`select n from ${leaf} order by n`)).rows.map((r) => r.n);
        const want = [...model].filter(([, r]) => leafOf(r.a, r.b) === leaf).map(([n]) => n).sort((x, y) => x - y);
        expect(got, leaf).toEqual(want);
      }
      const all = (await node.query<{ n: number; a: number | null; b: number | null }>('select n, a, b from r order by n')).rows;
      expect(all).toEqual([...model].map(([n, r]) => ({ n, a: r.a, b: r.b })));
      const mid = (await node.query<{ n: number }>('select count(*)::int as n from r_mid')).rows[0]!.n;
      expect(mid).toBe([...model.values()].filter((r) => r.a !== null && r.a >= 0 && r.a < 50).length);
    } finally {
      await node.close();
    }
  });
});
