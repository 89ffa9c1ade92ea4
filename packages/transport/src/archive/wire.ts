/**
 * restore_command over HTTP: how a standby reads an always-on peer's WAL archive (the peer is
 * `@walrtc/node`'s walrtc-peer, which serves it beside its signaling relay). A request names
 * (timeline, from LSN, max bytes) and carries the time and an HMAC under the cluster key over all
 * of it, so only key holders read the archive and a request cannot be altered; the answer is the
 * chunks, each framed as LSN (float64, exact for LSNs), length (uint32) and bytes.
 */
import type { ClusterKey } from '../auth.ts';

export const ARCHIVE_PATH = '/walrtc-archive';
export const ARCHIVE_LABEL = 'walrtc/v1/archive';
/** Requests stamped further than this from the server's clock are refused. */
export const ARCHIVE_WINDOW_MS = 5 * 60_000;
/** The most one answer carries, whatever is asked. */
export const ARCHIVE_MAX_BYTES = 4 * 1024 * 1024;

export interface ArchivedChunk {
  lsn: number;
  end: number;
  bytes: Uint8Array;
}

export interface ArchiveQuery {
  timeline: number;
  from: number;
  maxBytes: number;
  time: number;
}

const parts = (q: ArchiveQuery) => [String(q.timeline), String(q.from), String(q.maxBytes), String(q.time)];

export async function signQuery(key: ClusterKey, q: ArchiveQuery): Promise<string> {
  const mac = await key.sign(ARCHIVE_LABEL, parts(q));
  return `${ARCHIVE_PATH}/${q.timeline}/${q.from}?max=${q.maxBytes}&t=${q.time}&mac=${mac}`;
}

/** The query of a request path, or the reason it is refused. */
export async function verifyQuery(key: ClusterKey, path: string, now: number): Promise<ArchiveQuery | string> {
  const url = new URL(path, 'http://x');
  const m = new RegExp(`^${ARCHIVE_PATH}/(\\d{1,9})/(\\d{1,16})$`).exec(url.pathname);
  if (!m) return 'not an archive request';
  const q = { timeline: Number(m[1]), from: Number(m[2]), maxBytes: Number(url.searchParams.get('max')), time: Number(url.searchParams.get('t')) };
  if (!Number.isSafeInteger(q.from) || !Number.isSafeInteger(q.maxBytes) || q.maxBytes <= 0 || !Number.isSafeInteger(q.time)) return 'malformed archive request';
  if (Math.abs(now - q.time) > ARCHIVE_WINDOW_MS) return 'archive request outside the time window';
  if (!(await key.verify(ARCHIVE_LABEL, parts(q), url.searchParams.get('mac') ?? ''))) return 'archive request not signed with the cluster key';
  return q;
}

export function encodeChunks(chunks: readonly ArchivedChunk[]): Uint8Array {
  const size = chunks.reduce((n, c) => n + 12 + c.bytes.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const c of chunks) {
    view.setFloat64(at, c.lsn, true);
    view.setUint32(at + 8, c.bytes.length, true);
    out.set(c.bytes, at + 12);
    at += 12 + c.bytes.length;
  }
  return out;
}

export function decodeChunks(bytes: Uint8Array): ArchivedChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ArchivedChunk[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error('truncated archive answer');
    const lsn = view.getFloat64(at, true);
    const len = view.getUint32(at + 8, true);
    if (!Number.isSafeInteger(lsn) || at + 12 + len > bytes.length) throw new Error('malformed archive answer');
    out.push({ lsn, end: lsn + len, bytes: bytes.slice(at + 12, at + 12 + len) });
    at += 12 + len;
  }
  return out;
}
