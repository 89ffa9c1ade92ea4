/**
 * Live queries on the surface, in PGlite's live-extension shape: `live.query(sql, params, cb)`
 * and `live.incrementalQuery(sql, params, key, cb)` resolve to { initialResults, subscribe,
 * unsubscribe, refresh }; `live(sql, params, cb)` (walrtc's original form) returns the
 * unsubscribe; `live.changes(sql, params, key, cb)` delivers only what changed, by key. All read
 * committed state only: a block's uncommitted writes never reach them.
 */
import type { LiveCallback, LiveOptions } from '../live/live.ts';
import type { QueryResult } from '../sql/env.ts';
import type { Value } from '../sql/types.ts';
import type { SessionBackend } from './backend.ts';
import { KeyedDiff, type Change } from './live-diff.ts';
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

export interface LiveChanges<R = Record<string, Value>> {
  fields: QueryResult<R>['fields'];
  initialChanges: Change<R>[];
  subscribe(cb: (changes: Change<R>[]) => void): void;
  unsubscribe(cb?: (changes: Change<R>[]) => void): Promise<void>;
  refresh(): Promise<void>;
}

export interface LiveApi {
  <R = Record<string, Value>>(sql: string, params: readonly Value[], cb: LiveCallback<R>, options?: LiveOptions): () => void;
  query<R = Record<string, Value>>(sql: string | LiveQueryOptions<R>, params?: readonly Value[] | null, callback?: LiveCallback<R>): Promise<LiveQuery<R>>;
  /**
   * PGlite's incremental form: results are diffed by `key`; the callback gets the whole result, as
   * PGlite's does, with the previous row objects for rows that did not change, and is not called
   * when a commit changed nothing the query shows.
   */
  incrementalQuery<R = Record<string, Value>>(sql: string | (LiveQueryOptions<R> & { key: string }), params?: readonly Value[] | null, key?: string, callback?: LiveCallback<R>): Promise<LiveQuery<R>>;
  /** PGlite's `live.changes`: only the rows inserted, updated (key and changed columns) or deleted (key) since the last result. */
  changes<R = Record<string, Value>>(sql: string | (Omit<LiveQueryOptions<R>, 'callback'> & { key: string; callback?: (changes: Change<R>[]) => void }), params?: readonly Value[] | null, key?: string, callback?: (changes: Change<R>[]) => void): Promise<LiveChanges<R>>;
}

const shape = <R = Record<string, Value>>(raw: RawResult) => shapeResults([raw], undefined)[0] as unknown as QueryResult<R>;

/** A subscription whose runs are mapped to what subscribers get; `map` returns undefined to deliver nothing for a run. */
interface Feed<T> {
  initial: T;
  subscribe(cb: (v: T) => void): void;
  unsubscribe(cb?: (v: T) => void): Promise<void>;
  refresh(): Promise<void>;
}

export function liveApi(backend: SessionBackend, assertOpen: () => void): LiveApi {
  const subscribe = <R>(sql: string, params: readonly Value[], cb: LiveCallback<R>, options: LiveOptions = {}): (() => void) => {
    assertOpen();
    return backend.live(sql, params, (raw) => cb(shape<R>(raw)), options);
  };

  const feed = <T>(sql: string, params: readonly Value[], callback: ((v: T) => void) | undefined, map: (r: QueryResult) => T | undefined): Promise<Feed<T>> => {
    assertOpen();
    const callbacks = new Set<(v: T) => void>(callback ? [callback] : []);
    const deliver = (r: QueryResult) => {
      const v = map(r);
      if (v === undefined) return;
      for (const cb of callbacks) cb(v);
    };
    return new Promise<Feed<T>>((resolve, reject) => {
      let started = false;
      const fail = (e: unknown) => {
        if (started) console.error('walrtc: live query failed:', e);
        else {
          started = true;
          stop();
          reject(e);
        }
      };
      const stop = backend.live(sql, params, (raw) => {
        const r = shape(raw);
        if (started) {
          try {
            deliver(r);
          } catch (e) {
            fail(e);
          }
          return;
        }
        let initial: T | undefined;
        try {
          initial = map(r);
        } catch (e) {
          fail(e);
          return;
        }
        started = true;
        resolve({
          initial: initial as T,
          subscribe: (cb) => void callbacks.add(cb),
          unsubscribe: async (cb) => {
            if (cb) callbacks.delete(cb);
            else callbacks.clear();
            if (!callbacks.size) stop();
          },
          refresh: async () => deliver(shape(await backend.read(sql, params))),
        });
        for (const cb of callbacks) cb(initial as T);
      }, { onError: fail });
    });
  };

  const query = async <R>(sql: string, params: readonly Value[], callback: LiveCallback<R> | undefined): Promise<LiveQuery<R>> => {
    const f = await feed<QueryResult<R>>(sql, params, callback, (r) => r as unknown as QueryResult<R>);
    return { initialResults: f.initial, subscribe: f.subscribe, unsubscribe: f.unsubscribe, refresh: f.refresh };
  };

  const incremental = async <R>(sql: string, params: readonly Value[], key: string, callback: LiveCallback<R> | undefined): Promise<LiveQuery<R>> => {
    const diff = new KeyedDiff(key);
    let first = true;
    const f = await feed<QueryResult<R>>(sql, params, callback, (r) => {
      const { changes, rows } = diff.next(r);
      if (!first && !changes.length) return undefined;
      first = false;
      return { ...r, rows } as unknown as QueryResult<R>;
    });
    return { initialResults: f.initial, subscribe: f.subscribe, unsubscribe: f.unsubscribe, refresh: f.refresh };
  };

  const changes = async <R>(sql: string, params: readonly Value[], key: string, callback: ((c: Change<R>[]) => void) | undefined): Promise<LiveChanges<R>> => {
    const diff = new KeyedDiff(key);
    let fields: QueryResult<R>['fields'] = [];
    let first = true;
    const f = await feed<Change<R>[]>(sql, params, callback, (r) => {
      fields = r.fields as QueryResult<R>['fields'];
      const { changes: list } = diff.next(r);
      if (!first && !list.length) return undefined;
      first = false;
      return list as Change<R>[];
    });
    return { fields, initialChanges: f.initial, subscribe: f.subscribe, unsubscribe: f.unsubscribe, refresh: f.refresh };
  };

  const api = subscribe as LiveApi;
  api.query = (sql, params, callback) => typeof sql === 'string'
    ? query(sql, params ?? [], callback)
    : query(sql.query, sql.params ?? [], sql.callback);
  api.incrementalQuery = async (sql, params, key, callback) => typeof sql === 'string'
    ? incremental(sql, params ?? [], requireKey(key), callback)
    : incremental(sql.query, sql.params ?? [], requireKey(sql.key), sql.callback);
  api.changes = async (sql, params, key, callback) => typeof sql === 'string'
    ? changes(sql, params ?? [], requireKey(key), callback)
    : changes(sql.query, sql.params ?? [], requireKey(sql.key), sql.callback);
  return api;
}

function requireKey(key: string | undefined): string {
  if (!key) throw new TypeError('a live incremental query needs the name of its key column');
  return key;
}
