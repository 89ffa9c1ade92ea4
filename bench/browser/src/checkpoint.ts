/**
 * A checkpoint and a base backup at scale on IndexedDB, with a node in the page or in its module
 * worker: while the first (full) checkpoint of `rows` rows runs, and for `tailMs` after it (the old
 * WAL's paced removal), autocommit UPDATEs go on one per task (as clicks would send them) and
 * Chromium's long-task entries give the page's tasks over 50 ms; both are compared with the same loop for
 * as long without a checkpoint. Then a new standby (in a worker of its own, memory storage, on an
 * in-page memory network) takes a base backup of the node while the same loop runs.
 */
import { openNode } from '@walrtc/engine';
import { openWorkerNode } from '@walrtc/engine/worker';
import { memoryNetwork } from '@walrtc/transport';
import { SCALE_SCHEMA, scaleInserts } from '../../scale-rows.ts';
import type { CheckpointStall } from './api.ts';

interface Db {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params: unknown[]): Promise<unknown>;
  checkpoint(): Promise<void>;
  status(): Promise<{ systemId: string | null }>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The page's JS heap in use, in MB (Chromium's performance.memory; precise with --enable-precise-memory-info). */
const heapMb = (): number => ((performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20;

/**
 * The next task, at normal priority as a click's would be: a message to itself (setTimeout is clamped
 * to 4 ms when nested) over one channel (a channel per task filled Blink's heap with ports). Not the
 * engine's yield, which resumes its slices at background priority where it can.
 */
const ticks = new MessageChannel();
const ticked: (() => void)[] = [];
ticks.port1.onmessage = () => ticked.shift()?.();
const nextTask = () =>
  new Promise<void>((resolve) => {
    ticked.push(resolve);
    ticks.port2.postMessage(null);
  });

/** Deletes the IndexedDB databases of `cluster`'s nodes (the reopen bench uses it too). */
export async function deleteDatabases(cluster: string): Promise<void> {
  for (const { name } of await indexedDB.databases()) {
    if (!name?.includes(cluster)) continue;
    await new Promise<void>((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
  }
}

/** Tells the driver a phase starts or ends (it may trace it); resolves once it is ready. */
const phase = async (name: string) => void (await window.benchPhase?.(name));

async function underLoad(db: Db, rows: number, name: string, job: () => Promise<unknown>) {
  await phase(`${name}:start`);
  let done = false;
  let longestGap = 0;
  let longestTask = 0;
  let commits = 0;
  let slow = 0;
  let longTasks = 0;
  let gaps = 0;
  const heapBefore = heapMb();
  let heapPeak = heapBefore;
  // Chromium's own long-task entries (over 50 ms): a ticker spinning on messages to itself made
  // ~30 MB/s of Blink garbage, which set off the very full GCs it measured (bench/README.md, "Fifth round")
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      longTasks++;
      longestTask = Math.max(longestTask, e.duration);
      performance.measure('long task', { start: e.startTime, duration: e.duration });
    }
  });
  observer.observe({ type: 'longtask' });
  const loop = (async () => {
    let last = performance.now();
    while (!done) {
      await nextTask();
      const started = performance.now();
      await db.query('update t set n = n + 1 where id = $1', [1 + Math.floor(Math.random() * rows)]);
      const now = performance.now();
      // a slow commit is a user-timing measure: a trace of the phase shows it beside what held it
      if (now - started > 20) {
        slow++;
        performance.measure('slow commit', { start: started, end: now });
      }
      // the time between two commits, the loop's own wait included: a full GC between them shows here, not as a slow commit
      if (now - last > 50) gaps++, performance.measure('long gap', { start: last, end: now });
      heapPeak = Math.max(heapPeak, heapMb());
      longestGap = Math.max(longestGap, now - last);
      last = now;
      commits++;
    }
  })();
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  done = true;
  await loop;
  for (const e of observer.takeRecords()) longTasks++, (longestTask = Math.max(longestTask, e.duration));
  observer.disconnect();
  performance.clearMeasures();
  const heap = { before: heapBefore, peak: heapPeak, after: heapMb() };
  await phase(`${name}:end`);
  return { ms, longestGap, longestTask, longTasks, commits, slow, gaps, heap };
}

export async function checkpointStall(where: 'page' | 'worker', rows: number, tailMs: number): Promise<CheckpointStall> {
  const cluster = `bench-ckpt-${where}-${crypto.randomUUID().slice(0, 8)}`;
  const net = memoryNetwork();
  const options = { cluster, nodeId: 'bench', storage: 'indexeddb' as const, synchronousCommit: 'on' as const, maxWalSize: 1 << 30, log: () => {}, role: 'primary' as const, transport: net.transport('bench') };
  const db: Db = where === 'page' ? await openNode(options) : await openWorkerNode(options);
  let standby: Db | undefined;
  try {
    for (const sql of SCALE_SCHEMA) await db.exec(sql);
    for (const sql of scaleInserts(rows)) await db.exec(sql);
    let checkpointMs = 0;
    const full = await underLoad(db, rows, `${where}:checkpoint`, async () => {
      const t0 = performance.now();
      await db.checkpoint();
      checkpointMs = performance.now() - t0;
      await sleep(tailMs);
    });
    const idle = await underLoad(db, rows, `${where}:idle`, () => sleep(full.ms));
    // the standby's own work (installing the snapshot) runs in its worker, off this page's thread
    const systemId = (await db.status()).systemId;
    const backup = await underLoad(db, rows, `${where}:backup`, async () => {
      standby = await openWorkerNode({ cluster, nodeId: 'standby', storage: 'memory', role: 'standby', log: () => {}, transport: net.transport('standby') });
      for (let i = 0; i < 60_000 / 20 && (await standby.status()).systemId !== systemId; i++) await sleep(20);
      if ((await standby.status()).systemId !== systemId) throw new Error('the base backup did not arrive within 60 s');
    });
    return {
      checkpointMs, longestGap: full.longestGap, longestTask: full.longestTask, longTasks: full.longTasks, commits: full.commits, slow: full.slow, gaps: full.gaps, heap: full.heap,
      idleGap: idle.longestGap, idleTask: idle.longestTask, idleLongTasks: idle.longTasks, idleCommits: idle.commits, idleSlow: idle.slow, idleGaps: idle.gaps, idleHeap: idle.heap,
      backupMs: backup.ms, backupGap: backup.longestGap, backupTask: backup.longestTask, backupLongTasks: backup.longTasks, backupCommits: backup.commits, backupSlow: backup.slow, backupGaps: backup.gaps, backupHeap: backup.heap,
    };
  } finally {
    await standby?.close().catch(() => {});
    await db.close().catch(() => {});
    await deleteDatabases(cluster);
    // this node's garbage (1M rows when it ran in the page) is not the next run's full GC
    (globalThis as { gc?: () => void }).gc?.();
  }
}
