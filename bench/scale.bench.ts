// Scale benchmark: checkpoints, reopen and base backups at 10k → 100k → 1M rows, on a node with
// memory storage in Node that seals its chunks as IndexedDB does (`deferChunks: false`; storage
// writes cost ~nothing here, so the numbers are the engine's CPU
// work; IndexedDB adds its own I/O time on top but not main-thread work, which is what stalls).
// For each size: the first (full) checkpoint and an incremental one after 100 updated rows, each
// with a loop of autocommit UPDATEs running meanwhile: the longest gap between two commits and the
// longest event-loop task (a setImmediate ticker) during the checkpoint; reopen time (a second node
// on the same storage: load the checkpoint, bulk-load rows and the primary key, replay the WAL after
// it), with the longest event-loop task meanwhile, then its first answer (a point SELECT; the longest
// task from the open to that answer, which waits for its table to be decoded in slices) and its
// first query through the `n` index (which builds it: indexes but the primary key are built on first use);
// base backup as a node sends it (replication/backup-send.ts: the last checkpoint's stored chunks
// read and cut into backup_chunk messages, in parts as the webrtc transport takes them, each
// message's send resolved on the next event-loop turn as a channel's drain would be; no channel), and the clone path a node without a chunked
// checkpoint takes (`packBackup`: every chunk encoded from copy-on-write clones), each with the same
// two stall measures; and,
// as a baseline, the same commit loop for as long as the full checkpoint took, with no checkpoint.
// No forced GC between steps: the sweeping a forced full collection leaves behind lands on the next
// task and would be charged to whatever runs then.
// Run: node --max-old-space-size=6144 --import tsx bench/scale.bench.ts
// SIZES=10000,100000 picks the sizes (default 10k, 100k, 1M).

import { packBackup } from '../packages/engine/src/checkpoint/backup-stream.ts';
import { sendFrames, startBackup } from '../packages/engine/src/replication/backup-send.ts';
import { backupChunkParts } from '../packages/engine/src/replication/protocol.ts';
import type { NodeCore } from '../packages/engine/src/replication/replication.ts';
import { openNode, type Node } from '../packages/engine/src/index.ts';
import type { DbState } from '../packages/engine/src/state/state.ts';
import { memoryStorage } from '../packages/engine/src/storage/memory.ts';
import type { Storage } from '../packages/engine/src/storage/storage.ts';
import { commitLoop, SCALE_SCHEMA, scaleInserts } from './scale-rows.ts';

const SIZES = (process.env.SIZES ?? '10000,100000,1000000').split(',').map(Number);
const quiet = () => {};
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

async function fill(node: Node, rows: number): Promise<void> {
  for (const sql of SCALE_SCHEMA) await node.exec(sql);
  for (const sql of scaleInserts(rows)) await node.exec(sql);
}

/** Longest gap between ticks of a setImmediate loop: the longest task on the event loop. */
function ticker(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  // the task still running when it stops counts too: a job done in one task with no tick in it would read 0
  return { stop: () => ((running = false), Math.max(longest, performance.now() - last)) };
}

/** Run `job` while autocommit UPDATEs go on in a loop; the job's time, the longest commit gap and task, and the commits made. */
async function underLoad(node: Node, rows: number, job: () => Promise<unknown>) {
  const loop = commitLoop(node, rows);
  const tasks = ticker();
  const t0 = performance.now();
  await job();
  const time = performance.now() - t0;
  const { longestGap, commits } = await loop.stop();
  return { time, longestGap, longestTask: tasks.stop(), commits };
}

const stateOf = (node: Node) => (node as unknown as { core: { db: { latest(): DbState } } }).core.db.latest();

/** A base backup as the walsender sends it, in messages of 255 KiB (its BACKUP_MESSAGE under a 256 KiB transport limit); the bytes sent and the chunks sent as stored. */
async function sendBackup(node: Node): Promise<{ bytes: number; stored: number }> {
  const { stream } = startBackup((node as unknown as { core: NodeCore }).core, false);
  let bytes = 0;
  await sendFrames(stream, 255 * 1024, () => true, async (offset, parts) => {
    for (const p of backupChunkParts(offset, parts)) bytes += p.length;
    await new Promise((resolve) => setImmediate(resolve));
  });
  return { bytes, stored: stream.stats().stored };
}

const lines: string[] = [
  '| rows | full checkpoint | longest commit gap / task | commits meanwhile | same commit loop, no checkpoint: longest gap / task | incremental checkpoint (100 adjacent rows changed) | longest commit gap / task | reopen | longest task during it | reopen → first answer | longest task, reopen → first answer | first query through t_n | base backup as sent (message bytes, chunks as stored) | longest commit gap / task | clone path, packBackup (sealed bytes) | longest commit gap / task |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const rows of SIZES) {
  const storage: Storage = memoryStorage({ deferChunks: false });
  const node = await openNode({ cluster: 'scale', nodeId: 'n1', storage, log: quiet, maxWalSize: 1 << 30 });
  await fill(node, rows);
  const full = await underLoad(node, rows, () => node.checkpoint());
  // the same commit loop for as long, with no checkpoint: what the heap's garbage collection alone costs
  const idle = await underLoad(node, rows, () => new Promise((resolve) => setTimeout(resolve, full.time)));
  // not measured: takes in the rows the loops above changed, so the next one sees only the 100 below
  await node.checkpoint();
  const at = 1 + Math.floor(Math.random() * (rows - 100));
  await node.query('update t set v = $1 where id between $2 and $3', ['changed', at, at + 99]);
  const incremental = await underLoad(node, rows, () => node.checkpoint());
  let sent = { bytes: 0, stored: 0 };
  const backup = await underLoad(node, rows, async () => (sent = await sendBackup(node)));
  let cloneBytes = 0;
  const clone = await underLoad(node, rows, async () => (cloneBytes = await packBackup(stateOf(node))));
  const expected = await node.contentHash();
  const opening = ticker();
  const answering = ticker();
  const t0 = performance.now();
  const reopened = await openNode({ cluster: 'scale', nodeId: 'n1', storage, log: quiet, maxWalSize: 1 << 30 });
  const reopen = performance.now() - t0;
  const openTask = opening.stop();
  await reopened.query('select v from t where id = $1', [rows >> 1]);
  const firstAnswer = performance.now() - t0;
  const answerTask = answering.stop();
  const t1 = performance.now();
  await reopened.query('select id from t where n = $1 limit 1', [7]);
  const byIndex = performance.now() - t1;
  if ((await reopened.contentHash()) !== expected) throw new Error('reopened node differs');
  const line = `| ${rows.toLocaleString('en')} | ${ms(full.time)} | ${ms(full.longestGap)} / ${ms(full.longestTask)} | ${full.commits} | ${ms(idle.longestGap)} / ${ms(idle.longestTask)} | ${ms(incremental.time)} | ${ms(incremental.longestGap)} / ${ms(incremental.longestTask)} | ${ms(reopen)} | ${ms(openTask)} | ${ms(firstAnswer)} | ${ms(answerTask)} | ${ms(byIndex)} | ${ms(backup.time)} (${(sent.bytes / 1e6).toFixed(1)} MB, ${sent.stored}) | ${ms(backup.longestGap)} / ${ms(backup.longestTask)} | ${ms(clone.time)} (${(cloneBytes / 1e6).toFixed(1)} MB) | ${ms(clone.longestGap)} / ${ms(clone.longestTask)} |`;
  lines.push(line);
  console.error(line);
}
console.log(lines.join('\n'));
process.exit(0);
