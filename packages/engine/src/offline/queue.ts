/**
 * The origin's queue of offline writes (dbmirror's Pending): every write transaction a standby
 * accepted, in sequence order, stored before the call that made it returns, and removed only
 * once this node's replayed state holds the primary's record of it. It owns the entries' states
 * (queued → sent → applied, or failed), the per-origin sequence, and the verdict waiters and
 * listeners. Its owner (offline.ts) serialises every change.
 */
import type { Verdict } from '../sql/env.ts';
import type { PendingStatement, PendingStore, StoredPendingXact } from '../storage/storage.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';

export type PendingState = 'queued' | 'sent' | 'applied' | 'failed';

export interface PendingEntry extends StoredPendingXact {
  state: PendingState;
  /** When it was last sent toward the primary (this node's clock), for resends. */
  sentAt?: number;
  /** From the applied verdict: the commit on the primary. */
  commitLsn?: Lsn;
}

export class PendingQueue {
  /** By seq; Map keeps insertion order, and seqs are only ever appended in increasing order. */
  private readonly entries = new Map<number, PendingEntry>();
  private readonly waiters = new Map<number, ((v: Verdict) => void)[]>();
  private readonly listeners = new Set<(v: Verdict) => void>();

  private constructor(readonly origin: string, private readonly store: PendingStore, private lastSeq: number) {}

  static async load(origin: string, store: PendingStore): Promise<PendingQueue> {
    const { entries, lastSeq } = await store.load();
    const q = new PendingQueue(origin, store, lastSeq);
    for (const e of entries) q.entries.set(e.seq, { ...e, state: e.failed ? 'failed' : 'queued' });
    return q;
  }

  /** Entries in seq order, failed ones included. */
  list(): PendingEntry[] {
    return [...this.entries.values()];
  }

  /** What the optimistic view re-applies: every entry not rejected, in order. */
  live(): PendingEntry[] {
    return this.list().filter((e) => e.state !== 'failed');
  }

  get(seq: number): PendingEntry | undefined {
    return this.entries.get(seq);
  }

  get highestSeq(): number {
    return this.lastSeq;
  }

  /** Store a new transaction durably; `floor`: the highest seq of this origin the cluster has recorded. */
  async add(statements: PendingStatement[], floor: number): Promise<PendingEntry> {
    const seq = Math.max(this.lastSeq, floor) + 1;
    const stored: StoredPendingXact = { seq, queuedAt: Date.now(), statements };
    await this.store.put(stored);
    this.lastSeq = seq;
    const entry: PendingEntry = { ...stored, state: 'queued' };
    this.entries.set(seq, entry);
    return entry;
  }

  markSent(seqs: readonly number[], now: number): void {
    for (const s of seqs) {
      const e = this.entries.get(s);
      if (!e || e.state === 'failed') continue;
      e.sentAt = now;
      if (e.state === 'queued') e.state = 'sent';
    }
  }

  /** The primary applied it; the entry stays (and in the view) until replay brings the primary's record. */
  applied(seq: number, lsn: Lsn): void {
    const e = this.entries.get(seq);
    if (!e || e.state === 'failed') return;
    e.state = 'applied';
    e.commitLsn = Math.max(e.commitLsn ?? 0, lsn);
  }

  /** Replay brought the primary's record of an applied entry: it is in the replicated state now. */
  async settle(seqs: readonly number[], replayLsn: Lsn): Promise<void> {
    if (!seqs.length) return;
    await this.store.remove(seqs);
    for (const s of seqs) {
      const e = this.entries.get(s);
      if (!e) continue;
      this.entries.delete(s);
      this.emit({ status: 'applied', origin: this.origin, seq: s, commitLsn: formatLsn(e.commitLsn ?? replayLsn) });
    }
  }

  /** Rejected by the primary: kept, out of the view, for the app to inspect and dismiss. */
  async fail(seq: number, code: string, message: string, detail?: string): Promise<boolean> {
    const e = this.entries.get(seq);
    if (!e || e.state === 'failed') return false;
    const failed = detail === undefined ? { code, message } : { code, message, detail };
    await this.store.put({ seq: e.seq, queuedAt: e.queuedAt, statements: e.statements, failed });
    e.state = 'failed';
    e.failed = failed;
    this.emit({ status: 'rejected', origin: this.origin, seq, ...failed });
    return true;
  }

  /** Forget a rejected entry. */
  async dismiss(seq: number): Promise<boolean> {
    const e = this.entries.get(seq);
    if (!e || e.state !== 'failed') return false;
    await this.store.remove([seq]);
    this.entries.delete(seq);
    return true;
  }

  /** The verdict of a queued entry; undefined when the queue no longer (or never) had it. */
  wait(seq: number): Promise<Verdict> | undefined {
    const e = this.entries.get(seq);
    if (!e) return undefined;
    if (e.failed) return Promise.resolve({ status: 'rejected', origin: this.origin, seq, ...e.failed });
    return new Promise((resolve) => {
      const list = this.waiters.get(seq) ?? [];
      list.push(resolve);
      this.waiters.set(seq, list);
    });
  }

  onVerdict(cb: (v: Verdict) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  counts(): Record<PendingState, number> {
    const out = { queued: 0, sent: 0, applied: 0, failed: 0 };
    for (const e of this.entries.values()) out[e.state]++;
    return out;
  }

  private emit(v: Verdict): void {
    for (const w of this.waiters.get(v.seq) ?? []) w(v);
    this.waiters.delete(v.seq);
    for (const l of this.listeners) l(v);
  }
}
