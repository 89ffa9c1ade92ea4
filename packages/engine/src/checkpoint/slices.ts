/**
 * Cooperative slicing for long jobs on the main thread (checkpoints, base backups): work runs until
 * its slice budget is spent, then yields a macrotask so commits, queries and timers run between
 * slices. Microtasks would not do: a chain of resolved promises never lets the event loop in.
 */

/** How long one slice may run before it yields, in ms. */
export const SLICE_MS = 4;

/**
 * The longest a slice waits behind other work before it resumes anyway, in ms. A background task
 * runs only when nothing of higher priority is queued, and nothing bounds that wait: a page busy
 * with its own work would hold a checkpoint or base backup back for as long as it stays busy.
 */
export const STARVED_MS = 50;

const now = (): number => performance.now();

/** The Prioritized Task Scheduling API (Chromium, pages and workers). */
interface TaskScheduler {
  postTask(callback: () => void, options: { priority: 'background' }): Promise<unknown>;
}

/**
 * The browser's way to the next task. Where the platform has task priorities, a slice resumes at
 * 'background' priority: after every task of normal priority already queued or queued meanwhile —
 * a commit's IndexedDB events, a comlink call from the page, a click — instead of in turn with
 * them, so each step of a commit waits for at most the slice running when it was queued
 * (bench/README.md, "Ninth round"); but after STARVED_MS at the latest, as a timer's task.
 * Otherwise a message to itself over ONE channel for the life of the
 * realm. A channel per yield (as before) left a MessagePort pair per yield in Blink's heap until the
 * next full GC; at 1M rows that garbage (with the bench's own ticker's) drove Chromium to a full GC
 * whose atomic pause took 3.3 s (bench/README.md, "Fifth round").
 */
let channel: MessageChannel | undefined;
/** Resolvers of the yields in flight, in posting order (a port delivers messages in order). */
const waiting: (() => void)[] = [];

export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => void immediate(resolve));
  const tasks = (globalThis as { scheduler?: Partial<TaskScheduler> }).scheduler;
  if (typeof tasks?.postTask === 'function') {
    return new Promise((resolve) => {
      const guard = setTimeout(resolve, STARVED_MS);
      void tasks.postTask!(() => {
        clearTimeout(guard);
        resolve();
      }, { priority: 'background' });
    });
  }
  // a browser clamps nested setTimeout(0) to 4 ms; a message posted to itself runs at once
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
    // a runtime without setImmediate whose listening ports hold the process open (Deno) must not be kept alive by it
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}

/** A budget for one slice: `spent()` says when to yield; `next()` yields and starts a new slice. */
export class Slicer {
  private started = now();

  /** `budget`: ms per slice (SLICE_MS unless a job's own work comes in coarser steps). */
  constructor(private readonly budget = SLICE_MS) {}

  spent(): boolean {
    return now() - this.started >= this.budget;
  }

  async next(): Promise<void> {
    await yieldToEventLoop();
    this.started = now();
  }

  /** Yield only if this slice's budget is spent. */
  async maybeYield(): Promise<void> {
    if (this.spent()) await this.next();
  }
}
