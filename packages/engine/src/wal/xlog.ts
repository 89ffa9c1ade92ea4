/**
 * The WAL writer (PostgreSQL's xlog.c insert/flush half): gives records their LSNs, keeps the
 * insert position, and flushes to storage with group commit — every chunk appended while a
 * flush is running goes into the next single storage transaction. Callers wait for durability
 * with `waitFlush(lsn)`; walsenders hear about flushed chunks through `onFlush`.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Storage, WalChunk } from '../storage/storage.ts';
import { encodeRecordsOf } from './codec.ts';
import type { Lsn } from './lsn.ts';
import type { WalRecord } from './record.ts';

const NONE: readonly WalRecord[] = [];
/** `pending` when empty: never pushed to (appendChunk replaces it). */
const NO_CHUNKS: WalChunk[] = [];

/** A commit waiting for its flush without a promise of its own (wal/committing.ts): told in LSN order, after the flush listeners (so after the commit is shown). */
export interface FlushWaiter {
  readonly end: Lsn;
  flushed(): void;
  failed(error: unknown): void;
  /** The writer's queue of waiters runs through them: no array per flush. */
  nextWaiter: FlushWaiter | undefined;
}

interface Waiter {
  lsn: Lsn;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One promise for every commit waiting on the same flush: a point commit's wait is one object, not a waiter, a closure and a promise. */
class FlushWait {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  constructor() {
    // one shared executor rather than a closure per commit's wait
    this.promise = new Promise<void>(takeSettlers);
    this.resolve = settlers.resolve!;
    this.reject = settlers.reject!;
  }
}

const settlers: { resolve?: () => void; reject?: (e: unknown) => void } = {};
function takeSettlers(resolve: () => void, reject: (e: unknown) => void): void {
  settlers.resolve = resolve;
  settlers.reject = reject;
}

const FLUSHED = Promise.resolve();

/** A storage whose `appendWal` also has a synchronous form (memory storage): `appendWal.now`. */
type SyncAppend = Storage['appendWal'] & { now?: (chunks: readonly WalChunk[]) => void };

export class WalWriter {
  private pending: WalChunk[] = NO_CHUNKS;
  private flushing = false;
  /** Waiters for WAL past the insert position when they asked (rare: callers wait for what they appended). */
  private waiters: Waiter[] = [];
  /** Resolved when the batch being written is durable (made when someone waits for it); `inflightEnd` is where that batch ends, and flushLsn once none is. */
  private inflight: FlushWait | undefined;
  private inflightEnd: Lsn = 0;
  /** Resolved when what is pending now (everything appended past the batch being written) is durable. */
  private queued: FlushWait | undefined;
  private failure: SqlError | undefined;
  /** Commits waiting through `whenFlushed`, in LSN order (each registers as it appends): a queue linked through them. */
  private firstWaiter: FlushWaiter | undefined;
  private lastWaiter: FlushWaiter | undefined;
  private readonly flushListeners = new Set<(chunks: readonly WalChunk[]) => void>();
  private readonly failureListeners = new Set<(failure: SqlError) => void>();
  /** Recently flushed chunks, so walsenders of caught-up standbys never go back to storage. */
  private recent: WalChunk[] = [];
  private recentBytes = 0;
  /** Changes when WAL after the flushed position is forgotten (a failed flush) or the WAL starts over (`resetTo`): positions before and after may hold different records. */
  generation = 0;
  private static readonly RECENT_LIMIT = 16 * 1024 * 1024;
  private static readonly RECENT_TRIM_TO = 12 * 1024 * 1024;
  private readonly startFlush = (): void => this.flushLoop();

  constructor(private readonly storage: Storage, public insertLsn: Lsn, public flushLsn: Lsn = insertLsn) {}

  /** Encode and position records; they are durable once `waitFlush` of the returned end resolves. */
  append(records: readonly WalRecord[]): Lsn {
    return this.appendRecords(records, NONE);
  }

  /** `head`, `body` and then `last` as one append, without an array made to hold them all (a commit: its sequence advances, its records, its commit record). */
  appendRecords(head: readonly WalRecord[], body: readonly WalRecord[], last?: WalRecord): Lsn {
    this.assertHealthy();
    const bytes = encodeRecordsOf(head, body, last);
    const start = this.insertLsn;
    const end = start + bytes.length;
    this.appendChunk({ lsn: start, end, bytes });
    return end;
  }

  /** Append already-encoded WAL (a standby writing what it received). */
  appendChunk(chunk: WalChunk): void {
    this.assertHealthy();
    if (chunk.lsn !== this.insertLsn) throw new Error(`WAL chunk at ${chunk.lsn} does not continue insert position ${this.insertLsn}`);
    // a batch of one (a point commit's) in an array of one, not one grown for seventeen
    if (this.pending.length) this.pending.push(chunk);
    else this.pending = [chunk];
    this.insertLsn = chunk.end;
    if (!this.flushing) {
      this.flushing = true;
      // let every append of this tick join the same storage transaction
      queueMicrotask(this.startFlush);
    }
  }

  waitFlush(lsn: Lsn): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (lsn <= this.flushLsn) return FLUSHED;
    // inside the batch being written (inflightEnd is past flushLsn only while one is)
    if (lsn <= this.inflightEnd) return (this.inflight ??= new FlushWait()).promise;
    if (lsn <= this.insertLsn) return (this.queued ??= new FlushWait()).promise;
    return new Promise((resolve, reject) => this.waiters.push({ lsn, resolve, reject }));
  }

  /** `waiter.flushed()` once WAL up to `waiter.end` is durable (at once if it is), `failed` if that flush fails: no promise. */
  whenFlushed(waiter: FlushWaiter): void {
    if (this.failure) waiter.failed(this.failure);
    else if (waiter.end <= this.flushLsn) waiter.flushed();
    else {
      waiter.nextWaiter = undefined;
      if (this.lastWaiter) this.lastWaiter.nextWaiter = waiter;
      else this.firstWaiter = waiter;
      this.lastWaiter = waiter;
    }
  }

  /** Wait until everything appended so far is durable. */
  flushAll(): Promise<void> {
    return this.waitFlush(this.insertLsn);
  }

  /** A flush failed: everything after `flushLsn` is gone and the writer refuses appends until `resume()`. */
  onFailure(listener: (failure: SqlError) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Why WAL writes are refused, while they are. */
  get failed(): SqlError | undefined {
    return this.failure;
  }

  /** Storage accepts writes again: WAL continues from the last flushed position. */
  resume(): void {
    this.failure = undefined;
  }

  onFlush(listener: (chunks: readonly WalChunk[]) => void): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  /** Forget WAL from `lsn` on (rewind, or a base backup that starts the WAL over). */
  resetTo(lsn: Lsn): void {
    this.generation++;
    this.insertLsn = lsn;
    this.flushLsn = lsn;
    this.inflightEnd = Math.min(this.inflightEnd, lsn);
    this.recent = [];
    this.recentBytes = 0;
  }

  /**
   * Flushed WAL from `from` on, as whole chunks (the first may start before `from`): from memory
   * when the recent chunks reach back that far, else from storage.
   */
  async readFlushed(from: Lsn, maxBytes = Infinity): Promise<WalChunk[]> {
    const first = this.recent[0];
    if (first && first.lsn <= from) {
      // called on every flush for every streaming standby: a linear scan here made each commit cost O(recent chunks)
      const start = this.firstRecentEndingAfter(from);
      let end = start;
      for (let bytes = 0; end < this.recent.length && !(end > start && bytes >= maxBytes); end++) bytes += this.recent[end]!.bytes.length;
      return this.recent.slice(start, end);
    }
    const limit = this.flushLsn;
    // a cursor from `from`: catch-up from storage reads what it sends, not the whole tail per batch
    return (await this.storage.readWal(from, maxBytes)).filter((c) => c.lsn < limit);
  }

  /** WAL before `lsn` was removed from storage (retention): stop serving it from memory too. */
  forgetBefore(lsn: Lsn): void {
    const keep = this.firstRecentEndingAfter(lsn);
    for (let i = 0; i < keep; i++) this.recentBytes -= this.recent[i]!.bytes.length;
    if (keep) this.recent = this.recent.slice(keep);
  }

  /** Index of the first recent chunk that ends after `lsn` (recent.length if none): chunks are contiguous and in LSN order. */
  private firstRecentEndingAfter(lsn: Lsn): number {
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.recent[mid]!.end > lsn) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private remember(batch: readonly WalChunk[]): void {
    for (const c of batch) {
      this.recent.push(c);
      this.recentBytes += c.bytes.length;
    }
    if (this.recentBytes <= WalWriter.RECENT_LIMIT) return;
    // over the limit, drop down to 3/4 of it at once: trimming a chunk per flush copied the whole array on every commit
    let drop = 0;
    while (this.recentBytes > WalWriter.RECENT_TRIM_TO && drop < this.recent.length - 1) this.recentBytes -= this.recent[drop++]!.bytes.length;
    if (drop) this.recent = this.recent.slice(drop);
  }

  /**
   * Write what is pending, batch after batch, until nothing is. Storage with nothing to wait for
   * (`appendWal.now`) is written in this turn: no promise, async frame or extra turn per commit.
   */
  private flushLoop(): void {
    const now = (this.storage.appendWal as SyncAppend).now;
    if (!now) {
      void this.flushLoopAsync();
      return;
    }
    try {
      while (this.pending.length) {
        const batch = this.takeBatch();
        now(batch);
        this.written(batch);
      }
    } catch (e) {
      this.flushFailed(e);
    } finally {
      this.flushing = false;
    }
  }

  private async flushLoopAsync(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.takeBatch();
        await this.storage.appendWal(batch);
        this.written(batch);
      }
    } catch (e) {
      this.flushFailed(e);
    } finally {
      this.flushing = false;
    }
  }

  private takeBatch(): WalChunk[] {
    const batch = this.pending;
    this.pending = NO_CHUNKS;
    this.inflight = this.queued;
    this.queued = undefined;
    this.inflightEnd = batch[batch.length - 1]!.end;
    return batch;
  }

  private written(batch: WalChunk[]): void {
    const flushed = batch[batch.length - 1]!.end;
    this.flushLsn = flushed;
    this.remember(batch);
    const done = this.inflight;
    this.inflight = undefined;
    done?.resolve();
    if (this.waiters.length) this.resolveWaiters(flushed);
    for (const l of this.flushListeners) l(batch);
    if (this.firstWaiter) this.tellFlushed(flushed);
  }

  /** After the listeners, so a commit is reported only once it is shown; a waiter registered meanwhile (its end is later) stays. */
  private tellFlushed(flushed: Lsn): void {
    let w = this.firstWaiter;
    while (w && w.end <= flushed) {
      const next = w.nextWaiter;
      this.firstWaiter = next;
      if (!next) this.lastWaiter = undefined;
      w.nextWaiter = undefined;
      w.flushed();
      w = this.firstWaiter;
    }
  }

  /**
   * A failed WAL flush is PostgreSQL's PANIC: what was not flushed is gone (one storage
   * transaction wrote none of it), and the WAL continues from the last flushed record.
   */
  private flushFailed(e: unknown): void {
    const failure = new SqlError(SQLSTATE.data_corrupted, `could not write to WAL: ${e instanceof Error ? e.message : String(e)}`);
    this.failure = failure;
    this.generation++;
    this.pending = [];
    this.insertLsn = this.inflightEnd = this.flushLsn;
    this.inflight?.reject(failure);
    this.queued?.reject(failure);
    this.inflight = this.queued = undefined;
    for (const w of this.waiters) w.reject(failure);
    this.waiters = [];
    for (const l of this.failureListeners) l(failure);
    let w = this.firstWaiter;
    this.firstWaiter = this.lastWaiter = undefined;
    while (w) {
      const next = w.nextWaiter;
      w.nextWaiter = undefined;
      w.failed(failure);
      w = next;
    }
  }

  /** In place, in order: resolving runs no code before the flush loop ends. */
  private resolveWaiters(flushed: Lsn): void {
    const waiters = this.waiters;
    let kept = 0;
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i]!;
      if (w.lsn <= flushed) w.resolve();
      else waiters[kept++] = w;
    }
    waiters.length = kept;
  }

  private assertHealthy(): void {
    if (this.failure) throw this.failure;
  }
}
