import { afterEach, describe, expect, it } from 'vitest';
import { caughtUp, memoryCluster, until, webrtcCluster, type TestCluster } from './cluster.ts';

let c: TestCluster;
afterEach(async () => c?.closeAll());

describe('promotion and timelines (PostgreSQL 004_timeline_switch)', () => {
  it('promote s1 after the primary stops; s2 follows onto timeline 2 without a base backup', async () => {
    c = webrtcCluster();
    const p = await c.open('primary');
    await p.node.exec('create table t(id serial primary key, v text)');
    const s1 = await c.open('s1', { role: 'standby' });
    const s2 = await c.open('s2', { role: 'standby' });
    for (let i = 0; i < 10; i++) await p.node.query('insert into t(v) values ($1)', ['before ' + i]);
    await caughtUp(p.node, s1.node);
    await caughtUp(p.node, s2.node);
    await c.close(p);

    await s1.node.promote();
    expect((await s1.node.status()).role).toBe('primary');
    expect((await s1.node.status()).timeline).toBe(2);
    expect((await s1.node.query('select pg_is_in_recovery() as r')).rows).toEqual([{ r: false }]);
    await s1.node.query(`insert into t(v) values ('on timeline 2')`);

    await until('s2 to follow timeline 2', async () => (await s2.node.status()).timeline === 2);
    await caughtUp(s1.node, s2.node);
    expect((await s2.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 11 }]);
    expect(await s2.node.contentHash()).toBe(await s1.node.contentHash());
    expect(s2.logs.some((l) => l.includes('following timeline 2'))).toBe(true);
    // its only base backup is the one it started from
    expect(s2.logs.filter((l) => l.includes('base backup received')).length).toBe(1);
    expect(s1.logs.some((l) => /selected new timeline ID: 2 \(forked from timeline 1 at [0-9A-F]+\/[0-9A-F]+\)/.test(l))).toBe(true);
  });

  it('select pg_promote() on a standby promotes it; on a primary it fails as in PostgreSQL', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary');
    await p.node.exec('create table t(x int)');
    const s = await mc.open('s', { role: 'standby' });
    await caughtUp(p.node, s.node);
    await expect(p.node.query('select pg_promote()')).rejects.toMatchObject({ code: '55000', message: 'recovery is not in progress' });
    await mc.close(p);
    expect((await s.node.query('select pg_promote() as ok')).rows).toEqual([{ ok: true }]);
    await until('the promotion', async () => (await s.node.status()).role === 'primary');
    await s.node.query('insert into t values (1)');
  });
});

describe('synchronous replication (PostgreSQL 007_sync_rep)', () => {
  async function syncStates(names: string, standbys = ['s1', 's2', 's3']) {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary', { synchronousStandbyNames: names });
    const nodes = [];
    for (const id of standbys) nodes.push(await mc.open(id, { role: 'standby' }));
    for (const n of nodes) await caughtUp(p.node, n.node);
    await until('all streaming', async () => (await p.node.query(`select count(*)::int as n from pg_stat_replication where state = 'streaming'`)).rows[0]!.n === standbys.length);
    const rows = async () => (await p.node.query('select application_name, sync_priority, sync_state from pg_stat_replication order by application_name')).rows;
    return { p, nodes, rows };
  }

  it("'s1, s2': s1 sync, s2 potential, others async; when s1 leaves, s2 becomes sync", async () => {
    const { nodes, rows } = await syncStates('s1, s2');
    expect(await rows()).toEqual([
      { application_name: 's1', sync_priority: 1, sync_state: 'sync' },
      { application_name: 's2', sync_priority: 2, sync_state: 'potential' },
      { application_name: 's3', sync_priority: 0, sync_state: 'async' },
    ]);
    await c.close(nodes[0]!);
    await until('s2 to become sync', async () => JSON.stringify(await rows()) === JSON.stringify([
      { application_name: 's2', sync_priority: 2, sync_state: 'sync' },
      { application_name: 's3', sync_priority: 0, sync_state: 'async' },
    ]));
  });

  it("'FIRST 2 (s1, s2, s3)' → sync, sync, potential; 'ANY 2 (s1, s2)' → quorum, quorum, async; '*' → all priority 1", async () => {
    let r = await syncStates('FIRST 2 (s1, s2, s3)');
    expect((await r.rows()).map((x) => x.sync_state)).toEqual(['sync', 'sync', 'potential']);
    await c.closeAll();
    r = await syncStates('ANY 2 (s1, s2)');
    expect(await r.rows()).toEqual([
      { application_name: 's1', sync_priority: 1, sync_state: 'quorum' },
      { application_name: 's2', sync_priority: 1, sync_state: 'quorum' },
      { application_name: 's3', sync_priority: 0, sync_state: 'async' },
    ]);
    await c.closeAll();
    r = await syncStates('*', ['s1', 's2']);
    expect(await r.rows()).toEqual([
      { application_name: 's1', sync_priority: 1, sync_state: 'sync' },
      { application_name: 's2', sync_priority: 1, sync_state: 'potential' },
    ]);
  });

  it("remote_apply: when the commit returns, a read on the standby sees the row", async () => {
    c = webrtcCluster();
    const p = await c.open('primary', { synchronousStandbyNames: 's1', synchronousCommit: 'remote_apply' });
    const s1 = await c.open('s1', { role: 'standby' });
    await until('s1 sync', async () => (await p.node.query('select sync_state from pg_stat_replication')).rows[0]?.sync_state === 'sync');
    await p.node.exec('create table t(id int primary key)');
    expect((await s1.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }]);
    for (let i = 0; i < 20; i++) {
      await p.node.query('insert into t values ($1)', [i]);
      expect((await s1.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: i + 1 }]);
    }
  });

  it('a commit waiting for too few standbys blocks, and with syncCommitTimeout fails saying it committed locally', async () => {
    const mc = memoryCluster();
    c = mc;
    const p = await mc.open('primary', { synchronousStandbyNames: 'ANY 1 (s1)', syncCommitTimeout: 300 });
    const err = await p.node.exec('create table t(x int); insert into t values (1)').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: '57014',
      message: 'canceling wait for synchronous replication due to syncCommitTimeout',
      detail: 'The transaction has already committed locally, but might not have been replicated to the standby.',
    });
    expect((await p.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
    const s1 = await mc.open('s1', { role: 'standby' });
    await caughtUp(p.node, s1.node);
    await until('s1 streaming', async () => (await p.node.query(`select state from pg_stat_replication`)).rows[0]?.state === 'streaming');
    await p.node.query('insert into t values (2)');
    expect((await s1.node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }]);
  });
});
