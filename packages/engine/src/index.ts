/** @walrtc/engine: open a node, run SQL, get PostgreSQL errors. */
export { openNode, Node, type NodeOptions, type NodeStatus, type Queryable, type Role } from './node.ts';
export { SqlError, SQLSTATE } from './errors.ts';
export type { QueryResult, Field, Verdict } from './sql/env.ts';
export type { ForwardedApplier, ForwardedXact } from './offline/apply.ts';
export type { OfflineApi, PendingRow } from './offline/offline.ts';
export type { Transaction } from './session/client.ts';
export type { QueryOptions, ParserOptions } from './session/result.ts';
export type { Notice } from './session/session.ts';
export type { LiveApi, LiveChanges, LiveQuery } from './session/live.ts';
export type { Change } from './session/live-diff.ts';
export type { ParserWasm } from './sql/pg-query.ts';
export type { LiveCallback, LiveErrorCallback, LiveOptions, Scheduler } from './live/live.ts';
export type { SynchronousCommit } from './database.ts';
export type { Storage } from './storage/storage.ts';
export type { Logger } from './recovery.ts';
export { formatLsn, parseLsn, type Lsn } from './wal/lsn.ts';
export { memoryArchive, indexedDbArchive, type WalArchive } from './replication/archive.ts';
export type { ReceiverProgress } from './replication/receiver.ts';
