/**
 * Offline writes through a bridge primary (issues 15 + 17 together): a standby's queued
 * transactions are forwarded to the bridge node, applied to a real PostgreSQL exactly once
 * (walrtc_applied there), and come back to every walrtc node through the logical stream before
 * the origin settles them; a conflict is rejected with PostgreSQL's SQLSTATE, message and detail;
 * the bridge stopped mid-forward (after PostgreSQL's commit, before the change came back) and its
 * write-back connection killed inside a transaction lose nothing and apply nothing twice; a
 * walrtc_applied_xacts from before its detail column keeps working.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { ForwardedApplier, Node } from '@walrtc/engine';
import { caughtUp, memoryCluster, until, type TestNode } from '../../../test/cluster.ts';
import { drained } from '../../../test/offline/support.ts';
import { applyForwarded, forwardToPostgres, startBridge, type Bridge, type PostgresWriteBack } from '../src/index.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

let server: TestPostgres;
let dbs = 0;
beforeAll(async () => void (server = await startPostgres()), 60_000);
afterAll(async () => void (await server?.stop()));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
  cleanup = [];
});

/** A fresh database with `items` published, a bridge primary writing back into it, a standby with offline writes and a plain standby. */
type Wrap = (apply: ForwardedApplier, ctx: { bridge: () => Bridge; client: pg.Client }) => ForwardedApplier;
async function setup(wrap: Wrap = (apply) => apply) {
  const name = `fwd${++dbs}`;
  await server.sql(`create database ${name}`);
  const url = server.url.replace(/\/postgres$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanup.push(() => client.end());
  await client.query(`create table items(id text primary key, qty int not null); insert into items values ('a', 1), ('gone', 5); create publication pub for table items`);
  const c = memoryCluster();
  cleanup.push(() => c.closeAll());
  let bridge: Bridge | undefined;
  const writeBack: PostgresWriteBack = forwardToPostgres(url, () => bridge);
  cleanup.push(() => writeBack.close());
  const p = await c.open('bridge', { applyForwarded: wrap(writeBack.apply, { bridge: () => bridge!, client }) });
  const restart = async () => {
    await bridge?.stop();
    bridge = await startBridge({ postgres: url, node: p.node, publication: 'pub', statusIntervalMs: 100 });
  };
  cleanup.push(() => bridge?.stop() ?? Promise.resolve());
  await restart();
  const s = await c.open('standby', { role: 'standby', offlineWrites: true });
  const w = await c.open('watcher', { role: 'standby' });
  await caughtUp(p.node, s.node);
  await caughtUp(p.node, w.node);
  return { url, client, c, p, s, w, restart, bridge: () => bridge! };
}

const rowsOf = async (n: Node) => (await n.query<{ id: string; qty: number }>('select id, qty from items order by id', [], { optimistic: false })).rows;
const pgItems = async (client: pg.Client) => (await client.query<{ id: string; qty: number }>('select id, qty from items order by id')).rows;
const pgApplied = async (client: pg.Client) =>
  (await client.query<{ origin: string; seq: number; status: string; sqlstate: string | null }>('select origin, seq::int, status, sqlstate from walrtc_applied order by origin, seq')).rows;

/**
 * PostgreSQL's rows and record equal on every walrtc node (replicated record included). The two
 * sides are first read until they agree: the bridge follows PostgreSQL's logical stream, which
 * lags it, and which also carries a commit as soon as its WAL is flushed — a moment before other
 * PostgreSQL sessions see it — so either side can briefly show a row the other does not yet.
 */
async function converged(client: pg.Client, p: TestNode, ...standbys: TestNode[]): Promise<void> {
  const items = await until('PostgreSQL and the bridge to show the same rows', async () => {
    const [theirs, ours] = [await pgItems(client), await rowsOf(p.node)];
    return JSON.stringify(theirs) === JSON.stringify(ours) && theirs;
  });
  const record = (await pgApplied(client)).map((r) => ({ origin: r.origin, seq: r.seq, outcome: r.status, sqlstate: r.sqlstate }));
  for (const n of [p, ...standbys]) {
    if (n !== p) await caughtUp(p.node, n.node);
    expect(await rowsOf(n.node)).toEqual(items);
    expect((await n.node.query('select origin, seq::int, outcome, sqlstate from walrtc_applied_xacts order by origin, seq')).rows).toEqual(record);
  }
}

describe('offline writes through a bridge primary into PostgreSQL', () => {
  it("a standby's offline writes land in PostgreSQL exactly once and come back to every walrtc node", async () => {
    const { client, c, p, s, w } = await setup();
    c.net.partition(['standby'], ['bridge', 'watcher']);
    await s.node.query(`insert into items values ($1, $2)`, ['b', 2]);
    await s.node.query(`update items set qty = qty + 10 where id = 'a'`);
    await s.node.transaction(async (tx) => {
      await tx.query(`insert into items values ('c', 3)`);
      await tx.query(`update items set qty = qty * 2 where id = 'c'`);
    });
    // shown on the origin at once, nowhere else yet
    expect((await s.node.query('select id, qty from items order by id')).rows).toEqual([{ id: 'a', qty: 11 }, { id: 'b', qty: 2 }, { id: 'c', qty: 6 }, { id: 'gone', qty: 5 }]);
    expect(await pgItems(client)).toEqual([{ id: 'a', qty: 1 }, { id: 'gone', qty: 5 }]);
    // every state of the origin's view while it settles: the change and its record arrive in one
    // commit, so the pending update is never re-applied on top of its own effect (qty 21)
    const seen = new Set<number>();
    const stop = s.node.live<{ qty: number }>(`select qty from items where id = 'a'`, [], (r) => void seen.add(r.rows[0]!.qty), { schedule: (fn) => fn() });
    cleanup.push(async () => stop());
    c.net.heal();
    for (const seq of [1, 2, 3]) expect(await s.node.offline!.verdict(seq)).toMatchObject({ status: 'applied', origin: 'standby', seq });
    await drained(s.node);
    // applied once: the update ran once, each (origin, seq) is recorded once in PostgreSQL
    expect(await pgItems(client)).toEqual([{ id: 'a', qty: 11 }, { id: 'b', qty: 2 }, { id: 'c', qty: 6 }, { id: 'gone', qty: 5 }]);
    expect(await pgApplied(client)).toEqual([1, 2, 3].map((seq) => ({ origin: 'standby', seq, status: 'applied', sqlstate: null })));
    await converged(client, p, s, w);
    expect((await s.node.status()).offline).toEqual({ queued: 0, sent: 0, applied: 0, failed: 0, appliedXacts: 3 });
    expect([...seen]).toEqual([11]);
  }, 60_000);

  it("a conflict made in PostgreSQL meanwhile is rejected with PostgreSQL's SQLSTATE, message and detail and leaves the view", async () => {
    const { client, c, p, s, w } = await setup();
    c.net.partition(['standby'], ['bridge', 'watcher']);
    const seen: unknown[] = [];
    s.node.offline!.onVerdict((v) => seen.push(v));
    await s.node.query(`insert into items values ('k', 1)`);
    await s.node.query(`update items set qty = 50 where id = 'gone'`);
    await s.node.query(`insert into items values ('m', 1)`);
    await client.query(`insert into items values ('k', 99); delete from items where id = 'gone'`);
    c.net.heal();
    const duplicate = { status: 'rejected', origin: 'standby', seq: 1, code: '23505', message: 'duplicate key value violates unique constraint "items_pkey"', detail: 'Key (id)=(k) already exists.' };
    expect(await s.node.offline!.verdict(1)).toEqual(duplicate);
    expect(await s.node.offline!.verdict(2)).toMatchObject({ status: 'rejected', code: '40001', message: 'could not serialize access due to concurrent update' });
    expect(await s.node.offline!.verdict(3)).toMatchObject({ status: 'applied' });
    await drained(s.node);
    expect(seen).toContainEqual(duplicate);
    // the rejected ones left the view: the origin sees PostgreSQL's rows
    expect((await s.node.query('select id, qty from items order by id')).rows).toEqual([{ id: 'a', qty: 1 }, { id: 'k', qty: 99 }, { id: 'm', qty: 1 }]);
    expect((await s.node.query('select seq, state, sqlstate from walrtc_pending order by seq')).rows).toEqual([
      { seq: 1, state: 'failed', sqlstate: '23505' }, { seq: 2, state: 'failed', sqlstate: '40001' },
    ]);
    expect((await client.query(`select seq::int, status, sqlstate, detail from walrtc_applied where seq = 1`)).rows).toEqual([{ seq: 1, status: 'rejected', sqlstate: '23505', detail: 'Key (id)=(k) already exists.' }]);
    await converged(client, p, s, w);
  }, 60_000);

  it('the bridge killed after PostgreSQL committed, and its connection killed inside a transaction, then restarted: nothing applied twice, nothing lost', async () => {
    let killed = false;
    // the 3rd: the bridge dies, PostgreSQL commits it all the same, and nothing answers
    const { url, client, c, p, s, w, restart } = await setup((apply, ctx) => async (x) => {
      if (x.seq !== 3 || killed) return apply(x);
      await ctx.bridge().stop();
      expect(await applyForwarded(ctx.client, x)).toMatchObject({ status: 'applied', duplicate: false });
      killed = true;
      throw new Error('the bridge was killed');
    });
    c.net.partition(['standby'], ['bridge', 'watcher']);
    for (let i = 1; i <= 12; i++) await s.node.query(`insert into items values ($1, $2)`, [`x${i}`, i]);
    c.net.heal();
    await until('the bridge to be killed mid-forward', () => killed);
    expect(await s.node.offline!.verdict(2)).toMatchObject({ status: 'applied' });
    // the third is in PostgreSQL but has no verdict: still pending on the origin, still in its view
    expect((await pgApplied(client)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(s.node.offline!.rows().map((r) => r.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await s.node.query(`select count(*)::int as n from items where id like 'x%'`)).rows[0]).toEqual({ n: 12 });
    // an uncommitted x4 in PostgreSQL holds the write-back of the 4th inside its INSERT …
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    cleanup.push(() => locker.end());
    await locker.query(`begin; insert into items values ('x4', 0)`);
    await restart();
    const blocked = await until('the write-back to wait inside its transaction', async () =>
      (await client.query<{ pid: number }>(`select pid from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into items%'`)).rows[0]);
    // … where its connection is killed: PostgreSQL rolls it back, the origin resends
    await client.query('select pg_terminate_backend($1)', [blocked.pid]);
    await locker.query('rollback');
    await drained(s.node);
    // both windows were hit: the 3rd was answered from PostgreSQL's record after the restart, the 4th ran again
    expect(p.logs).toContainEqual(expect.stringMatching(/^offline writes: transaction 3 of "standby" not applied now \(the bridge was killed\)/));
    expect(p.logs).toContainEqual(expect.stringMatching(/^offline writes: transaction 4 of "standby" not applied now \(Connection terminated/));
    expect(await pgApplied(client)).toEqual(Array.from({ length: 12 }, (_, i) => ({ origin: 'standby', seq: i + 1, status: 'applied', sqlstate: null })));
    expect((await pgItems(client)).filter((r) => r.id.startsWith('x'))).toEqual(
      Array.from({ length: 12 }, (_, i) => ({ id: `x${i + 1}`, qty: i + 1 })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    await converged(client, p, s, w);
  }, 90_000);

  it('a walrtc_applied_xacts made before it had a detail column keeps working: the records come without one', async () => {
    const { client, c, p, s, w } = await setup();
    await p.node.exec(`create table walrtc_applied_xacts (origin text not null, seq bigint not null, outcome text not null, sqlstate text, message text, applied_at timestamptz not null default now(), primary key (origin, seq))`);
    await caughtUp(p.node, s.node);
    c.net.partition(['standby'], ['bridge', 'watcher']);
    await s.node.query(`insert into items values ('k', 2)`);
    await s.node.query(`insert into items values ('n', 2)`);
    await client.query(`insert into items values ('k', 99)`);
    c.net.heal();
    expect(await s.node.offline!.verdict(1)).toEqual({ status: 'rejected', origin: 'standby', seq: 1, code: '23505', message: 'duplicate key value violates unique constraint "items_pkey"' });
    expect(await s.node.offline!.verdict(2)).toMatchObject({ status: 'applied' });
    await drained(s.node);
    expect(await pgItems(client)).toEqual([{ id: 'a', qty: 1 }, { id: 'gone', qty: 5 }, { id: 'k', qty: 99 }, { id: 'n', qty: 2 }]);
    await converged(client, p, s, w);
  }, 60_000);
});
