/**
 * The first statement on a table still encoded (checkpoint/encoded-table.ts) waits while the table
 * is decoded in slices that yield to the event loop (state/index-builds.ts `decoded`), rather than
 * decoding it in one task at its first touch; a statement that touches no such table runs at once.
 * The background builder is off, as in encoded-tables.test.ts, so nothing decodes until asked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { EncodedTable } from '../packages/engine/src/checkpoint/encoded-table.ts';
import { IndexBuilds } from '../packages/engine/src/state/index-builds.ts';
import type { DbState } from '../packages/engine/src/state/state.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';

const open: Node[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const n of open.splice(0)) await n.close().catch(() => {});
});
beforeAll(() => void (IndexBuilds.inBackground = false));
afterAll(() => void (IndexBuilds.inBackground = true));

const ROWS = 100_000;
let seq = 0;
const encoded = (node: Node, name: string): boolean => {
  const s = (node as unknown as { core: { db: { state: DbState } } }).core.db.state;
  return s.table(s.tableNames.get(name)!).stillEncoded !== undefined;
};

/** A node closed (so checkpointed) with t of ROWS rows and a small u, reopened with both still encoded. */
async function reopened(ddl = ''): Promise<Node> {
  const storage = memoryStorage({ deferChunks: false });
  const cluster = `first-read-${process.pid}-${++seq}`;
  const first = await openNode({ cluster, nodeId: 'n1', storage, log: () => {} });
  await first.exec('create table t(id int primary key, s text); create table u(k int primary key)');
  await first.query(`insert into t select g, 'row ' || g from generate_series(1, ${ROWS}) g`);
  await first.query('insert into u select g from generate_series(1, 10) g');
  if (ddl) await first.exec(ddl);
  await first.close();
  const node = await openNode({ cluster, nodeId: 'n1', storage, log: () => {} });
  open.push(node);
  return node;
}

/** Counts macrotasks (turns of the event loop) until stopped, and which turn each decoded chunk ran in. */
function watch(): { turns: Set<number>; steps: () => number; stop: () => number } {
  let turn = 0;
  let on = true;
  const turns = new Set<number>();
  const tick = (): void => {
    turn++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const step = EncodedTable.prototype.step;
  let steps = 0;
  vi.spyOn(EncodedTable.prototype, 'step').mockImplementation(function (this: EncodedTable) {
    steps++;
    turns.add(turn);
    return step.call(this);
  });
  return { turns, steps: () => steps, stop: () => ((on = false), turn) };
}

describe('the first statement on a table still encoded', () => {
  it('waits while the table is decoded in several slices, then answers; a statement on no such table does not wait', async () => {
    const node = await reopened();
    expect([encoded(node, 't'), encoded(node, 'u')]).toEqual([true, true]);
    const w = watch();
    const answer = await node.query<{ c: number; hi: number }>('select count(*)::int as c, max(id) as hi from t');
    const turns = w.stop();
    expect(answer.rows).toEqual([{ c: ROWS, hi: ROWS }]);
    // decoded a chunk at a time over more than one task: the event loop ran between them
    expect(w.steps()).toBeGreaterThan(1);
    expect(w.turns.size).toBeGreaterThan(1);
    expect(turns).toBeGreaterThan(1);
    // only what the statement names was decoded
    expect([encoded(node, 't'), encoded(node, 'u')]).toEqual([false, true]);

    const after = watch();
    expect((await node.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    after.stop();
    expect(after.steps()).toBe(0);
    expect(encoded(node, 'u')).toBe(true);
  });

  it("keeps a session's statements in order while the first waits", async () => {
    const node = await reopened();
    const first = node.query('select count(*)::int as c from t');
    const write = node.query(`insert into t values (${ROWS + 1}, 'new')`);
    const second = node.query('select count(*)::int as c from t');
    expect((await first).rows).toEqual([{ c: ROWS }]);
    await write;
    expect((await second).rows).toEqual([{ c: ROWS + 1 }]);
  });

  it('a view over an encoded table waits for the table, and a write through a transaction block sees its rows', async () => {
    const node = await reopened('create view v as select id from t where id % 1000 = 0');
    expect(encoded(node, 't')).toBe(true);
    const w = watch();
    expect((await node.query('select count(*)::int as c from v')).rows).toEqual([{ c: ROWS / 1000 }]);
    w.stop();
    expect(w.turns.size).toBeGreaterThan(1);
    await node.exec(`begin; delete from u where k <= 5`);
    expect((await node.query('select count(*)::int as c from u')).rows).toEqual([{ c: 5 }]);
    await node.exec('commit');
    expect(encoded(node, 'u')).toBe(false);
  });
});
