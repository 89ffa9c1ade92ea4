/**
 * Microsecond timestamps, times and timetz values across replication and recovery (issue 10): values that differ only below
 * the millisecond stay distinct in rows, unique indexes and index lookups on a streaming standby, a
 * base-backup standby and a node reopened from its checkpoint and WAL, with the primary's content hash.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryCluster, primaryWithStandby, standbysAgree, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create table ev (id int primary key, at timestamp unique, atz timestamptz, at3 timestamp(3), ats timestamptz[], tm time, tmz timetz);
  create unique index ev_tm on ev (tm);
  create index ev_atz on ev (atz);`;

async function changes(node: Node): Promise<void> {
  await node.query(`insert into ev values
    (1, '2024-01-01 12:00:00.000001', '1969-12-31 23:59:59.999999+00', '2024-01-01 12:00:00.1235', '{"2024-01-01 12:00:00.000007+00"}'),
    (2, '2024-01-01 12:00:00.000002', '1600-02-29 00:00:00.000001+00', '2024-01-01 12:00:00.9999', null)`);
  await node.query('insert into ev (id, at, atz) values ($1, $2, $3)', [3, '2024-01-01 12:00:00.000003', '2300-01-01 00:00:00.000999+00']);
  await node.query("update ev set atz = atz + interval '1 us' where id = 2");
  await node.query("update ev set tm = (at + interval '0.000005 s')::time where id < 3");
  await node.query("update ev set tmz = '23:59:59.999999-05:30' where id = 3");
}

const contents = async (node: Node) => ({
  text: (await node.query('select id, at::text, atz::text, at3::text, ats::text, tm, tmz from ev order by at')).rows,
  byTm: (await node.query("select id from ev where tm = '12:00:00.000007'")).rows,
  byAt: (await node.query("select id from ev where at = '2024-01-01 12:00:00.000002'")).rows,
  byAtz: (await node.query("select id from ev where atz > '1969-12-31 23:59:59.999998+00' order by atz")).rows,
  dates: (await node.query('select id, at from ev order by id')).rows,
});

const EXPECTED_TEXT = [
  { id: 1, at: '2024-01-01 12:00:00.000001', atz: '1969-12-31 23:59:59.999999+00', at3: '2024-01-01 12:00:00.124', ats: '{"2024-01-01 12:00:00.000007+00"}', tm: '12:00:00.000006', tmz: null },
  { id: 2, at: '2024-01-01 12:00:00.000002', atz: '1600-02-29 00:00:00.000002+00', at3: '2024-01-01 12:00:01', ats: null, tm: '12:00:00.000007', tmz: null },
  { id: 3, at: '2024-01-01 12:00:00.000003', atz: '2300-01-01 00:00:00.000999+00', at3: null, ats: null, tm: null, tmz: '23:59:59.999999-05:30' },
];

describe('microsecond timestamps are replicated and recovered exactly', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby hold the same microseconds and content hash', async () => {
    c = memoryCluster();
    const { p, s: streaming } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await changes(p.node);
    const expected = await contents(p.node);
    expect(expected.text).toEqual(EXPECTED_TEXT);
    expect(expected.byAt).toEqual([{ id: 2 }]);
    expect(expected.byAtz).toEqual([{ id: 1 }, { id: 3 }]);
    expect(expected.byTm).toEqual([{ id: 2 }]);
    // clients get a Date, as from PGlite: the millisecond instant
    expect(expected.dates.map((r) => (r.at as Date).toISOString())).toEqual(['2024-01-01T12:00:00.000Z', '2024-01-01T12:00:00.000Z', '2024-01-01T12:00:00.000Z']);
    await standbysAgree(c, p, streaming, contents, expected);
  });

  it('a node recovered from its checkpoint and WAL reads the microseconds back and keeps its unique index on them', async () => {
    const cluster = `timestamps-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.query("insert into ev (id, at) values (9, '2024-01-01 12:00:00.000009')");
    await node.checkpoint();
    await node.query('delete from ev where id = 9');
    await changes(node);
    const before = await contents(node);
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    try {
      expect(await contents(reopened)).toEqual(before);
      expect(before.text).toEqual(EXPECTED_TEXT);
      expect(await reopened.contentHash()).toBe(hash);
      await expect(reopened.query("insert into ev (id, at) values (4, '2024-01-01 12:00:00.000003')")).rejects.toMatchObject({ code: '23505' });
      await expect(reopened.query("insert into ev (id, tm) values (4, '12:00:00.000006')")).rejects.toMatchObject({ code: '23505' });
      // a Date read back as a parameter keeps its microseconds in-process, so it finds its own row
      const [row] = (await reopened.query('select at from ev where id = 2')).rows;
      expect((await reopened.query('select id from ev where at = $1', [row!.at])).rows).toEqual([{ id: 2 }]);
    } finally {
      await reopened.close();
    }
  });
});
