/**
 * When a live query's subscriber hears about a change: a dependency-free file so a page that only
 * talks to a worker can coalesce results without bundling the engine.
 */

/** Runs `fn` once, later; the default coalesces to one run per animation frame in a page. */
export type Scheduler = (fn: () => void) => void;

/**
 * In a page, the next animation frame, with a timeout as well because hidden tabs get no frames
 * and a standby tab in the background should still keep up; elsewhere (Node, a worker) a
 * macrotask, so a burst of commits from one replayed batch becomes one re-run.
 */
export const defaultScheduler: Scheduler = (fn) => {
  const raf = typeof document !== 'undefined' ? globalThis.requestAnimationFrame : undefined;
  if (!raf) {
    setTimeout(fn, 0);
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    fn();
  };
  const frame = raf(once);
  const timer = setTimeout(once, 100);
};
