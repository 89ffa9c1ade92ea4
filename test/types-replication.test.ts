/**
 * Array, interval, enum and exact jsonb values (the value kinds issue 10 adds) across replication and recovery: a
 * streaming standby and a base-backup standby return the primary's arrays unchanged with the same
 * content hash, and a node reopened from its checkpoint and WAL reads them back as they were.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryCluster, primaryWithStandby, standbysAgree, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create type mood as enum ('sad', 'happy');
  create table docs (id int primary key, tags text[], scores numeric[], ids bigint[], grid int[], at timestamptz[], dur interval, durs interval[], m mood, doc jsonb);
  create unique index docs_tags on docs (tags);`;

async function changes(node: Node): Promise<void> {
  await node.query(`insert into docs values
    (1, '{red,"x y",NULL}', '{1.50,NaN}', '{9007199254740993,-1}', '{{1,2},{3,4}}', '{"2024-01-02 03:04:05+00"}'),
    (2, array['blue'], array[0.1], array[]::bigint[], null, null)`);
  await node.query('insert into docs (id, tags) values ($1, $2)', [3, ['from', 'params']]);
  await node.query("update docs set dur = '1 mon 2 days -03:04:05.5', durs = array[interval '1 hour', null] where id = 1");
  await node.exec("alter type mood add value 'ok' before 'happy'; update docs set m = 'ok' where id = 1; update docs set m = 'happy' where id = 2; update docs set m = 'sad' where id = 3");
  await node.query("update docs set tags = array_append(tags, 'new') where id = 2");
  await node.query(`update docs set doc = case id when 1 then '{"big": 12345678901234567890.5, "one": 1.0}'::jsonb when 2 then 'null'::jsonb end`);
}

const contents = async (node: Node) => ({
  rows: (await node.query('select * from docs order by id')).rows,
  text: (await node.query('select id, tags::text, scores::text, grid::text from docs order by tags')).rows,
  byTag: (await node.query("select id from docs where tags @> '{blue}'")).rows,
  byDur: (await node.query("select id, dur + interval '1 day' as later from docs where dur > '30 days'")).rows,
  byMood: (await node.query("select id, m from docs where m > 'sad' order by m desc")).rows,
  docs: (await node.query('select id, doc::text, doc is null as missing from docs order by id')).rows,
});

const EXPECTED_ROWS = [
  { id: 1, tags: ['red', 'x y', null], scores: ['1.50', 'NaN'], ids: [9007199254740993n, -1], grid: [[1, 2], [3, 4]], at: [new Date('2024-01-02T03:04:05Z')], dur: '1 mon 2 days -03:04:05.5', durs: ['01:00:00', null], m: 'ok', doc: { big: 12345678901234567890.5, one: 1 } },
  { id: 2, tags: ['blue', 'new'], scores: ['0.1'], ids: [], grid: null, at: null, dur: null, durs: null, m: 'happy', doc: null },
  { id: 3, tags: ['from', 'params'], scores: null, ids: null, grid: null, at: null, dur: null, durs: null, m: 'sad', doc: null },
];

describe('arrays, intervals and enums are replicated and recovered exactly', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby hold the same arrays, intervals and content hash', async () => {
    c = memoryCluster();
    const { p, s: streaming } = await primaryWithStandby(c);
    await p.node.exec(SCHEMA);
    await changes(p.node);
    const expected = await contents(p.node);
    expect(expected.rows).toEqual(EXPECTED_ROWS);
    expect(expected.byTag).toEqual([{ id: 2 }]);
    expect(expected.byDur).toEqual([{ id: 1, later: '1 mon 3 days -03:04:05.5' }]);
    expect(expected.byMood).toEqual([{ id: 2, m: 'happy' }, { id: 1, m: 'ok' }]);
    // jsonb numbers are exact and a JSON null document is not SQL NULL, on every node
    expect(expected.docs).toEqual([
      { id: 1, doc: '{"big": 12345678901234567890.5, "one": 1.0}', missing: false },
      { id: 2, doc: 'null', missing: false },
      { id: 3, doc: null, missing: true },
    ]);
    await standbysAgree(c, p, streaming, contents, expected);
  });

  it('a node recovered from its checkpoint and WAL reads its arrays and intervals back and keeps their unique index', async () => {
    const cluster = `types-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA);
    await node.query("insert into docs (id, tags) values (9, '{before,checkpoint}')");
    await node.checkpoint();
    await node.query('delete from docs where id = 9');
    await changes(node);
    const before = await contents(node);
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    try {
      expect(await contents(reopened)).toEqual(before);
      expect(await reopened.contentHash()).toBe(hash);
      await expect(reopened.query("insert into docs (id, tags) values (4, '{blue,new}')")).rejects.toMatchObject({ code: '23505' });
      // the enum type, with the value added after the checkpoint, came back from the WAL
      await expect(reopened.query("insert into docs (id, m) values (4, 'angry')")).rejects.toMatchObject({ code: '22P02', message: 'invalid input value for enum mood: "angry"' });
      await reopened.query("alter type mood add value 'angry' after 'sad'");
      expect((await reopened.query("select array_agg(m::text order by m) as a from docs")).rows).toEqual([{ a: ['sad', 'ok', 'happy'] }]);
    } finally {
      await reopened.close();
    }
  });
});
