/**
 * Domains are catalog objects (issue 10): CREATE/ALTER/DROP DOMAIN are WAL records, so a
 * streaming standby and a base-backup standby enforce the same constraints with the same content
 * hash, and a node recovered from its checkpoint and WAL keeps them. PostgreSQL's results and
 * errors are checked in sql-types-reference.test.ts (domain corpus).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { memoryCluster, replicatedDdl, type TestCluster } from './cluster.ts';

const SCHEMA = `
  create domain pos as int check (value > 0);
  create domain label as varchar(4) not null default 'none';
  create table item (id pos primary key, tag label);
  insert into item (id) values (1);
  insert into item values (2, 'ab');
  alter domain pos add constraint small check (value < 100);
  create domain doomed as text;
  drop domain doomed;
`;

const answers = async (node: Node) => ({
  rows: (await node.query('select id, tag from item order by id')).rows,
  big: await node.query('select 100::pos').then(() => 'ok', (e: { code: string; message: string }) => `${e.code} ${e.message}`),
  dropped: await node.query('select 1::doomed').then(() => 'ok', (e: { code: string }) => e.code),
});

const EXPECTED = {
  rows: [{ id: 1, tag: 'none' }, { id: 2, tag: 'ab' }],
  big: '23514 value for domain pos violates check constraint "small"',
  dropped: '42704',
};

describe('domains are WAL-logged catalog objects', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('a streaming standby and a base-backup standby enforce the same domains, with the same content hash', async () => {
    c = memoryCluster();
    const { p, fresh } = await replicatedDdl(c, SCHEMA, answers, EXPECTED);
    expect(await fresh.node.contentHash()).toBe(await p.node.contentHash());
  });

  it('a node recovered from its checkpoint and WAL keeps its domains and enforces them', async () => {
    const cluster = `sql-domains-recovery-${process.pid}`;
    const node = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb' });
    await node.exec(SCHEMA.split(';').slice(0, 3).join(';'));
    await node.checkpoint();
    await node.exec(SCHEMA.split(';').slice(3).join(';'));
    const hash = await node.contentHash();
    await node.close();
    const reopened = await openNode({ cluster, nodeId: 'a', storage: 'indexeddb', log: () => {} });
    expect(await answers(reopened)).toEqual(EXPECTED);
    expect(await reopened.contentHash()).toBe(hash);
    await expect(reopened.query('insert into item values (0)')).rejects.toMatchObject({ code: '23514', message: 'value for domain pos violates check constraint "pos_check"' });
    await expect(reopened.query('insert into item values (3, null)')).rejects.toMatchObject({ code: '23502', message: 'domain label does not allow null values' });
    await reopened.close();
  });
});
