/**
 * A scan planned through an index still being built in the background (state/index-builds.ts)
 * reads the table's rows instead (sql/plan/build-fallback.ts): a LIMIT stops it once it has its
 * rows, and once such scans have read as many rows as the build costs, the next one finishes the
 * build and walks the index. Driven slice by slice, so "mid-build" is a fixed point; the rows each
 * scan read are counted, and every answer is that of a node whose indexes were maintained all along.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/storage/memory.ts';
import { IndexBuilds } from '../src/state/index-builds.ts';
import type { IndexData } from '../src/state/state.ts';
import type { Node } from '../src/index.ts';
import { BUILD_COST_PER_ROW, rowsScannedInstead } from '../src/sql/plan/build-fallback.ts';
import { decoded, exec, open, plan, SCHEMA, stateOf, unique } from './lazy-index-helpers.ts';

const ROWS = 20_000;
const FILL = `insert into t select g, case when g % 11 = 0 then null else (g * 7) % 100 end, 's' || (g % 5), 'c', g * 2 from generate_series(1, ${ROWS}) g`;

const builder = (node: Node): IndexBuilds => (node as unknown as { indexBuilds: IndexBuilds }).indexBuilds;
const index = (node: Node, name: string): IndexData => {
  const state = stateOf(node);
  return state.table(state.tableNames.get('t')!).indexes.find((ix) => ix.def.name === name)!;
};
const steps = (n: number) => () => n-- <= 0;
const rows = async (node: Node, sql: string) => (await node.query(sql)).rows;

/** A node filled, checkpointed and reopened (its secondary indexes not built), beside one that never reopened. */
async function reopened(): Promise<{ lazy: Node; eager: Node }> {
  const storage = memoryStorage();
  const cluster = unique('build-scan');
  const first = await open(cluster, storage);
  const eager = await open(unique('build-scan-eager'), memoryStorage());
  await exec([first, eager], [SCHEMA, FILL]);
  await first.close();
  return { lazy: decoded(await open(cluster, storage)), eager };
}

describe('a scan through an index still being built', () => {
  beforeEach(() => void (IndexBuilds.inBackground = false));
  afterAll(() => void (IndexBuilds.inBackground = true));

  it('stops at LIMIT: it reads the rows up to the ones it returns, not the whole table', async () => {
    const { lazy, eager } = await reopened();
    expect(builder(lazy).slice(steps(3))).toBe(true);
    const n = index(lazy, 't_n');
    const build = n.deferredBuild!;
    expect(n.building).toBe(true);
    const sql = 'select id, n from t where n > 90 limit 5';
    const got = await rows(lazy, sql);
    // which 5 rows is unspecified without ORDER BY: 5 distinct rows that qualify
    expect(got).toHaveLength(5);
    expect(new Set(got.map((r) => r.id)).size).toBe(5);
    expect(got.every((r) => (r.n as number) > 90)).toBe(true);
    // the rows are read in id order, and n = g * 7 % 100 is over 90 first at the ids 13, 14, 28, 42, 56: 56 rows read (all 20,000 before)
    expect(rowsScannedInstead(build)).toBe(56);
    expect(n.building).toBe(true);
    expect(await plan(lazy, sql)).toContain('Index Scan using t_n on t');
    const analyzed = (await lazy.query<Record<string, string>>(`explain (analyze, summary off) ${sql}`)).rows.map((r) => r['QUERY PLAN']);
    expect(analyzed.slice(0, 2)).toEqual(['Limit (actual rows=5 loops=1)', '  ->  Index Scan using t_n on t (actual rows=5 loops=1)']);
    // with an ORDER BY the index is needed after all: the build finishes and both nodes agree
    const ordered = 'select n from t where n > 90 order by n desc limit 5';
    expect(await rows(lazy, ordered)).toEqual(await rows(eager, ordered));
    expect(n.isBuilt).toBe(true);
    await lazy.close();
    await eager.close();
  });

  it('scans the rows for an equality until those scans cost what the build does, then finishes the build', async () => {
    const { lazy, eager } = await reopened();
    expect(builder(lazy).slice(steps(3))).toBe(true);
    const n = index(lazy, 't_n');
    const build = n.deferredBuild!;
    const stepsRun = build.stepsRun;
    const sql = 'select count(*)::int as c, sum(id)::int as s from t where n = 7';
    const scanned: number[] = [];
    const building: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      expect(await rows(lazy, sql)).toEqual(await rows(eager, sql));
      scanned.push(rowsScannedInstead(build));
      building.push(n.building);
    }
    // BUILD_COST_PER_ROW full scans in its place, then the build (which no slice advanced meanwhile) runs to its end
    expect(BUILD_COST_PER_ROW).toBe(4);
    expect(scanned).toEqual([ROWS, 2 * ROWS, 3 * ROWS, 4 * ROWS, 4 * ROWS, 4 * ROWS]);
    expect(building).toEqual([true, true, true, true, false, false]);
    expect(build.stepsRun).toBe(stepsRun);
    expect(n.isBuilt).toBe(true);
    // other indexes still being built are untouched: each keeps its own account
    expect(index(lazy, 't_s').building).toBe(true);
    expect(await rows(lazy, "select count(*)::int as c from t where s = 's3'")).toEqual([{ c: ROWS / 5 }]);
    expect(rowsScannedInstead(index(lazy, 't_s').deferredBuild!)).toBe(ROWS);
    await lazy.close();
    await eager.close();
  });
});
