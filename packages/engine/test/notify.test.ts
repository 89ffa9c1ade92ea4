/**
 * LISTEN / NOTIFY / pg_notify with PGlite's API (issue 10), on both hosts: `listen(channel, cb)`
 * resolves to its unsubscribe, notifications arrive only when their transaction commits, in
 * commit order, once per identical (channel, payload) of a transaction, and `unlisten` stops them.
 */
import { describe, expect, it } from 'vitest';
import { hosts } from './hosts.ts';

/** Wait (bounded) until `list` has `n` entries. */
async function received<T>(list: T[], n: number, ms = 5000): Promise<T[]> {
  const start = Date.now();
  while (list.length < n) {
    if (Date.now() - start > ms) throw new Error(`expected ${n} notifications, got ${JSON.stringify(list)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return list;
}

for (const [host, open] of hosts) {
  describe(`LISTEN / NOTIFY (${host})`, () => {
    it('delivers committed notifications in commit order, never a rolled-back one', async () => {
      const node = await open({ cluster: `notify-${host}-${process.pid}`, storage: 'memory' });
      const got: string[] = [];
      const unsubscribe = await node.listen('jobs', (payload) => got.push(payload));
      await node.query("notify jobs, 'one'");
      await node.exec("begin; notify jobs, 'rolled back'; rollback");
      await node.exec("begin; select pg_notify('jobs', 'two'); notify jobs, 'three'; notify jobs, 'two'; commit");
      await node.exec("begin; savepoint s; notify jobs, 'undone'; rollback to s; notify jobs, 'four'; commit");
      await node.query("notify other, 'not listened'");
      await node.query('notify jobs');
      expect(await received(got, 5)).toEqual(['one', 'two', 'three', 'four', '']);
      await unsubscribe();
      await node.query("notify jobs, 'after unlisten'");
      // a marker on another channel proves everything before it was delivered (or not)
      const marks: string[] = [];
      await node.listen('mark', (p) => marks.push(p));
      await node.query("notify mark, 'm'");
      await received(marks, 1);
      expect(got).toHaveLength(5);
    });

    it('onNotification sees every channel the session listens on; LISTEN in a rolled-back block never took effect', async () => {
      const node = await open({ cluster: `notify-all-${host}-${process.pid}`, storage: 'memory' });
      const got: [string, string][] = [];
      node.onNotification((channel, payload) => got.push([channel, payload]));
      await node.exec('begin; listen a; rollback');
      await node.exec('begin; listen "B"; savepoint s; listen c; rollback to s; savepoint t; listen d; release t; commit');
      await node.query("notify a, 'x'");
      await node.query("notify c, 'rolled back to a savepoint'");
      await node.query(`notify "B", 'y'`);
      await node.query("select pg_notify('b', 'other case')");
      await node.query("select pg_notify('B', 'same case')");
      await node.query("notify d, 'released'");
      expect(await received(got, 3)).toEqual([['B', 'y'], ['B', 'same case'], ['d', 'released']]);
      await node.query('unlisten *');
      await node.query('listen a');
      await node.query("notify a, 'z'");
      expect(await received(got, 4)).toEqual([['B', 'y'], ['B', 'same case'], ['d', 'released'], ['a', 'z']]);
    });

    it('refuses what PostgreSQL refuses, and NOTIFY in a READ ONLY block', async () => {
      const node = await open({ cluster: `notify-errors-${host}-${process.pid}`, storage: 'memory' });
      await expect(node.query("select pg_notify('', 'x')")).rejects.toMatchObject({ code: '22023', message: 'channel name cannot be empty' });
      await expect(node.query("select pg_notify(null, 'x')")).rejects.toMatchObject({ code: '22023' });
      await expect(node.query(`select pg_notify('${'c'.repeat(64)}', 'x')`)).rejects.toMatchObject({ code: '22023', message: 'channel name too long' });
      await expect(node.query(`select pg_notify('c', repeat('x', 8000))`)).rejects.toMatchObject({ code: '22023', message: 'payload string too long' });
      await expect(node.query('select pg_notify(1, 2)')).rejects.toMatchObject({ code: '42883', message: 'function pg_notify(integer, integer) does not exist' });
      // PostgreSQL accepts NOTIFY in a READ ONLY block; walrtc says it cannot rather than lose it
      await expect(node.exec("begin read only; notify c, 'x'")).rejects.toMatchObject({ code: '0A000', message: 'NOTIFY in a read-only transaction is not supported' });
    });
  });
}
