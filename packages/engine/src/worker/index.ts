/**
 * @walrtc/engine/worker: the engine in a module Web Worker, with the same API as openNode. This
 * is the page side: it imports the comlink client only, never the engine (the worker loads that).
 * The host, for a worker of one's own, is @walrtc/engine/worker/host.
 */
export { openWorkerNode, connectWorkerNode, WorkerNode, type NodeApi, type OpenWorkerNodeOptions } from './client.ts';
export { SqlError, SQLSTATE } from '../errors.ts';
export type { QueryResult, Field } from '../sql/env.ts';
export type { Transaction } from '../session/client.ts';
export type { QueryOptions, ParserOptions } from '../session/result.ts';
export type { Notice } from '../session/session.ts';
export type { LiveApi, LiveQuery } from '../session/live.ts';
export type { NodeStatus, Queryable } from '../node.ts';
export type { LiveCallback, LiveErrorCallback, LiveOptions } from '../live/live.ts';
