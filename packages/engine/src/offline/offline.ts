/**
 * Offline writes on one node (the origin): the queue, the optimistic view over it, and the
 * verdicts. It owns the view and every change of the queue, serialised on one chain: queueing a
 * transaction, a verdict, and the reconcile after each replayed batch (entries whose record the
 * replicated walrtc_applied_xacts now holds leave the queue; the rest are rebased). The Database
 * reaches it through OfflineHook; the node exposes it as `node.offline`.
 */
import type { Database } from '../database.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { WireVerdict } from '../replication/protocol.ts';
import type { OpenTxn } from '../session/transaction.ts';
import type { Verdict } from '../sql/env.ts';
import type { DbState } from '../state/state.ts';
import type { PendingStatement } from '../storage/storage.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import { highestRecorded, recordedOutcomes } from './apply.ts';
import type { ForwardPump } from './forward.ts';
import type { OfflineHook } from './hook.ts';
import { offlineTxn, rebase } from './overlay.ts';
import type { PendingEntry, PendingQueue, PendingState } from './queue.ts';

export interface OfflineWritesDeps {
  db: Database;
  queue: PendingQueue;
  isPrimary(): boolean;
  replayLsn(): Lsn;
  /** false: reads see the replicated state only (the node's optimisticReads option). */
  optimisticReads: boolean;
  log(m: string): void;
}

/** One row of walrtc_pending and of `node.offline.rows()`. */
export interface PendingRow {
  origin: string;
  seq: number;
  statements: string[];
  queuedAt: Date;
  state: PendingState;
  sqlstate: string | null;
  message: string | null;
  commitLsn: string | null;
}

/** `node.offline`: what an app sees of its queued offline writes. */
export type OfflineApi = Pick<OfflineWrites, 'verdict' | 'onVerdict' | 'dismiss' | 'settled' | 'rows' | 'counts' | 'lastSeq'>;

export class OfflineWrites implements OfflineHook {
  private tail: Promise<unknown> = Promise.resolve();
  /** The optimistic view and the replicated state it was computed on; undefined while nothing is pending. */
  private overlay: { base: DbState; state: DbState } | undefined;
  /** Tables the view differs from the replicated state in: a rebuild tells live queries on these and the new ones. */
  private touched = new Set<number>();
  pump: ForwardPump | undefined;
  /** Seq of the last transaction this node queued. */
  lastSeq: number | undefined;
  /** A reconcile is queued and has not started: later replays are covered by it. */
  private reconcileQueued = false;
  /** A reconcile deferred so rebasing a long queue takes at most a fifth of the time while it drains. */
  private deferred: ReturnType<typeof setTimeout> | undefined;
  private lastRebase = { end: 0, cost: 0 };

  constructor(private readonly deps: OfflineWritesDeps) {
    deps.db.onCommit((c) => {
      if (c.optimistic || this.reconcileQueued) return;
      this.reconcileQueued = true;
      const wait = this.lastRebase.end + 4 * this.lastRebase.cost - performance.now();
      if (wait > 1) this.deferred = setTimeout(() => this.queueReconcile(), wait);
      else this.queueReconcile();
    });
  }

  private queueReconcile(): void {
    clearTimeout(this.deferred);
    this.deferred = undefined;
    void this.serial(() => {
      this.reconcileQueued = false;
      return this.reconcile();
    });
  }

  /** What a reload left queued is shown again (and sent once the node can reach the primary). */
  start(): void {
    void this.serial(() => this.reconcile(true));
  }

  // ── OfflineHook ──
  active(): boolean {
    return !this.deps.isPrimary();
  }

  view(): DbState | undefined {
    return this.deps.optimisticReads ? this.overlay?.state : undefined;
  }

  fork(): OpenTxn {
    return offlineTxn(this.current());
  }

  queue(statements: PendingStatement[], txn: OpenTxn): Promise<{ origin: string; seq: number }> {
    return this.serial(async () => {
      const { db, queue } = this.deps;
      const floor = await highestRecorded(db, queue.origin);
      const entry = await queue.add(statements, floor).catch((e: unknown) => {
        throw new SqlError(SQLSTATE.io_error, `could not queue the offline transaction: ${e instanceof Error ? e.message : String(e)}`, { detail: 'Nothing was queued.' });
      });
      this.lastSeq = entry.seq;
      if (txn.base === this.current()) {
        this.overlay = { base: this.overlay?.base ?? db.state, state: txn.state };
        for (const t of txn.tables) this.touched.add(t);
      } else await this.recompute();
      db.announce({ end: 0, tables: txn.tables, optimistic: true });
      this.pump?.kick();
      return { origin: queue.origin, seq: entry.seq };
    });
  }

  // ── the API ──
  /** Resolves with the primary's verdict: applied (once this node replayed it) or rejected. */
  verdict(seq: number): Promise<Verdict> {
    const waiting = this.deps.queue.wait(seq);
    if (waiting) return waiting;
    return this.serial(async () => {
      const again = this.deps.queue.wait(seq);
      if (again) return again;
      const [row] = await recordedOutcomes(this.deps.db, this.deps.db.state, this.deps.queue.origin, seq, seq);
      if (row?.seq !== seq) throw new SqlError(SQLSTATE.undefined_object, `offline write ${seq} of "${this.deps.queue.origin}" is not known`);
      const base = { origin: this.deps.queue.origin, seq };
      return row.outcome === 'applied'
        ? { ...base, status: 'applied' as const, commitLsn: formatLsn(this.deps.replayLsn()) }
        : { ...base, status: 'rejected' as const, code: row.code ?? '', message: row.message ?? '', ...(row.detail ? { detail: row.detail } : {}) };
    });
  }

  /** Called with every verdict: applied (once replayed here) or rejected. Returns the unsubscribe. */
  onVerdict(cb: (v: Verdict) => void): () => void {
    return this.deps.queue.onVerdict(cb);
  }

  counts(): Record<PendingState, number> {
    return this.deps.queue.counts();
  }

  /** Forget a rejected transaction. */
  dismiss(seq: number): Promise<boolean> {
    return this.serial(() => this.deps.queue.dismiss(seq));
  }

  /** Resolves once every change begun so far (queueing, verdicts, the rebase after replay, a deferred one too) is done. */
  async settled(): Promise<void> {
    if (this.deferred) this.queueReconcile();
    await this.serial(async () => {});
  }

  stop(): void {
    clearTimeout(this.deferred);
  }

  rows(): PendingRow[] {
    return this.deps.queue.list().map((e) => pendingRow(this.deps.queue.origin, e));
  }

  /** Verdicts for this node's transactions, from the primary (or its own applier after a promotion). */
  verdicts(verdicts: readonly WireVerdict[]): Promise<void> {
    this.pump?.answered();
    return this.serial(async () => {
      let rejected = false;
      for (const v of verdicts) {
        if (v.outcome === 'applied') this.deps.queue.applied(v.seq, v.lsn);
        else rejected = (await this.deps.queue.fail(v.seq, v.code ?? SQLSTATE.internal_error, v.message ?? '', v.detail)) || rejected;
      }
      // an applied one stays in the view until replay brings the primary's record (onCommit reconciles then)
      if (rejected) await this.reconcile(true);
    }).finally(() => this.pump?.kick());
  }

  private current(): DbState {
    return this.overlay?.state ?? this.deps.db.state;
  }

  /** After replay (or a verdict): settle what the replicated state records, then rebase the rest. */
  private async reconcile(force = false): Promise<void> {
    const { db, queue } = this.deps;
    const live = queue.live();
    if (!live.length && !this.overlay) return;
    const settled: number[] = [];
    let changed = force;
    if (live.length) {
      for (const r of await recordedOutcomes(db, db.state, queue.origin, live[0]!.seq, live.at(-1)!.seq)) {
        const e = queue.get(r.seq);
        if (!e || e.state === 'failed') continue;
        if (r.outcome === 'applied') settled.push(r.seq);
        else changed = (await queue.fail(r.seq, r.code ?? SQLSTATE.internal_error, r.message ?? '', r.detail ?? undefined)) || changed;
      }
    }
    await queue.settle(settled, this.deps.replayLsn());
    if (changed || settled.length || this.overlay?.base !== db.state) await this.recompute();
    this.pump?.kick();
  }

  /** The view from scratch: the replicated state plus every live entry, in order. */
  private async recompute(): Promise<void> {
    const { db, queue } = this.deps;
    const before = this.touched;
    const live = queue.live();
    if (!live.length) {
      this.overlay = undefined;
      this.touched = new Set();
    } else {
      const base = db.state;
      const started = performance.now();
      const r = await rebase(db, base, live);
      this.lastRebase = { end: performance.now(), cost: performance.now() - started };
      this.overlay = { base, state: r.state };
      this.touched = r.tables;
    }
    const tables = new Set([...before, ...this.touched]);
    if (tables.size) db.announce({ end: 0, tables, optimistic: true });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch((e) => this.deps.log(`offline writes: ${e instanceof Error ? e.message : String(e)}`));
    return run;
  }
}

function pendingRow(origin: string, e: PendingEntry): PendingRow {
  return {
    origin,
    seq: e.seq,
    statements: e.statements.map((s) => s.sql),
    queuedAt: new Date(e.queuedAt),
    state: e.state,
    sqlstate: e.failed?.code ?? null,
    message: e.failed?.message ?? null,
    commitLsn: e.commitLsn === undefined ? null : formatLsn(e.commitLsn),
  };
}
