/**
 * A WAL archive on disk (archive_command / restore_command into a directory): one folder of WAL
 * segments per timeline (`<dir>/<timeline>/`), the same fsync'd segment files as the storage's
 * WAL. The Node peer keeps the cluster's archive here; every call runs in one queue.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WalArchive } from '@walrtc/engine';
import { WalSegments } from './wal-segments.ts';

export interface FileArchive extends WalArchive {
  close(): Promise<void>;
}

export async function fileArchive(dir: string): Promise<FileArchive> {
  await mkdir(dir, { recursive: true });
  const timelines = new Map<number, WalSegments>();
  for (const name of await readdir(dir)) {
    if (/^\d+$/.test(name)) timelines.set(Number(name), await WalSegments.open(join(dir, name)));
  }
  const of = async (timeline: number) => {
    let s = timelines.get(timeline);
    if (!s) timelines.set(timeline, (s = await WalSegments.open(join(dir, String(timeline)))));
    return s;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };
  return {
    archive: (timeline, chunks) => serial(async () => {
      const s = await of(timeline);
      // a chunk archived already (a restart re-sends what it flushed last) is not stored twice
      const end = s.endLsn();
      await s.append(chunks.filter((c) => c.lsn >= end));
    }),
    read: (timeline, from, maxBytes) => serial(async () => (timelines.has(timeline) ? (await of(timeline)).read(from, maxBytes) : [])),
    cleanup: (before) => serial(async () => {
      for (const s of timelines.values()) await s.removeBefore(before);
    }),
    close: () => serial(async () => {
      for (const s of timelines.values()) await s.close();
    }),
  };
}
