/**
 * The logical replication protocol, in one place: what a subscription's apply worker asks of a
 * publisher's primary (PostgreSQL's replication commands CREATE_REPLICATION_SLOT, DROP / ALTER
 * _REPLICATION_SLOT, START_REPLICATION … LOGICAL, standby status updates), what the walsender
 * sends back (the initial copy, decoded transactions, keepalives, errors), and the failover
 * slots a primary hands its physical standbys. Frames start with their own version byte, so the
 * physical protocol's dispatcher can tell them apart and leave them alone.
 */
import { ValuePackr } from '../msgpack.ts';
import type { Value } from '../sql/types.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { DecodedTxn, RelationInfo } from './decode.ts';

/** 'L' + 1: distinct from the physical protocol's version byte. */
export const LOGICAL_PROTOCOL_VERSION = 0x4c;

/** A failover slot as the primary reports it to its standbys (slotsync.c's remote slot). */
export interface RemoteSlot {
  name: string;
  plugin: string;
  restartLsn: Lsn | null;
  confirmedFlush: Lsn;
  twoPhase: boolean;
  invalidated: boolean;
  catalog: Uint8Array;
}

// ── sent by a subscriber (apply / table-sync worker) ──────────────────────────────
export type SubscriberMessage =
  /** CREATE_REPLICATION_SLOT … LOGICAL pgoutput [(FAILOVER)]; with `copy`, the named tables' rows at the slot's snapshot follow. */
  | { t: 'l_create_slot'; req: number; name: string; failover: boolean; copy: string[] }
  | { t: 'l_drop_slot'; req: number; name: string }
  | { t: 'l_alter_slot'; req: number; name: string; failover: boolean }
  /** The tables a set of publications publishes (pg_publication_tables), for a new subscription's pg_subscription_rel. */
  | { t: 'l_tables'; req: number; publications: string[] }
  /** START_REPLICATION SLOT s LOGICAL lsn (proto_version, publication_names). */
  | { t: 'l_start'; slot: string; publications: string[]; lsn: Lsn }
  /** Standby status update: everything up to `flush` is applied and durable on the subscriber. */
  | { t: 'l_feedback'; flush: Lsn }
  | { t: 'l_stop' };

// ── sent by a publisher's walsender ────────────────────────────────────────────────
export type PublisherMessage =
  | { t: 'l_result'; req: number; lsn?: Lsn; tables?: string[]; code?: string; message?: string }
  /** Initial copy of one table at the new slot's snapshot; `last` ends that table. */
  | { t: 'l_copy'; req: number; relation: RelationInfo; rows: Value[][]; last: boolean }
  /** A transaction, in pieces when large: `more` says another piece of the same transaction follows. */
  | { t: 'l_txn'; txn: DecodedTxn; more?: boolean }
  /** Everything up to `walEnd` has been sent (or publishes nothing). */
  | { t: 'l_keepalive'; walEnd: Lsn }
  | { t: 'l_error'; code: string; message: string; detail?: string }
  /** A primary's failover slots, for its physical standbys' slot synchronization. */
  | { t: 'l_slots'; slots: RemoteSlot[] };

export type LogicalMessage = SubscriberMessage | PublisherMessage;

const packr = new ValuePackr();

export function encodeLogical(msg: LogicalMessage): Uint8Array {
  const body = packr.pack(msg);
  const out = new Uint8Array(body.length + 1);
  out[0] = LOGICAL_PROTOCOL_VERSION;
  out.set(body, 1);
  return out;
}

export function isLogicalFrame(bytes: Uint8Array): boolean {
  return bytes.length > 1 && bytes[0] === LOGICAL_PROTOCOL_VERSION;
}

const str = (v: unknown) => typeof v === 'string' && v.length <= 1024;
const lsn = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
const bool = (v: unknown) => typeof v === 'boolean';
const strs = (v: unknown) => Array.isArray(v) && v.length <= 10_000 && v.every(str);
const obj = (v: unknown) => typeof v === 'object' && v !== null;
const opt = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);

const SHAPES: Record<string, Record<string, (v: unknown) => boolean>> = {
  l_create_slot: { req: int, name: str, failover: bool, copy: strs },
  l_drop_slot: { req: int, name: str },
  l_alter_slot: { req: int, name: str, failover: bool },
  l_tables: { req: int, publications: strs },
  l_start: { slot: str, publications: strs, lsn },
  l_feedback: { flush: lsn },
  l_stop: {},
  l_result: { req: int, lsn: opt(lsn), tables: opt(strs), code: opt(str), message: opt((v) => typeof v === 'string') },
  l_copy: { req: int, relation: obj, rows: Array.isArray, last: bool },
  l_txn: {
    txn: (v) => obj(v) && lsn((v as DecodedTxn).end) && Array.isArray((v as DecodedTxn).changes) && Array.isArray((v as DecodedTxn).relations),
    more: opt(bool),
  },
  l_keepalive: { walEnd: lsn },
  l_error: { code: str, message: (v) => typeof v === 'string', detail: opt((v) => typeof v === 'string') },
  l_slots: {
    slots: (v) => Array.isArray(v) && v.every((s: RemoteSlot) => obj(s) && str(s.name) && str(s.plugin) && (s.restartLsn === null || lsn(s.restartLsn))
      && lsn(s.confirmedFlush) && bool(s.twoPhase) && bool(s.invalidated) && s.catalog instanceof Uint8Array),
  },
};

/** Parse and validate one logical frame; undefined (with the reason logged by the caller) when malformed. */
export function decodeLogical(bytes: Uint8Array): { msg?: LogicalMessage; reason?: string } {
  let raw: unknown;
  try {
    raw = packr.unpack(bytes.subarray(1));
  } catch {
    return { reason: 'undecodable logical replication message' };
  }
  if (!obj(raw)) return { reason: 'logical replication message is not an object' };
  const t = (raw as { t?: unknown }).t;
  if (typeof t !== 'string' || !(t in SHAPES)) return { reason: `unknown logical replication message type ${JSON.stringify(t)}` };
  for (const [field, ok] of Object.entries(SHAPES[t]!)) {
    if (!ok((raw as Record<string, unknown>)[field])) return { reason: `invalid field "${field}" in ${t} message` };
  }
  return { msg: raw as LogicalMessage };
}

/** Roughly how many bytes a row takes in a message: enough to keep messages well under the transport's limit. */
function rowBytes(row: readonly Value[]): number {
  let n = 8;
  for (const v of row) {
    if (typeof v === 'string') n += v.length * 3 + 4;
    else if (v instanceof Uint8Array) n += v.length + 4;
    else if (v !== null && typeof v === 'object') n += JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))?.length ?? 16;
    else n += 9;
  }
  return n;
}

/** Split `items` into runs of at most `maxBytes` (each holds at least one item). */
export function inPieces<T>(items: readonly T[], rowsOf: (item: T) => readonly (readonly Value[])[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let piece: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = rowsOf(item).reduce((n, r) => n + rowBytes(r), 16);
    if (piece.length && bytes + size > maxBytes) {
      out.push(piece);
      piece = [];
      bytes = 0;
    }
    piece.push(item);
    bytes += size;
  }
  if (piece.length || !out.length) out.push(piece);
  return out;
}
