/**
 * Walsenders (PostgreSQL's walsender.c): one per standby that asked this node for WAL. Answers
 * IDENTIFY_SYSTEM and TIMELINE_HISTORY, streams flushed WAL from the requested LSN (catch-up from
 * storage, then live from the flush stream), takes base backups, and turns standby status updates
 * into positions, lags and slot advances. Runs on the primary and on cascading standbys alike.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import type { WalWriter } from '../wal/xlog.ts';
import { backupChunkParts, type SenderMessage, type StandbyMessage, type TimelineHistoryEntry } from './protocol.ts';
import type { Slots } from './slots.ts';
import type { BackupStream } from '../checkpoint/backup-stream.ts';
import { sendFrames } from './backup-send.ts';
import { yieldToEventLoop } from '../checkpoint/slices.ts';

export interface SenderHost {
  readonly nodeId: string;
  readonly wal: WalWriter;
  readonly slots: Slots;
  readonly maxWalSenders: number;
  /** Base backups one peer may ask for per minute (each costs a full snapshot); default 6. */
  readonly maxBaseBackupsPerMinute?: number;
  /** The largest message the transport carries: XLogData and base backups are sent in pieces below it. */
  readonly maxMessageSize: number;
  /** This node's cluster identity, or undefined while it has none (a standby awaiting its base backup). */
  identity(): { systemId: string; timeline: number; history: TimelineHistoryEntry[] } | undefined;
  /**
   * A base backup of the state as it is now (its frames made in slices as they are asked for) and
   * the LSN it is consistent at; `verify`: check the CRC of every stored chunk it sends as stored.
   */
  backup(verify: boolean): { lsn: Lsn; stream: BackupStream };
  send(to: string, msg: SenderMessage): Promise<void>;
  /** Send a message already encoded, as the parts it is the concatenation of (protocol.ts's backupChunkParts). */
  sendEncoded(to: string, parts: readonly Uint8Array[]): Promise<void>;
  log(message: string): void;
  /** A standby began streaming from this node. */
  standbyStarted(peer: string): void;
}

export type SenderState = 'startup' | 'backup' | 'catchup' | 'streaming';

export interface StandbyInfo {
  applicationName: string;
  state: SenderState;
  slot: string | null;
  sentLsn: Lsn;
  writeLsn: Lsn;
  flushLsn: Lsn;
  replayLsn: Lsn;
  /** Milliseconds, as PostgreSQL's write_lag/flush_lag/replay_lag; null before the first sample. */
  writeLag: number | null;
  flushLag: number | null;
  replayLag: number | null;
  replyTime: Date | null;
  startedAt: Date;
}

interface Standby extends StandbyInfo {
  peer: string;
  streaming: boolean;
  pumping: boolean;
  samples: { lsn: Lsn; time: number }[];
  /** When the standby last replied (performance.now()): wal_sender_timeout counts from here, by this node's clock. */
  lastReplyAt: number;
  /** The base backup being sent to it, if any: a new request (or the standby leaving) ends the one before. */
  backupRun?: object;
  /**
   * The LSN its base backup starts streaming from, held (a temporary reservation, as
   * pg_basebackup's temporary slot) from the backup's start until its first WAL is read for it:
   * a checkpoint completing meanwhile must not remove that WAL from under a standby without a slot.
   */
  backupLsn?: Lsn;
}

/** Largest XLogData payload: whole chunks are grouped up to this during catch-up. */
const BATCH_BYTES = 256 * 1024;
/** Largest backup_chunk payload: a whole rows piece of a typical table (~100 KiB) fits in one. */
const BACKUP_MESSAGE = 256 * 1024;
/** Room for a message's other fields and framing, below the transport's limit. */
const MESSAGE_OVERHEAD = 1024;

export class WalSenders {
  private readonly standbys = new Map<string, Standby>();
  private readonly positionListeners = new Set<() => void>();
  private readonly backupRequests = new Map<string, number[]>(); // per peer: times of its base backups in the last minute

  constructor(private readonly host: SenderHost) {
    // asked at each WAL removal: a standby gone from the map (left, refused, dropped) holds nothing
    host.slots.hold(() => {
      let oldest: Lsn | undefined;
      for (const s of this.standbys.values()) if (s.backupLsn !== undefined && (oldest === undefined || s.backupLsn < oldest)) oldest = s.backupLsn;
      return oldest;
    });
    host.wal.onFlush(() => {
      for (const s of this.standbys.values()) if (s.streaming) void this.pump(s);
    });
  }

  list(): StandbyInfo[] {
    return [...this.standbys.values()].map((s) => ({ ...s }));
  }

  /** The peers streaming WAL from this node (past START_REPLICATION). */
  streamingPeers(): string[] {
    return [...this.standbys.values()].filter((s) => s.streaming).map((s) => s.peer);
  }

  /** Called whenever a standby reports new positions (synchronous replication waits on this). */
  onPositions(listener: () => void): () => void {
    this.positionListeners.add(listener);
    return () => this.positionListeners.delete(listener);
  }

  peerLeft(peer: string): void {
    const s = this.standbys.get(peer);
    if (!s) return;
    this.standbys.delete(peer);
    if (s.slot) {
      const slot = this.host.slots.get(s.slot);
      if (slot && slot.activePeer === peer) {
        slot.active = false;
        slot.activePeer = undefined;
      }
    }
    this.notify();
  }

  /** This node stepped down or rewound: every standby must identify again and find its new upstream. */
  dropAll(reason: string): void {
    for (const s of [...this.standbys.values()]) {
      s.streaming = false;
      this.peerLeft(s.peer);
      void this.refuse(s.peer, SQLSTATE.admin_shutdown, reason);
    }
  }

  /**
   * wal_sender_timeout: a standby that has not replied for `timeoutMs` (its channel may still be
   * open, the standby frozen or its replies lost) is dropped, so it stops counting as synchronous.
   */
  checkTimeouts(timeoutMs: number): void {
    if (timeoutMs <= 0) return;
    const now = performance.now();
    for (const s of [...this.standbys.values()]) {
      if (!s.streaming || now - s.lastReplyAt <= timeoutMs) continue;
      this.host.log(`terminating walsender process for "${s.peer}" due to replication timeout`);
      s.streaming = false;
      this.peerLeft(s.peer);
      void this.refuse(s.peer, SQLSTATE.connection_failure, 'terminating walsender process due to replication timeout');
    }
  }

  /** Ask every streaming standby for a status update (keepalive with reply requested). */
  keepalive(): void {
    for (const s of this.standbys.values()) {
      if (!s.streaming) continue;
      void this.host.send(s.peer, { t: 'keepalive', walEnd: this.host.wal.flushLsn, time: Date.now(), replyRequested: true }).catch(() => {});
    }
  }

  async handle(peer: string, msg: StandbyMessage): Promise<void> {
    const identity = this.host.identity();
    switch (msg.t) {
      case 'identify_system':
        if (!identity) return this.refuse(peer, SQLSTATE.object_not_in_prerequisite_state, 'the database system is starting up');
        return this.host.send(peer, { t: 'identify_system_reply', systemId: identity.systemId, timeline: identity.timeline, flushLsn: this.host.wal.flushLsn });
      case 'timeline_history': {
        if (!identity) return this.refuse(peer, SQLSTATE.object_not_in_prerequisite_state, 'the database system is starting up');
        const history = identity.history.filter((h) => h.timeline <= msg.timeline);
        return this.host.send(peer, { t: 'timeline_history_reply', timeline: msg.timeline, history });
      }
      case 'start_replication':
        return this.startReplication(peer, msg.slot, msg.timeline, msg.lsn);
      case 'base_backup':
        return this.baseBackup(peer, msg.slot);
      case 'status_update':
        return this.statusUpdate(peer, msg);
      case 'copy_done': {
        const s = this.standbys.get(peer);
        if (!s) return;
        this.host.log(`standby "${peer}" ended replication`);
        s.streaming = false;
        return this.peerLeft(peer);
      }
    }
  }

  private standby(peer: string): Standby | undefined {
    const existing = this.standbys.get(peer);
    if (existing) return existing;
    if (this.standbys.size >= this.host.maxWalSenders) return undefined;
    const s: Standby = {
      peer, applicationName: peer, state: 'startup', slot: null, sentLsn: 0, writeLsn: 0, flushLsn: 0, replayLsn: 0,
      writeLag: null, flushLag: null, replayLag: null, replyTime: null, startedAt: new Date(), streaming: false, pumping: false, samples: [],
      lastReplyAt: performance.now(),
    };
    this.standbys.set(peer, s);
    return s;
  }

  private async refuse(peer: string, code: string, message: string, detail?: string): Promise<void> {
    this.host.log(`refusing standby "${peer}": ${message}`);
    await this.host.send(peer, { t: 'error', code, message, ...(detail ? { detail } : {}) }).catch(() => {});
  }

  private tooMany(peer: string): Promise<void> {
    return this.refuse(peer, SQLSTATE.too_many_connections, `number of requested standby connections exceeds max_wal_senders (currently ${this.host.maxWalSenders})`);
  }

  private async startReplication(peer: string, slotName: string | null, timeline: number, lsn: Lsn): Promise<void> {
    const identity = this.host.identity();
    if (!identity) return this.refuse(peer, SQLSTATE.object_not_in_prerequisite_state, 'the database system is starting up');
    const s = this.standby(peer);
    if (!s) return this.tooMany(peer);
    const wal = this.host.wal;
    if (timeline !== identity.timeline) {
      // following a timeline switch is the standby's job: it fetches the history and asks again
      const fork = identity.history.find((h) => h.parent === timeline);
      if (!fork || lsn > fork.switchLsn) {
        this.standbys.delete(peer);
        return this.refuse(peer, SQLSTATE.object_not_in_prerequisite_state, `requested timeline ${timeline} is not in this server's history`);
      }
    }
    if (lsn > wal.flushLsn) {
      this.standbys.delete(peer);
      return this.refuse(peer, SQLSTATE.object_not_in_prerequisite_state,
        `requested starting point ${formatLsn(lsn)} is ahead of the WAL flush position of this server ${formatLsn(wal.flushLsn)}`);
    }
    if (slotName) {
      const slot = this.host.slots.get(slotName) ?? this.createSlot(slotName, lsn);
      if (slot instanceof SqlError) return this.refuseSlot(peer, slot);
      if (slot.active && slot.activePeer !== peer) return this.slotInUse(peer, slotName, slot.activePeer);
      // a lost slot keeps nothing: the standby hears that its WAL was removed, as in PostgreSQL
      slot.active = true;
      slot.activePeer = peer;
      if (slot.restartLsn === null && !slot.lost) slot.restartLsn = lsn;
      s.slot = slotName;
    }
    s.sentLsn = lsn;
    s.writeLsn = s.flushLsn = s.replayLsn = lsn;
    s.state = 'catchup';
    s.streaming = true;
    s.lastReplyAt = performance.now();
    await this.host.send(peer, { t: 'copy_both', timeline: identity.timeline });
    this.host.standbyStarted(peer);
    await this.pump(s);
  }

  /** Send flushed WAL from s.sentLsn on, in whole-chunk batches, until caught up. */
  private async pump(s: Standby): Promise<void> {
    if (s.pumping) return;
    s.pumping = true;
    const wal = this.host.wal;
    try {
      // one message per task: WAL read from memory and a send that resolves at once (a transport in the same page)
      // made a catch-up of megabytes one task of the primary's thread (bench/README.md, "Ninth round")
      let sent = false;
      const nextTask = async () => {
        if (sent) await yieldToEventLoop();
        sent = true;
        return s.streaming && this.standbys.get(s.peer) === s;
      };
      while (s.streaming && this.standbys.get(s.peer) === s && s.sentLsn < wal.flushLsn) {
        const chunks = await wal.readFlushed(s.sentLsn, BATCH_BYTES);
        // the backup's WAL is in hand (or already gone): it is streaming now, held by its slot or by nothing, as PostgreSQL's
        s.backupLsn = undefined;
        if (!chunks.length || chunks[0]!.lsn > s.sentLsn) {
          s.streaming = false;
          this.standbys.delete(s.peer);
          const timeline = this.host.identity()?.timeline ?? 1;
          await this.refuse(s.peer, SQLSTATE.undefined_file, `requested WAL segment ${walSegmentName(timeline, s.sentLsn)} has already been removed`);
          return;
        }
        const parts: Uint8Array[] = [];
        let start = s.sentLsn;
        let end = start;
        for (const c of chunks) {
          if (c.end <= end) continue;
          if (c.lsn > end) break;
          const piece = c.lsn < end ? c.bytes.subarray(end - c.lsn) : c.bytes;
          if (parts.length && end - start + piece.length > BATCH_BYTES) break;
          parts.push(piece);
          end += piece.length;
        }
        const bytes = parts.length === 1 ? parts[0]! : concatBytes(parts, end - start);
        // a transaction larger than a message goes in pieces; the standby uses it at the last one
        const piece = this.pieceBytes(BATCH_BYTES);
        const timeline = this.host.identity()?.timeline ?? 0;
        for (let off = 0; off < bytes.length; off += piece) {
          if (!(await nextTask())) return;
          const part = bytes.subarray(off, off + piece);
          const partial = off + part.length < bytes.length;
          await this.host.send(s.peer, { t: 'xlog_data', timeline, start: start + off, end: start + off + part.length, walEnd: wal.flushLsn, time: Date.now(), bytes: part, ...(partial ? { partial } : {}) });
        }
        s.sentLsn = end;
        s.samples.push({ lsn: end, time: performance.now() });
        if (s.samples.length > 1000) s.samples.shift();
        start = end;
      }
      if (s.streaming && s.sentLsn >= wal.flushLsn && s.state === 'catchup') s.state = 'streaming';
    } catch (e) {
      const reason = `could not send WAL to "${s.peer}": ${e instanceof Error ? e.message : String(e)}`;
      this.host.log(reason);
      s.streaming = false;
      this.peerLeft(s.peer);
      // the standby must not keep waiting on a stream that ended: it hears why and reconnects
      void this.refuse(s.peer, SQLSTATE.connection_failure, reason);
    } finally {
      s.pumping = false;
    }
    // a flush that arrived while the last send was in flight still needs sending
    if (s.streaming && this.standbys.get(s.peer) === s && s.sentLsn < wal.flushLsn) void this.pump(s);
  }

  private statusUpdate(peer: string, m: Extract<StandbyMessage, { t: 'status_update' }>): void {
    const s = this.standbys.get(peer);
    if (!s) return;
    const now = performance.now();
    s.lastReplyAt = now;
    const lag = (lsn: Lsn, previous: number | null) => {
      let sample: { lsn: Lsn; time: number } | undefined;
      for (const x of s.samples) if (x.lsn <= lsn) sample = x;
      return sample ? now - sample.time : previous;
    };
    if (m.write > s.writeLsn) s.writeLag = lag(m.write, s.writeLag);
    if (m.flush > s.flushLsn) s.flushLag = lag(m.flush, s.flushLag);
    if (m.apply > s.replayLsn) s.replayLag = lag(m.apply, s.replayLag);
    s.writeLsn = Math.max(s.writeLsn, m.write);
    s.flushLsn = Math.max(s.flushLsn, m.flush);
    s.replayLsn = Math.max(s.replayLsn, m.apply);
    const oldest = Math.min(s.writeLsn, s.flushLsn, s.replayLsn);
    while (s.samples.length > 1 && s.samples[0]!.lsn <= oldest) s.samples.shift();
    s.replyTime = new Date(m.time);
    if (s.slot) this.host.slots.advance(s.slot, s.flushLsn);
    this.notify();
  }

  private async baseBackup(peer: string, slotName: string | null): Promise<void> {
    const identity = this.host.identity();
    if (!identity) return this.refuse(peer, SQLSTATE.object_not_in_prerequisite_state, 'the database system is starting up');
    const max = this.host.maxBaseBackupsPerMinute ?? 6;
    const now = Date.now();
    const recent = (this.backupRequests.get(peer) ?? []).filter((t) => now - t < 60_000);
    this.backupRequests.set(peer, recent);
    if (recent.length >= max) return this.refuse(peer, '53400', `base backup requests from "${peer}" exceed ${max} per minute`);
    recent.push(now);
    const s = this.standby(peer);
    if (!s) return this.tooMany(peer);
    const inUse = slotName ? this.host.slots.get(slotName) : undefined;
    if (inUse?.active && inUse.activePeer !== peer) return this.slotInUse(peer, inUse.name, inUse.activePeer);
    s.state = 'backup';
    s.streaming = false;
    // a standby that asks again (it refused the last one) ends the one still in flight
    const run = (s.backupRun = {});
    // a standby that asks again within the minute may have refused a damaged stored chunk: this time each is checked before it goes
    const { lsn, stream } = this.host.backup(recent.length > 1);
    s.backupLsn = lsn;
    try {
      // the standby streams from `lsn` next, which must be flushed here by then
      await this.host.wal.waitFlush(lsn);
      // the standby streams from `lsn` next: its slot keeps that WAL for it
      if (slotName) {
        const slot = this.host.slots.get(slotName);
        if (slot) {
          slot.restartLsn = lsn;
          slot.lost = false;
        } else {
          const created = this.createSlot(slotName, lsn);
          if (created instanceof SqlError) return this.refuseSlot(peer, created);
        }
      }
      await this.host.send(peer, { t: 'backup_start', systemId: identity.systemId, timeline: identity.timeline, lsn, history: identity.history });
      if (!(await sendFrames(stream, this.pieceBytes(BACKUP_MESSAGE), () => this.standbys.get(peer) === s && s.backupRun === run, (offset, parts) => this.host.sendEncoded(peer, backupChunkParts(offset, parts))))) {
        this.host.log(`base backup to "${peer}" stopped: the standby went away`);
        return;
      }
      // stays 'backup' until the standby, having installed it, asks to stream
      await this.host.send(peer, { t: 'backup_end', lsn, ...stream.summary() });
      const { stored, encoded, replaced } = stream.stats();
      for (const key of replaced) this.host.log(`base backup to "${peer}": stored checkpoint chunk "${key}" is missing or damaged; sent encoded from the rows instead`);
      this.host.log(`base backup to "${peer}" sent: ${stored} of ${stored + encoded} chunks as the last checkpoint stored them`);
    } catch (e) {
      this.host.log(`base backup to "${peer}" failed: ${e instanceof Error ? e.message : String(e)}`);
      this.peerLeft(peer);
    }
  }

  /** A slot a standby asked for, or why it cannot have one (max_replication_slots, a bad name). */
  private createSlot(name: string, lsn: Lsn): ReturnType<Slots['create']> | SqlError {
    try {
      return this.host.slots.create(name, lsn);
    } catch (e) {
      if (e instanceof SqlError) return e;
      throw e;
    }
  }

  private refuseSlot(peer: string, e: SqlError): Promise<void> {
    this.standbys.delete(peer);
    return this.refuse(peer, e.code, e.message);
  }

  /** PostgreSQL's 55006: one standby per slot at a time; the one streaming keeps it. */
  private slotInUse(peer: string, slot: string, holder: string | undefined): Promise<void> {
    const s = this.standbys.get(peer);
    if (s && !s.streaming) this.standbys.delete(peer);
    return this.refuse(peer, SQLSTATE.object_in_use, `replication slot "${slot}" is active for node "${holder}"`);
  }

  private pieceBytes(preferred: number): number {
    return Math.max(1, Math.min(preferred, this.host.maxMessageSize - MESSAGE_OVERHEAD));
  }

  private notify(): void {
    for (const l of this.positionListeners) l();
  }
}

function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PostgreSQL's WAL file name for the 16 MiB segment holding `lsn`. */
export function walSegmentName(timeline: number, lsn: Lsn): string {
  const segno = Math.floor(lsn / (16 * 1024 * 1024));
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(timeline) + hex(Math.floor(segno / 256)) + hex(segno % 256);
}

