/**
 * Writes flowing back (walrtc → PostgreSQL): a forwarded transaction is applied exactly once with
 * (origin, seq) recorded in the same PostgreSQL transaction, a conflicting one is rejected with
 * PostgreSQL's SQLSTATE and message (the same verdict on a re-send), out-of-order ones are
 * refused, and an applied one comes back to walrtc standbys through the logical stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { caughtUp, memoryCluster, type TestCluster } from '../../../test/cluster.ts';
import { applyForwarded, ensureAppliedTable, startBridge, type Bridge } from '../src/index.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

let server: TestPostgres;
let client: pg.Client;
beforeAll(async () => {
  server = await startPostgres();
  client = await server.client();
  await client.query(`create table t(id int primary key, v text not null); create publication pub for table t`);
  await ensureAppliedTable(client);
}, 60_000);
afterAll(async () => {
  await client?.end();
  await server?.stop();
});

const insert = (id: number, v: string) => ({ sql: 'insert into t values ($1, $2)', params: [id, v] });
const rows = async () => (await client.query('select id, v from t order by id')).rows;

describe('forwarded transactions applied to PostgreSQL', () => {
  it('applies a transaction once: a re-send gets the recorded verdict and changes nothing', async () => {
    const tx = { origin: 'tab-a', seq: 1, statements: [insert(1, 'one'), { sql: `update t set v = v || '!' where id = 1` }] };
    const first = await applyForwarded(client, tx);
    expect(first).toMatchObject({ status: 'applied', seq: 1, duplicate: false, lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/) });
    expect(await applyForwarded(client, tx)).toMatchObject({ status: 'applied', seq: 1, duplicate: true });
    expect(await rows()).toEqual([{ id: 1, v: 'one!' }]);
    expect((await client.query(`select origin, seq::int, status from walrtc_applied`)).rows).toEqual([{ origin: 'tab-a', seq: 1, status: 'applied' }]);
  });

  it("rejects a conflicting transaction with PostgreSQL's SQLSTATE and message, as a whole, and the same way on a re-send", async () => {
    const tx = { origin: 'tab-a', seq: 2, statements: [insert(2, 'two'), insert(1, 'duplicate key')] };
    const verdict = { status: 'rejected', seq: 2, code: '23505', message: 'duplicate key value violates unique constraint "t_pkey"', detail: 'Key (id)=(1) already exists.', lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/) };
    expect(await applyForwarded(client, tx)).toEqual({ ...verdict, duplicate: false });
    expect(await applyForwarded(client, tx)).toEqual({ ...verdict, duplicate: true });
    expect(await rows()).toEqual([{ id: 1, v: 'one!' }]);
    // the queue goes on after a rejection
    expect(await applyForwarded(client, { origin: 'tab-a', seq: 3, statements: [insert(3, 'three')] })).toMatchObject({ status: 'applied' });
  });

  it('refuses a transaction that skips a sequence number, and keeps origins apart', async () => {
    expect(await applyForwarded(client, { origin: 'tab-a', seq: 5, statements: [insert(5, 'five')] })).toMatchObject({
      status: 'rejected', code: '55000', message: 'forwarded transaction 5 of origin "tab-a" is out of order: the last one applied is 3',
    });
    expect(await applyForwarded(client, { origin: 'tab-b', seq: 1, statements: [insert(10, 'from b')] })).toMatchObject({ status: 'applied' });
    expect((await rows()).map((r) => r.id)).toEqual([1, 3, 10]);
  });

  it('an applied write comes back through the logical stream to walrtc standbys', async () => {
    let c: TestCluster | undefined;
    let bridge: Bridge | undefined;
    try {
      c = memoryCluster();
      const p = await c.open('bridge');
      const s = await c.open('s', { role: 'standby' });
      bridge = await startBridge({ postgres: server.url, node: p.node, publication: 'pub', statusIntervalMs: 100 });
      const verdict = await applyForwarded(client, { origin: 'tab-c', seq: 1, statements: [insert(20, 'offline write')] });
      if (verdict.status !== 'applied') throw new Error(`not applied: ${JSON.stringify(verdict)}`);
      await bridge.waitApplied(verdict.lsn);
      await caughtUp(p.node, s.node);
      expect((await s.node.query('select id, v from t order by id')).rows).toEqual(await rows());
    } finally {
      await bridge?.stop();
      await c?.closeAll();
    }
  });
});
