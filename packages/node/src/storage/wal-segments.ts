/**
 * The file storage's WAL: append-only segment files in `wal/`, each named by the LSN of its
 * first chunk, holding framed chunks (magic, length, LSN, CRC-32, bytes), fdatasync'd per append.
 * An in-memory index (LSN range → segment, offset) serves cursor reads without scanning files.
 * Opening re-reads the segments and cuts a torn tail (a frame whose CRC or length is wrong) off,
 * as PostgreSQL overwrites a torn WAL page. Truncation is made atomic by an intent record
 * (`wal/TRUNCATE`, written atomically first and redone by the next open if a crash interrupts it).
 * Owned by one FileStorage, which serialises every call.
 */
import { mkdir, open, readdir, readFile, stat, truncate as truncateFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { WalChunk } from './types.ts';
import { fsyncDir, readIfExists, sealFile, unlinkIfExists, unsealFile, writeAtomic } from './files.ts';

const FRAME_MAGIC = 0x5743_4843; // "WCHC"
const FRAME_HEADER = 20;
const INTENT_MAGIC = 0x5754_524e; // "WTRN"
/** A segment is closed and a new one begun past this size (and at every removal, so old ones can go). */
const SEGMENT_BYTES = 16 * 1024 * 1024;

interface Entry {
  lsn: number;
  end: number;
  segment: string;
  /** Offset of the chunk's bytes (after the frame header) in its segment. */
  offset: number;
}

const segmentName = (lsn: number) => lsn.toString(16).toUpperCase().padStart(16, '0');

function frame(chunk: WalChunk): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER + chunk.bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, FRAME_MAGIC, true);
  view.setUint32(4, chunk.bytes.length, true);
  view.setFloat64(8, chunk.lsn, true); // LSNs are safe integers: exact as a double
  out.set(chunk.bytes, FRAME_HEADER);
  view.setUint32(16, crc32(out.subarray(FRAME_HEADER), crc32(out.subarray(0, 16))), true);
  return out;
}

/** The valid frames of a segment, and where the valid prefix ends. */
function parse(segment: string, bytes: Uint8Array): { entries: Entry[]; validEnd: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: Entry[] = [];
  let at = 0;
  while (at + FRAME_HEADER <= bytes.length) {
    if (view.getUint32(at, true) !== FRAME_MAGIC) break;
    const len = view.getUint32(at + 4, true);
    const lsn = view.getFloat64(at + 8, true);
    if (at + FRAME_HEADER + len > bytes.length || !Number.isSafeInteger(lsn)) break;
    const body = bytes.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len);
    if (view.getUint32(at + 16, true) !== crc32(body, crc32(bytes.subarray(at, at + 16)))) break;
    entries.push({ lsn, end: lsn + len, segment, offset: at + FRAME_HEADER });
    at += FRAME_HEADER + len;
  }
  return { entries, validEnd: at };
}

export class WalSegments {
  private entries: Entry[] = [];
  /** The segment appends go to; a fresh one after open, truncation and removal. */
  private current: { name: string; fd: FileHandle; size: number } | undefined;

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<WalSegments> {
    await mkdir(dir, { recursive: true });
    const w = new WalSegments(dir);
    await w.load();
    const intent = await readIfExists(join(dir, 'TRUNCATE'));
    if (intent) {
      // a truncation was decided but maybe not carried out: finish it
      const lsn = Number(new TextDecoder().decode(unsealFile(INTENT_MAGIC, intent, 'WAL truncation record')));
      await w.truncate(lsn);
    }
    return w;
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => /^[0-9A-F]{16}$/.test(n)).sort();
    for (const name of names) {
      const path = join(this.dir, name);
      const bytes = new Uint8Array(await readFile(path));
      const { entries, validEnd } = parse(name, bytes);
      if (validEnd < bytes.length) {
        // a torn or damaged tail: new WAL must never follow garbage
        await truncateFile(path, validEnd);
        const fd = await open(path, 'r+');
        await fd.sync().finally(() => fd.close());
      }
      if (!entries.length) await unlinkIfExists(path);
      for (const e of entries) this.entries.push(e);
    }
    this.entries.sort((a, b) => a.lsn - b.lsn);
  }

  async append(chunks: readonly WalChunk[]): Promise<void> {
    if (!chunks.length) return;
    let created = false;
    if (!this.current) {
      const name = segmentName(chunks[0]!.lsn);
      const fd = await open(join(this.dir, name), 'a');
      this.current = { name, fd, size: (await fd.stat()).size };
      created = true;
    }
    const cur = this.current;
    const frames = chunks.map(frame);
    const total = frames.reduce((n, f) => n + f.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    const added: Entry[] = [];
    for (let i = 0; i < frames.length; i++) {
      buf.set(frames[i]!, at);
      added.push({ lsn: chunks[i]!.lsn, end: chunks[i]!.end, segment: cur.name, offset: cur.size + at + FRAME_HEADER });
      at += frames[i]!.length;
    }
    await cur.fd.write(buf, 0, buf.length);
    await cur.fd.datasync();
    if (created) await fsyncDir(this.dir);
    cur.size += total;
    for (const e of added) this.entries.push(e);
    if (cur.size >= SEGMENT_BYTES) await this.roll();
  }

  /** Chunks holding WAL at or after `from`, in LSN order, stopping once `maxBytes` are read. */
  async read(from: number, maxBytes = Infinity): Promise<WalChunk[]> {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.end <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: WalChunk[] = [];
    const handles = new Map<string, FileHandle>();
    let bytes = 0;
    try {
      for (let i = lo; i < this.entries.length && !(out.length && bytes >= maxBytes); i++) {
        const e = this.entries[i]!;
        let fd = handles.get(e.segment);
        if (!fd) handles.set(e.segment, (fd = await open(join(this.dir, e.segment), 'r')));
        const buf = new Uint8Array(e.end - e.lsn);
        await fd.read(buf, 0, buf.length, e.offset);
        out.push({ lsn: e.lsn, end: e.end, bytes: buf });
        bytes += buf.length;
      }
    } finally {
      for (const fd of handles.values()) await fd.close();
    }
    return out;
  }

  /** Drop chunks ending at or before `lsn`; whole segments of them are deleted. */
  async removeBefore(lsn: number): Promise<void> {
    await this.roll();
    const keepSegments = new Set(this.entries.filter((e) => e.end > lsn).map((e) => e.segment));
    const gone = new Set(this.entries.filter((e) => !keepSegments.has(e.segment)).map((e) => e.segment));
    this.entries = this.entries.filter((e) => e.end > lsn);
    for (const name of gone) await unlinkIfExists(join(this.dir, name));
    if (gone.size) await fsyncDir(this.dir);
  }

  /** Drop WAL from `lsn` on, atomically: the intent record is the commit point, redone on open. */
  async truncateAtomically(lsn: number): Promise<void> {
    await writeAtomic(join(this.dir, 'TRUNCATE'), sealFile(INTENT_MAGIC, new TextEncoder().encode(String(lsn))));
    await this.truncate(lsn);
  }

  private async truncate(lsn: number): Promise<void> {
    await this.roll();
    const bySegment = new Map<string, Entry[]>();
    for (const e of this.entries) bySegment.set(e.segment, [...(bySegment.get(e.segment) ?? []), e]);
    for (const [name, list] of bySegment) {
      const path = join(this.dir, name);
      if (list[0]!.lsn >= lsn) {
        await unlinkIfExists(path);
      } else if (list[list.length - 1]!.end > lsn) {
        // rewritten whole and renamed into place: the straddling chunk is shortened, not lost
        const kept = await this.readEntries(list.filter((e) => e.lsn < lsn));
        const frames = kept.map((c) => frame(c.end > lsn ? { lsn: c.lsn, end: lsn, bytes: c.bytes.subarray(0, lsn - c.lsn) } : c));
        const size = frames.reduce((n, f) => n + f.length, 0);
        const buf = new Uint8Array(size);
        let at = 0;
        for (const f of frames) buf.set(f, (at += f.length) - f.length);
        await writeAtomic(path, buf, false);
      }
    }
    await fsyncDir(this.dir);
    this.entries = [];
    await this.load();
    await unlinkIfExists(join(this.dir, 'TRUNCATE'));
    await fsyncDir(this.dir);
  }

  private async readEntries(list: Entry[]): Promise<WalChunk[]> {
    if (!list.length) return [];
    const fd = await open(join(this.dir, list[0]!.segment), 'r');
    try {
      const out: WalChunk[] = [];
      for (const e of list) {
        const buf = new Uint8Array(e.end - e.lsn);
        await fd.read(buf, 0, buf.length, e.offset);
        out.push({ lsn: e.lsn, end: e.end, bytes: buf });
      }
      return out;
    } finally {
      await fd.close();
    }
  }

  /** Where the stored WAL ends (0 when there is none). */
  endLsn(): number {
    return this.entries.at(-1)?.end ?? 0;
  }

  /** Bytes of WAL files on disk (health line). */
  async diskBytes(): Promise<number> {
    let n = 0;
    for (const name of new Set(this.entries.map((e) => e.segment))) n += (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
    return n;
  }

  private async roll(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    await cur?.fd.close();
  }

  async close(): Promise<void> {
    await this.roll();
  }
}
