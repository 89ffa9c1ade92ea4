/**
 * The file storage: the engine's crash-recovery suite run on it (the same tests as IndexedDB's),
 * a peer process killed with SIGKILL mid-write (every acknowledged commit survives), a torn WAL
 * tail, an interrupted truncation redone on open, a refused format version and a held data
 * directory.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { storageCrashSuite } from '../../engine/test/storage-crash-suite.ts';
import { fileStorage } from '../src/index.ts';
import { sealFile } from '../src/storage/files.ts';

const root = await mkdtemp(join(tmpdir(), 'walrtc-file-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const dirOf = (cluster: string, nodeId: string) => join(root, `${cluster}.${nodeId}`);

storageCrashSuite('file storage', (cluster, nodeId) => fileStorage(dirOf(cluster, nodeId)));

const quiet = () => {};

describe('file storage', () => {
  it('a peer process killed with SIGKILL while committing keeps every acknowledged commit, through checkpoints and WAL removal', async () => {
    const dir = join(root, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=walrtc-source', join(import.meta.dirname, 'fixtures', 'commit-loop.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${acked.length} commits acknowledged in 20 s`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) if (l) acked.push(Number(l));
        if (acked.length >= 600) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => code !== null && reject(new Error(`commit loop exited with ${code}`)));
    });
    await new Promise((r) => child.once('close', r));
    const node = await openNode({ cluster: 'killed', nodeId: 'n', storage: await fileStorage(dir), log: quiet });
    const ids = (await node.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id);
    // every acknowledged commit is there; at most the one in flight besides them
    expect(ids.slice(0, acked.length)).toEqual(acked);
    expect(ids.length - acked.length).toBeLessThanOrEqual(1);
    expect((await readdir(join(dir, 'wal'))).length, 'old segments were removed after checkpoints').toBeLessThan(10);
    await node.close();
  });

  it('a torn frame at the end of the WAL is cut off on open, and new WAL after it survives the next open', async () => {
    const dir = join(root, 'torn');
    const node = await openNode({ cluster: 'torn', nodeId: 'n', storage: await fileStorage(dir), log: quiet });
    await node.exec('create table t(id int primary key)');
    await node.query('insert into t values (1)');
    const segments = (await readdir(join(dir, 'wal'))).filter((n) => n !== 'TRUNCATE').sort();
    // half a frame, as a write cut short by a power loss
    await appendFile(join(dir, 'wal', segments[segments.length - 1]!), new Uint8Array([0x43, 0x48, 0x43, 0x57, 200, 0, 0, 0, 1, 2, 3]));
    const reopened = await openNode({ cluster: 'torn', nodeId: 'n', storage: await fileStorage(dir), log: quiet });
    expect((await reopened.query('select id from t')).rows).toEqual([{ id: 1 }]);
    await reopened.query('insert into t values (2)');
    const again = await openNode({ cluster: 'torn', nodeId: 'n', storage: await fileStorage(dir), log: quiet });
    expect((await again.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    await again.close();
  });

  it('a WAL truncation interrupted after its intent record is finished by the next open', async () => {
    const dir = join(root, 'truncate');
    const storage = await fileStorage(dir);
    const node = await openNode({ cluster: 'trunc', nodeId: 'n', storage, log: quiet });
    await node.exec('create table t(id int primary key)');
    await node.query('insert into t values (1)');
    const keep = (await storage.readWal(0)).at(-1)!.end;
    await node.query('insert into t values (2)');
    // the crash came right after the intent record was stored
    await writeFile(join(dir, 'wal', 'TRUNCATE'), sealFile(0x5754_524e, new TextEncoder().encode(String(keep))));
    const reopened = await fileStorage(dir);
    expect((await reopened.readWal(0)).at(-1)!.end).toBe(keep);
    expect((await readdir(join(dir, 'wal'))).includes('TRUNCATE')).toBe(false);
    const again = await openNode({ cluster: 'trunc', nodeId: 'n', storage: reopened, log: quiet });
    expect((await again.query('select id from t')).rows).toEqual([{ id: 1 }]);
    await again.close();
  });

  it('a control file of another format version is refused, not misread', async () => {
    const dir = join(root, 'version');
    const node = await openNode({ cluster: 'ver', nodeId: 'n', storage: await fileStorage(dir), log: quiet });
    await node.close();
    const forged = sealFile(0x5743_544c, new TextEncoder().encode('{}'));
    new DataView(forged.buffer).setUint32(4, 99, true);
    await writeFile(join(dir, 'control'), forged);
    await expect(fileStorage(dir)).rejects.toThrow('invalid control file: written with format version 99, this build reads version 1');
  });

  it('a data directory held by another live process is refused', async () => {
    const dir = join(root, 'locked');
    await (await fileStorage(dir)).close();
    await writeFile(join(dir, 'LOCK'), '1\n'); // PID 1 is alive
    await expect(fileStorage(dir)).rejects.toThrow(/another walrtc peer \(PID 1\) running in data directory/);
  });
});
