/**
 * Moving offline writes between nodes. Every node with a transport has a relay: a primary applies
 * the transactions it is sent (apply.ts) and answers with verdicts; a cascading standby passes
 * transactions up to its own upstream and verdicts down to their origin. An origin's pump sends its
 * queue in order, one batch in flight at a time, again after `resendMs` without an answer (the
 * primary recognises what it already applied), and applies it itself once it is the primary.
 */
import { OFFLINE_LIMITS, type OfflineMessage, type WireVerdict, type WireXact } from '../replication/protocol.ts';
import type { OfflineApplier } from './apply.ts';
import type { PendingEntry } from './queue.ts';

export interface RelayDeps {
  nodeId: string;
  isPrimary(): boolean;
  /** The upstream this standby streams from now. */
  upstream(): string | undefined;
  /** false when `to` is not connected. */
  send(to: string, msg: OfflineMessage): Promise<boolean>;
  applier: OfflineApplier;
  log(m: string): void;
}

export interface Origin {
  /** Verdicts for this node's own transactions. */
  verdicts(v: readonly WireVerdict[]): Promise<void>;
}

export class OfflineRelay {
  /** This node's own queue, when it has offline writes on. */
  origin: Origin | undefined;

  constructor(private readonly deps: RelayDeps) {}

  async handle(from: string, msg: OfflineMessage): Promise<void> {
    const { deps } = this;
    if (msg.t === 'offline_xacts') {
      if (deps.isPrimary()) {
        const verdicts = await deps.applier.apply(msg.origin, msg.xacts);
        if (verdicts.length) await deps.send(from, { t: 'offline_verdicts', origin: msg.origin, verdicts });
        return;
      }
      const up = deps.upstream();
      // not streaming: the origin sends again later
      if (up && up !== from) await deps.send(up, msg);
      return;
    }
    if (msg.origin === deps.nodeId) return this.origin?.verdicts(msg.verdicts);
    await deps.send(msg.origin, msg);
  }
}

export interface PumpDeps extends RelayDeps {
  entries(): PendingEntry[];
  markSent(seqs: readonly number[], now: number): void;
  origin: Origin;
  resendMs: number;
  /** Batches are cut below this many bytes (the transport's message limit leaves room for framing). */
  maxBatchBytes: number;
}

const MAX_BATCH = 500;

/** An upper bound of the bytes a transaction takes in a message (UTF-8 text, parameters, framing). */
function sizeOf(e: PendingEntry): number {
  return 64 + e.statements.reduce((n, s) => n + s.sql.length * 3 + (s.params?.length ?? 0) + 16, 0);
}

export class ForwardPump {
  private inFlightUntil = 0;
  private running = false;
  private again = false;

  constructor(private readonly deps: PumpDeps) {}

  /** Send (or apply) what is due now; calls coalesce while a round runs. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pump()
      .catch((e) => this.deps.log(`offline writes: forwarding failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Verdicts for the batch in flight arrived: the next may go at once. */
  answered(): void {
    this.inFlightUntil = 0;
  }

  private async pump(): Promise<void> {
    const { deps } = this;
    for (;;) {
      const now = performance.now();
      const batch = this.nextBatch(now);
      if (!batch.length) return;
      const xacts: WireXact[] = batch.map((e) => {
        const size = sizeOf(e);
        // never sendable: the primary records it rejected, so the transactions after it are not held up
        return size > deps.maxBatchBytes ? { seq: e.seq, queuedAt: e.queuedAt, statements: [], tooLarge: size } : { seq: e.seq, queuedAt: e.queuedAt, statements: e.statements };
      });
      if (deps.isPrimary()) {
        deps.markSent(batch.map((e) => e.seq), now);
        const verdicts = await deps.applier.apply(deps.nodeId, xacts);
        await deps.origin.verdicts(verdicts);
        // nothing applied (this node cannot commit now): the timer tries again
        if (!verdicts.length) return;
        continue;
      }
      if (now < this.inFlightUntil) return;
      const up = deps.upstream();
      if (!up) return;
      deps.markSent(batch.map((e) => e.seq), now);
      this.inFlightUntil = now + deps.resendMs;
      if (!(await deps.send(up, { t: 'offline_xacts', origin: deps.nodeId, xacts }))) this.inFlightUntil = 0;
      return;
    }
  }

  /**
   * From the first entry due (never sent, unanswered for resendMs, or applied but still not
   * replayed here after four times that: its commit may have been lost in a failover), the
   * consecutive due ones.
   */
  private nextBatch(now: number): PendingEntry[] {
    const wait = (e: PendingEntry) => (e.state === 'applied' ? 4 : 1) * this.deps.resendMs;
    const due = (e: PendingEntry) => e.state !== 'failed' && (e.state === 'queued' || now - (e.sentAt ?? 0) >= wait(e));
    const batch: PendingEntry[] = [];
    let bytes = 0;
    for (const e of this.deps.entries()) {
      if (!due(e)) {
        if (batch.length) break;
        continue;
      }
      const size = sizeOf(e) > this.deps.maxBatchBytes ? 64 : sizeOf(e);
      if (batch.length && (batch.length >= MAX_BATCH || batch.length >= OFFLINE_LIMITS.xacts || bytes + size > this.deps.maxBatchBytes)) break;
      batch.push(e);
      bytes += size;
    }
    return batch;
  }
}
