/**
 * Live queries on the surface, in PGlite's live-extension shape: `live.query(sql, params, cb)`
 * and `live.incrementalQuery(sql, params, key, cb)` resolve to { initialResults, subscribe,
 * unsubscribe, refresh }; `live(sql, params, cb)` (walrtc's original form) returns the
 * unsubscribe. Both read committed state only: a block's uncommitted writes never reach them.
 */
import type { LiveCallback, LiveOptions } from '../live/live.ts';
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import type { SessionBackend } from './backend.ts';
import { shapeResults, type RawResult } from './result.ts';

export interface LiveQuery<R = Record<string, Value>> {
  initialResults: QueryResult<R>;
  subscribe(cb: LiveCallback<R>): void;
  unsubscribe(cb?: LiveCallback<R>): Promise<void>;
  refresh(): Promise<void>;
}

interface LiveQueryOptions<R> {
  query: string;
  params?: readonly Value[] | null;
  callback?: LiveCallback<R>;
}

export interface LiveApi {
  <R = Record<string, Value>>(sql: string, params: readonly Value[], cb: LiveCallback<R>, options?: LiveOptions): () => void;
  query<R = Record<string, Value>>(sql: string | LiveQueryOptions<R>, params?: readonly Value[] | null, callback?: LiveCallback<R>): Promise<LiveQuery<R>>;
  /** PGlite's incremental form: the callback gets the whole result, as PGlite's does; `key` is accepted for compatibility. */
  incrementalQuery<R = Record<string, Value>>(sql: string | (LiveQueryOptions<R> & { key: string }), params?: readonly Value[] | null, key?: string, callback?: LiveCallback<R>): Promise<LiveQuery<R>>;
}

const shape = <R>(raw: RawResult) => shapeResults([raw], undefined)[0] as unknown as QueryResult<R>;

export function liveApi(backend: SessionBackend, assertOpen: () => void): LiveApi {
  const subscribe = <R>(sql: string, params: readonly Value[], cb: LiveCallback<R>, options: LiveOptions = {}): (() => void) => {
    assertOpen();
    return backend.live(sql, params, (raw) => cb(shape<R>(raw)), options);
  };

  const query = <R>(sql: string, params: readonly Value[], callback: LiveCallback<R> | undefined): Promise<LiveQuery<R>> => {
    assertOpen();
    const callbacks = new Set<LiveCallback<R>>(callback ? [callback] : []);
    const deliver = (r: QueryResult<R>) => {
      for (const cb of callbacks) cb(r);
    };
    return new Promise<LiveQuery<R>>((resolve, reject) => {
      let started = false;
      const stop = backend.live(sql, params, (raw) => {
        const r = shape<R>(raw);
        if (!started) {
          started = true;
          resolve({
            initialResults: r,
            subscribe: (cb) => void callbacks.add(cb),
            unsubscribe: async (cb) => {
              if (cb) callbacks.delete(cb);
              else callbacks.clear();
              if (!callbacks.size) stop();
            },
            refresh: async () => deliver(shape<R>(await backend.read(sql, params))),
          });
        }
        deliver(r);
      }, {
        onError: (e) => {
          if (started) console.error('walrtc: live query failed:', e);
          else {
            started = true;
            stop();
            reject(e);
          }
        },
      });
    });
  };

  const api = subscribe as LiveApi;
  api.query = (sql, params, callback) => typeof sql === 'string'
    ? query(sql, params ?? [], callback)
    : query(sql.query, sql.params ?? [], sql.callback);
  api.incrementalQuery = (sql, params, _key, callback) => typeof sql === 'string'
    ? query(sql, params ?? [], callback)
    : query(sql.query, sql.params ?? [], sql.callback);
  return api;
}
