/**
 * Indexes a node opens without are built in the background, in slices, right after open
 * (state/index-builds.ts). Whatever arrives while a build is under way — a query that can scan the
 * rows instead, one that needs the index (ordered walk, unique check, min/max), writes, DDL, a
 * checkpoint, a standby's replay, close() — the answers must be those of an index maintained all
 * along: a reference node that runs the same statements and never reopens. Most tests drive the
 * builder slice by slice (`slice`), so "mid-build" is a fixed point and not a race.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlError, type Node } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import type { Storage } from '../src/storage/storage.ts';
import { IndexBuilds } from '../src/state/index-builds.ts';
import { DbState, IndexData, TableData, type DeferredIndexTree } from '../src/state/state.ts';
import { lazyIndex } from '../src/state/lazy-index.ts';
import type { IndexDef, TableDef } from '../src/catalog/types.ts';
import { built, exec, open, plan, queries, same, SCHEMA, stateOf, unique, writes } from './lazy-index-helpers.ts';
import { prng } from '../../../test/prng.ts';

const ROWS = 20_000;
/** The schema's table filled in one statement; NULLs and repeated keys in every indexed column. */
const FILL = `insert into t select g, case when g % 11 = 0 then null else (g * 7) % 100 end,
  case when g % 13 = 0 then null else substr('abAbbbaCA', 1 + g % 8, 2) || (g % 5) end, 'CA' || (g % 5), g * 2
  from generate_series(1, ${ROWS}) g`;

const builder = (node: Node): IndexBuilds => (node as unknown as { indexBuilds: IndexBuilds }).indexBuilds;
const index = (node: Node, name: string): IndexData => {
  const state = stateOf(node);
  return state.table(state.tableNames.get('t')!).indexes.find((ix) => ix.def.name === name)!;
};
/** A slice's budget of `n` build steps. */
const steps = (n: number) => () => n-- <= 0;
/** Runs the builder to the end, a few steps a slice, `between` after every slice (writes while it builds). */
async function finish(node: Node, between: () => Promise<void> = async () => {}, perSlice = 7): Promise<number> {
  let slices = 0;
  while (builder(node).slice(steps(perSlice))) {
    slices++;
    await between();
  }
  return slices;
}
/** Event-loop turns until `done()`, bounded. */
async function turnsUntil(done: () => boolean, max = 100_000): Promise<number> {
  let turns = 0;
  while (!done()) {
    if (++turns > max) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
  return turns;
}

const SECONDARY = ['t_n', 't_s', 't_ns', 't_u', 't_p', 't_l', 't_c'];

/** A node filled, checkpointed, written after the checkpoint and reopened (its indexes not built), beside an eager reference. */
async function reopenedBig(seed: number): Promise<{ lazy: Node; eager: Node; cluster: string; storage: Storage; rand: () => number; ids: { next: number } }> {
  const rand = prng(seed);
  const ids = { next: ROWS + 1 };
  const storage = memoryStorage();
  const cluster = unique('builds');
  const first = await open(cluster, storage);
  const eager = await open(unique('eager'), memoryStorage());
  await exec([first, eager], [SCHEMA, FILL]);
  await first.checkpoint();
  await exec([first, eager], writes(rand, 60, ids));
  return { lazy: await open(cluster, storage), eager, cluster, storage, rand, ids };
}

describe('indexes built in the background after open, slice by slice', () => {
  // the tests drive the builder themselves; the last one lets nodes run it
  beforeEach(() => void (IndexBuilds.inBackground = false));
  afterAll(() => void (IndexBuilds.inBackground = true));

  it('a query arriving mid-build gets the exact result: an unordered scan reads the rows, an ordered walk, min/max and a unique check finish the build', async () => {
    const { lazy, eager, rand } = await reopenedBig(1);
    expect(builder(lazy).slice(steps(3))).toBe(true);
    const n = index(lazy, 't_n');
    const build = n.deferredBuild!;
    expect(n.building).toBe(true);
    const ran = build.stepsRun;
    // planned through the index as before, answered by scanning the rows: the build neither finished nor advanced
    expect(await plan(lazy, 'select id from t where n = 5')).toContain('Index Scan using t_n on t');
    await same(lazy, eager, ['select id from t where n = 5 order by id', 'select count(*)::int as c from t where n between 10 and 20', 'select id from t where n is null order by id']);
    expect({ building: n.building, steps: build.stepsRun }).toEqual({ building: true, steps: ran });
    // an ordered walk needs the index: what is left of its build runs now
    expect(await plan(lazy, 'select n from t where n < 30 order by n desc limit 7')).toContain('Index Scan Backward using t_n on t');
    await same(lazy, eager, ['select n from t where n < 30 order by n desc limit 7']);
    expect(index(lazy, 't_n').isBuilt).toBe(true);
    // a unique index whose build has not started but is scheduled: its check still refuses a duplicate
    expect(builder(lazy).slice(steps(2))).toBe(true);
    expect(index(lazy, 't_u').building).toBe(true);
    const err = await lazy.query('insert into t (id, u) values (1000000, 8)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect(err).toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "t_u"', detail: 'Key (u)=(8) already exists.' });
    await same(lazy, eager, queries(rand));
    await finish(lazy);
    expect(Object.values(built(lazy)).every(Boolean)).toBe(true);
    await same(lazy, eager, queries(rand));
    expect(await lazy.contentHash()).toBe(await eager.contentHash());
  });

  for (const seed of [2, 3]) {
    it(`writes between the slices and a checkpoint mid-build: every index answers as one maintained all along, and so does the next open (seed ${seed})`, async () => {
      const { lazy, eager, rand, ids, cluster, storage } = await reopenedBig(seed);
      let slices = 0;
      await finish(lazy, async () => {
        await exec([lazy, eager], writes(rand, 3, ids));
        if (++slices === 20) {
          await lazy.checkpoint();
          await same(lazy, eager, queries(rand));
        }
      }, 2);
      expect(slices).toBeGreaterThan(20);
      await same(lazy, eager, queries(rand));
      expect(await lazy.contentHash()).toBe(await eager.contentHash());
      // the checkpoint taken mid-build kept every definition; the next open builds them again
      await lazy.close();
      const third = await open(cluster, storage);
      expect(built(third)).toMatchObject(Object.fromEntries(SECONDARY.map((s) => [s, false])));
      builder(third).slice(steps(10));
      await same(third, eager, queries(rand));
      await finish(third);
      await same(third, eager, queries(rand));
      expect(await third.contentHash()).toBe(await eager.contentHash());
    });
  }

  it('DROP INDEX, ALTER TABLE and DROP TABLE mid-build', async () => {
    const { lazy, eager, rand, ids } = await reopenedBig(4);
    builder(lazy).slice(steps(4));
    expect(index(lazy, 't_n').building).toBe(true);
    // the index being built goes: the builder moves on to the next
    await exec([lazy, eager], ['drop index t_n']);
    builder(lazy).slice(steps(4));
    expect(index(lazy, 't_s').building).toBe(true);
    await exec([lazy, eager], writes(rand, 20, ids));
    await same(lazy, eager, queries(rand));
    await exec([lazy, eager], ['alter table t add column z int', 'alter table t rename column c to cc']);
    builder(lazy).slice(steps(4));
    await same(lazy, eager, queries(rand).map((q) => q.replace('where c =', 'where cc =')));
    // a new column type rebuilds every index at once
    await exec([lazy, eager], ['alter table t alter column n type bigint']);
    expect(Object.values(built(lazy)).every(Boolean)).toBe(true);
    expect(builder(lazy).slice(steps(4))).toBe(false);
    await same(lazy, eager, queries(rand).map((q) => q.replace('where c =', 'where cc =')));

    const again = await reopenedBig(5);
    await again.lazy.exec('create table other(x int primary key)');
    builder(again.lazy).slice(steps(4));
    await again.lazy.exec('drop table t');
    expect(builder(again.lazy).slice(steps(4))).toBe(false);
    await again.lazy.exec(SCHEMA);
    await again.lazy.query(`insert into t values (1, 5, 'ab1', 'CA1', 2)`);
    expect((await again.lazy.query('select id from t where n = 5')).rows).toEqual([{ id: 1 }]);
  });
});

describe('a background build that fails', () => {
  it('is given up: the builder moves on to the next index, and the index is left to the read that needs it, which meets the error', () => {
    const def: TableDef = { oid: 1, name: 't', checks: [], columns: [{ name: 'id' }, { name: 'n' }] as TableDef['columns'] };
    const index = (oid: number, name: string): IndexDef => ({ oid, name, table: 1, columns: ['n'], unique: false, primary: false, constraint: false });
    const table = new TableData(def);
    for (let id = 1; id <= 20_000; id++) table.insert(id, [id, id % 7]);
    let calls = 0;
    // as an index expression that raises on some row would
    const failing: DeferredIndexTree = {
      done: false, scheduled: false, stepsRun: 0,
      step() {
        if (++calls === 2) throw new Error('step failed');
        return false;
      },
      take() {
        throw new Error('build failed');
      },
    };
    table.indexes = [new IndexData(index(2, 't_bad'), def, failing), new IndexData(index(3, 't_n'), def, lazyIndex(index(3, 't_n'), def, table.rows))];
    const state = new DbState();
    state.tables.set(1, table);
    const builds = new IndexBuilds(() => state);
    let slices = 0;
    while (builds.slice(steps(5))) if (++slices > 1000) throw new Error('the builder did not end');
    expect({ calls, scheduled: failing.scheduled, building: table.indexes[0]!.building, built: table.indexes.map((ix) => ix.isBuilt) }).toEqual({ calls: 2, scheduled: false, building: false, built: [false, true] });
    expect(() => table.indexes[0]!.tree).toThrow('build failed');
  });
});

describe('indexes built in the background: nodes run the builder', () => {
  let nodes: Node[] = [];
  afterEach(async () => {
    for (const n of nodes) await n.close();
    nodes = [];
  });

  it('opening builds every index in slices after it returns; the first query does not wait for them', async () => {
    IndexBuilds.inBackground = false;
    const { lazy: closed, eager, cluster, storage, rand } = await reopenedBig(6);
    await closed.close();
    IndexBuilds.inBackground = true;
    const lazy = await open(cluster, storage);
    nodes.push(lazy, eager);
    const s = index(lazy, 't_s').deferredBuild!;
    const n = index(lazy, 't_n').deferredBuild!;
    await same(lazy, eager, ['select id from t where n = 5 order by id']);
    // the query ran no build of its own over the rows: t_n is either still unbuilt or was built in the background's steps
    expect(!index(lazy, 't_n').isBuilt || n.stepsRun > 1).toBe(true);
    let turns = 0;
    await turnsUntil(() => (turns++, !builder(lazy).busy));
    expect(Object.values(built(lazy)).every(Boolean)).toBe(true);
    // text keys of 20,000 rows: merged in many steps, and the event loop turned between the slices
    expect(s.stepsRun).toBeGreaterThan(10);
    expect(turns).toBeGreaterThan(SECONDARY.length);
    await same(lazy, eager, queries(rand));
  });

  it('close() during a build stops it: nothing runs afterwards', async () => {
    IndexBuilds.inBackground = false;
    const { lazy: closed, eager, cluster, storage } = await reopenedBig(7);
    await closed.close();
    await eager.close();
    IndexBuilds.inBackground = true;
    const lazy = await open(cluster, storage);
    const first = index(lazy, 't_n').deferredBuild!;
    await turnsUntil(() => first.stepsRun > 0);
    await lazy.close();
    expect(builder(lazy).busy).toBe(false);
    const state = stateOf(lazy);
    const progress = () => state.table(state.tableNames.get('t')!).indexes.map((ix) => [ix.def.name, ix.isBuilt, ix.deferredBuild?.stepsRun]);
    const at = progress();
    let turns = 0;
    await turnsUntil(() => ++turns > 50);
    expect(progress()).toEqual(at);
  });
});
