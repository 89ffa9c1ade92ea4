/**
 * The background build of the indexes a node opened without (state/lazy-index.ts), and before them
 * the decoding of tables still encoded (checkpoint/encoded-table.ts), a chunk a step: right after
 * open (and after a base backup or rewind restored a state), every index not built yet is built in
 * slices that yield to the event loop (checkpoint/slices.ts), one index after another, over the
 * rows as they were at open; writes made meanwhile go on the index's log as before and are applied
 * when the build is installed. A read that cannot do without the index (a unique check, a
 * foreign-key probe, an ordered walk, min/max, an index nested loop's lookups) finishes what is left
 * of the build at once; an unordered scan scans the rows instead while the build runs, until such
 * scans have cost what the build does (sql/plan/build-fallback.ts).
 * Why that split: an unordered scan of the rows is one tight loop (28 ms over 1M rows,
 * bench/README.md) giving the same rows, cheaper than the sort of every key it would wait for; an
 * ordered walk would have to sort the rows, lookups per outer row and min/max would scan once per
 * call, and a unique check must see every key: for those the rest of the build costs less, and it
 * only shrinks as the background gets on. Plans do not change while a build runs (no plan cached on
 * a Seq Scan for an index that is done a moment later), and EXPLAIN names the index as before.
 * Owned by the Node: started when it opens, stopped when it closes.
 */
import { Slicer } from '../checkpoint/slices.ts';
import { lazyIndexesMade } from './lazy-index.ts';
import type { DbState, DeferredIndexTree, DeferredRows } from './state.ts';

export class IndexBuilds {
  /** Whether nodes build in the background at all: tests of first use (the path a read takes before any build ran) turn it off. */
  static inBackground = true;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Builds that failed in the background (an index expression that raises): not tried again. */
  private readonly failed = new WeakSet<DeferredIndexTree | DeferredRows>();
  /** `lazyIndexesMade` when the latest state was last looked at: a restore since may have made more. */
  private seen = -1;

  constructor(private readonly latest: () => DbState) {}

  /** Builds every index of the latest state not built yet, unless already doing so; cheap when there is nothing new. */
  start(): void {
    if (this.stopped || this.running || this.seen === lazyIndexesMade || !IndexBuilds.inBackground) return;
    this.seen = lazyIndexesMade;
    if (!this.schedule()) return;
    this.running = this.run().finally(() => (this.running = undefined));
  }

  /** Stops after the current slice; resolves once nothing of it runs any more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Whether a build is under way (for tests). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * One slice of the builds: steps of the first index not built yet until `spent()` says the
   * slice is over or the index is built; false once nothing is left to build.
   */
  slice(spent: () => boolean): boolean {
    const work = this.schedule();
    if (!work) return false;
    const { build, install } = work;
    try {
      while (!spent()) {
        if (!build.step()) continue;
        // installed now: the writes logged meanwhile are applied once, and later ones go to the tree
        install();
        break;
      }
    } catch {
      // left to the first read, which builds it in the statement that needs it and reports the error there
      this.failed.add(build);
      build.scheduled = false;
    }
    return true;
  }

  private async run(): Promise<void> {
    const slicer = new Slicer();
    // a yield before every slice: opening returns (and its first queries run) before any build step
    do await slicer.next();
    while (!this.stopped && this.slice(() => slicer.spent()));
  }

  /**
   * What to build next: the first table of the latest state still encoded (its indexes come after
   * it), else the first index not built yet; every such table and index is marked as built in the background.
   * A table still encoded is not touched here, which would decode it in one go.
   */
  private schedule(): Work | undefined {
    let first: Work | undefined;
    const tables = this.latest().tables;
    for (const t of tables.values()) {
      const rows = t.stillEncoded;
      if (!rows || this.failed.has(rows)) continue;
      rows.scheduled = true;
      first ??= { build: rows, install: () => void t.rows };
    }
    if (first) return first;
    for (const t of tables.values()) {
      if (t.stillEncoded) continue;
      for (const ix of t.indexes) {
        const d = ix.deferredBuild;
        if (!d || this.failed.has(d)) continue;
        d.scheduled = true;
        first ??= { build: d, install: () => void ix.tree };
      }
    }
    return first;
  }
}

/** A build run in steps, and what installs it once complete (the table takes its trees; the index applies its log). */
interface Work {
  build: DeferredIndexTree | DeferredRows;
  install(): void;
}
