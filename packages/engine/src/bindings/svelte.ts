/**
 * @walrtc/engine/svelte: a live query as a Svelte store. No Svelte import: the store contract is
 * plain (`subscribe`), so this works with Svelte 3, 4 and 5 (`$rows` in components, `fromStore`).
 *
 *   const items = liveQuery(node, 'select * from items order by id');
 *   {#each $items?.rows ?? [] as item}…{/each}
 */
import type { LiveOptions } from '../live/live.ts';
import type { Value } from '../sql/types.ts';
import { liveStore, type LiveSource, type LiveStore } from './live-store.ts';

export type { LiveSource, LiveStore };

/** A readable store of the query's result: undefined until the first run, then each re-run's result. */
export function liveQuery<R = Record<string, Value>>(node: LiveSource, sql: string, params: readonly Value[] = [], options?: LiveOptions): LiveStore<R> {
  return liveStore<R>(node, sql, params, options);
}
