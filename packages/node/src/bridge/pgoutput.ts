/**
 * PostgreSQL's logical replication stream, decoded: the CopyBoth envelope (XLogData 'w', primary
 * keepalive 'k', standby status update 'r') and pgoutput protocol version 1's messages (Begin,
 * Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, Message), as documented in
 * "Logical Replication Message Formats". Values stay in PostgreSQL's text form: the bridge maps
 * them by type (types.ts). LSNs are bigint: PostgreSQL's are 64-bit.
 */

export interface RelationColumn {
  name: string;
  /** Part of the replica identity (the primary key). */
  key: boolean;
  typeOid: number;
  typmod: number;
}

export interface Relation {
  relid: number;
  schema: string;
  name: string;
  replicaIdentity: string;
  columns: RelationColumn[];
}

/** One column of a tuple: null, an unchanged TOASTed value (not sent), or its text form. */
export type TupleValue = null | { unchanged: true } | string;

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; lsn: bigint; name: string }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relid: number; tuple: TupleValue[] }
  | { tag: 'update'; relid: number; old: TupleValue[] | undefined; tuple: TupleValue[] }
  | { tag: 'delete'; relid: number; old: TupleValue[] }
  | { tag: 'truncate'; cascade: boolean; restartIdentity: boolean; relids: number[] }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Uint8Array };

export type StreamMessage =
  | { kind: 'xlogdata'; walStart: bigint; walEnd: bigint; message: PgOutputMessage }
  | { kind: 'keepalive'; walEnd: bigint; replyRequested: boolean };

class Reader {
  at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(): number { return this.view.getUint8(this.at++); }
  i16(): number { const v = this.view.getInt16(this.at); this.at += 2; return v; }
  i32(): number { const v = this.view.getInt32(this.at); this.at += 4; return v; }
  u32(): number { const v = this.view.getUint32(this.at); this.at += 4; return v; }
  u64(): bigint { const v = this.view.getBigUint64(this.at); this.at += 8; return v; }
  i64(): bigint { const v = this.view.getBigInt64(this.at); this.at += 8; return v; }
  char(): string { return String.fromCharCode(this.u8()); }
  str(): string {
    const end = this.bytes.indexOf(0, this.at);
    if (end < 0) throw new Error('unterminated string in pgoutput message');
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return s;
  }
  take(n: number): Uint8Array { const v = this.bytes.subarray(this.at, this.at + n); this.at += n; return v; }
}

function tuple(r: Reader): TupleValue[] {
  const n = r.i16();
  const out: TupleValue[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.char();
    if (kind === 'n') out.push(null);
    else if (kind === 'u') out.push({ unchanged: true });
    else if (kind === 't') out.push(new TextDecoder().decode(r.take(r.i32())));
    else throw new Error(`unexpected tuple column kind "${kind}" (binary mode is not used)`);
  }
  return out;
}

export function decodePgOutput(bytes: Uint8Array): PgOutputMessage {
  const r = new Reader(bytes);
  const tag = r.char();
  switch (tag) {
    case 'B': return { tag: 'begin', finalLsn: r.u64(), commitTime: r.i64(), xid: r.u32() };
    case 'C': { r.u8(); return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTime: r.i64() }; }
    case 'O': return { tag: 'origin', lsn: r.u64(), name: r.str() };
    case 'R': {
      const relid = r.u32();
      const schema = r.str();
      const name = r.str();
      const replicaIdentity = r.char();
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        columns.push({ key: (flags & 1) === 1, name: r.str(), typeOid: r.u32(), typmod: r.i32() });
      }
      return { tag: 'relation', relation: { relid, schema, name, replicaIdentity, columns } };
    }
    case 'Y': return { tag: 'type', typeOid: r.u32(), schema: r.str(), name: r.str() };
    case 'I': { const relid = r.u32(); r.char(); return { tag: 'insert', relid, tuple: tuple(r) }; }
    case 'U': {
      const relid = r.u32();
      let kind = r.char();
      let old: TupleValue[] | undefined;
      if (kind === 'K' || kind === 'O') {
        old = tuple(r);
        kind = r.char();
      }
      return { tag: 'update', relid, old, tuple: tuple(r) };
    }
    case 'D': { const relid = r.u32(); r.char(); return { tag: 'delete', relid, old: tuple(r) }; }
    case 'T': {
      const n = r.u32();
      const options = r.u8();
      const relids: number[] = [];
      for (let i = 0; i < n; i++) relids.push(r.u32());
      return { tag: 'truncate', cascade: (options & 1) === 1, restartIdentity: (options & 2) === 2, relids };
    }
    case 'M': {
      const transactional = r.u8() === 1;
      const lsn = r.u64();
      const prefix = r.str();
      return { tag: 'message', transactional, lsn, prefix, content: r.take(r.u32()) };
    }
    default: throw new Error(`unknown pgoutput message type "${tag}"`);
  }
}

/** One CopyData payload of the replication stream. */
export function decodeStream(bytes: Uint8Array): StreamMessage {
  const r = new Reader(bytes);
  const kind = r.char();
  if (kind === 'w') {
    const walStart = r.u64();
    const walEnd = r.u64();
    r.i64();
    return { kind: 'xlogdata', walStart, walEnd, message: decodePgOutput(bytes.subarray(r.at)) };
  }
  if (kind === 'k') {
    const walEnd = r.u64();
    r.i64();
    return { kind: 'keepalive', walEnd, replyRequested: r.u8() === 1 };
  }
  throw new Error(`unknown replication stream message "${kind}"`);
}

/** PostgreSQL's epoch (2000-01-01) in Unix microseconds: timestamps in the protocol count from it. */
const PG_EPOCH_US = 946_684_800_000_000n;

/** Standby status update: everything up to `lsn` is written, flushed and applied here. */
export function statusUpdate(lsn: bigint, replyRequested = false): Uint8Array {
  const out = new Uint8Array(34);
  const view = new DataView(out.buffer);
  out[0] = 'r'.charCodeAt(0);
  view.setBigUint64(1, lsn);
  view.setBigUint64(9, lsn);
  view.setBigUint64(17, lsn);
  view.setBigInt64(25, BigInt(Date.now()) * 1000n - PG_EPOCH_US);
  out[33] = replyRequested ? 1 : 0;
  return out;
}

export function formatPgLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffff_ffffn).toString(16).toUpperCase()}`;
}

export function parsePgLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new Error(`invalid LSN "${text}"`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}
