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
 * A statement that may touch a table still encoded (state/statement-tables.ts) waits before it
 * runs until this run has decoded it, that table first (`decoded`); with background builds off, a
 * run decodes just what statements wait for. So no statement decodes a table in one long task,
 * and one that touches no such table runs with no promise of its own.
 * Owned by the Node: started when it opens, stopped when it closes.
 */
import { tablesStillEncoded } from '../checkpoint/encoded-table.ts';
import { Slicer } from '../checkpoint/slices.ts';
import { lazyIndexesMade } from './lazy-index.ts';
import type { DbState, DeferredIndexTree, DeferredRows, TableData } from './state.ts';
import { statementTables } from './statement-tables.ts';

/** A statement waiting for tables to be decoded before it runs. */
interface Waiter {
  /** The encoded rows of the tables it may touch (shared by every copy of each table), or every table's. */
  tables: readonly DeferredRows[] | 'all';
  resolve(): void;
}

export class IndexBuilds {
  /** Whether nodes build in the background at all: tests of first use (the path a read takes before any build ran) turn it off. */
  static inBackground = true;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Builds that failed in the background (an index expression that raises): not tried again. */
  private readonly failed = new WeakSet<DeferredIndexTree | DeferredRows>();
  /** `lazyIndexesMade` when the latest state was last looked at: a restore since may have made more. */
  private seen = -1;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly latest: () => DbState) {}

  /** Builds every index of the latest state not built yet, unless already doing so; cheap when there is nothing new. */
  start(): void {
    if (this.stopped || this.running || this.seen === lazyIndexesMade || !IndexBuilds.inBackground) return;
    this.seen = lazyIndexesMade;
    if (!this.schedule(false)) return;
    this.running = this.run().finally(() => (this.running = undefined));
  }

  /**
   * What a statement (`sql`, its parse trees `parsed(sql)`) waits for before it runs: undefined, at once and
   * with no promise, when no table it may touch is still encoded; else a promise that resolves once
   * none is, those tables decoded in slices meanwhile (the background run's, or one of its own
   * when there is none), so the statement's first touch decodes nothing in one long task.
   */
  decoded(sql: string, parsed: (sql: string) => unknown): Promise<void> | undefined {
    if (tablesStillEncoded === 0 || this.stopped) return undefined;
    const state = this.latest();
    if (!this.encodedIn(state.tables.values())) return undefined;
    const touched = statementTables(parsed(sql), state);
    const tables = touched === 'all' ? touched : this.stillEncoded(touched);
    if (!tables.length) return undefined;
    const done = new Promise<void>((resolve) => this.waiters.push({ tables, resolve }));
    this.running ??= this.run().finally(() => (this.running = undefined));
    return done;
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
  slice(spent: () => boolean, awaitedOnly = false): boolean {
    const work = this.schedule(awaitedOnly);
    this.release();
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
    this.release();
    return true;
  }

  /** The background run, or (background builds off) one for waiting statements that decodes only what they wait for and ends. */
  private async run(): Promise<void> {
    const slicer = new Slicer();
    try {
      // a yield before every slice: opening returns (and its first queries run) before any build step
      do await slicer.next();
      while (!this.stopped && this.slice(() => slicer.spent(), !IndexBuilds.inBackground));
    } finally {
      // stopped or done: whoever still waits runs now (decoding at its first touch what is left)
      for (const w of this.waiters.splice(0)) w.resolve();
    }
  }

  /** Lets run the waiting statements whose tables are no longer encoded. */
  private release(): void {
    if (!this.waiters.length) return;
    const tables = this.latest().tables;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.tables === 'all' ? this.encodedIn(tables.values()) : w.tables.some((rows) => !rows.done && !this.failed.has(rows))) continue;
      this.waiters.splice(i, 1);
      w.resolve();
    }
  }

  /** Whether a table of `tables` is still encoded, other than one whose decoding failed. */
  private encodedIn(tables: Iterable<TableData>): boolean {
    for (const t of tables) {
      const rows = t.stillEncoded;
      if (rows && !this.failed.has(rows)) return true;
    }
    return false;
  }

  /** The encoded rows of those of `tables` still encoded, but those whose decoding failed. */
  private stillEncoded(tables: readonly TableData[]): DeferredRows[] {
    const out: DeferredRows[] = [];
    for (const t of tables) {
      const rows = t.stillEncoded;
      if (rows && !this.failed.has(rows)) out.push(rows);
    }
    return out;
  }

  /** Whether some waiting statement may touch the table whose encoded rows are `rows`. */
  private awaited(rows: DeferredRows): boolean {
    return this.waiters.some((w) => w.tables === 'all' || w.tables.includes(rows));
  }

  /**
   * What to build next: the first table of the latest state still encoded (its indexes come after
   * it; one a statement waits for first, and only such one while nothing builds in the background),
   * else the first index not built yet; every such table and index is marked as built in the background.
   * A table still encoded is not touched here, which would decode it in one go.
   */
  private schedule(awaitedOnly: boolean): Work | undefined {
    let first: Work | undefined;
    let awaited: Work | undefined;
    const tables = this.latest().tables;
    for (const t of tables.values()) {
      const rows = t.stillEncoded;
      if (!rows || this.failed.has(rows)) continue;
      const work = { build: rows, install: () => void t.rows };
      if (!awaited && this.awaited(rows)) awaited = work;
      if (awaitedOnly) continue;
      rows.scheduled = true;
      first ??= work;
    }
    if (awaited) return awaited;
    if (first || awaitedOnly) return first;
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
