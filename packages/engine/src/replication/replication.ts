/**
 * Wires a node to its peers: decodes and validates every message, hands standby requests to the
 * walsenders, upstream messages to the walreceiver and votes to the election; keeps the node
 * catalog from peers' announcements; and carries out role changes — promotion, stepping down to
 * follow a newer timeline, switchover, and membership of the cluster.
 */
import { isLogicalFrame } from '../logical/protocol.ts';
import type { Database } from '../database.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { NodeControl } from '../control/control.ts';
import type { Storage } from '../storage/storage.ts';
import { Replayer } from '../state/replay.ts';
import type { Checkpointer } from '../checkpoint/writer.ts';
import { DbState } from '../state/state.ts';
import { concat } from '../wal/codec.ts';
import { FIRST_LSN } from '../wal/lsn.ts';
import type { WalWriter } from '../wal/xlog.ts';
import { Archiver, type WalArchive } from './archive.ts';
import { Election } from './election.ts';
import { orphanRejoins, primaryGivesWay } from './merge.ts';
import { decodeMessage, encodeMessage, type NodeAnnouncement, type OfflineMessage, type PeerMessage, type ReplicationMessage, type StandbyMessage } from './protocol.ts';
import { WalReceiver, type ReceiverProgress } from './receiver.ts';
import { WalSenders } from './sender.ts';
import { installBackup } from './backup-install.ts';
import { startBackup } from './backup-send.ts';
import { applyStreamedBatch } from './apply-batch.ts';
import { slotNameFor, type Slots } from './slots.ts';
import { followTimeline, startTimeline } from './timeline.ts';
import type { PeerTransport } from './peer-transport.ts';

/** What the node lends replication: its WAL, database, storage, identity and role. */
export interface NodeCore {
  readonly nodeId: string;
  readonly cluster: string;
  readonly wal: WalWriter;
  readonly db: Database;
  readonly storage: Storage;
  readonly slots: Slots;
  /** The one owner of control record, role, fencing and replay position. */
  readonly control: NodeControl;
  /** The incremental checkpointer: a base backup sends its stored chunks, an installed backup becomes its base. */
  readonly checkpointer: Checkpointer;
  log(level: 'log' | 'warning', message: string): void;
  /** The node's role changed: calls waiting on the old role learn their outcome is unknown. */
  roleChanged(reason: string): void;
  /** Why this primary's lease has run out, checked now; undefined while it holds (or without automatic failover). */
  leaseLost(): string | undefined;
}

export interface ReplicationSettings {
  upstream?: string;
  /** The slot this node streams through as a standby, or null for none. */
  slotName: string | null;
  maxWalSenders: number;
  maxBaseBackupsPerMinute?: number;
  archive?: WalArchive;
  /** archive_mode: 'on' archives on a primary only; 'always' also what a standby receives (an archive kept by an always-on standby). */
  archiveMode?: 'on' | 'always';
  /** Tie-break between equally advanced election candidates: higher wins. Default 0. */
  electionPriority?: number;
  autoBaseBackup: boolean;
  /** How often walsenders ask standbys for a status update, and nodes re-announce themselves. */
  keepaliveMs: number;
  /** 'auto': elect a new primary when this one is lost. */
  failover: 'auto' | 'manual';
  failoverTimeoutMs: number;
  /** wal_sender_timeout / wal_receiver_timeout in ms; 0 disables. */
  walSenderTimeoutMs: number;
  walReceiverTimeoutMs: number;
  onProgress?: (p: ReceiverProgress) => void;
}

export interface KnownNode extends NodeAnnouncement {
  lastSeen: Date;
}

export class Replication {
  readonly senders: WalSenders;
  receiver: WalReceiver | undefined;
  /** Handles offline writes' messages (offline/forward.ts), when the node has offline writes on. */
  offline: ((from: string, msg: OfflineMessage) => Promise<void>) | undefined;
  private readonly election: Election | undefined;
  private readonly known = new Map<string, KnownNode>();
  private readonly heardAt = new Map<string, number>();
  /** By this node's clock, when each peer last answered one of its pings (the send time of that ping), and when it was last pinged. */
  private readonly answered = new Map<string, number>();
  private readonly pinged = new Map<string, number>();
  /** Membership joins being written, so the keepalive's retry does not write a second one. */
  private readonly joining = new Set<string>();
  private rejoiningStandby = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly archiver: Archiver | undefined;
  private closed = false;

  constructor(private readonly core: NodeCore, private readonly transport: PeerTransport, private readonly settings: ReplicationSettings) {
    this.senders = new WalSenders({
      nodeId: core.nodeId,
      wal: core.wal,
      slots: core.slots,
      maxWalSenders: settings.maxWalSenders,
      maxBaseBackupsPerMinute: settings.maxBaseBackupsPerMinute,
      maxMessageSize: transport.maxMessageSize ?? 64 * 1024 * 1024,
      identity: () => this.identity(),
      backup: (verify) => startBackup(core, verify),
      send: (to, msg) => this.send(to, msg),
      // a transport that frames parts takes a stored chunk as it is; another gets them joined
      sendEncoded: (to, parts) => (this.transport.sendParts ? this.transport.sendParts(to, parts) : this.transport.send(to, concat(parts))),
      log: (m) => core.log('log', m),
      standbyStarted: (peer) => this.join(peer),
    });
    if (core.control.role === 'standby') this.receiver = this.makeReceiver();
    this.unsubscribe.push(
      transport.on('peer', (id) => {
        this.heardAt.set(id, performance.now());
        // announcements are best effort: a peer that just left cannot be told
        this.send(id, { t: 'announce', node: this.announcement() }).catch(() => {});
        this.receiver?.poke();
      }),
      transport.on('peer-left', (id) => {
        this.known.delete(id);
        this.heardAt.delete(id);
        this.pinged.delete(id);
        this.senders.peerLeft(id);
        this.receiver?.peerLeft(id);
      }),
      transport.on('message', (from, bytes) => void this.dispatch(from, bytes)),
    );
    if (settings.archive) {
      const archiver = (this.archiver = new Archiver(settings.archive, (e) => core.log('warning', `archive command failed: ${String(e)}`)));
      this.unsubscribe.push(core.wal.onFlush((chunks) => {
        // a promoting node's timeline switch record is its new timeline's first WAL: archived too
        const timeline = core.control.file?.timeline;
        if ((core.control.state === 'standby' && settings.archiveMode !== 'always') || timeline === undefined) return;
        archiver.add(timeline, chunks);
      }));
    }
    this.timer = setInterval(() => {
      this.senders.checkTimeouts(settings.walSenderTimeoutMs);
      this.receiver?.checkTimeout(settings.walReceiverTimeoutMs);
      this.senders.keepalive();
      this.announce();
      for (const p of transport.peers()) this.ping(p);
      this.joinStreaming();
    }, settings.keepaliveMs);
    this.election = settings.failover === 'auto' ? this.makeElection() : undefined;
    if (core.control.role === 'primary') void this.join(core.nodeId);
    this.announce();
    this.receiver?.poke();
  }

  /** The node catalog: this node and every node it has heard from. */
  nodes(): KnownNode[] {
    return [{ ...this.announcement(), lastSeen: new Date() }, ...[...this.known.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1))];
  }

  announce(): void {
    const msg: ReplicationMessage = { t: 'announce', node: this.announcement() };
    for (const p of this.transport.peers()) this.send(p, msg).catch(() => {});
  }

  /**
   * A primary's lease round trip. Started by the keepalive timer and kept going by each pong, so
   * it does not depend on timers alone (a background tab's run at most once a second).
   */
  private ping(peer: string): void {
    const now = performance.now();
    if (this.core.control.role !== 'primary' || now - (this.pinged.get(peer) ?? -Infinity) < this.settings.keepaliveMs / 2) return;
    this.pinged.set(peer, now);
    this.send(peer, { t: 'ping', ping: now }).catch(() => {});
  }

  /** pg_promote(): leave recovery and become the primary on a new timeline. */
  async promote(term = 0): Promise<void> {
    const core = this.core;
    // an election, pg_promote(), a switchover request and promote() may race: only one proceeds
    core.control.beginPromotion();
    // recovery ends here: WAL arriving from now on is not this node's to replay
    void this.receiver?.stop();
    this.receiver = undefined;
    try {
      const highest = Math.max(core.control.file?.timeline ?? 0, ...[...this.known.values()].map((n) => n.timeline));
      await startTimeline(core, Math.max(term, highest + 1));
      core.control.finishPromotion();
    } catch (e) {
      core.control.abandonPromotion();
      if (!this.closed) {
        this.receiver = this.makeReceiver();
        this.receiver.poke();
      }
      throw e;
    }
    core.roleChanged('the node was promoted');
    this.senders.dropAll('the upstream was promoted to primary');
    this.election?.roleChanged();
    this.announce();
    await this.join(core.nodeId);
  }

  /**
   * Planned switchover: stop writes, let `to` (or the most advanced standby) replay everything,
   * then ask it to promote; this node follows it as a standby.
   */
  async switchover(to: string | undefined, timeoutMs: number): Promise<string> {
    const core = this.core;
    if (core.control.role !== 'primary') throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'switchover must be started on the primary');
    const streaming = this.senders.list().filter((s) => s.state === 'streaming');
    const target = to ?? streaming.sort((a, b) => b.replayLsn - a.replayLsn)[0]?.applicationName;
    if (!target || !streaming.some((s) => s.applicationName === target)) {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, to ? `standby "${to}" is not streaming from this primary` : 'no standby is streaming from this primary');
    }
    core.control.fence(`a switchover to "${target}" is in progress`);
    const deadline = performance.now() + timeoutMs;
    try {
      await core.wal.flushAll();
      const end = core.wal.insertLsn;
      const gone = () => !this.senders.list().some((s) => s.applicationName === target);
      while (!this.senders.list().some((s) => s.applicationName === target && s.replayLsn >= end)) {
        if (gone()) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `standby "${target}" disconnected during the switchover`);
        if (performance.now() > deadline) throw new SqlError(SQLSTATE.query_canceled, `switchover to "${target}" timed out waiting for it to catch up`);
        await sleep(5);
      }
      await this.send(target, { t: 'promote_request', lsn: end });
      // a promoting standby ends its replication (CopyDone): from here only a lost peer is a failure
      while (core.control.role === 'primary') {
        if (!this.transport.peers().includes(target)) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `standby "${target}" disconnected during the switchover`);
        if (performance.now() > deadline) throw new SqlError(SQLSTATE.query_canceled, `switchover to "${target}" timed out waiting for its promotion`);
        await sleep(5);
      }
      return target;
    } catch (e) {
      if (core.control.role === 'primary') core.control.fence(undefined);
      throw e;
    }
  }

  /** A clean close: a standby leaves the membership through the primary first. */
  async leave(): Promise<void> {
    const primary = this.primaryId();
    // replication ends first (CopyDone), so the primary can drop this node's slot when it leaves
    await this.receiver?.stop();
    if (this.core.control.role === 'standby' && primary) await this.send(primary, { t: 'leave' }).catch(() => {});
  }

  leaseLost(): string | undefined {
    return this.election?.leaseLost();
  }

  /** The upstream this standby streams from right now (where offline writes are forwarded). */
  streamingUpstream(): string | undefined {
    const r = this.receiver?.snapshot();
    return r?.status === 'streaming' ? (r.upstream ?? undefined) : undefined;
  }

  /** Send one offline-writes message; false when the peer is not connected. */
  async sendOffline(to: string, msg: OfflineMessage): Promise<boolean> {
    if (!this.transport.peers().includes(to)) return false;
    await this.send(to, msg);
    return true;
  }

  primaryId(): string | undefined {
    if (this.core.control.role === 'primary') return this.core.nodeId;
    return [...this.known.values()].filter((n) => n.role === 'primary').sort((a, b) => b.timeline - a.timeline)[0]?.nodeId;
  }

  /** Resolves once every WAL chunk flushed so far has been handed to the archive (archive_command done or failed). */
  archived(): Promise<void> {
    return this.archiver?.idle() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.election?.stop();
    await this.receiver?.stop();
    for (const u of this.unsubscribe) u();
    await this.archiver?.idle();
  }

  private identity() {
    const c = this.core.control.file;
    return c ? { systemId: c.systemId, timeline: c.timeline, history: c.history } : undefined;
  }

  private announcement(): NodeAnnouncement {
    const c = this.core.control.file;
    const role = this.core.control.role;
    return {
      nodeId: this.core.nodeId,
      systemId: c?.systemId ?? null,
      role,
      upstream: role === 'standby' ? (this.receiver?.snapshot().upstream ?? this.settings.upstream ?? null) : null,
      timeline: c?.timeline ?? 0,
      // a node without data has no WAL position: it must not look ahead of its empty peers
      flushLsn: c ? this.core.wal.flushLsn : 0,
      tables: this.core.db.state.tables.size,
      ...(this.election?.votes ? { votes: this.election.votes } : {}),
      ...(this.settings.electionPriority ? { priority: this.settings.electionPriority } : {}),
    };
  }

  private async send(to: string, msg: ReplicationMessage): Promise<void> {
    await this.transport.send(to, encodeMessage(msg));
  }

  private async dispatch(from: string, bytes: Uint8Array): Promise<void> {
    if (this.closed) return;
    this.heardAt.set(from, performance.now());
    // logical replication frames are logical/logical.ts's to read
    if (isLogicalFrame(bytes)) return;
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) {
      this.core.log('warning', `rejected replication message from "${from}": ${decoded.reason}`);
      return;
    }
    const msg = decoded.msg;
    try {
      switch (msg.t) {
        case 'announce': return await this.heard(from, msg.node);
        // answered from the message handler, not a timer: a peer with throttled timers still answers at once
        case 'ping': return void this.send(from, { t: 'pong', echo: msg.ping, term: this.election?.term ?? this.core.control.file?.timeline ?? 0 }).catch(() => {});
        case 'pong': return this.answeredPing(from, msg.echo, msg.term);
        case 'vote_request':
        case 'vote': return this.election?.handle(from, msg);
        case 'leave': return await this.memberLeft(from);
        case 'promote_request': return await this.promoteRequested(from, msg.lsn);
        case 'offline_xacts':
        case 'offline_verdicts': return await this.offline?.(from, msg);
      }
      if (isStandbyMessage(msg)) return await this.senders.handle(from, msg);
      if (this.receiver) return await this.receiver.handle(from, msg);
    } catch (e) {
      this.core.log('warning', `replication message "${msg.t}" from "${from}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private answeredPing(from: string, echo: number, term: number): void {
    // a node that moved on to a newer term (it voted for another candidate) no longer supports this
    // primary; an echo from the future is forged or meant for another incarnation of this node
    if (term > (this.core.control.file?.timeline ?? 0)) return this.election?.newerTerm(from, term);
    if (echo <= performance.now() && echo > (this.answered.get(from) ?? -Infinity)) this.answered.set(from, echo);
    this.ping(from);
  }

  private async heard(from: string, node: NodeAnnouncement): Promise<void> {
    if (node.nodeId !== from) {
      this.core.log('warning', `rejected announcement from "${from}" claiming to be "${node.nodeId}"`);
      return;
    }
    this.known.set(from, { ...node, lastSeen: new Date() });
    const mine = this.core.control.file;
    const role = this.core.control.role;
    if (role === 'primary' && node.role === 'primary' && mine && node.systemId === mine.systemId && node.timeline > mine.timeline) {
      await this.stepDown(`primary "${from}" is on timeline ${node.timeline}, newer than this node's timeline ${mine.timeline}`);
    }
    if (role === 'primary' && node.role === 'primary' && mine && node.systemId === mine.systemId && node.timeline === mine.timeline && this.outranks(from, node)) {
      await this.rejoin(`primary "${from}" was also elected for timeline ${node.timeline} (${node.votes ?? 0} votes against this node's ${this.election?.votes ?? 0}): stepping down and rejoining by base backup`);
    }
    if (this.settings.failover === 'auto' && this.core.control.role === 'primary' && node.role === 'primary' && mine && node.systemId && node.systemId !== mine.systemId) {
      await this.resolveTwoClusters(from, node);
    }
    if (this.settings.failover === 'auto' && this.core.control.role === 'standby' && !this.settings.upstream && node.role === 'primary' && mine && node.systemId && node.systemId !== mine.systemId) {
      await this.rejoinIfOrphaned(from, node);
    }
    // a standby still attached to an older (possibly silent) primary moves to the newer one at once
    const upstream = this.receiver?.snapshot().upstream;
    if (this.core.control.role === 'standby' && !this.settings.upstream && node.role === 'primary' && mine && node.systemId === mine.systemId
      && upstream && upstream !== from && node.timeline > (this.known.get(upstream)?.timeline ?? Infinity)) {
      this.receiver!.peerLeft(upstream);
    }
    this.receiver?.poke();
  }

  /** Two 'auto' nodes that each initialised a cluster meet: the one that gives way (merge.ts) rejoins the other. */
  private async resolveTwoClusters(from: string, other: NodeAnnouncement): Promise<void> {
    const mine = this.core.control.file!;
    const { rejoin, warning } = primaryGivesWay(from, { systemId: mine.systemId, tables: this.core.db.state.tables.size }, other);
    if (warning) this.core.log('warning', warning);
    if (rejoin) await this.rejoin(rejoin);
  }

  /** A standby of another cluster's system identifier than `other`'s primary: rejoin it when its own cluster was left empty and without a primary (merge.ts). */
  private async rejoinIfOrphaned(from: string, other: NodeAnnouncement): Promise<void> {
    const core = this.core;
    const mine = core.control.file!;
    const now = performance.now();
    const ownPrimaryAlive = [...this.known.values()].some((n) => n.role === 'primary' && n.systemId === mine.systemId && now - (this.heardAt.get(n.nodeId) ?? -Infinity) <= this.settings.failoverTimeoutMs);
    const reason = orphanRejoins(from, { systemId: mine.systemId, tables: core.db.state.tables.size, ownPrimaryAlive }, other);
    if (!reason || this.rejoiningStandby) return;
    this.rejoiningStandby = true;
    try {
      core.log('log', reason);
      await this.receiver?.stop();
      await this.startOver();
    } finally {
      this.rejoiningStandby = false;
    }
  }

  /**
   * Two primaries on one timeline (which persisted votes should make impossible, but a node must
   * never keep writing on a timeline another primary owns): the one with more votes keeps it, ties
   * to the lower node id — the same answer on both sides.
   */
  private outranks(from: string, other: NodeAnnouncement): boolean {
    const mine = this.election?.votes ?? 0;
    const theirs = other.votes ?? 0;
    return theirs > mine || (theirs === mine && from < this.core.nodeId);
  }

  /** Give up this node's data and role, and join the cluster's primary again by base backup. */
  private async rejoin(reason: string): Promise<void> {
    const core = this.core;
    if (core.control.role !== 'primary') return;
    core.log('log', reason);
    core.control.demote(core.control.replayer);
    core.roleChanged(`the node stepped down (${reason})`);
    this.senders.dropAll('the upstream stepped down');
    await this.startOver();
  }

  /** A standby without data: its WAL and control record cleared, a new walreceiver takes a base backup. */
  private async startOver(): Promise<void> {
    const core = this.core;
    await core.control.update(async (txn) => {
      await core.wal.flushAll().catch(() => {});
      await core.storage.truncateWal(0);
      txn.clear();
      core.wal.resetTo(FIRST_LSN);
      const empty = new DbState();
      txn.setReplayer(new Replayer(empty, FIRST_LSN));
      core.db.publish(empty, { end: FIRST_LSN, tables: new Set() });
    });
    this.election?.roleChanged();
    this.receiver = this.makeReceiver();
    this.announce();
    this.receiver.poke();
  }

  /** A newer primary exists: stop accepting writes at once and follow it. */
  private async stepDown(reason: string): Promise<void> {
    const core = this.core;
    if (core.control.role !== 'primary') return;
    core.log('log', `stepping down: ${reason}`);
    // replay continues from what this node committed as primary
    core.control.demote(new Replayer(core.db.latest(), core.wal.insertLsn));
    core.roleChanged(`the node stepped down (${reason})`);
    this.senders.dropAll('the upstream stepped down');
    this.election?.roleChanged();
    this.receiver = this.makeReceiver();
    this.announce();
    this.receiver.poke();
  }

  private async promoteRequested(from: string, lsn: number): Promise<void> {
    const core = this.core;
    if (core.control.role !== 'standby' || this.receiver?.snapshot().upstream !== from) return;
    if (core.control.replayer.replayLsn < lsn) {
      core.log('warning', `switchover: asked to promote at ${lsn} but replayed only to ${core.control.replayer.replayLsn}`);
      return;
    }
    core.log('log', `switchover: promoting at the request of primary "${from}"`);
    await this.promote();
  }

  /** The primary records a standby that streams from it as a voting member. */
  private async join(nodeId: string): Promise<void> {
    const core = this.core;
    // refused while the lease has lapsed (it would be a write): joinStreaming tries again once it holds
    if (core.control.role !== 'primary' || core.control.fenced || this.leaseLost() || core.db.state.members.has(nodeId) || !core.control.file || this.joining.has(nodeId)) return;
    this.joining.add(nodeId);
    try {
      await core.db.writeSystem([{ kind: 'membership', nodeId, action: 'join' }]);
      core.log('log', `member "${nodeId}" joined the cluster`);
    } catch (e) {
      core.log('warning', `could not add member "${nodeId}": ${String(e)}`);
    } finally {
      this.joining.delete(nodeId);
    }
  }

  /**
   * Every keepalive, the primary and the standbys streaming from it that are not members yet join:
   * a standby that started streaming while the lease had lapsed (a stalled primary) would otherwise
   * never vote, and a cluster whose primary is then lost could never elect another.
   */
  private joinStreaming(): void {
    if (this.core.control.role !== 'primary') return;
    for (const id of [this.core.nodeId, ...this.senders.streamingPeers()]) if (!this.core.db.state.members.has(id)) void this.join(id);
  }

  private async memberLeft(nodeId: string): Promise<void> {
    const core = this.core;
    if (core.control.role !== 'primary' || !core.db.state.members.has(nodeId)) return;
    core.log('log', `member "${nodeId}" left the cluster`);
    await core.db.writeSystem([{ kind: 'membership', nodeId, action: 'leave' }]);
    // the slot it streamed through would otherwise pin WAL for a node that is not coming back
    const slot = core.slots.get(slotNameFor(nodeId));
    if (slot && !slot.active) {
      core.slots.drop(slot.name);
      core.log('log', `dropped replication slot "${slot.name}" of member "${nodeId}", which left`);
    }
  }

  /** The configured upstream, or the most advanced primary among the peers (this cluster's first). */
  private chooseUpstream(): string | undefined {
    if (this.settings.upstream) return this.transport.peers().includes(this.settings.upstream) ? this.settings.upstream : undefined;
    const systemId = this.core.control.file?.systemId;
    // a primary of another cluster is still chosen when it is the only one, so the mismatch is reported, not silently waited out
    const mine = (n: KnownNode) => (systemId && n.systemId === systemId ? 0 : 1);
    const candidates = [...this.known.values()].filter((n) => n.role === 'primary' && n.systemId !== null);
    candidates.sort((a, b) => mine(a) - mine(b) || b.timeline - a.timeline || (a.nodeId < b.nodeId ? -1 : 1));
    return candidates[0]?.nodeId;
  }

  private makeElection(): Election {
    const core = this.core;
    return new Election({
      nodeId: core.nodeId,
      cluster: core.cluster,
      failoverTimeoutMs: this.settings.failoverTimeoutMs,
      role: () => core.control.role,
      hasData: () => !!core.control.file,
      position: () => ({ timeline: core.control.file?.timeline ?? 0, lsn: core.control.file ? core.wal.flushLsn : 0 }),
      priority: this.settings.electionPriority ?? 0,
      members: () => core.db.state.members,
      peers: () => this.transport.peers(),
      known: () => [...this.known.values()],
      upstreamHeardAt: () => {
        const r = this.receiver?.snapshot();
        if (!r || !r.upstream || (r.status !== 'streaming' && r.status !== 'backup')) return undefined;
        return this.heardAt.get(r.upstream);
      },
      lastHeard: (peer) => this.heardAt.get(peer),
      // a member that never echoed a ping yet (it just joined) counts by when it was last heard
      answeredAt: (peer) => this.answered.get(peer) ?? this.heardAt.get(peer),
      savedVote: () => core.control.file?.votedTerm ?? 0,
      persistVote: async (term) => {
        try {
          await core.control.update(async (txn) => {
            const c = txn.current();
            if (c && (c.votedTerm ?? 0) < term) await txn.write({ ...c, votedTerm: term });
          });
          return true;
        } catch (e) {
          core.log('warning', `could not store the vote for term ${term}: ${e instanceof Error ? e.message : String(e)}`);
          return false;
        }
      },
      send: (to, msg: PeerMessage) => void this.send(to, msg).catch(() => {}),
      promote: (term) => this.promote(term),
      stepDown: (reason) => this.stepDown(reason),
      fence: (reason) => {
        if (core.control.fenced !== reason) core.log('log', reason ? `fenced: ${reason}` : 'a majority is reachable again: accepting writes');
        core.control.fence(reason);
        if (reason) core.roleChanged(reason);
      },
      log: (m) => core.log('log', m),
    });
  }

  private makeReceiver(): WalReceiver {
    const core = this.core;
    return new WalReceiver({
      nodeId: core.nodeId,
      wal: core.wal,
      slotName: this.settings.slotName,
      archive: this.settings.archive,
      autoBaseBackup: this.settings.autoBaseBackup,
      identity: () => this.identity(),
      upstream: () => this.chooseUpstream(),
      replayLsn: () => core.control.replayer.replayLsn,
      apply: (chunk, records) => applyStreamedBatch(core, chunk, records),
      installBackup: async (backup) => {
        await installBackup(core, backup);
        this.senders.dropAll('the upstream took a new base backup');
      },
      followTimeline: async (timeline, history) => {
        const how = await followTimeline(core, timeline, history);
        // standbys cascading from this node must see the new timeline (and any rewind) too
        this.senders.dropAll('the upstream switched timeline');
        this.announce();
        return how;
      },
      send: (to, msg: StandbyMessage) => this.send(to, msg),
      log: (level, m) => core.log(level, m),
      progress: (p) => this.settings.onProgress?.(p),
    });
  }
}

function isStandbyMessage(msg: ReplicationMessage): msg is StandbyMessage {
  return msg.t === 'identify_system' || msg.t === 'timeline_history' || msg.t === 'start_replication' || msg.t === 'base_backup' || msg.t === 'status_update' || msg.t === 'copy_done';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
