/**
 * Indexes other than the primary key are built on first use after a node opens
 * (state/lazy-index.ts). Whatever comes first — a query the planner sends through the index, a
 * unique check, a write that maintains it, a checkpoint, DDL — the answers must be those of an
 * index built eagerly: here a reference node that runs the same statements and never reopens, so
 * its indexes were maintained write by write. A "crash" is a second node opened on the same
 * storage while the first is never closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../src/index.ts';
import { memoryStorage } from '../src/storage/memory.ts';
import { buildIndex } from '../src/state/state.ts';
import { IndexBuilds } from '../src/state/index-builds.ts';
import { built, exec, open, plan, queries, reopened, same, stateOf, unique, writes } from './lazy-index-helpers.ts';

// these tests are of first use: what a read, a write or DDL does to an index no background build has touched
beforeAll(() => void (IndexBuilds.inBackground = false));
afterAll(() => void (IndexBuilds.inBackground = true));

const SECONDARY = { t_n: false, t_s: false, t_ns: false, t_u: false, t_p: false, t_l: false, t_c: false };

describe('indexes built on first use after a node opens', () => {
  it('opening builds only the primary key; the WAL replayed after the checkpoint is logged on the others', async () => {
    const { lazy } = await reopened(1);
    expect(built(lazy)).toEqual({ t_pkey: true, ...SECONDARY });
  });

  for (const seed of [2, 3, 4, 5]) {
    it(`answers what an index maintained all along answers, reads and writes interleaved at random (seed ${seed})`, async () => {
      const { lazy, eager, rand, ids } = await reopened(seed);
      for (let round = 0; round < 6; round++) {
        // writes first in some rounds, reads first in others: the first use is sometimes a read, sometimes follows logged writes
        if (rand() < 0.5) await exec([lazy, eager], writes(rand, 20, ids));
        await same(lazy, eager, queries(rand));
      }
      expect(built(lazy)).toMatchObject({ t_n: true, t_s: true, t_ns: true, t_u: true, t_l: true });
      expect(await lazy.contentHash()).toBe(await eager.contentHash());
    });
  }

  it('plans through the index before it is built, as EXPLAIN shows, and the scan then builds it', async () => {
    const { lazy, eager } = await reopened(6);
    expect(await plan(lazy, 'select id from t where n = 5')).toContain('Index Scan using t_n on t');
    expect(await plan(lazy, 'select id from t where lower(s) = $$ab1$$')).toContain('t_l');
    expect(await plan(lazy, 'select id from t order by n desc limit 3')).toContain('Index Scan Backward using t_n on t');
    expect(built(lazy).t_n).toBe(false);
    await same(lazy, eager, ['select id from t where n = 5 order by id', 'select id, n from t order by n desc nulls last, id limit 3']);
    expect(built(lazy).t_n).toBe(true);
    expect(built(lazy).t_s).toBe(false);
  });

  it('a unique index not built yet still refuses a duplicate right after opening (23505), by INSERT and by UPDATE', async () => {
    const { lazy } = await reopened(7);
    const { rows: [taken] } = await lazy.query<{ id: number; u: number }>('select id, u from t where u is not null order by id desc limit 1');
    expect(built(lazy).t_u).toBe(false);
    const err = await lazy.query(`insert into t (id, u) values (1000000, ${taken!.u})`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect(err).toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "t_u"', detail: `Key (u)=(${taken!.u}) already exists.` });
    const again = await reopened(7);
    const other = await again.lazy.query<{ id: number }>(`select id from t where u is not null and id <> ${taken!.id} order by id limit 1`);
    const upd = await again.lazy.query(`update t set u = ${taken!.u} where id = ${other.rows[0]!.id}`).catch((e: unknown) => e);
    expect(upd).toMatchObject({ code: '23505', message: 'duplicate key value violates unique constraint "t_u"' });
    // on conflict reads the unique index too
    await again.lazy.query(`insert into t (id, u) values (1000001, ${taken!.u}) on conflict (u) do update set n = -1`);
    expect((await again.lazy.query(`select id, n from t where u = ${taken!.u}`)).rows).toEqual([{ id: taken!.id, n: -1 }]);
  });

  it('a checkpoint taken before an index is built keeps its definition: the next open has it, unique and used', async () => {
    const { lazy, eager, cluster, storage, ids, rand } = await reopened(8);
    await exec([lazy, eager], ['create table other(x int)', 'insert into other values (1)']);
    await lazy.checkpoint();
    expect(built(lazy)).toEqual({ t_pkey: true, ...SECONDARY });
    const third = await open(cluster, storage);
    expect(built(third)).toEqual({ t_pkey: true, ...SECONDARY });
    expect(await plan(third, 'select id from t where n = 5')).toContain('Index Scan using t_n on t');
    const { rows: [taken] } = await third.query<{ u: number }>('select u from t where u is not null limit 1');
    await expect(third.query(`insert into t (id, u) values (1000000, ${taken!.u})`)).rejects.toMatchObject({ code: '23505' });
    await exec([third, eager], writes(rand, 30, ids));
    await same(third, eager, queries(rand));
  });

  it('DROP INDEX and ALTER TABLE before first use leave the answers of an index maintained all along', async () => {
    const { lazy, eager, rand, ids, cluster, storage } = await reopened(9);
    await exec([lazy, eager], ['drop index t_s', 'alter table t add column z int', 'alter table t rename column c to cc']);
    await exec([lazy, eager], writes(rand, 20, ids).map((w) => w.replace(/, c = /, ', cc = ').replace(/(\d+)\)$/, '$1, 7)')));
    await same(lazy, eager, queries(rand).map((q) => q.replace('where c =', 'where cc =')));
    await exec([lazy, eager], ['alter table t alter column n type bigint', 'drop index t_ns']);
    await same(lazy, eager, queries(rand).map((q) => q.replace('where c =', 'where cc =')));
    await lazy.checkpoint();
    const third = await open(cluster, storage);
    expect(built(third)).toEqual({ t_pkey: true, t_n: false, t_u: false, t_p: false, t_l: false, t_c: false });
    await same(third, eager, queries(rand).map((q) => q.replace('where c =', 'where cc =')));
  });

  it('an index never read is built once its table has had 65,536 row changes, which lets the rows at open go', async () => {
    const storage = memoryStorage();
    const cluster = unique('bound');
    const first = await open(cluster, storage);
    await first.exec('create table t(id int primary key, v text, n int); create index t_n on t(n)');
    await first.query(`insert into t select g, 'row ' || g, g % 100 from generate_series(1, 70000) g`);
    await first.checkpoint();
    const lazy = await open(cluster, storage);
    await lazy.query(`update t set v = 'changed' where id <= 60000`);
    expect(built(lazy).t_n).toBe(false);
    await lazy.query(`update t set v = 'changed' where id > 60000`);
    expect(built(lazy).t_n).toBe(true);
    expect((await lazy.query('select count(*)::int as c, min(v) as v from t where n = 7')).rows).toEqual([{ c: 700, v: 'changed' }]);
  });

  it('a TRUNCATE before first use empties every index', async () => {
    const { lazy, eager, rand } = await reopened(10);
    await exec([lazy, eager], ['truncate t', `insert into t values (1, 5, 'ab1', 'CA1', 2)`]);
    await same(lazy, eager, queries(rand));
  });
});

/** An index's entries with each key's row ids sorted: a maintained index appends ids, a build lists them in order. */
const entries = (tree: { entries(): IterableIterator<[unknown, number | readonly number[]]> }) => [...tree.entries()].map(([k, ids]) => [k, typeof ids === 'number' ? [ids] : [...ids].sort((a, b) => a - b)]);

describe('indexes built on first use: transactions and snapshots (the state, directly)', () => {
  for (const seed of [11, 12, 13]) {
    it(`every version of a table, read in random order, holds the index a build over its rows gives (seed ${seed})`, async () => {
      const { lazy, rand } = await reopened(seed, 200);
      const oid = stateOf(lazy).tableNames.get('t')!;
      // versions as transactions leave them: each a fork of the one before, written and published; older ones stay readable (snapshots)
      const versions = [stateOf(lazy)];
      const unread = new Set(versions);
      for (let step = 0; step < 40; step++) {
        if (rand() < 0.6) {
          const next = versions[versions.length - 1]!.fork();
          const table = next.writable(oid);
          for (let w = Math.floor(rand() * 4); w >= 0; w--) {
            const ids: number[] = [];
            table.rows.forEachPair((id) => void ids.push(id));
            const id = ids[Math.floor(rand() * ids.length)];
            const row = [0, rand() < 0.2 ? null : Math.floor(rand() * 100), `ab${Math.floor(rand() * 3)}`, `CA${Math.floor(rand() * 3)}`, null];
            const r = rand();
            if (r < 0.4 || id === undefined) table.insert(table.nextRowId, [table.nextRowId + 5000, ...row.slice(1)]);
            else if (r < 0.8) table.update(id, [table.rows.get(id)![0], ...row.slice(1, 4), table.rows.get(id)![4]]);
            else table.delete(id);
          }
          versions.push(next);
          unread.add(next);
        } else {
          const v = versions[Math.floor(rand() * versions.length)]!;
          unread.delete(v);
          const table = v.table(oid);
          for (const ix of table.indexes) expect({ ix: ix.def.name, e: entries(ix.tree) }).toEqual({ ix: ix.def.name, e: entries(buildIndex(ix.def, table).tree) });
        }
      }
      for (const v of unread) {
        const table = v.table(oid);
        for (const ix of table.indexes) expect({ ix: ix.def.name, e: entries(ix.tree) }).toEqual({ ix: ix.def.name, e: entries(buildIndex(ix.def, table).tree) });
      }
    });
  }
});
