/** Offline writes over real WebRTC data channels (loopback): a standby's writes reach the primary and come back confirmed. */
import { afterEach, expect, it } from 'vitest';
import { caughtUp, webrtcCluster, type TestCluster } from '../cluster.ts';
import { drained } from './support.ts';

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.closeAll();
  c = undefined;
});

it('over WebRTC: a standby writes, reads its write at once, and gets the primary\'s verdicts (applied, and a rejection)', async () => {
  c = webrtcCluster();
  const p = await c.open('primary');
  await p.node.exec(`create table notes(id uuid primary key, body text not null); insert into notes values ('00000000-0000-0000-0000-000000000001', 'first')`);
  const s = await c.open('standby', { role: 'standby', offlineWrites: true });
  await caughtUp(p.node, s.node, 30_000);
  // the key is made on the client, so the optimistic row and the primary's are the same row
  const ok = await s.node.query<{ id: string }>('insert into notes values ($1, $2) returning id', [crypto.randomUUID(), 'from the standby']);
  expect((await s.node.query('select body from notes where id = $1', [ok.rows[0]!.id])).rows).toEqual([{ body: 'from the standby' }]);
  await p.node.query(`insert into notes values ('00000000-0000-0000-0000-000000000002', 'taken on the primary')`);
  // the standby has not replayed the primary's row yet, or has: either way the primary decides
  const dup = await s.node.query(`insert into notes values ('00000000-0000-0000-0000-000000000002', 'late')`).catch((e: { code: string }) => e);
  expect(await ok.pending!.verdict!).toMatchObject({ status: 'applied', origin: 'standby', seq: 1 });
  if ('rows' in dup) expect(await dup.pending!.verdict!).toMatchObject({ status: 'rejected', code: '23505' });
  else expect(dup.code).toBe('23505');
  await drained(s.node, 30_000);
  await caughtUp(p.node, s.node, 30_000);
  expect((await p.node.query('select body from notes where id = $1', [ok.rows[0]!.id])).rows).toEqual([{ body: 'from the standby' }]);
  expect(await s.node.contentHash()).toBe(await p.node.contentHash());
}, 60_000);
