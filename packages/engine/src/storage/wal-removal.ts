/**
 * Paced removal of old WAL (retention) for a store the commits append to: nothing is urgent about
 * it, but IndexedDB runs readwrite transactions on one store one after another, so a commit's
 * append that arrives while a delete runs waits for it. Removal therefore goes one small
 * transaction at a time, started only in a pause of the appends (none in flight and none for
 * `idleMs`); while appends never pause, one transaction every `maxDeferMs` still goes, so at most
 * that often does a commit wait behind one. Owned by one storage object; its `appending` calls
 * tell it when appends start and end.
 */

export interface RemovalPacing {
  /** A pause this long with no append in flight lets the next removal transaction start. */
  idleMs: number;
  /** While appends never pause, a removal transaction still starts this long after the previous one. */
  maxDeferMs: number;
}

/** 100 ms: under commits that never pause, old WAL still goes at ~2.5 MB/s (one ~256 KiB transaction each time). */
export const DEFAULT_PACING: RemovalPacing = { idleMs: 10, maxDeferMs: 100 };

/**
 * `step(upTo)` removes one transaction's worth of what is below `upTo` and says whether anything
 * was left to remove. Requests run in order; one made after `cancel()` (a truncation rewrote the
 * WAL's tail) starts afresh, the ones before it stop at their next step.
 */
export class PacedRemoval {
  private inFlight = 0;
  private lastAppend = -Infinity;
  private lastStep = -Infinity;
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  /** Set by `finish`: remove what is asked at full speed (the node is closing, no appends follow). */
  private hurry = false;

  constructor(private readonly step: (upTo: number) => Promise<boolean>, private readonly pacing: RemovalPacing = DEFAULT_PACING) {}

  /** Wrap an append: removal waits while it is in flight and for `idleMs` after. */
  async appending<T>(append: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await append();
    } finally {
      this.inFlight--;
      this.lastAppend = performance.now();
    }
  }

  /** Remove everything below `upTo`, paced; resolves once done (or given up after a cancel). */
  request(upTo: number): Promise<void> {
    const generation = this.generation;
    const run = this.chain.then(async () => {
      // a removal that starts after a long quiet spell still waits for a pause first
      this.lastStep = Math.max(this.lastStep, performance.now());
      while (generation === this.generation) {
        await this.pause();
        if (generation !== this.generation) return;
        this.lastStep = performance.now();
        if (!(await this.step(upTo))) return;
      }
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /** The WAL's tail is being rewritten: requests made so far must not touch it. */
  cancel(): void {
    this.generation++;
  }

  /** Let requested removals run without pauses and wait for them (before the store closes). */
  async finish(): Promise<void> {
    this.hurry = true;
    await this.chain;
  }

  private async pause(): Promise<void> {
    for (;;) {
      if (this.hurry) return;
      const now = performance.now();
      const quietFor = this.inFlight ? 0 : now - this.lastAppend;
      const overdue = now - this.lastStep >= this.pacing.maxDeferMs;
      if (quietFor >= this.pacing.idleMs || overdue) return;
      const wait = Math.min(this.pacing.idleMs - quietFor, this.lastStep + this.pacing.maxDeferMs - now);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
    }
  }
}
