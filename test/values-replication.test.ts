/**
 * Exact values across replication: a standby that streams the WAL and a standby that starts from
 * a base backup (a checkpoint snapshot) return the primary's bigint values and numeric text
 * unchanged, and find rows by bigint and numeric keys.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

const read = async (node: Node) => ({
  rows: (await node.query('select * from ledger order by id')).rows,
  byKey: (await node.query('select amount from ledger where id = 9007199254740993')).rows,
  byAmount: (await node.query('select id from ledger where amount = 0.1')).rows,
  totals: (await node.query('select sum(amount) as s, avg(amount) as a, sum(id) as t, count(*) as n from ledger')).rows,
});

describe('exact int8 and numeric on standbys', () => {
  it('a streaming standby and a base-backup standby return the same bigint values and numeric text', async () => {
    c = memoryCluster();
    const p = await c.open('primary', { role: 'primary' });
    const streaming = await c.open('streaming', { role: 'standby' });
    await until('the standby to identify the primary', async () => (await streaming.node.status()).systemId === p.node.systemId);

    await p.node.exec('create table ledger (id bigint primary key, amount numeric(20,2), rate numeric)');
    await p.node.query("insert into ledger values (9007199254740992, 1.005, 'NaN'), (9007199254740993, 0.10, 1::numeric / 3), (-9223372036854775808, 123456789012345678.9, 2.50)");
    const expected = await read(p.node);
    expect(expected.rows).toEqual([
      { id: -9223372036854775808n, amount: '123456789012345678.90', rate: '2.50' },
      { id: 9007199254740992n, amount: '1.01', rate: 'NaN' },
      { id: 9007199254740993n, amount: '0.10', rate: '0.33333333333333333333' },
    ]);
    // checked on PostgreSQL 15
    expect(expected.totals).toEqual([{ s: '123456789012345680.01', a: '41152263004115226.67', t: '-9205357638345293823', n: 3 }]);

    await caughtUp(p.node, streaming.node);
    expect(await read(streaming.node)).toEqual(expected);

    await p.node.checkpoint();
    const fromBackup = await c.open('fresh', { role: 'standby' });
    await until('the base backup', async () => (await fromBackup.node.status()).systemId === p.node.systemId);
    await caughtUp(p.node, fromBackup.node);
    expect(await read(fromBackup.node)).toEqual(expected);
  });
});
