/**
 * @walrtc/engine/react: `useLiveQuery` (PGlite's name and shape) over a node given by
 * `<WalrtcProvider node={node}>`. React is an optional peer dependency, needed only here.
 *
 *   <WalrtcProvider node={node}><Items /></WalrtcProvider>
 *   function Items() { const items = useLiveQuery('select * from items'); return items?.rows.map(…); }
 */
import { createContext, createElement, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { LiveOptions } from '../live/live.ts';
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import { liveStore, type LiveSource } from './live-store.ts';

export type { LiveSource };

const NodeContext = createContext<LiveSource | undefined>(undefined);

/** Makes `node` (a Node or WorkerNode) the one useLiveQuery and useNode below it use. */
export function WalrtcProvider({ node, children }: { node: LiveSource; children?: ReactNode }): ReactNode {
  return createElement(NodeContext.Provider, { value: node }, children);
}

export function useNode(): LiveSource {
  const node = useContext(NodeContext);
  if (!node) throw new Error('@walrtc/engine/react: useLiveQuery and useNode need a <WalrtcProvider node={…}> above them');
  return node;
}

/**
 * The query's latest result, re-rendering when a commit changes what it reads; undefined until
 * the first result. Changing `sql` or the params' values starts a new live query.
 */
export function useLiveQuery<R = Record<string, Value>>(sql: string, params: readonly Value[] = [], options?: LiveOptions): QueryResult<R> | undefined {
  const node = useNode();
  const key = paramsKey(params); // stands for `params` in the dependencies; `options` is read once per live query
  const store = useMemo(() => liveStore<R>(node, sql, params, options), [node, sql, key]);
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/** Params compared by value (callers pass a new array on every render). */
function paramsKey(params: readonly Value[]): string {
  return JSON.stringify(params, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
