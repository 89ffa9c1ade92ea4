/**
 * A node's logical replication, both roles: as a publisher's primary it serves subscribers
 * (slot commands, initial copies, logical walsenders) and hands its failover slots to its
 * physical standbys; as a standby it synchronizes those slots; as a subscriber's primary it runs
 * one apply worker per enabled subscription, restarting a failed one after
 * walRetrieveRetryInterval. Owns the walsenders, workers and subscription statistics; driven by
 * the node's transport, WAL flushes and a short timer.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { KnownNode, NodeCore } from '../replication/replication.ts';
import type { PeerTransport } from '../replication/peer-transport.ts';
import { isCatalogTable, catalogRows } from './catalog.ts';
import { ApplyWorker, type WorkerStats } from './apply.ts';
import { PublisherConnection, type ClosableTransport } from './connection.ts';
import { parseConnInfo, type ConnInfo } from './conninfo.ts';
import { relationInfo } from './decode.ts';
import { decodeLogical, encodeLogical, inPieces, isLogicalFrame, type PublisherMessage, type RemoteSlot, type SubscriberMessage } from './protocol.ts';
import { publishedTables } from './publication.ts';
import { alterSlot, createLogicalSlot, dropSlot, logicalSlot } from './slot.ts';
import { SlotSync } from './slotsync.ts';
import type { PublisherClient, SubscriptionHooks } from './subscription.ts';
import { invalidated, LogicalWalSender } from './walsender.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';

const TICK_MS = 100;

export interface LogicalOptions {
  /** Opens a transport into a publisher's cluster for a subscription's connection string (see logical/conninfo.ts). */
  subscriptionTransport?: (conninfo: ConnInfo, peerId: string) => ClosableTransport;
  /** PostgreSQL's synchronized_standby_slots: physical slots that must have flushed WAL before logical subscribers get it. */
  synchronizedStandbySlots?: string;
  /** PostgreSQL's sync_replication_slots (standby): keep copies of the primary's failover slots. */
  syncReplicationSlots?: boolean;
  /** PostgreSQL's wal_retrieve_retry_interval: how long a failed apply worker waits before it starts again, in ms. Default 5000. */
  walRetrieveRetryInterval?: number;
  /** How long to wait for a publisher's primary to answer, in ms. Default 10000. */
  logicalConnectTimeout?: number;
}

const signature = (sub: Record<string, unknown>) => JSON.stringify([sub.subconninfo, sub.subslotname, sub.subpublications, sub.subfailover]);

export interface SubscriptionStats {
  applyErrorCount: number;
  syncErrorCount: number;
  lastError: string | null;
}

export class LogicalReplication {
  private readonly senders = new Map<string, LogicalWalSender>();
  private readonly workers = new Map<string, ApplyWorker>();
  private readonly retryAt = new Map<string, number>();
  private readonly signatures = new WeakMap<ApplyWorker, string>();
  readonly stats = new Map<number, SubscriptionStats>();
  readonly slotSync: SlotSync;
  private readonly standbySlots: string[];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private connections = 0;
  private sharedSlots = false;
  private closed = false;
  private wasPrimary: boolean;

  constructor(
    private readonly core: NodeCore,
    private readonly transport: PeerTransport | undefined,
    private readonly options: LogicalOptions,
    private readonly nodes: () => KnownNode[],
    private readonly persistSlots: () => void,
  ) {
    this.slotSync = new SlotSync(core, options.syncReplicationSlots === true, (m) => core.log('log', m));
    this.standbySlots = (options.synchronizedStandbySlots ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    this.wasPrimary = core.control.role === 'primary';
    if (transport) {
      this.unsubscribe.push(
        transport.on('message', (from, bytes) => {
          if (isLogicalFrame(bytes)) void this.received(from, bytes);
        }),
        transport.on('peer-left', (id) => this.stopSender(id)),
      );
    }
    this.unsubscribe.push(core.wal.onFlush(() => this.pumpAll()));
    // a node with no peers and no way to a publisher has nothing to serve, sync or apply
    if (transport || options.subscriptionTransport) this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** What subscription DDL uses. */
  hooks(notice: (m: string) => void): SubscriptionHooks {
    return {
      publisher: (conninfo) => this.client(conninfo),
      changed: () => {
        this.retryAt.clear();
        void this.reconcile();
      },
      stop: (name) => this.stopWorker(name),
      notice,
      systemId: () => this.core.control.file?.systemId ?? '',
    };
  }

  workerStats(subname: string): WorkerStats | undefined {
    return this.workers.get(subname)?.stats;
  }

  /** pg_create_logical_replication_slot(): returns (slot_name, lsn). */
  createSlot(name: string, plugin: string, temporary: boolean, twoPhase: boolean, failover: boolean): Lsn {
    const { slot } = createLogicalSlot(this.core, name, { plugin, temporary, twoPhase, failover });
    if (!temporary) this.persistSlots();
    return slot.restartLsn!;
  }

  dropSlot(name: string): void {
    dropSlot(this.core, name);
    this.persistSlots();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const u of this.unsubscribe) u();
    for (const s of this.senders.values()) s.stop();
    this.senders.clear();
    await Promise.all([...this.workers.keys()].map((n) => this.stopWorker(n)));
  }

  // ── publisher side ─────────────────────────────────────────────────────────────

  private async received(from: string, bytes: Uint8Array): Promise<void> {
    if (this.closed) return;
    const { msg, reason } = decodeLogical(bytes);
    if (!msg) return this.core.log('warning', `rejected logical replication message from "${from}": ${reason}`);
    if (msg.t === 'l_slots') {
      // only the primary's list counts: it is the one whose slots a promotion must carry on
      if (this.nodes().some((n) => n.nodeId === from && n.role === 'primary')) this.slotSync.received(msg.slots);
      return;
    }
    if (!('req' in msg) && msg.t !== 'l_start' && msg.t !== 'l_feedback' && msg.t !== 'l_stop') return;
    try {
      await this.serve(from, msg as SubscriberMessage);
    } catch (e) {
      const err = e instanceof SqlError ? e : new SqlError(SQLSTATE.internal_error, e instanceof Error ? e.message : String(e));
      const reply: PublisherMessage = 'req' in msg ? { t: 'l_result', req: msg.req, code: err.code, message: err.message }
        : { t: 'l_error', code: err.code, message: err.message, detail: err.detail };
      await this.send(from, reply).catch(() => {});
    }
  }

  private async serve(from: string, msg: SubscriberMessage): Promise<void> {
    const { core } = this;
    if (msg.t === 'l_feedback') return this.senders.get(from)?.feedback(msg.flush);
    if (msg.t === 'l_stop') return this.stopSender(from);
    if (core.control.role !== 'primary') {
      // the subscriber finds the new primary from announcements and asks again there
      throw new SqlError('reconnect', 'this node is not the publisher\'s primary');
    }
    switch (msg.t) {
      case 'l_tables': {
        const state = core.db.state;
        const missing = msg.publications.filter((p) => !catalogRows(state, 'pg_publication').some((r) => r.pubname === p));
        const existing = msg.publications.filter((p) => !missing.includes(p));
        const tables = [...publishedTables(state, existing).keys()].map((oid) => state.table(oid).def.name).sort();
        const message = missing.length ? `publication${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist on the publisher` : undefined;
        return this.send(from, { t: 'l_result', req: msg.req, tables, ...(message ? { message } : {}) });
      }
      case 'l_create_slot': {
        const { slot, snapshot } = createLogicalSlot(core, msg.name, { failover: msg.failover });
        this.persistSlots();
        // the copy shows the snapshot's rows: only once they are durable here, and on the synchronized standbys
        if (msg.copy.length) await this.durableEverywhere(slot.restartLsn!);
        for (const name of msg.copy) {
          const oid = snapshot.tableNames.get(name);
          if (oid === undefined || isCatalogTable(snapshot.table(oid).def)) throw new SqlError(SQLSTATE.undefined_table, `relation "public.${name}" does not exist`);
          const table = snapshot.table(oid);
          const relation = relationInfo(table.def, snapshot);
          const pieces = inPieces(table.rows.valuesArray(), (row) => [row], this.maxMessageBytes());
          for (let i = 0; i < pieces.length; i++) {
            await this.send(from, { t: 'l_copy', req: msg.req, relation, rows: pieces[i]!, last: i === pieces.length - 1 });
          }
        }
        return this.send(from, { t: 'l_result', req: msg.req, lsn: slot.restartLsn! });
      }
      case 'l_drop_slot': {
        await this.waitInactive(msg.name);
        if (core.slots.get(msg.name)) this.dropSlot(msg.name);
        else throw new SqlError(SQLSTATE.undefined_object, `replication slot "${msg.name}" does not exist`);
        return this.send(from, { t: 'l_result', req: msg.req });
      }
      case 'l_alter_slot':
        alterSlot(core, msg.name, msg.failover);
        this.persistSlots();
        return this.send(from, { t: 'l_result', req: msg.req });
      case 'l_start': {
        logicalSlot(core, msg.slot);
        this.stopSender(from);
        // a worker that restarts (ENABLE, a retry) may be back before its old connection is seen to go
        await this.waitInactive(msg.slot);
        const slot = logicalSlot(core, msg.slot);
        if (slot.active) throw new SqlError(SQLSTATE.object_in_use, `replication slot "${msg.slot}" is active for PID 1`);
        if (slot.lost) throw invalidated(msg.slot);
        const sender = new LogicalWalSender({
          core, send: (to, m) => this.send(to, m), standbyLimit: () => this.standbyLimit(), log: (m) => core.log('warning', m),
          maxMessageBytes: this.maxMessageBytes(),
        }, from, slot, msg.publications, msg.lsn);
        this.senders.set(from, sender);
        sender.pump();
        return;
      }
    }
  }

  /** Wait until `lsn` is flushed here and on every synchronizedStandbySlots standby. */
  private async durableEverywhere(lsn: Lsn): Promise<void> {
    await this.core.wal.waitFlush(lsn);
    const deadline = Date.now() + 4 * (this.options.logicalConnectTimeout ?? 10_000);
    while (this.standbyLimit().lsn < lsn) {
      if (Date.now() > deadline || this.closed) {
        throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `the standbys in synchronized_standby_slots have not confirmed ${formatLsn(lsn)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A subscriber that went away (or a worker stopping) may still hold its slot for a moment. */
  private async waitInactive(name: string): Promise<void> {
    for (let i = 0; i < 40 && this.core.slots.get(name)?.active; i++) {
      const peer = this.core.slots.get(name)?.activePeer;
      if (peer && !this.transport?.peers().includes(peer)) this.stopSender(peer);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** synchronized_standby_slots: how far every named standby has flushed. */
  private standbyLimit(): { lsn: Lsn; waiting?: string } {
    let lsn = Infinity;
    for (const name of this.standbySlots) {
      const slot = this.core.slots.get(name);
      const why = !slot ? 'does not exist' : slot.lost ? 'has been invalidated' : slot.restartLsn === null ? 'has not reserved WAL yet' : undefined;
      if (why) {
        return { lsn: 0, waiting: `replication slot "${name}" specified in parameter "synchronized_standby_slots" ${why}: logical replication is waiting on the standby associated with it` };
      }
      lsn = Math.min(lsn, slot!.restartLsn!);
    }
    return { lsn };
  }

  private stopSender(peer: string): void {
    const s = this.senders.get(peer);
    if (!s) return;
    s.stop();
    this.senders.delete(peer);
  }

  private pumpAll(): void {
    for (const s of this.senders.values()) s.pump();
  }

  /** A quarter of the transport's message limit, at most 1 MiB: copies and large transactions go in pieces of this size. */
  private maxMessageBytes(): number {
    return Math.min(1024 * 1024, Math.floor((this.transport?.maxMessageSize ?? 64 * 1024 * 1024) / 4));
  }

  private send(to: string, msg: PublisherMessage): Promise<void> {
    if (!this.transport) return Promise.reject(new Error('no transport'));
    return this.transport.send(to, encodeLogical(msg));
  }

  private tick(): void {
    if (this.closed) return;
    const primary = this.core.control.role === 'primary';
    if (!primary && this.senders.size) for (const p of [...this.senders.keys()]) this.stopSender(p);
    if (primary && !this.wasPrimary) this.slotSync.promoted();
    this.wasPrimary = primary;
    this.pumpAll();
    if (primary) this.shareFailoverSlots();
    void this.reconcile();
  }

  /** The primary's failover slots, to every standby (they keep copies when they sync slots). */
  private shareFailoverSlots(): void {
    const slots: RemoteSlot[] = this.core.slots.list().filter((s) => s.logical?.failover && !s.logical.temporary).map((s) => ({
      name: s.name, plugin: s.logical!.plugin, restartLsn: s.restartLsn, confirmedFlush: s.logical!.confirmedFlush, twoPhase: s.logical!.twoPhase,
      invalidated: s.lost, catalog: s.logical!.catalog,
    }));
    // an empty list is sent once, so standbys drop their copies, and then no more
    if (!slots.length && !this.sharedSlots) return;
    this.sharedSlots = slots.length > 0;
    const peers = new Set(this.transport?.peers() ?? []);
    for (const n of this.nodes()) {
      if (n.role === 'standby' && n.nodeId !== this.core.nodeId && peers.has(n.nodeId)) void this.send(n.nodeId, { t: 'l_slots', slots }).catch(() => {});
    }
  }

  // ── subscriber side ────────────────────────────────────────────────────────────

  private connect(conninfo: string, purpose: string): PublisherConnection {
    const factory = this.options.subscriptionTransport;
    if (!factory) throw new SqlError(SQLSTATE.connection_failure, 'could not connect to the publisher: this node has no subscriptionTransport');
    const transport = factory(parseConnInfo(conninfo), `${this.core.nodeId}.${purpose}.${++this.connections}`);
    return new PublisherConnection(transport, (m) => this.core.log('warning', m), this.options.logicalConnectTimeout ?? 10_000);
  }

  private client(conninfo: string): PublisherClient {
    const conn = this.connect(conninfo, 'ddl');
    return {
      createSlot: async (name, failover) => (await conn.request({ t: 'l_create_slot', name, failover, copy: [] })).lsn!,
      dropSlot: async (name, missingOk) => {
        try {
          await conn.request({ t: 'l_drop_slot', name });
        } catch (e) {
          if (!(missingOk && e instanceof SqlError && e.code === SQLSTATE.undefined_object)) throw e;
        }
      },
      alterSlot: async (name, failover) => void (await conn.request({ t: 'l_alter_slot', name, failover })),
      tables: async (publications) => {
        const r = await conn.request({ t: 'l_tables', publications });
        if (r.message) this.core.log('warning', r.message);
        return r.tables ?? [];
      },
      close: () => conn.close(),
    };
  }

  private async stopWorker(name: string): Promise<void> {
    const w = this.workers.get(name);
    if (!w) return;
    this.workers.delete(name);
    await w.stop();
  }

  private reconciling = false;

  /** Start the workers enabled subscriptions need on a primary; stop the others. */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.closed) return;
    this.reconciling = true;
    try {
      const primary = this.core.control.role === 'primary' && this.options.subscriptionTransport !== undefined;
      const subs = primary ? catalogRows(this.core.db.state, 'pg_subscription').filter((s) => s.subenabled && s.subslotname) : [];
      // a worker runs with the connection, slot and publications it started with: a change restarts it, as in PostgreSQL
      const wanted = new Map(subs.map((s) => [s.subname as string, signature(s)]));
      for (const [name, w] of [...this.workers]) if (wanted.get(name) !== this.signatures.get(w)) await this.stopWorker(name);
      const now = Date.now();
      for (const sub of subs) {
        const name = sub.subname as string;
        if (this.workers.has(name) || (this.retryAt.get(name) ?? 0) > now) continue;
        const worker: ApplyWorker = new ApplyWorker({
          db: this.core.db,
          systemId: () => this.core.control.file?.systemId ?? '',
          connect: (conninfo, purpose) => this.connect(conninfo, purpose),
          log: (level, m) => this.core.log(level, m),
        }, name, (e, sync) => this.failed(sub.oid as number, name, worker, e, sync));
        this.workers.set(name, worker);
        this.signatures.set(worker, signature(sub));
        this.core.log('log', `logical replication apply worker for subscription "${name}" has started`);
      }
    } finally {
      this.reconciling = false;
    }
  }

  private failed(subid: number, name: string, worker: ApplyWorker, e: unknown, sync: boolean): void {
    if (this.workers.get(name) === worker) this.workers.delete(name);
    const stats = this.stats.get(subid) ?? { applyErrorCount: 0, syncErrorCount: 0, lastError: null };
    // not reaching the publisher is logged, not counted: the counters are about applying and copying
    const connection = e instanceof SqlError && e.code.startsWith('08');
    if (!connection && sync) stats.syncErrorCount++;
    else if (!connection) stats.applyErrorCount++;
    const err = e instanceof Error ? e : new Error(String(e));
    const detail = e instanceof SqlError && e.detail ? `\nDETAIL:  ${e.detail}` : '';
    const context = (e as { context?: string }).context ? `\nCONTEXT:  ${(e as { context?: string }).context}` : '';
    stats.lastError = `${err.message}${detail}${context}`;
    this.stats.set(subid, stats);
    this.core.log('warning', `ERROR:  ${stats.lastError}`);
    this.core.log('log', `background worker "logical replication ${sync ? 'tablesync' : 'apply'} worker" exited with exit code 1`);
    this.retryAt.set(name, Date.now() + (this.options.walRetrieveRetryInterval ?? 5000));
  }
}
