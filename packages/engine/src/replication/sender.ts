/**
 * Walsenders (PostgreSQL's walsender.c): one per standby that asked this node for WAL. Answers
 * IDENTIFY_SYSTEM and TIMELINE_HISTORY, streams flushed WAL from the requested LSN (catch-up from
 * storage, then live from the flush stream), takes base backups, and turns standby status updates
 * into positions, lags and slot advances. Runs on the primary and on cascading standbys alike.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import type { WalWriter } from '../wal/xlog.ts';
import type { SenderMessage, StandbyMessage, TimelineHistoryEntry } from './protocol.ts';
import type { Slots } from './slots.ts';

export interface SenderHost {
  readonly nodeId: string;
  readonly wal: WalWriter;
  readonly slots: Slots;
  readonly maxWalSenders: number;
  /** Base backups one peer may ask for per minute (each costs a full snapshot); default 6. */
  readonly maxBaseBackupsPerMinute?: number;
  /** This node's cluster identity, or undefined while it has none (a standby awaiting its base backup). */
  identity(): { systemId: string; timeline: number; history: TimelineHistoryEntry[] } | undefined;
  /** A consistent snapshot (sealed) and the LSN it is consistent at. */
  snapshot(): { lsn: Lsn; bytes: Uint8Array };
  send(to: string, msg: SenderMessage): Promise<void>;
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
}

/** Largest XLogData payload: whole chunks are grouped up to this during catch-up. */
const BATCH_BYTES = 256 * 1024;
const BACKUP_CHUNK = 64 * 1024;

export class WalSenders {
  private readonly standbys = new Map<string, Standby>();
  private readonly positionListeners = new Set<() => void>();
  private readonly backupRequests = new Map<string, number[]>(); // per peer: times of its base backups in the last minute

  constructor(private readonly host: SenderHost) {
    host.wal.onFlush(() => {
      for (const s of this.standbys.values()) if (s.streaming) void this.pump(s);
    });
  }

  list(): StandbyInfo[] {
    return [...this.standbys.values()].map((s) => ({ ...s }));
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
      if (slot) slot.active = false;
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
    }
  }

  private standby(peer: string): Standby | undefined {
    const existing = this.standbys.get(peer);
    if (existing) return existing;
    if (this.standbys.size >= this.host.maxWalSenders) return undefined;
    const s: Standby = {
      peer, applicationName: peer, state: 'startup', slot: null, sentLsn: 0, writeLsn: 0, flushLsn: 0, replayLsn: 0,
      writeLag: null, flushLag: null, replayLag: null, replyTime: null, startedAt: new Date(), streaming: false, pumping: false, samples: [],
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
      // a lost slot keeps nothing: the standby hears that its WAL was removed, as in PostgreSQL
      slot.active = true;
      if (slot.restartLsn === null && !slot.lost) slot.restartLsn = lsn;
      s.slot = slotName;
    }
    s.sentLsn = lsn;
    s.writeLsn = s.flushLsn = s.replayLsn = lsn;
    s.state = 'catchup';
    s.streaming = true;
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
      while (s.streaming && this.standbys.get(s.peer) === s && s.sentLsn < wal.flushLsn) {
        const chunks = await wal.readFlushed(s.sentLsn);
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
        await this.host.send(s.peer, { t: 'xlog_data', timeline: this.host.identity()?.timeline ?? 0, start, end, walEnd: wal.flushLsn, time: Date.now(), bytes });
        s.sentLsn = end;
        s.samples.push({ lsn: end, time: performance.now() });
        if (s.samples.length > 1000) s.samples.shift();
        start = end;
      }
      if (s.streaming && s.sentLsn >= wal.flushLsn && s.state === 'catchup') s.state = 'streaming';
    } catch (e) {
      this.host.log(`could not send WAL to "${s.peer}": ${e instanceof Error ? e.message : String(e)}`);
      this.peerLeft(s.peer);
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
    s.state = 'backup';
    s.streaming = false;
    const { lsn, bytes } = this.host.snapshot();
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
    try {
      await this.host.send(peer, { t: 'backup_start', systemId: identity.systemId, timeline: identity.timeline, lsn, history: identity.history, totalBytes: bytes.length });
      for (let offset = 0; offset < bytes.length; offset += BACKUP_CHUNK) {
        await this.host.send(peer, { t: 'backup_chunk', offset, bytes: bytes.subarray(offset, offset + BACKUP_CHUNK) });
      }
      // stays 'backup' until the standby, having installed it, asks to stream
      await this.host.send(peer, { t: 'backup_end', lsn });
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

