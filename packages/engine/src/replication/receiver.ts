/**
 * The walreceiver (PostgreSQL's walreceiver.c): on a standby, finds its upstream, checks the
 * system identifier, takes a base backup when it has no data, streams WAL from its own end,
 * validates every batch (contiguous LSNs, CRC-checked records) before handing it to replay, and
 * reports write/flush/apply positions back. When the upstream no longer has the WAL it needs it
 * restores from the archive, or takes a fresh base backup.
 */
import type { WalChunk } from '../storage/storage.ts';
import { concat, decodeRecords } from '../wal/codec.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import type { PositionedRecord } from '../wal/record.ts';
import type { WalWriter } from '../wal/xlog.ts';
import { restoreWal, type WalArchive } from './archive.ts';
import { IncomingBackup, type ReceivedBackup } from './incoming-backup.ts';
import type { SenderMessage, StandbyMessage, TimelineHistoryEntry } from './protocol.ts';
import type { Follow } from './timeline.ts';

export interface BackupMeta {
  systemId: string;
  timeline: number;
  lsn: Lsn;
  history: TimelineHistoryEntry[];
}

export type ReceiverStatus = 'stopped' | 'waiting' | 'starting' | 'backup' | 'restoring' | 'streaming' | 'error';

export interface ReceiverProgress {
  phase: 'backup' | 'catchup' | 'streaming';
  done: number;
  total: number;
}

export interface ReceiverHost {
  readonly nodeId: string;
  readonly wal: WalWriter;
  readonly slotName: string | null;
  readonly archive?: WalArchive;
  /** Take a fresh base backup when the upstream can no longer serve this standby. */
  readonly autoBaseBackup: boolean;
  identity(): { systemId: string; timeline: number; history: TimelineHistoryEntry[] } | undefined;
  /** The node to stream from: the configured upstream, or the primary the node catalog knows. */
  upstream(): string | undefined;
  replayLsn(): Lsn;
  /** Write (append) and replay a validated batch. */
  apply(chunk: WalChunk, records: PositionedRecord[]): void;
  /** Replace the node's state and WAL with a complete, verified base backup. */
  installBackup(backup: ReceivedBackup): Promise<void>;
  /** The upstream is on a newer timeline: switch to it (rewinding if needed), or say a base backup is needed. */
  followTimeline(timeline: number, history: TimelineHistoryEntry[]): Promise<Follow>;
  send(to: string, msg: StandbyMessage): Promise<void>;
  log(level: 'log' | 'warning', message: string): void;
  progress(p: ReceiverProgress): void;
}

export interface ReceiverInfo {
  status: ReceiverStatus;
  upstream: string | null;
  receiveStartLsn: Lsn | null;
  receiveStartTli: number | null;
  writtenLsn: Lsn;
  flushedLsn: Lsn;
  receivedTli: number | null;
  lastMsgSendTime: Date | null;
  lastMsgReceiptTime: Date | null;
  latestEndLsn: Lsn | null;
  slotName: string | null;
  lastError: string | null;
}

/** wal_retrieve_retry_interval: the first retry is quick, later ones back off to 5 s. */
const RETRY_MS = 100;
const RETRY_MAX_MS = 5000;
/** How much archived WAL one restore_command read brings. */
const RESTORE_BYTES = 1024 * 1024;

export class WalReceiver {
  private status: ReceiverStatus = 'stopped';
  private source: string | undefined;
  private backup: IncomingBackup | undefined;
  private info: Omit<ReceiverInfo, 'status' | 'upstream' | 'writtenLsn' | 'flushedLsn' | 'slotName'> = {
    receiveStartLsn: null, receiveStartTli: null, receivedTli: null, lastMsgSendTime: null, lastMsgReceiptTime: null, latestEndLsn: null, lastError: null,
  };
  private retry: ReturnType<typeof setTimeout> | undefined;
  private retryMs = RETRY_MS;
  private stopped = false;
  /** Where the last batch that could not be replayed started: a second failure there takes a base backup. */
  private unreplayableAt: Lsn | undefined;
  /** Pieces of a batch larger than one message, joined until its last piece arrives. */
  private assembling: { start: Lsn; end: Lsn; parts: Uint8Array[] } | undefined;
  /** When the upstream was last heard (performance.now()): wal_receiver_timeout counts from here. */
  private heardAt = performance.now();

  constructor(private readonly host: ReceiverHost) {}

  snapshot(): ReceiverInfo {
    return {
      ...this.info,
      status: this.status,
      upstream: this.source ?? null,
      writtenLsn: this.host.wal.insertLsn,
      flushedLsn: this.host.wal.flushLsn,
      slotName: this.host.slotName,
    };
  }

  /** (Re)connect when idle: called at start, when peers come and go, and after errors. */
  poke(): void {
    if (this.stopped || this.status === 'error') return;
    if (this.status !== 'stopped' && this.status !== 'waiting') return;
    const upstream = this.host.upstream();
    if (!upstream) {
      this.status = 'waiting';
      return;
    }
    this.source = upstream;
    this.status = 'starting';
    this.heardAt = performance.now();
    void this.send({ t: 'identify_system' });
  }

  peerLeft(peer: string): void {
    if (peer !== this.source) return;
    this.host.log('log', `replication terminated by upstream "${peer}"`);
    this.source = undefined;
    this.backup = undefined;
    if (this.status !== 'error') this.status = 'waiting';
    this.poke();
  }

  /** Stop receiving; an upstream that is streaming to this node is told so (CopyDone) and lets it go at once. */
  stop(): Promise<void> {
    const ending = this.source && !this.stopped && this.status !== 'waiting' && this.status !== 'error' ? this.send({ t: 'copy_done' }) : Promise.resolve();
    this.stopped = true;
    this.status = 'stopped';
    if (this.retry) clearTimeout(this.retry);
    return ending;
  }

  /** wal_receiver_timeout: an upstream silent for `timeoutMs` (while starting, in a backup or streaming) is given up and found again. */
  checkTimeout(timeoutMs: number): void {
    const active = this.status === 'starting' || this.status === 'backup' || this.status === 'restoring' || this.status === 'streaming';
    if (timeoutMs <= 0 || this.stopped || !active || performance.now() - this.heardAt <= timeoutMs) return;
    this.restart(`terminating walreceiver due to timeout: nothing received from upstream "${this.source}" for ${timeoutMs} ms`);
  }

  async handle(from: string, msg: SenderMessage): Promise<void> {
    if (from !== this.source) return;
    this.heardAt = performance.now();
    this.info.lastMsgReceiptTime = new Date();
    switch (msg.t) {
      case 'identify_system_reply':
        return this.identified(msg.systemId, msg.timeline);
      case 'timeline_history_reply': {
        const how = await this.host.followTimeline(msg.timeline, msg.history);
        if (how === 'follow') return this.startStreaming();
        if (!this.host.autoBaseBackup) return this.fail(`cannot follow timeline ${msg.timeline} of upstream "${from}" without a base backup, and autoBaseBackup is off`);
        this.status = 'backup';
        return this.send({ t: 'base_backup', slot: this.host.slotName });
      }
      case 'copy_both':
        this.status = 'streaming';
        this.retryMs = RETRY_MS;
        this.info.receiveStartLsn = this.host.wal.insertLsn;
        this.info.receiveStartTli = msg.timeline;
        this.info.receivedTli = msg.timeline;
        return;
      case 'xlog_data':
        return this.xlogData(msg);
      case 'keepalive':
        this.info.lastMsgSendTime = new Date(msg.time);
        this.info.latestEndLsn = msg.walEnd;
        if (msg.replyRequested) await this.sendStatus();
        return;
      case 'backup_start':
        this.status = 'backup';
        this.backup = new IncomingBackup({ systemId: msg.systemId, timeline: msg.timeline, lsn: msg.lsn, history: msg.history });
        this.host.progress({ phase: 'backup', done: 0, total: 0 });
        return;
      case 'backup_chunk': {
        const b = this.backup;
        // bytes of a stream this standby gave up on, still on the wire: nothing to add them to
        if (!b) return;
        // each piece is checked (its CRC) as it completes: a damaged one is refused here, not after the last byte
        const refused = b.add(msg.offset, msg.bytes);
        if (refused) return this.restart(refused);
        const total = b.estimate;
        if (total !== undefined) this.host.progress({ phase: 'backup', done: b.done, total });
        return;
      }
      case 'backup_end': {
        const b = this.backup;
        if (!b) return;
        this.backup = undefined;
        if (msg.lsn !== b.meta.lsn) return this.restart('incomplete base backup');
        const whole = b.finish(msg);
        // a damaged or truncated backup is refused: the next attempt takes a fresh one
        if (typeof whole === 'string') return this.restart(whole);
        this.host.progress({ phase: 'backup', done: msg.totalBytes, total: msg.totalBytes });
        await this.host.installBackup(whole);
        this.host.log('log', `base backup received: consistent at ${formatLsn(b.meta.lsn)}`);
        return this.startStreaming();
      }
      case 'error':
        return this.upstreamError(msg.code, msg.message, msg.detail);
    }
  }

  private async identified(systemId: string, timeline: number): Promise<void> {
    const mine = this.host.identity();
    if (!mine) {
      this.host.log('log', `no local data: taking a base backup from "${this.source}"`);
      this.status = 'backup';
      return this.send({ t: 'base_backup', slot: this.host.slotName });
    }
    if (mine.systemId !== systemId) {
      return this.fail('database system identifier differs between the primary and standby',
        `The primary's identifier is ${systemId}, the standby's identifier is ${mine.systemId}.`);
    }
    if (timeline > mine.timeline) return this.send({ t: 'timeline_history', timeline });
    if (timeline < mine.timeline) return this.fail(`upstream "${this.source}" is on timeline ${timeline}, behind this node's timeline ${mine.timeline}`, undefined, true);
    return this.startStreaming();
  }

  private startStreaming(): Promise<void> {
    const mine = this.host.identity()!;
    this.status = 'starting';
    return this.send({ t: 'start_replication', slot: this.host.slotName, timeline: mine.timeline, lsn: this.host.wal.insertLsn });
  }

  private async xlogData(msg: Extract<SenderMessage, { t: 'xlog_data' }>): Promise<void> {
    const wal = this.host.wal;
    if (this.status !== 'streaming' && this.status !== 'restoring') return;
    this.info.lastMsgSendTime = new Date(msg.time);
    this.info.latestEndLsn = msg.walEnd;
    if (msg.timeline !== this.info.receivedTli) {
      return this.restart(`WAL from "${this.source}" is on timeline ${msg.timeline}, but streaming was started on timeline ${this.info.receivedTli}`);
    }
    const expected = this.assembling?.end ?? wal.insertLsn;
    if (msg.start !== expected) {
      return this.restart(`unexpected WAL start ${formatLsn(msg.start)} from upstream, expected ${formatLsn(expected)}`);
    }
    if (msg.partial || this.assembling) {
      const a = (this.assembling ??= { start: msg.start, end: msg.start, parts: [] });
      a.parts.push(msg.bytes);
      a.end = msg.end;
      if (msg.partial) return;
      this.assembling = undefined;
      msg = { ...msg, start: a.start, bytes: concat(a.parts) };
    }
    if (!this.accept({ lsn: msg.start, end: msg.end, bytes: msg.bytes })) return;
    this.host.progress({ phase: msg.end >= msg.walEnd ? 'streaming' : 'catchup', done: msg.end, total: msg.walEnd });
    // one reply per batch, once it is durable: write ≤ flush and apply reported together, as
    // PostgreSQL's startup process only replays what the walreceiver has flushed
    void wal.waitFlush(msg.end).then(() => this.sendStatus(), () => {});
  }

  /** Validate a batch completely, then write and replay it; a bad batch changes nothing. */
  private accept(chunk: WalChunk): boolean {
    const { records, invalid } = decodeRecords(chunk.bytes, chunk.lsn);
    if (invalid) {
      void this.restart(`${invalid.reason} in WAL received from "${this.source}"`);
      return false;
    }
    const last = records[records.length - 1];
    if (last && last.record.kind !== 'commit' && last.record.kind !== 'abort' && last.record.kind !== 'checkpoint' && last.record.kind !== 'timeline_switch') {
      void this.restart(`WAL batch from "${this.source}" ends inside a transaction at ${formatLsn(chunk.end)}`);
      return false;
    }
    try {
      this.host.apply(chunk, records);
    } catch (e) {
      this.unreplayable(chunk.lsn, e instanceof Error ? e.message : String(e));
      return false;
    }
    this.unreplayableAt = undefined;
    return true;
  }

  /**
   * A record this node cannot apply (PostgreSQL stops recovery on one): nothing of the batch was
   * written or replayed, so positions stay where they were. The stream starts over from there; if
   * the same WAL fails again, a base backup replaces it.
   */
  private unreplayable(lsn: Lsn, reason: string): void {
    const again = this.unreplayableAt === lsn;
    this.unreplayableAt = lsn;
    this.host.log('warning', `FATAL:  ${reason} in WAL received from "${this.source}"`);
    this.info.lastError = reason;
    if (!again) return this.restart(`recovery stopped at ${formatLsn(lsn)}: reconnecting to upstream "${this.source}"`);
    if (!this.host.autoBaseBackup) return this.fail(`WAL from ${formatLsn(lsn)} cannot be replayed, and autoBaseBackup is off`);
    this.host.log('log', 'taking a new base backup');
    this.status = 'backup';
    void this.send({ t: 'base_backup', slot: this.host.slotName });
  }

  private async upstreamError(code: string, message: string, detail?: string): Promise<void> {
    this.host.log('warning', `could not receive data from WAL stream: ERROR:  ${message}${detail ? ` (${detail})` : ''}`);
    this.info.lastError = message;
    if (code === '58P01') return this.behind();
    return this.restart(message);
  }

  /** The upstream removed WAL this standby needs: restore_command first, then a new base backup. */
  private async behind(): Promise<void> {
    const archive = this.host.archive;
    const mine = this.host.identity();
    if (archive && mine) {
      this.status = 'restoring';
      const start = this.host.wal.insertLsn;
      let ok = true;
      // batch by batch, each part from the timeline that holds it in this node's history
      while (ok) {
        const from = this.host.wal.insertLsn;
        const chunks = await restoreWal(archive, mine.timeline, mine.history, from, RESTORE_BYTES);
        if (!chunks.length || chunks[0]!.lsn > from) break;
        for (const c of chunks) {
          const at = this.host.wal.insertLsn;
          if (c.end <= at) continue;
          if (c.lsn > at) break;
          const piece = c.lsn < at ? { lsn: at, end: c.end, bytes: c.bytes.subarray(at - c.lsn) } : c;
          if (!(ok = this.accept(piece))) break;
        }
        if (this.host.wal.insertLsn === from) break;
      }
      if (ok && this.host.wal.insertLsn > start) {
        this.host.log('log', `restored WAL from the archive up to ${formatLsn(this.host.wal.insertLsn)}`);
        this.status = 'starting';
        return this.startStreaming();
      }
      if (ok) this.host.log('warning', `the archive does not have WAL from ${formatLsn(start)}`);
    }
    if (!this.host.autoBaseBackup) return this.fail('the upstream no longer has the WAL this standby needs, and autoBaseBackup is off');
    this.host.log('log', 'taking a new base backup');
    this.status = 'backup';
    return this.send({ t: 'base_backup', slot: this.host.slotName });
  }

  private async sendStatus(): Promise<void> {
    const wal = this.host.wal;
    // a batch is replayed before it is flushed here; PostgreSQL's standby applies only flushed WAL, and
    // remote_apply promises both: an applied position past the flush would release commits not yet durable here
    const apply = Math.min(this.host.replayLsn(), wal.flushLsn);
    await this.send({ t: 'status_update', write: wal.insertLsn, flush: wal.flushLsn, apply, time: Date.now(), replyRequested: false });
  }

  /** Drop the stream and start over from this node's own end of WAL. */
  private restart(reason: string): void {
    if (this.stopped) return;
    this.host.log('warning', reason);
    this.info.lastError = reason;
    this.status = 'waiting';
    // a backup given up on is ended upstream too (CopyDone), so its sender stops rather than stream the rest
    if (this.backup) void this.send({ t: 'copy_done' });
    this.backup = undefined;
    this.assembling = undefined;
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.poke();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  /** A condition retrying cannot fix (different cluster): stop and say why. */
  private fail(message: string, detail?: string, retry = false): void {
    this.host.log('warning', `FATAL:  ${message}${detail ? ` DETAIL:  ${detail}` : ''}`);
    this.info.lastError = detail ? `${message}: ${detail}` : message;
    if (retry) return this.restart(message);
    this.status = 'error';
  }

  private async send(msg: StandbyMessage): Promise<void> {
    if (!this.source) return;
    try {
      await this.host.send(this.source, msg);
    } catch (e) {
      this.restart(`could not send to upstream "${this.source}": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
