/**
 * File storage: the engine's `Storage` on a local directory, for the always-on Node peer.
 *
 *   <dir>/control            sealed JSON: the control record and which checkpoint file is current
 *   <dir>/checkpoint.<n>     the latest checkpoint (sealed by the engine); older ones are deleted
 *   <dir>/chunks/<key>       incremental checkpoint chunks
 *   <dir>/wal/<lsn>          WAL segments (wal-segments.ts)
 *   <dir>/LOCK               held by the running process (a second opener is refused)
 *
 * Same crash semantics as the IndexedDB adapter: every write is fsync'd before it resolves, a
 * replaced file is written aside and renamed over (so the control record and the checkpoint it
 * points at land together: the checkpoint file first, the control record's rename is the commit),
 * and WAL truncation is atomic. Every call runs in one queue: one owner of the directory's state.
 */
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointChunks, ControlFile, Storage, StoredCheckpoint } from './types.ts';
import { fsyncDir, readIfExists, sealFile, unlinkIfExists, unsealFile, writeAtomic } from './files.ts';
import { WalSegments } from './wal-segments.ts';

const CONTROL_MAGIC = 0x5743_544c; // "WCTL"
const CHECKPOINT_MAGIC = 0x5743_4b50; // "WCKP"

interface ControlContent {
  control: ControlFile;
  checkpoint: { lsn: number; file: string } | null;
}

export interface FileStorage extends Storage {
  readonly dir: string;
  /** Bytes of WAL segments on disk (for the health line). */
  walDiskBytes(): Promise<number>;
}

/** Open (creating it when missing) the storage in `dir`. A directory in use by another process is refused. */
export async function fileStorage(dir: string): Promise<FileStorage> {
  await mkdir(join(dir, 'chunks'), { recursive: true });
  const lock = await takeLock(dir);
  const wal = await WalSegments.open(join(dir, 'wal'));
  const controlPath = join(dir, 'control');
  const stored = await readIfExists(controlPath);
  let content: ControlContent | undefined = stored && JSON.parse(new TextDecoder().decode(unsealFile(CONTROL_MAGIC, stored, 'control file')));
  // checkpoint files no control record names: a checkpoint that crashed before its commit
  for (const name of await readdir(dir)) {
    if (/^checkpoint\.\d+(\.tmp)?$/.test(name) && name !== content?.checkpoint?.file) await unlinkIfExists(join(dir, name));
  }
  let checkpointSeq = Number(content?.checkpoint?.file.split('.')[1] ?? 0);

  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };
  const writeContent = async (next: ControlContent) => {
    await writeAtomic(controlPath, sealFile(CONTROL_MAGIC, new TextEncoder().encode(JSON.stringify(next))));
    content = next;
  };
  const chunkPath = (key: string) => join(dir, 'chunks', encodeURIComponent(key));

  const chunks: CheckpointChunks = {
    put: (list) => serial(async () => {
      for (const c of list) await writeAtomic(chunkPath(c.key), c.bytes, false);
      await fsyncDir(join(dir, 'chunks'));
    }),
    get: (keys) => serial(() => Promise.all(keys.map((k) => readIfExists(chunkPath(k))))),
    retain: (keys) => serial(async () => {
      const wanted = new Set([...keys].map((k) => encodeURIComponent(k)));
      for (const name of await readdir(join(dir, 'chunks'))) if (!wanted.has(name)) await unlinkIfExists(join(dir, 'chunks', name));
      await fsyncDir(join(dir, 'chunks'));
    }),
  };

  return {
    kind: 'file',
    dir,
    chunks,
    readControl: () => serial(async () => content && structuredClone(content.control)),
    writeControl: (control) => serial(() => writeContent({ control: structuredClone(control), checkpoint: content?.checkpoint ?? null })),
    appendWal: (list) => serial(() => wal.append(list)),
    readWal: (from, maxBytes) => serial(() => wal.read(from, maxBytes)),
    removeWalBefore: (lsn) => serial(() => wal.removeBefore(lsn)),
    truncateWal: (lsn) => serial(() => wal.truncateAtomically(lsn)),
    writeCheckpoint: (checkpoint, control) => serial(async () => {
      const file = `checkpoint.${++checkpointSeq}`;
      await writeAtomic(join(dir, file), sealFile(CHECKPOINT_MAGIC, checkpoint.bytes), false);
      const previous = content?.checkpoint?.file;
      await writeContent({ control: structuredClone(control), checkpoint: { lsn: checkpoint.lsn, file } });
      if (previous) await unlinkIfExists(join(dir, previous));
    }),
    readCheckpoint: () => serial(async (): Promise<StoredCheckpoint | undefined> => {
      const pointer = content?.checkpoint;
      if (!pointer) return undefined;
      const bytes = await readIfExists(join(dir, pointer.file));
      if (!bytes) throw new Error(`could not open checkpoint file "${pointer.file}": it is missing`);
      return { lsn: pointer.lsn, bytes: unsealFile(CHECKPOINT_MAGIC, bytes, `checkpoint file "${pointer.file}"`) };
    }),
    walDiskBytes: () => serial(() => wal.diskBytes()),
    close: () => serial(async () => {
      await wal.close();
      await lock.close();
      await unlinkIfExists(join(dir, 'LOCK'));
    }),
  };
}

/**
 * postmaster.pid's idea: the directory names the process using it. A lock left by a process that
 * no longer exists (a crash) is taken over; one held by a live process is refused.
 */
async function takeLock(dir: string): Promise<FileHandle> {
  const path = join(dir, 'LOCK');
  const existing = await readIfExists(path);
  if (existing) {
    const pid = Number(new TextDecoder().decode(existing).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new Error(`lock file "${path}" already exists: is another walrtc peer (PID ${pid}) running in data directory "${dir}"?`);
    }
  }
  const fd = await open(path, 'w');
  await fd.writeFile(`${process.pid}\n`);
  await fd.sync();
  return fd;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
