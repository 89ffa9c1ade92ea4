/**
 * The public Node: one database instance with its storage, WAL, and (later) its replication role.
 * openNode recovers from storage, and the Node runs SQL, transactions and checkpoints and reports
 * its status. Everything else lives in the folders it ties together.
 */
import { INFORMATION_SCHEMA } from './catalog/views.ts';
import { Database, Session, type SynchronousCommit } from './database.ts';
import { SqlError, SQLSTATE } from './errors.ts';
import { recover, type Logger } from './recovery.ts';
import type { ExecEnv, NodeHooks, QueryResult, VirtualTable } from './sql/env.ts';
import { loadParser } from './sql/parse.ts';
import type { SqlType, Value } from './sql/types.ts';
import { seal } from './storage/envelope.ts';
import { indexedDbStorage } from './storage/indexeddb.ts';
import { memoryStorage } from './storage/memory.ts';
import type { ControlFile, Storage } from './storage/storage.ts';
import { contentHash, takeSnapshot } from './state/snapshot.ts';
import { formatLsn, type Lsn } from './wal/lsn.ts';
import { WalWriter } from './wal/xlog.ts';
import { defaultNodeId } from './storage/node-id.ts';

export interface NodeOptions {
  /** All nodes of one database share it. */
  cluster: string;
  /** Generated and persisted per cluster when absent. */
  nodeId?: string;
  storage?: 'indexeddb' | 'memory' | Storage;
  /** PostgreSQL's synchronous_commit; 'on' (default) returns after the WAL is durable. */
  synchronousCommit?: SynchronousCommit;
  /** PostgreSQL's max_wal_size, in bytes: a checkpoint starts when this much WAL accumulates. */
  maxWalSize?: number;
  /** Where log messages go (default: console). */
  log?: Logger;
}

export type Role = 'primary' | 'standby';

export interface NodeStatus {
  nodeId: string;
  systemId: string;
  role: Role;
  timeline: number;
  leaderId: string | undefined;
  lsn: { insert: string; flush: string; replay: string };
  replication: unknown[];
}

export interface Queryable {
  query<R = Record<string, Value>>(sql: string, params?: readonly Value[]): Promise<QueryResult<R>>;
  exec(sql: string): Promise<QueryResult[]>;
}

const consoleLogger: Logger = (level, message) => (level === 'warning' ? console.warn : console.log)(`walrtc: ${message}`);

export async function openNode(options: NodeOptions): Promise<Node> {
  await loadParser();
  const log = options.log ?? consoleLogger;
  const nodeId = options.nodeId ?? (await defaultNodeId(options.cluster, options.storage === 'indexeddb'));
  const storage =
    typeof options.storage === 'object' ? options.storage
      : options.storage === 'indexeddb' ? await indexedDbStorage(options.cluster, nodeId)
        : memoryStorage();
  const recovered = await recover(storage, nodeId, log);
  return new Node(options, nodeId, storage, recovered.control, recovered.state, recovered.endLsn, log);
}

export class Node implements Queryable {
  private readonly db: Database;
  private readonly wal: WalWriter;
  private closed = false;
  private checkpointing: Promise<void> | undefined;
  private role: Role = 'primary';

  constructor(
    private readonly options: NodeOptions,
    readonly nodeId: string,
    private readonly storage: Storage,
    private control: ControlFile,
    state: ConstructorParameters<typeof Database>[0],
    endLsn: Lsn,
    private readonly log: Logger,
  ) {
    this.wal = new WalWriter(storage, endLsn);
    this.db = new Database(state, this.wal, { synchronousCommit: options.synchronousCommit ?? 'on', hooks: this.hooks() });
    this.db.onCommit(() => this.maybeCheckpoint());
  }

  get systemId(): string {
    return this.control.systemId;
  }

  async query<R = Record<string, Value>>(sql: string, params?: readonly Value[]): Promise<QueryResult<R>> {
    this.assertOpen();
    const [result] = await this.db.run(sql, params, undefined, true);
    return (result ?? { rows: [], fields: [], rowCount: 0, command: '' }) as QueryResult<R>;
  }

  async exec(sql: string): Promise<QueryResult[]> {
    this.assertOpen();
    return this.db.run(sql, undefined, undefined, false);
  }

  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    const session = new Session();
    await this.db.run('BEGIN', undefined, session, true);
    const tx: Queryable = {
      query: async <R>(sql: string, params?: readonly Value[]) => (await this.db.run(sql, params, session, true))[0] as unknown as QueryResult<R>,
      exec: (sql: string) => this.db.run(sql, undefined, session, false),
    };
    try {
      const value = await fn(tx);
      const [end] = await this.db.run('COMMIT', undefined, session, true);
      if (end?.command === 'ROLLBACK') {
        throw new SqlError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
      }
      return value;
    } catch (e) {
      this.db.rollback(session);
      throw e;
    }
  }

  async status(): Promise<NodeStatus> {
    return {
      nodeId: this.nodeId,
      systemId: this.control.systemId,
      role: this.role,
      timeline: this.control.timeline,
      leaderId: this.role === 'primary' ? this.nodeId : undefined,
      lsn: { insert: formatLsn(this.wal.insertLsn), flush: formatLsn(this.wal.flushLsn), replay: formatLsn(this.wal.flushLsn) },
      replication: [],
    };
  }

  /** SHA-256 of the visible content (tables, rows, sequences): equal on nodes that answer alike. */
  contentHash(): Promise<string> {
    return contentHash(this.db.state);
  }

  /** PostgreSQL's CHECKPOINT: snapshot the state, point the control record at it, drop older WAL. */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.runCheckpoint().finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.checkpoint();
    this.closed = true;
    await this.storage.close();
  }

  private async runCheckpoint(): Promise<void> {
    const lsn = this.wal.insertLsn;
    const bytes = seal(takeSnapshot(this.db.state));
    await this.wal.waitFlush(lsn);
    if (lsn === this.control.checkpointLsn) return;
    this.control = { ...this.control, checkpointLsn: lsn };
    await this.storage.writeCheckpoint({ lsn, bytes }, this.control);
    await this.storage.removeWalBefore(lsn);
  }

  private maybeCheckpoint(): void {
    const limit = this.options.maxWalSize ?? 16 * 1024 * 1024;
    if (this.wal.insertLsn - this.control.checkpointLsn >= limit && !this.checkpointing) {
      void this.checkpoint().catch((e) => this.log('warning', `checkpoint failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError(SQLSTATE.admin_shutdown, 'terminating connection because the node is closed');
  }

  private hooks(): NodeHooks {
    const functions: Record<string, { type: SqlType; fn: (args: Value[], env: ExecEnv) => Value }> = {
      pg_is_in_recovery: { type: 'bool', fn: () => this.role === 'standby' },
      pg_current_wal_lsn: {
        type: 'text',
        fn: () => {
          if (this.role === 'standby') {
            throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'recovery is in progress', { hint: 'WAL control functions cannot be executed during recovery.' });
          }
          return formatLsn(this.wal.insertLsn);
        },
      },
      pg_current_wal_flush_lsn: { type: 'text', fn: () => formatLsn(this.wal.flushLsn) },
      pg_last_wal_replay_lsn: { type: 'text', fn: () => (this.role === 'standby' ? formatLsn(this.wal.flushLsn) : null) },
      pg_last_wal_receive_lsn: { type: 'text', fn: () => (this.role === 'standby' ? formatLsn(this.wal.flushLsn) : null) },
      version: { type: 'text', fn: () => 'walrtc 0.1.0 (PostgreSQL 18 dialect)' },
    };
    return {
      readOnly: () => this.role === 'standby',
      systemView: (schema, name): VirtualTable | undefined => (schema === 'information_schema' ? INFORMATION_SCHEMA[name] : undefined),
      systemFunction: (name) => functions[name]?.fn,
      systemFunctionType: (name) => functions[name]?.type,
    };
  }
}
