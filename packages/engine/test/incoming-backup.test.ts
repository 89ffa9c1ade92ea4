/**
 * A streamed base backup (checkpoint/backup-stream.ts) as the primary packs it and the standby
 * receives it (replication/incoming-backup.ts): the frames hold the state as it was when asked for
 * while commits go on; the standby decodes each piece as it lands, whatever the cuts between
 * messages; a damaged piece is refused where it is, a truncated stream at its end.
 */
import { describe, expect, it } from 'vitest';
import { streamBackup, type BackupSummary } from '../src/checkpoint/backup-stream.ts';
import { openNode, type Node } from '../src/index.ts';
import { chunkRows } from '../src/checkpoint/encoded-table.ts';
import { IncomingBackup } from '../src/replication/incoming-backup.ts';
import { seal } from '../src/storage/envelope.ts';
import { restoreSnapshot, takeSnapshot } from '../src/state/snapshot.ts';
import type { DbState } from '../src/state/state.ts';

const quiet = () => {};
const meta = { systemId: '1', timeline: 1, lsn: 0, history: [] };
const stateOf = (node: Node) => (node as unknown as { core: { db: { latest(): DbState } } }).core.db.latest();

async function frames(state: DbState): Promise<{ frames: Uint8Array[]; summary: BackupSummary }> {
  const s = streamBackup(state);
  const out: Uint8Array[] = [];
  for await (const f of s.frames) out.push(Buffer.concat(f));
  return { frames: out, summary: s.summary() };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Feed `bytes` in cuts of `cut`; the first refusal, or null. */
function feed(b: IncomingBackup, bytes: Uint8Array, cut: number): string | null {
  for (let off = 0; off < bytes.length; off += cut) {
    const refused = b.add(off, bytes.subarray(off, off + cut));
    if (refused) return refused;
  }
  return null;
}

async function sample(): Promise<Node> {
  const node = await openNode({ cluster: 'incoming-backup', log: quiet });
  await node.exec(`create table empty(a int)`);
  await node.exec(`create table few(id serial primary key, b bigint, n numeric, t text, f float8, ok boolean)`);
  await node.exec(`insert into few(b, n, t, f, ok) values (9007199254740993, 1.50, null, 0.5, true), (null, -0.001, 'x', null, false)`);
  await node.exec(`create table many(id int primary key, v text); create index on many(v)`);
  for (let from = 1; from <= 20_000; from += 5000) {
    const values: string[] = [];
    for (let id = from; id < from + 5000; id++) values.push(`(${id}, 'v${id}')`);
    await node.exec(`insert into many values ${values.join(', ')}`);
  }
  await node.exec(`delete from many where id between 3000 and 9000; create sequence s; select nextval('s')`);
  return node;
}

describe('a streamed base backup', () => {
  it('is received, however the stream is cut into messages, as the snapshot the primary had', async () => {
    const node = await sample();
    const state = stateOf(node);
    const { frames: f, summary } = await frames(state);
    expect(f.length).toBeGreaterThan(3);
    const bytes = concat(f);
    expect(summary).toMatchObject({ totalBytes: bytes.length, pieces: f.length });
    for (const cut of [1, 7, 16, 1000, 64 * 1024, bytes.length]) {
      const b = new IncomingBackup(meta);
      expect(feed(b, bytes, cut)).toBeNull();
      const got = b.finish(summary);
      if (typeof got === 'string') throw new Error(got);
      // the tables come still encoded: nothing was decoded while the stream arrived
      expect(got.snapshot.tables.every((t) => t.data?.stillEncoded !== undefined)).toBe(true);
      expect(Buffer.from(seal(takeSnapshot(restoreSnapshot(got.snapshot)))).equals(Buffer.from(seal(takeSnapshot(state))))).toBe(true);
    }
    await node.close();
  });

  it('holds the state as it was when asked for, while commits made during the packing complete', async () => {
    const node = await openNode({ cluster: 'incoming-backup-commits', log: quiet });
    await node.exec(`create table t(id int primary key, v text)`);
    for (let from = 1; from <= 100_000; from += 5000) {
      const values: string[] = [];
      for (let id = from; id < from + 5000; id++) values.push(`(${id}, 'row ${id}')`);
      await node.exec(`insert into t values ${values.join(', ')}`);
    }
    const s = streamBackup(stateOf(node));
    const first = await s.frames.next();
    expect(first.done).toBe(false);
    // the backup is in flight (its header is out, no rows yet): commits complete meanwhile
    await node.query(`insert into t values (100001, 'during')`);
    await node.query(`update t set v = 'changed' where id = 1`);
    await node.query(`delete from t where id = 2`);
    const rest: Uint8Array[] = [Buffer.concat(first.value!)];
    for await (const f of s.frames) rest.push(Buffer.concat(f));
    const b = new IncomingBackup(meta);
    expect(feed(b, concat(rest), 64 * 1024)).toBeNull();
    const got = b.finish(s.summary());
    if (typeof got === 'string') throw new Error(got);
    const restored = restoreSnapshot(got.snapshot);
    const rows = [...restored.tables.values()][0]!.rows;
    expect(rows.size).toBe(100_000);
    expect(rows.get(rows.minKey()!)).toEqual([1, 'row 1']);
    expect((await node.query('select count(*)::int as n from t')).rows).toEqual([{ n: 100_000 }]);
    await node.close();
  });

  it('refuses bytes out of order, and a stream short of what its summary says', async () => {
    const node = await sample();
    const { frames: f, summary } = await frames(stateOf(node));
    const bytes = concat(f);
    const gap = new IncomingBackup(meta);
    expect(gap.add(0, bytes.subarray(0, 100))).toBeNull();
    expect(gap.add(200, bytes.subarray(200, 300))).toBe('base backup chunk out of range');
    expect(gap.finish(summary)).toBe('base backup chunk out of range');
    // the last frame never came, though every frame that did is whole and sound
    const short = new IncomingBackup(meta);
    expect(feed(short, concat(f.slice(0, -1)), 4096)).toBeNull();
    expect(short.finish(summary)).toBe('incomplete base backup');
    // nor may the summary be made to match: the rows the header announced are missing
    const lying = new IncomingBackup(meta);
    const cut = concat(f.slice(0, -1));
    expect(feed(lying, cut, 4096)).toBeNull();
    expect(lying.finish({ ...summary, totalBytes: cut.length, pieces: f.length - 1 })).toMatch(/^incomplete base backup$|^invalid base backup: incorrect checksum$/);
    // a stream cut inside a frame
    const torn = new IncomingBackup(meta);
    expect(feed(torn, bytes.subarray(0, bytes.length - 10), 4096)).toBeNull();
    expect(torn.finish(summary)).toBe('incomplete base backup');
    await node.close();
  });

  it('refuses a piece damaged in the middle of the stream as soon as that piece is in, and everything after it', async () => {
    const node = await sample();
    const { frames: f } = await frames(stateOf(node));
    const middle = Math.floor(f.length / 2);
    const before = concat(f.slice(0, middle)).length;
    for (const at of [4, 12, 100, f[middle]!.length - 1]) {
      const damaged = f.map((x) => x.slice());
      damaged[middle]![at]! ^= 0x10;
      const bytes = concat(damaged);
      const b = new IncomingBackup(meta);
      // everything before the damaged piece is taken
      expect(feed(b, bytes.subarray(0, before), 1000)).toBeNull();
      const refused = b.add(before, bytes.subarray(before, before + f[middle]!.length));
      expect(refused).toMatch(/^invalid base backup: /);
      expect(b.add(before + f[middle]!.length, bytes.subarray(before + f[middle]!.length))).toBe(refused);
    }
    await node.close();
  });

  it("counts a piece's rows from the head of its body without decoding the rows", () => {
    const sealed = seal({ ids: Array.from({ length: 2048 }, (_, i) => i), rows: Array.from({ length: 2048 }, (_, i) => [i, `row ${i}`]) });
    expect(chunkRows(sealed)).toBe(2048);
    // the rows' bytes made undecodable (a msgpack "never used" byte): still counted, so they were never read
    const broken = sealed.slice();
    broken.fill(0xc1, 12 + 3 + 4 + 3 + 2048 * 3);
    expect(chunkRows(broken)).toBe(2048);
    expect(chunkRows(seal({ ids: [1, 2, 3], rows: [[1], [2], [3]] }))).toBe(3);
    expect(chunkRows(seal({ k: 'header', backup: 2 }))).toBe('header');
    expect(chunkRows(seal({ rows: [[1]] }))).toBeUndefined();
  });

  it('refuses a frame that claims more than a piece may hold without waiting for it', () => {
    const b = new IncomingBackup(meta);
    expect(b.add(0, Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 1, 2, 3))).toBe('invalid base backup: a piece of 2147483647 bytes');
  });
});
