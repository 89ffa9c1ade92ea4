/**
 * NOTIFY beyond PostgreSQL (issue 10): a NOTIFY is a WAL record of its transaction, so listeners
 * on a streaming standby receive what the primary's transactions committed — in commit order,
 * never a rolled-back one — and a standby refuses NOTIFY itself, as it refuses every write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, memoryCluster, primaryWithStandby, until, type TestCluster } from './cluster.ts';

describe('NOTIFY on a streaming standby', () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.closeAll(); c = undefined; });

  it('reaches listeners on the primary and the standby in commit order, never for a rolled-back transaction', async () => {
    c = memoryCluster();
    const { p, s } = await primaryWithStandby(c);
    const onPrimary: string[] = [];
    const onStandby: string[] = [];
    await p.node.listen('orders', (payload) => onPrimary.push(payload));
    const stop = await s.node.listen('orders', (payload) => onStandby.push(payload));
    await p.node.exec("create table t (a int); notify orders, 'created'");
    await p.node.exec("begin; insert into t values (1); notify orders, 'rolled back'; rollback");
    await p.node.exec("begin; insert into t values (2); select pg_notify('orders', 'two'); commit");
    await Promise.all([1, 2, 3].map((i) => p.node.query(`notify orders, 'n${i}'`)));
    await caughtUp(p.node, s.node);
    const expected = ['created', 'two', 'n1', 'n2', 'n3'];
    expect(await until('the standby heard every commit', () => onStandby.length >= 5 && onStandby)).toEqual(expected);
    expect(await until('the primary heard every commit', () => onPrimary.length >= 5 && onPrimary)).toEqual(expected);
    expect(await s.node.contentHash()).toBe(await p.node.contentHash());

    await expect(s.node.query("notify orders, 'from the standby'")).rejects.toMatchObject({ code: '25006' });
    await expect(s.node.query("select pg_notify('orders', 'x')")).rejects.toMatchObject({ code: '25006' });
    // after UNLISTEN the standby hears nothing more; a marker channel shows replay went past it
    await stop();
    const marks: string[] = [];
    await s.node.listen('mark', (m) => marks.push(m));
    await p.node.exec("notify orders, 'late'; notify mark, 'm'");
    await caughtUp(p.node, s.node);
    await until('the marker arrived', () => marks.length === 1);
    expect(onStandby).toEqual(expected);
  });
});
