import { performance } from 'node:perf_hooks';
import { openNode } from '../packages/engine/src/index.ts';
import { streamBackup } from '../packages/engine/src/checkpoint/backup-stream.ts';
import { IncomingBackup } from '../packages/engine/src/replication/incoming-backup.ts';
import { restoreSnapshot } from '../packages/engine/src/state/snapshot.ts';
import { SCALE_SCHEMA, scaleInserts } from './scale-rows.ts';
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const node = await openNode({ cluster: 'x', storage: 'memory', log: () => {} });
for (const s of SCALE_SCHEMA) await node.exec(s);
for (const s of scaleInserts(ROWS)) await node.exec(s);
const state = (node as any).core.db.latest();
for (let round = 0; round < 3; round++) {
  let t = performance.now();
  const s = streamBackup(state);
  const frames: Uint8Array[] = [];
  for await (const f of s.frames) frames.push(f);
  const pack = performance.now() - t;
  t = performance.now();
  const b = new IncomingBackup({ systemId: '1', timeline: 1, lsn: 0, history: [] }, false);
  let off = 0;
  for (const f of frames) { if (b.add(off, f)) throw new Error('refused'); off += f.length; }
  const got = b.finish(s.summary());
  if (typeof got === 'string') throw new Error(got);
  const decode = performance.now() - t;
  t = performance.now();
  const st = restoreSnapshot(got.snapshot);
  const restore = performance.now() - t;
  console.log(`pack ${pack.toFixed(0)} ms, decode ${decode.toFixed(0)} ms, restore ${restore.toFixed(0)} ms; ${(off / 1048576).toFixed(1)} MiB, ${frames.length} frames`);
}
process.exit(0);
