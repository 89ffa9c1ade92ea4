/**
 * A committed statement's result that may be reported once its WAL is flushed (and synchronous
 * standbys confirmed): the autocommit write's answer, carried up through the statement, backend and
 * client layers as one object. Each layer adds a step (`map`) instead of a promise of its own; the
 * one consumer (`then`: the client, or an `await`) makes the only promise. The steps run, in
 * order, when the WAL writer reports the flush, right after the commit was shown to readers.
 * Owned by the statement that made it: one consumer, steps added before the consumer attaches.
 */
import type { Lsn } from './lsn.ts';
import type { FlushWaiter, WalWriter } from './xlog.ts';

type Step = (value: unknown) => unknown;

/** What runs after the local flush: the standbys' wait (a promise only when there is one); throws when the commit must not be acknowledged. */
export type Confirm = (end: Lsn) => Promise<void> | undefined;

export class Committing<T> implements PromiseLike<T>, FlushWaiter {
  /** Alternating ok and fail steps; a fail step may be undefined (the error goes on up). Room for the three layers a query has, made at once: pushing into an empty array allocates for seventeen. */
  private readonly steps: (Step | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  private count = 0;
  private state: 'waiting' | 'flushed' | 'failed' = 'waiting';
  private error: unknown;
  private resolve: ((value: unknown) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  nextWaiter: FlushWaiter | undefined = undefined;

  /** Registers with `wal` at once, so the wait is the one the commit was appended for, whenever the consumer attaches. */
  constructor(private readonly value: unknown, readonly end: Lsn, wal: WalWriter, private readonly confirm: Confirm) {
    wal.whenFlushed(this);
  }

  /** Add a step: `ok` maps the value, `fail` the error (it may return a value, as `.then`'s second handler). No promise. */
  map<U>(ok: (value: T) => U, fail?: (error: unknown) => U): Committing<U> {
    if (this.resolve) throw new Error('a committing result has one consumer, and it attached already');
    this.add(ok as Step, fail);
    return this as unknown as Committing<U>;
  }

  /** The one consumer: its handlers are the last step, and the promise returned is the only one made. */
  then<A = T, B = never>(onOk?: ((value: T) => A | PromiseLike<A>) | null, onFail?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    if (this.resolve) throw new Error('a committing result has one consumer, and it attached already');
    if (onOk || onFail) this.add((onOk ?? identity) as Step, (onFail ?? undefined) as Step | undefined);
    return new Promise<A | B>((resolve, reject) => {
      this.resolve = resolve as (value: unknown) => void;
      this.reject = reject;
      if (this.state !== 'waiting') this.finish();
    });
  }

  private add(ok: Step, fail: Step | undefined): void {
    this.steps[this.count++] = ok;
    this.steps[this.count++] = fail;
  }

  flushed(): void {
    let wait: Promise<void> | undefined;
    try {
      wait = this.confirm(this.end);
    } catch (e) {
      this.failed(e);
      return;
    }
    if (wait) wait.then(() => this.settle('flushed', undefined), (e: unknown) => this.failed(e));
    else this.settle('flushed', undefined);
  }

  failed(error: unknown): void {
    this.settle('failed', error);
  }

  private settle(state: 'flushed' | 'failed', error: unknown): void {
    if (this.state !== 'waiting') return;
    this.state = state;
    this.error = error;
    if (this.resolve) this.finish();
  }

  /** Run the steps as a promise chain would (a step's fail handles what failed before it), then settle the consumer's promise. */
  private finish(): void {
    let ok = this.state === 'flushed';
    let current: unknown = ok ? this.value : this.error;
    const steps = this.steps;
    for (let i = 0; i < this.count; i += 2) {
      const step = ok ? steps[i] : steps[i + 1];
      if (!step) continue;
      try {
        current = step(current);
        ok = true;
      } catch (e) {
        current = e;
        ok = false;
      }
    }
    if (ok) this.resolve!(current);
    else this.reject!(current);
  }
}

function identity(value: unknown): unknown {
  return value;
}
