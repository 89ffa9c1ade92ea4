/**
 * A live query as a store: the one core the framework bindings share. It runs `node.live` while
 * it has subscribers (started by the first, stopped by the last) and hands every subscriber the
 * latest result at once and on each change. It satisfies Svelte's store contract as it is
 * (`subscribe(run) → unsubscribe`, run called synchronously with the current value), and React's
 * useSyncExternalStore through `get`.
 */
import type { LiveCallback, LiveOptions } from '../live/live.ts';
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';

/** What a binding needs of a node: `live`. A Node and a WorkerNode both have it. */
export interface LiveSource {
  live<R = Record<string, Value>>(sql: string, params: readonly Value[], cb: LiveCallback<R>, options?: LiveOptions): () => void;
}

export interface LiveStore<R> {
  /** Svelte's store contract: `run` now with the current value (undefined until the first result), then on every change. */
  subscribe(run: (value: QueryResult<R> | undefined) => void): () => void;
  /** The current value. */
  get(): QueryResult<R> | undefined;
}

export function liveStore<R = Record<string, Value>>(node: LiveSource, sql: string, params: readonly Value[] = [], options: LiveOptions = {}): LiveStore<R> {
  const runs = new Set<(value: QueryResult<R> | undefined) => void>();
  let value: QueryResult<R> | undefined;
  let stop: (() => void) | undefined;
  return {
    subscribe(run) {
      runs.add(run);
      if (!stop) {
        stop = node.live<R>(sql, params, (result) => {
          value = result;
          for (const r of [...runs]) r(value);
        }, options);
      }
      run(value);
      return () => {
        if (!runs.delete(run) || runs.size > 0) return;
        stop?.();
        stop = undefined;
        value = undefined; // a later subscriber starts afresh, not from a result that may be stale
      };
    },
    get: () => value,
  };
}
