/**
 * Reopening a large node on IndexedDB, in the page or in its module worker: a node fills `rows`
 * rows of the scale table, checkpoints, changes 99 rows and closes (close checkpoints those too);
 * then the same cluster is opened `opens` times, each timed from the open call until its first
 * query is answered (a point SELECT by primary key), with the page's long tasks (Chromium's
 * long-task entries, over 50 ms) over that time; then the first query through the `n` index,
 * which builds it (indexes other than the primary key are built on first use), and its long tasks.
 */
import { openNode } from '@walrtc/engine';
import { openWorkerNode } from '@walrtc/engine/worker';
import { yieldToEventLoop } from '../../../packages/engine/src/checkpoint/slices.ts';
import { SCALE_SCHEMA, scaleInserts } from '../../scale-rows.ts';
import type { ReopenRun } from './api.ts';
import { deleteDatabases } from './checkpoint.ts';

interface Db {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params: unknown[]): Promise<unknown>;
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

const phase = async (name: string) => void (await window.benchPhase?.(name));

/** The page's tasks over 50 ms while `job` runs: the longest and how many. */
async function longTasks<T>(job: () => Promise<T>): Promise<{ result: T; ms: number; longestTask: number; longTasks: number }> {
  let longest = 0;
  let count = 0;
  const seen = (list: PerformanceEntryList) => {
    for (const e of list) {
      count++;
      longest = Math.max(longest, e.duration);
      // a user-timing measure: a trace of the phase shows it beside what ran in it (bench/trace-stalls.ts)
      performance.measure('long task', { start: e.startTime, duration: e.duration });
    }
  };
  const observer = new PerformanceObserver((list) => seen(list.getEntries()));
  observer.observe({ type: 'longtask' });
  const t0 = performance.now();
  const result = await job();
  const ms = performance.now() - t0;
  // a task's entry is queued once it ends: let the last one arrive
  await yieldToEventLoop();
  await yieldToEventLoop();
  seen(observer.takeRecords());
  observer.disconnect();
  return { result, ms, longestTask: longest, longTasks: count };
}

/** In a function of its own: the filled node's million rows must not stay reachable (from this frame) while the opens are measured. */
async function fill(db: Db, rows: number): Promise<void> {
  for (const sql of SCALE_SCHEMA) await db.exec(sql);
  for (const sql of scaleInserts(rows)) await db.exec(sql);
  await db.checkpoint();
  await db.query('update t set n = 5 where id < $1', [100]);
  await db.close();
}

export async function reopenRun(where: 'page' | 'worker', rows: number, opens: number): Promise<ReopenRun> {
  const cluster = `bench-reopen-${where}-${crypto.randomUUID().slice(0, 8)}`;
  const options = { cluster, nodeId: 'bench', storage: 'indexeddb' as const, synchronousCommit: 'on' as const, maxWalSize: 1 << 30, log: () => {}, role: 'primary' as const };
  const open = (): Promise<Db> => (where === 'page' ? openNode(options) : openWorkerNode(options));
  const runs: ReopenRun['opens'] = [];
  try {
    await fill(await open(), rows);
    for (let i = 0; i < opens; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      await phase(`${where}:reopen:start`);
      let openMs = 0;
      const reopen = await longTasks(async () => {
        const t0 = performance.now();
        const db = await open();
        openMs = performance.now() - t0;
        await db.query('select v from t where id = $1', [rows >> 1]);
        return db;
      });
      const byIndex = await longTasks(() => reopen.result.query('select id from t where n = $1 limit 1', [7]));
      await phase(`${where}:reopen:end`);
      runs.push({ openMs, firstQueryMs: reopen.ms, longestTask: reopen.longestTask, longTasks: reopen.longTasks, indexQueryMs: byIndex.ms, indexLongestTask: byIndex.longestTask });
      await reopen.result.close();
    }
    return { opens: runs };
  } finally {
    await deleteDatabases(cluster);
    (globalThis as { gc?: () => void }).gc?.();
  }
}
