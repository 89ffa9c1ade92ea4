/**
 * Durable file primitives for the file storage: sealed blobs (magic, version, CRC-32, length),
 * atomic replacement (write a temporary file, fsync, rename, fsync the directory — PostgreSQL's
 * durable_rename) and directory fsync after creating or removing files.
 */
import { constants } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 16;
export const FILE_FORMAT_VERSION = 1;

/** magic, version, CRC-32 of the body, body length: a file cut short or bit-flipped is refused. */
export function sealFile(magic: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, FILE_FORMAT_VERSION, true);
  view.setUint32(8, crc32(body), true);
  view.setUint32(12, body.length, true);
  out.set(body, HEADER);
  return out;
}

export function unsealFile(magic: number, bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length < HEADER) throw new Error(`invalid ${what}: too short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== magic) throw new Error(`invalid ${what}: bad magic number`);
  const version = view.getUint32(4, true);
  if (version !== FILE_FORMAT_VERSION) throw new Error(`invalid ${what}: written with format version ${version}, this build reads version ${FILE_FORMAT_VERSION}`);
  const body = bytes.subarray(HEADER);
  if (view.getUint32(12, true) !== body.length) throw new Error(`invalid ${what}: length mismatch`);
  if (view.getUint32(8, true) !== crc32(body)) throw new Error(`invalid ${what}: incorrect checksum`);
  return body;
}

export async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, constants.O_RDONLY);
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Write `path` so that a crash leaves either the old or the new content, never a mix. */
export async function writeAtomic(path: string, bytes: Uint8Array, syncDir = true): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = await open(tmp, 'w');
  try {
    await fd.writeFile(bytes);
    await fd.sync();
  } finally {
    await fd.close();
  }
  await rename(tmp, path);
  if (syncDir) await fsyncDir(dirname(path));
}

export async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}
