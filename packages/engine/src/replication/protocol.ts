/**
 * The replication protocol: every message a node sends to a peer, in one union, modelled on
 * PostgreSQL's streaming replication (IDENTIFY_SYSTEM, TIMELINE_HISTORY, START_REPLICATION,
 * XLogData, standby status update, keepalive, BASE_BACKUP). Each message travels as one msgpack
 * frame behind a protocol version byte and is validated field by field before anything acts on it.
 */
import { Packr } from 'msgpackr';
import type { Lsn } from '../wal/lsn.ts';
import { concat } from '../wal/codec.ts';

export const PROTOCOL_VERSION = 1;

export interface TimelineHistoryEntry {
  timeline: number;
  parent: number;
  switchLsn: Lsn;
}

/** What every node tells its peers about itself: the node catalog is built from these. */
export interface NodeAnnouncement {
  nodeId: string;
  systemId: string | null;
  role: 'primary' | 'standby';
  upstream: string | null;
  timeline: number;
  flushLsn: Lsn;
  /** How many tables the node's database has: an empty cluster may give way to another (see replication.ts). */
  tables: number;
  /** A primary elected for its timeline: how many votes elected it (its proof of a majority). */
  votes?: number;
  /** Election priority: between equally advanced candidates the higher one wins (default 0). */
  priority?: number;
}

// ── sent by a standby (walreceiver) ─────────────────────────────────────────────
export type StandbyMessage =
  | { t: 'identify_system' }
  | { t: 'timeline_history'; timeline: number }
  | { t: 'start_replication'; slot: string | null; timeline: number; lsn: Lsn }
  /** BASE_BACKUP; with a slot, the WAL from the backup's LSN is kept for this standby (pg_basebackup -C -S). */
  | { t: 'base_backup'; slot: string | null }
  /** Standby status update: positions written, flushed and applied, and the standby's clock. */
  | { t: 'status_update'; write: Lsn; flush: Lsn; apply: Lsn; time: number; replyRequested: boolean }
  /** CopyDone: the standby ends replication (it closes or promotes); the walsender lets it go at once. */
  | { t: 'copy_done' };

// ── sent by a primary or a cascading standby (walsender) ───────────────────────────
export type SenderMessage =
  | { t: 'identify_system_reply'; systemId: string; timeline: number; flushLsn: Lsn }
  | { t: 'timeline_history_reply'; timeline: number; history: TimelineHistoryEntry[] }
  /** START_REPLICATION accepted: XLogData follows. */
  | { t: 'copy_both'; timeline: number }
  /** `partial`: a piece of a batch larger than one message; the standby joins the pieces and uses the batch at its last piece. */
  | { t: 'xlog_data'; timeline: number; start: Lsn; end: Lsn; walEnd: Lsn; time: number; bytes: Uint8Array; partial?: boolean }
  | { t: 'keepalive'; walEnd: Lsn; time: number; replyRequested: boolean }
  /** BASE_BACKUP's start: where the backup is consistent. Its size is not known yet: the frames (checkpoint/backup-stream.ts) are sent as they are packed. */
  | { t: 'backup_start'; systemId: string; timeline: number; lsn: Lsn; history: TimelineHistoryEntry[] }
  /** The next bytes of the backup's frames, at `offset` in the stream. */
  | { t: 'backup_chunk'; offset: number; bytes: Uint8Array }
  /** The stream is complete: its size, frame count and checksum, which the standby matches before it installs anything. */
  | { t: 'backup_end'; lsn: Lsn; totalBytes: number; pieces: number; crc: number }
  | { t: 'error'; code: string; message: string; detail?: string };

// ── sent by every node to every peer ─────────────────────────────────────────────
export type PeerMessage =
  | { t: 'announce'; node: NodeAnnouncement }
  /** A primary's lease round trip: `ping` is its monotonic clock (performance.now()), returned at once in a pong. */
  | { t: 'ping'; ping: number }
  /** `term`: the newest term the answering node knows of (its timeline, or a term it voted in): an answer from a newer term supports no lease. */
  | { t: 'pong'; echo: number; term: number }
  /** A candidate asks for votes to become primary on timeline `term`; its WAL ends at (timeline, lsn). */
  | { t: 'vote_request'; term: number; timeline: number; lsn: Lsn; priority?: number }
  | { t: 'vote'; term: number; granted: boolean }
  /** A standby closing cleanly leaves the membership through the primary. */
  | { t: 'leave' }
  /** Switchover: the primary, having stopped writes and seen this standby catch up, asks it to promote. */
  | { t: 'promote_request'; lsn: Lsn };

/** One queued offline write on the wire: `params` are msgpack bytes (PACK_OPTIONS). */
export interface WireXact {
  seq: number;
  queuedAt: number;
  statements: { sql: string; params: Uint8Array | null; expect?: number }[];
  /** Set (to its size in bytes) instead of statements for a transaction too large to send: the primary records it rejected (54000). */
  tooLarge?: number;
}

/** The primary's answer for one offline write; `lsn`: its commit (a resend gets a position at or after it). */
export interface WireVerdict {
  seq: number;
  outcome: 'applied' | 'rejected';
  lsn: Lsn;
  code?: string;
  message?: string;
  /** PostgreSQL's DETAIL of a rejection, when the primary had one (a bridge's PostgreSQL). */
  detail?: string;
}

// ── offline writes (offline/): a standby's queued transactions travel up, verdicts back down ──
export type OfflineMessage =
  /** `origin`'s queued transactions, in seq order; a cascading standby relays them to its upstream. */
  | { t: 'offline_xacts'; origin: string; xacts: WireXact[] }
  | { t: 'offline_verdicts'; origin: string; verdicts: WireVerdict[] };

export type ReplicationMessage = StandbyMessage | SenderMessage | PeerMessage | OfflineMessage;

const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeMessage(msg: ReplicationMessage): Uint8Array {
  const body = packr.pack(msg);
  const out = new Uint8Array(body.length + 1);
  out[0] = PROTOCOL_VERSION;
  out.set(body, 1);
  return out;
}

/** "bytes" as a msgpack fixstr: the key encodeBackupChunk appends. */
const BYTES_KEY = Uint8Array.of(0xa5, 0x62, 0x79, 0x74, 0x65, 0x73);

/**
 * `backup_chunk` whose bytes come in parts, as encodeMessage encodes it whole, in parts itself: a
 * head (the version byte, the msgpack map of `t` and `offset` made a three-entry one by a `bytes`
 * key, and a bin 32 header), then the bytes' parts unchanged, so a base backup's stored chunks
 * reach a transport that frames parts (Transport.sendParts) without a copy of their own.
 */
export function backupChunkParts(offset: number, parts: readonly Uint8Array[]): Uint8Array[] {
  const head = packr.pack({ t: 'backup_chunk', offset });
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(1 + head.length + BYTES_KEY.length + 5);
  out[0] = PROTOCOL_VERSION;
  out.set(head, 1);
  // msgpackr writes the map's size as a map 16 (fixed-size maps), a fixmap with variableMapSize
  if (out[1] === 0xde && out[2] === 0 && out[3] === 2) out[3] = 3;
  else if (out[1] === 0x82) out[1] = 0x83;
  else throw new Error('backupChunkParts: unexpected message head');
  let at = 1 + head.length;
  out.set(BYTES_KEY, at);
  at += BYTES_KEY.length;
  out[at] = 0xc6;
  new DataView(out.buffer).setUint32(at + 1, n);
  return [out, ...parts];
}

/** `backupChunkParts` as one message. */
export function encodeBackupChunk(offset: number, parts: readonly Uint8Array[]): Uint8Array {
  return concat(backupChunkParts(offset, parts));
}

export type Decoded = { ok: true; msg: ReplicationMessage } | { ok: false; reason: string };

/** Parse and validate one frame; a bad one is reported, never half-used. */
export function decodeMessage(bytes: Uint8Array): Decoded {
  if (bytes.length < 2) return { ok: false, reason: 'message too short' };
  if (bytes[0] !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported replication protocol version ${bytes[0]}` };
  let raw: unknown;
  try {
    raw = packr.unpack(bytes.subarray(1));
  } catch {
    return { ok: false, reason: 'undecodable message' };
  }
  const reason = invalid(raw);
  return reason ? { ok: false, reason } : { ok: true, msg: raw as ReplicationMessage };
}

const lsn = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
const str = (v: unknown) => typeof v === 'string' && v.length <= 256;
const bytes = (v: unknown) => v instanceof Uint8Array;
const bool = (v: unknown) => typeof v === 'boolean';
const history = (v: unknown) =>
  Array.isArray(v) && v.length <= 10_000 && v.every((h) => h && int(h.timeline) && int(h.parent) && lsn(h.switchLsn));

/** Bounds of offline messages: a batch is cut well below these by its sender. */
export const OFFLINE_LIMITS = { xacts: 10_000, statements: 10_000, sqlBytes: 1024 * 1024 };

const wireXact = (v: unknown) => {
  const x = v as WireXact | undefined;
  return !!x && int(x.seq) && x.seq > 0 && typeof x.queuedAt === 'number' && Number.isFinite(x.queuedAt)
    && (x.tooLarge === undefined || (int(x.tooLarge) && x.tooLarge > 0))
    && Array.isArray(x.statements) && (x.statements.length > 0 || x.tooLarge !== undefined) && x.statements.length <= OFFLINE_LIMITS.statements
    && x.statements.every((st) => !!st && typeof st.sql === 'string' && st.sql.length <= OFFLINE_LIMITS.sqlBytes
      && (st.params === null || bytes(st.params)) && (st.expect === undefined || (int(st.expect) && st.expect >= 0)));
};
const wireVerdict = (v: unknown) => {
  const x = v as WireVerdict | undefined;
  return !!x && int(x.seq) && x.seq > 0 && (x.outcome === 'applied' || x.outcome === 'rejected') && lsn(x.lsn)
    && (x.code === undefined || str(x.code)) && (x.message === undefined || typeof x.message === 'string')
    && (x.detail === undefined || typeof x.detail === 'string');
};
const listOf = (ok: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.length <= OFFLINE_LIMITS.xacts && v.every(ok);

const SHAPES: Record<string, Record<string, (v: unknown) => boolean>> = {
  identify_system: {},
  timeline_history: { timeline: int },
  start_replication: { slot: (v) => v === null || str(v), timeline: int, lsn },
  base_backup: { slot: (v) => v === null || str(v) },
  status_update: { write: lsn, flush: lsn, apply: lsn, time: int, replyRequested: bool },
  copy_done: {},
  identify_system_reply: { systemId: str, timeline: int, flushLsn: lsn },
  timeline_history_reply: { timeline: int, history },
  copy_both: { timeline: int },
  xlog_data: { timeline: int, start: lsn, end: lsn, walEnd: lsn, time: int, bytes, partial: (v) => v === undefined || bool(v) },
  keepalive: { walEnd: lsn, time: int, replyRequested: bool },
  backup_start: { systemId: str, timeline: int, lsn, history },
  backup_chunk: { offset: int, bytes },
  backup_end: { lsn, totalBytes: int, pieces: int, crc: int },
  error: { code: str, message: (v) => typeof v === 'string', detail: (v) => v === undefined || typeof v === 'string' },
  vote_request: { term: int, timeline: int, lsn, priority: (v) => v === undefined || int(v) },
  vote: { term: int, granted: bool },
  leave: {},
  ping: { ping: (v) => typeof v === 'number' && Number.isFinite(v) },
  pong: { echo: (v) => typeof v === 'number' && Number.isFinite(v), term: int },
  promote_request: { lsn },
  offline_xacts: { origin: str, xacts: listOf(wireXact) },
  offline_verdicts: { origin: str, verdicts: listOf(wireVerdict) },
  announce: {
    node: (v) => {
      const n = v as NodeAnnouncement | undefined;
      return !!n && str(n.nodeId) && (n.systemId === null || str(n.systemId)) && (n.role === 'primary' || n.role === 'standby')
        && (n.upstream === null || str(n.upstream)) && int(n.timeline) && lsn(n.flushLsn) && int(n.tables) && (n.votes === undefined || int(n.votes)) && (n.priority === undefined || int(n.priority));
    },
  },
};

function invalid(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object') return 'message is not an object';
  const t = (raw as { t?: unknown }).t;
  if (typeof t !== 'string' || !(t in SHAPES)) return `unknown message type ${JSON.stringify(t)}`;
  for (const [field, ok] of Object.entries(SHAPES[t]!)) {
    if (!ok((raw as Record<string, unknown>)[field])) return `invalid field "${field}" in ${t} message`;
  }
  if (t === 'xlog_data') {
    const m = raw as { start: number; end: number; bytes: Uint8Array };
    if (m.end - m.start !== m.bytes.length) return 'xlog_data length does not match its LSN range';
  }
  return undefined;
}
