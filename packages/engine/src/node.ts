/**
 * The public Node: one database instance. openNode recovers it from storage and, given a
 * transport, joins it to its cluster as a primary or a hot standby. The Node runs SQL and
 * transactions, checkpoints, and reports its status; replication/ does the streaming.
 */
import { Checkpointer } from './checkpoint/writer.ts';
import { NodeControl } from './control/control.ts';
import { Database, type SynchronousCommit } from './database.ts';
import { closedError, SqlError, SQLSTATE } from './errors.ts';
import { recover, type Logger } from './recovery.ts';
import type { WalArchive } from './replication/archive.ts';
import type { ReceiverProgress } from './replication/receiver.ts';
import { Replication, type NodeCore } from './replication/replication.ts';
import type { PeerTransport } from './replication/peer-transport.ts';
import { slotNameFor, Slots } from './replication/slots.ts';
import { assignSyncStates, parseStandbyNames, SyncRepWaiters, type SyncConfig } from './replication/syncrep.ts';
import type { ReplicationSource } from './replication/views.ts';
import { DatabaseBackend } from './session/backend.ts';
import { SessionClient, SessionSurface } from './session/client.ts';
import type { QueryOptions } from './session/result.ts';
import type { QueryResult } from './sql/env.ts';
import { loadParser } from './sql/parse.ts';
import type { ParserWasm } from './sql/pg-query.ts';
import type { Value } from './sql/types.ts';
import { indexedDbStorage } from './storage/indexeddb.ts';
import { memoryStorage } from './storage/memory.ts';
import { defaultNodeId } from './storage/node-id.ts';
import type { ControlFile, Storage } from './storage/storage.ts';
import { rewindTo } from './replication/rewind.ts';
import { Replayer } from './state/replay.ts';
import { LogicalReplication, type LogicalOptions } from './logical/logical.ts';
import { contentHash } from './state/snapshot.ts';
import { nodeHooks } from './system.ts';
import type { ForwardedApplier } from './offline/apply.ts';
import type { OfflineApi } from './offline/offline.ts';
import { PendingQueue } from './offline/queue.ts';
import { offlineViews } from './offline/views.ts';
import { appliedCount, wireOffline, type WiredOffline } from './offline/wire.ts';
import { formatLsn } from './wal/lsn.ts';
import { WalWriter } from './wal/xlog.ts';
import { IndexBuilds } from './state/index-builds.ts';

export interface NodeOptions extends LogicalOptions {
  /** All nodes of one database share it. */
  cluster: string;
  /** Generated and persisted per cluster when absent. */
  nodeId?: string;
  storage?: 'indexeddb' | 'memory' | Storage;
  /** Peers to replicate with (a Transport from @walrtc/transport). */
  transport?: PeerTransport;
  /**
   * 'primary' (default) accepts writes; 'standby' streams from the primary and serves reads;
   * 'auto' follows the cluster's primary when one is reachable and otherwise takes part in an
   * election (only an elected node initialises a new cluster).
   */
  role?: 'primary' | 'standby' | 'auto';
  /** 'auto' (default with role 'auto') elects a new primary when the primary is lost; 'manual' keeps PostgreSQL's behaviour. */
  failover?: 'auto' | 'manual';
  /** Between equally advanced candidates in an election the higher priority wins (a preferred primary, e.g. an always-on peer); never over more advanced WAL. Default 0. */
  electionPriority?: number;
  /** How long the primary may be unreachable before standbys elect a new one, in ms. Default 1000. */
  failoverTimeout?: number;
  /** PostgreSQL's synchronous_standby_names: 'FIRST n (a, b)', 'ANY n (a, b)', 'a, b' or '*'. */
  synchronousStandbyNames?: string;
  /** Fail a commit still waiting for its synchronous standbys after this many ms (it stays committed locally). */
  syncCommitTimeout?: number;
  /** A standby's upstream node: another standby to cascade from. Default: the cluster's primary. */
  upstream?: string;
  /** PostgreSQL's primary_slot_name: the slot a standby streams through. Default: its node id; null for none. */
  primarySlotName?: string | null;
  /** PostgreSQL's synchronous_commit; 'on' (default) returns after the WAL is durable. */
  synchronousCommit?: SynchronousCommit;
  /** PostgreSQL's max_wal_size, in bytes: a checkpoint starts when this much WAL accumulates. Default 16 MiB. */
  maxWalSize?: number;
  /** PostgreSQL's wal_keep_size, in bytes. Default 0. */
  walKeepSize?: number;
  /** PostgreSQL's max_slot_wal_keep_size, in bytes; -1 keeps WAL for slots without limit. Default 4 × maxWalSize. */
  maxSlotWalKeepSize?: number;
  /** PostgreSQL's max_wal_senders: how many standbys this node feeds at once. Default 10. */
  maxWalSenders?: number;
  /** PostgreSQL's max_replication_slots. Default 10. */
  maxReplicationSlots?: number;
  /** Base backups one peer may ask this node for per minute (each is a full snapshot). Default 6. */
  maxBaseBackupsPerMinute?: number;
  /** WAL archive: a primary archives every flushed batch; a standby restores from it when its upstream cannot serve it. */
  archive?: WalArchive;
  /** PostgreSQL's archive_mode: 'on' (default) archives on a primary; 'always' also archives the WAL a standby receives. */
  archiveMode?: 'on' | 'always';
  /** archive_cleanup_command: after each checkpoint, a primary drops archived WAL this many bytes older than what it still keeps. Default 4 × maxWalSize; -1 keeps everything. */
  archiveKeepSize?: number;
  /** A standby whose upstream no longer has its WAL (and no archive has it) takes a new base backup. Default true. */
  autoBaseBackup?: boolean;
  /** PostgreSQL's wal_sender_timeout: a standby silent this long (ms, by this node's clock) is dropped. Default 4 × failoverTimeout; 0 disables. */
  walSenderTimeout?: number;
  /** PostgreSQL's wal_receiver_timeout: an upstream silent this long (ms) while streaming is given up and found again. Default 4 × failoverTimeout; 0 disables. */
  walReceiverTimeout?: number;
  /** Keepalive and announcement period in ms. Default a quarter of failoverTimeout, at most 1000. */
  keepaliveMs?: number;
  /** Base backup and catch-up progress of a standby. */
  onProgress?: (p: ReceiverProgress) => void;
  /** Where log messages go (default: console). */
  log?: Logger;
  /**
   * PostgreSQL's idle_in_transaction_session_timeout, in ms (default 0: off): a block left open
   * and idle this long is rolled back, freeing the writer lock; the session's next call (or the
   * transaction()'s remaining ones) fails with 25P03.
   */
  idleInTransactionSessionTimeout?: number;
  /**
   * Node.js, for development: a call on the node from inside its own transaction() fails at once
   * with 25001 instead of waiting for that transaction forever. Default false: such a call (any
   * call waiting over 1 s behind a transaction()) is logged as a warning, as in browsers. The check
   * runs fn under an AsyncLocalStorage, and while one is enabled Node 20 runs a hook on every
   * promise of the process: a bulk load through transaction() takes ~13 % more CPU.
   */
  checkNestedCalls?: boolean;
  /**
   * Offline-first writes: a standby (connected or not) accepts write transactions instead of
   * failing with 25006. Each is queued durably, shown at once on this node's optimistic view, sent
   * to the primary in order and applied there exactly once (see README, "Offline writes"). Default false.
   */
  offlineWrites?: boolean;
  /** With offlineWrites: reads see this node's pending writes over the replicated state (default true); false shows confirmed data only. */
  optimisticReads?: boolean;
  /**
   * As the primary, apply standbys' forwarded offline transactions with this instead of running
   * them here (a PostgreSQL bridge: `@walrtc/node`'s forwardToPostgres). See README, "Offline writes".
   */
  applyForwarded?: ForwardedApplier;
  /** The SQL parser's WebAssembly (a URL, bytes or a compiled module) where a bundler does not emit libpg-query.wasm itself. */
  parserWasm?: ParserWasm;
}

export type Role = 'primary' | 'standby';

export interface StandbyStatus {
  applicationName: string;
  state: string;
  sentLsn: string;
  writeLsn: string;
  flushLsn: string;
  replayLsn: string;
  writeLag: number | null;
  flushLag: number | null;
  replayLag: number | null;
  syncState: string;
}

export interface NodeStatus {
  nodeId: string;
  systemId: string | null;
  role: Role;
  timeline: number;
  leaderId: string | null;
  upstream: string | null;
  lsn: { insert: string; flush: string; replay: string };
  replication: StandbyStatus[];
  receiver: { status: string; upstream: string | null } | null;
  /** This node's queued offline writes by state, and the transactions the cluster has recorded as applied or rejected (walrtc_applied_xacts). */
  offline: { queued: number; sent: number; applied: number; failed: number; appliedXacts: number };
}

export interface Queryable {
  query<R = Record<string, Value>>(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult<R>>;
  exec(sql: string, options?: QueryOptions): Promise<QueryResult[]>;
}

const consoleLogger: Logger = (level, message) => (level === 'warning' ? console.warn : console.log)(`walrtc: ${message}`);

export async function openNode(options: NodeOptions): Promise<Node> {
  await loadParser(options.parserWasm);
  const nodeId = options.nodeId ?? (await defaultNodeId(options.cluster, options.storage === 'indexeddb'));
  const storage =
    typeof options.storage === 'object' ? options.storage
      : options.storage === 'indexeddb' ? await indexedDbStorage(options.cluster, nodeId)
        : memoryStorage();
  const log = options.log ?? consoleLogger;
  const wanted = options.role ?? 'primary';
  if (wanted === 'standby' && !options.transport) throw new SqlError(SQLSTATE.invalid_parameter_value, 'a standby needs a transport to reach its upstream');
  // 'auto' starts as a standby: it follows a primary if there is one, and elects one otherwise
  const role: Role = wanted === 'primary' || !options.transport ? 'primary' : 'standby';
  if (options.offlineWrites && !storage.pending) throw new SqlError(SQLSTATE.feature_not_supported, 'offline writes need a storage with a pending-transaction queue');
  const queue = options.offlineWrites && storage.pending ? await PendingQueue.load(nodeId, storage.pending) : undefined;
  const recovered = await recover(storage, nodeId, log, role === 'primary');
  const wal = new WalWriter(storage, recovered.endLsn);
  const maxWalSize = options.maxWalSize ?? 16 * 1024 * 1024;
  const slots = new Slots(recovered.control?.slots ?? [], {
    walKeepSize: options.walKeepSize ?? 0,
    // every standby streams through a slot by default, so the WAL they pin is bounded by default
    maxSlotWalKeepSize: options.maxSlotWalKeepSize ?? 4 * maxWalSize,
    maxWalSize,
    maxReplicationSlots: options.maxReplicationSlots ?? 10,
  });
  return new Node(options, { nodeId, storage, wal, slots, control: recovered.control, role, log, state: recovered.state, endLsn: recovered.endLsn, maxWalSize, checkpointer: new Checkpointer(recovered.base), queue });
}

interface Opened {
  nodeId: string;
  storage: Storage;
  wal: WalWriter;
  slots: Slots;
  control: ControlFile | undefined;
  role: Role;
  log: Logger;
  state: ConstructorParameters<typeof Database>[0];
  endLsn: number;
  maxWalSize: number;
  checkpointer: Checkpointer;
  queue: PendingQueue | undefined;
}

export class Node extends SessionSurface implements Queryable {
  readonly nodeId: string;
  private readonly core: NodeCore;
  private readonly replication: Replication | undefined;
  private readonly logical: LogicalReplication;
  private readonly syncrep: SyncRepWaiters;
  private readonly syncConfig: SyncConfig | undefined;
  private readonly failover: 'auto' | 'manual';
  private readonly maxWalSize: number;
  private readonly archiveCleanup: ((before: number) => Promise<void>) | undefined;
  private readonly archiveAlways: boolean;
  private isClosed = false;
  /** close() has begun: no new statement may start (the session's block is already rolled back). */
  private closing = false;
  private checkpointing: Promise<void> | undefined;
  /** A checkpoint asked for while `checkpointing` runs: starts when it ends. */
  private nextCheckpoint: Promise<void> | undefined;
  private readonly checkpointer: Checkpointer;
  /** Indexes the node opened without, built in the background (state/index-builds.ts). */
  private readonly indexBuilds: IndexBuilds;
  private storageRetry: ReturnType<typeof setTimeout> | undefined;
  private readonly offlineWired: WiredOffline;
  /** This node's queued offline writes (undefined without the offlineWrites option). */
  readonly offline: OfflineApi | undefined;
  /** The node's one session (query, exec, transaction, live): PGlite's surface. */
  protected readonly client: SessionClient;
  /** The engine side of the session; the worker host drives it directly. @internal */
  readonly backend: DatabaseBackend;

  constructor(options: NodeOptions, o: Opened) {
    super();
    this.nodeId = o.nodeId;
    this.maxWalSize = o.maxWalSize;
    this.checkpointer = o.checkpointer;
    const archiveKeep = options.archiveKeepSize ?? 4 * o.maxWalSize;
    const archive = options.archive;
    this.archiveAlways = options.archiveMode === 'always';
    this.archiveCleanup = archive && archiveKeep >= 0 ? (keep) => archive.cleanup(keep - archiveKeep) : undefined;
    const source: ReplicationSource = {
      standbys: () => this.replication?.senders.list() ?? [],
      syncState: (name) => assignSyncStates(syncConfig, this.replication?.senders.list() ?? []).get(name) ?? { priority: 0, state: 'async' },
      slots: () => o.slots,
      insertLsn: () => o.wal.insertLsn,
      receiver: () => this.replication?.receiver?.snapshot(),
      nodes: () => this.replication?.nodes() ?? [],
      peerStats: () => options.transport?.stats?.().peers ?? [],
    };
    const syncConfig = parseStandbyNames(options.synchronousStandbyNames);
    this.syncConfig = syncConfig;
    this.syncrep = new SyncRepWaiters(() => syncConfig, () => this.replication?.senders.list() ?? [], options.syncCommitTimeout);
    this.failover = options.failover ?? (options.role === 'auto' ? 'auto' : 'manual');
    const hooks = nodeHooks(
      () => this.core,
      () => source,
      { promote: () => void this.promote().catch((e) => this.core.log('warning', `promotion failed: ${e instanceof Error ? e.message : String(e)}`)) },
      () => this.logical,
      () => offlineViews(() => this.offline?.rows() ?? []),
    );
    const db = new Database(o.state, o.wal, {
      synchronousCommit: options.synchronousCommit ?? 'on',
      waitForStandbys: (end, level) => this.syncrep.wait(end, level),
      acknowledge: () => this.checkAcknowledge(),
      hooks,
    });
    const core: NodeCore = {
      nodeId: o.nodeId,
      cluster: options.cluster,
      roleChanged: (reason) => this.syncrep.abandon(reason),
      leaseLost: () => this.replication?.leaseLost(),
      wal: o.wal,
      db,
      storage: o.storage,
      slots: o.slots,
      control: new NodeControl(o.storage, o.control, o.role, new Replayer(o.state, o.endLsn)),
      checkpointer: o.checkpointer,
      log: o.log,
    };
    this.core = core;
    this.indexBuilds = new IndexBuilds(() => db.latest());
    this.indexBuilds.start();
    db.onCommit(() => {
      this.maybeCheckpoint();
      // a base backup or rewind published a state whose indexes are built on first use: build them now
      this.indexBuilds.start();
    });
    o.wal.onFailure((e) => {
      core.log('warning', `PANIC:  ${e.message}: refusing writes until storage accepts them again`);
      this.retryStorage(50);
    });
    o.wal.onFlush(() => this.maybeCheckpoint());
    this.replication = options.transport
      ? new Replication(core, options.transport, {
          upstream: options.upstream,
          slotName: options.primarySlotName === undefined ? slotNameFor(o.nodeId) : options.primarySlotName,
          maxWalSenders: options.maxWalSenders ?? 10,
          maxBaseBackupsPerMinute: options.maxBaseBackupsPerMinute ?? 6,
          archive: options.archive,
          archiveMode: options.archiveMode,
          electionPriority: options.electionPriority,
          autoBaseBackup: options.autoBaseBackup ?? true,
          // several keepalives per failover timeout, so silence means loss and not a slow tick
          keepaliveMs: options.keepaliveMs ?? Math.min(1000, Math.floor((options.failoverTimeout ?? 1000) / 4)),
          failover: this.failover,
          failoverTimeoutMs: options.failoverTimeout ?? 1000,
          walSenderTimeoutMs: options.walSenderTimeout ?? 4 * (options.failoverTimeout ?? 1000),
          walReceiverTimeoutMs: options.walReceiverTimeout ?? 4 * (options.failoverTimeout ?? 1000),
          onProgress: options.onProgress,
        })
      : undefined;
    this.replication?.senders.onPositions(() => this.syncrep.release());
    this.logical = new LogicalReplication(core, options.transport, options, () => this.replication?.nodes() ?? [], () => {
      void this.checkpoint().catch((e) => core.log('warning', `saving replication slots failed: ${e instanceof Error ? e.message : String(e)}`));
    });
    hooks.logical = this.logical.hooks((m) => core.log('log', m));
    this.offlineWired = wireOffline({
      nodeId: o.nodeId, db, replication: this.replication, queue: o.queue, log: o.log,
      isPrimary: () => core.control.role === 'primary',
      replayLsn: () => core.control.replayer.replayLsn,
      optimisticReads: options.optimisticReads ?? true,
      keepaliveMs: options.keepaliveMs ?? Math.min(1000, Math.floor((options.failoverTimeout ?? 1000) / 4)),
      maxMessageSize: options.transport?.maxMessageSize,
      applyForwarded: options.applyForwarded,
    });
    const offline = this.offlineWired.writes;
    this.offline = offline;
    this.backend = new DatabaseBackend(db, (sql, parsed) => this.indexBuilds.decoded(sql, parsed));
    this.client = new SessionClient(this.backend, {
      idleInTransactionSessionTimeout: options.idleInTransactionSessionTimeout,
      checkNestedCalls: options.checkNestedCalls,
      assertOpen: () => this.assertOpen(),
      log: o.log,
      verdict: offline && ((seq) => offline.verdict(seq)),
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The cluster's system identifier; null on a standby still waiting for its base backup. */
  get systemId(): string | null {
    return this.core.control.file?.systemId ?? null;
  }

  async status(): Promise<NodeStatus> {
    const { core } = this;
    const receiver = this.replication?.receiver?.snapshot();
    const { role, file } = core.control;
    const primary = this.replication?.primaryId() ?? (role === 'primary' ? core.nodeId : null);
    return {
      nodeId: core.nodeId,
      systemId: file?.systemId ?? null,
      role,
      timeline: file?.timeline ?? 0,
      leaderId: primary,
      upstream: receiver?.upstream ?? null,
      lsn: { insert: formatLsn(core.wal.insertLsn), flush: formatLsn(core.wal.flushLsn), replay: formatLsn(core.control.replayer.replayLsn) },
      replication: (this.replication?.senders.list() ?? []).map((s) => ({
        applicationName: s.applicationName,
        state: s.state,
        sentLsn: formatLsn(s.sentLsn),
        writeLsn: formatLsn(s.writeLsn),
        flushLsn: formatLsn(s.flushLsn),
        replayLsn: formatLsn(s.replayLsn),
        writeLag: s.writeLag,
        flushLag: s.flushLag,
        replayLag: s.replayLag,
        syncState: assignSyncStates(this.syncConfig, this.replication?.senders.list() ?? []).get(s.applicationName)?.state ?? 'async',
      })),
      receiver: receiver ? { status: receiver.status, upstream: receiver.upstream } : null,
      offline: { ...(this.offline?.counts() ?? { queued: 0, sent: 0, applied: 0, failed: 0 }), appliedXacts: appliedCount(core.db.state) },
    };
  }

  /** pg_promote(): a standby finishes replaying what it has and becomes the primary on a new timeline. */
  async promote(): Promise<void> {
    this.assertOpen();
    if (!this.replication || this.core.control.role === 'primary') {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'recovery is not in progress', { hint: 'Recovery control functions can only be executed during recovery.' });
    }
    await this.replication.promote();
  }

  /**
   * Planned switchover: writes pause, the standby `to` (default: the most advanced) catches up
   * fully and is promoted, and this node follows it. Resolves with the new primary's node id.
   */
  async switchover(to?: string, timeoutMs = 10_000): Promise<string> {
    this.assertOpen();
    if (!this.replication) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'switchover needs a transport and standbys');
    return this.replication.switchover(to, timeoutMs);
  }

  /** SHA-256 of the visible content (tables, rows, sequences): equal on nodes that answer alike. */
  contentHash(): Promise<string> {
    return contentHash(this.core.db.state);
  }

  /** PostgreSQL's CHECKPOINT (a restartpoint on a standby): snapshot, point the control record at it, drop WAL no longer needed. */
  checkpoint(): Promise<void> {
    if (!this.checkpointing) {
      this.checkpointing = this.runCheckpoint().finally(() => (this.checkpointing = undefined));
      return this.checkpointing;
    }
    // as PostgreSQL's CHECKPOINT: one already being written may miss the caller's commits, so the
    // caller waits for the next, which every request made meanwhile shares
    this.nextCheckpoint ??= this.checkpointing.catch(() => {}).then(() => {
      this.nextCheckpoint = undefined;
      return this.checkpoint();
    });
    return this.nextCheckpoint;
  }

  async close(): Promise<void> {
    if (this.isClosed || this.closing) return;
    this.closing = true;
    // a block left open is rolled back, as when a PostgreSQL session disconnects
    await this.client.abort(closedError());
    const replication = this.replication;
    if (replication && this.failover === 'auto') {
      // a primary closing cleanly hands over first; a standby leaves the membership through the primary
      if (this.core.control.role === 'primary' && !this.core.control.fenced && replication.senders.list().some((s) => s.state === 'streaming')) {
        await replication.switchover(undefined, 2000).catch((e) => this.core.log('warning', `switchover on close failed: ${e instanceof Error ? e.message : String(e)}`));
      }
      if (this.core.control.role === 'standby') await replication.leave();
    }
    this.isClosed = true;
    await this.indexBuilds.stop();
    clearTimeout(this.storageRetry);
    this.offlineWired.stop();
    this.core.roleChanged('the node was closed');
    await this.logical.close();
    await replication?.close();
    await this.checkpoint();
    await this.core.storage.close();
  }

  /**
   * Two short control updates around the slices: the first fixes the LSN and clones the state, the
   * second switches the control record to the new checkpoint. Promotions, rewinds and base backups
   * run between them without waiting for the slices; when one of them (or a failed WAL flush)
   * changed what the clone stands for, the second step drops the checkpoint (its chunks are named
   * by no manifest and go at the next one) rather than store it over their work.
   */
  private async runCheckpoint(): Promise<void> {
    const { core } = this;
    const start = await core.control.update(async (txn) => {
      const current = txn.current();
      if (!current) return undefined;
      const lsn = core.wal.insertLsn;
      const storedLsn = current.checkpointLsn;
      const stamp = core.control.checkpointsWritten;
      // prepare clones the state before its first await; its slices run after this step returns
      const prepared = this.checkpointer.prepare(core.storage, core.db.latest(), lsn, stamp);
      prepared.catch(() => {});
      return { lsn, storedLsn, stamp, walGeneration: core.wal.generation, prepared };
    });
    if (!start) return;
    const prepared = await start.prepared;
    const { lsn } = start;
    let removal: Promise<void> | undefined;
    await core.control.update(async (txn) => {
      const current = txn.current();
      if (!current || current.checkpointLsn !== start.storedLsn || core.control.checkpointsWritten !== start.stamp || core.wal.generation !== start.walGeneration) {
        core.log('log', `checkpoint at ${formatLsn(lsn)} dropped: the node's WAL or checkpoint changed while it was written`);
        return;
      }
      await core.wal.waitFlush(lsn);
      core.slots.invalidate(lsn, (m) => core.log('log', m));
      await txn.write({ ...current, checkpointLsn: lsn, slots: core.slots.persisted() }, { lsn, bytes: prepared.bytes });
      await this.checkpointer.stored(core.storage, prepared, core.control.checkpointsWritten);
      const keep = core.slots.retentionLsn(lsn, core.wal.insertLsn);
      // awaited after the lock is released: storage paces the removal into the appends' pauses
      removal = core.storage.removeWalBefore(keep);
      removal.catch(() => {});
      core.wal.forgetBefore(keep);
      if (core.control.role === 'primary' || this.archiveAlways) {
        // WAL flushed before the checkpoint may still be on its way to the archive: cleaned up after it arrives, not left behind
        if (this.archiveCleanup) await this.replication?.archived();
        await this.archiveCleanup?.(keep).catch((e) => core.log('warning', `archive cleanup command failed: ${String(e)}`));
      }
    });
    await removal?.catch((e) => core.log('warning', `could not remove old WAL: ${e instanceof Error ? e.message : String(e)}`));
  }

  /**
   * After a failed WAL flush: probe storage with a control write, backing off; once it works, a
   * standby (which replayed WAL that never reached its storage) rebuilds its state from what is
   * stored, and WAL writes resume from the last flushed position.
   */
  private retryStorage(ms: number): void {
    if (this.isClosed) return;
    const { core } = this;
    this.storageRetry = setTimeout(() => {
      void core.control.update(async (txn) => {
        const current = txn.current();
        if (!current) return;
        if (core.control.role === 'standby' && core.control.replayer.replayLsn > core.wal.flushLsn) {
          if (!(await rewindTo(core, txn, core.wal.flushLsn))) throw new Error('cannot rebuild the replayed state from storage');
        } else {
          await txn.write({ ...current });
        }
      }).then(() => {
        core.wal.resume();
        core.log('log', `storage accepts writes again: WAL continues at ${formatLsn(core.wal.insertLsn)}`);
      }, () => this.retryStorage(Math.min(ms * 2, 5000)));
    }, ms);
  }

  /**
   * The last check before a commit is reported as done: a node that stopped being the primary, or
   * whose lease ran out (it may have been paused while another was elected), must not say so.
   */
  private checkAcknowledge(): void {
    const { core } = this;
    const reason = core.control.role !== 'primary' ? 'the node is no longer the primary' : (core.control.fenced ?? core.leaseLost());
    if (!reason) return;
    throw new SqlError(SQLSTATE.statement_completion_unknown, `${reason} before the commit was acknowledged`, {
      detail: 'The transaction has already committed locally, but might not survive a failover.',
    });
  }

  private maybeCheckpoint(): void {
    const control = this.core.control.file;
    if (!control || this.isClosed || this.checkpointing) return;
    if (this.core.wal.insertLsn - control.checkpointLsn >= this.maxWalSize) {
      void this.checkpoint().catch((e) => this.core.log('warning', `checkpoint failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private assertOpen(): void {
    if (this.isClosed || this.closing) throw closedError();
  }
}
