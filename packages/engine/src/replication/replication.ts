/**
 * Wires a node to its peers: decodes and validates every replication message, hands standby
 * requests to the walsenders and upstream messages to the walreceiver, keeps the node catalog
 * from peers' announcements, sends keepalives, and archives flushed WAL on a primary.
 */
import type { Database } from '../database.ts';
import type { ControlFile, Storage } from '../storage/storage.ts';
import { unseal, seal } from '../storage/envelope.ts';
import { Replayer } from '../state/replay.ts';
import { restoreSnapshot, takeSnapshot, type Snapshot } from '../state/snapshot.ts';
import type { DbState } from '../state/state.ts';
import type { WalWriter } from '../wal/xlog.ts';
import type { WalArchive } from './archive.ts';
import { decodeMessage, encodeMessage, type NodeAnnouncement, type ReplicationMessage, type StandbyMessage } from './protocol.ts';
import { WalReceiver, type BackupMeta, type ReceiverProgress } from './receiver.ts';
import { WalSenders } from './sender.ts';
import type { Slots } from './slots.ts';

/** The part of a transport replication needs (structurally the @walrtc/transport Transport). */
export interface PeerTransport {
  readonly nodeId: string;
  peers(): string[];
  on(event: 'peer' | 'peer-left', fn: (id: string) => void): () => void;
  on(event: 'message', fn: (from: string, msg: Uint8Array) => void): () => void;
  send(to: string, msg: Uint8Array): Promise<void>;
}

/** What the node lends replication: its WAL, database, storage and identity. */
export interface NodeCore {
  readonly nodeId: string;
  readonly wal: WalWriter;
  readonly db: Database;
  readonly storage: Storage;
  readonly slots: Slots;
  control: ControlFile | undefined;
  role: 'primary' | 'standby';
  replayer: Replayer;
  log(level: 'log' | 'warning', message: string): void;
}

export interface ReplicationSettings {
  upstream?: string;
  /** The slot this node streams through as a standby, or null for none. */
  slotName: string | null;
  maxWalSenders: number;
  archive?: WalArchive;
  autoBaseBackup: boolean;
  /** How often walsenders ask standbys for a status update, and nodes re-announce themselves. */
  keepaliveMs: number;
  onProgress?: (p: ReceiverProgress) => void;
}

export interface KnownNode extends NodeAnnouncement {
  lastSeen: Date;
}

export class Replication {
  readonly senders: WalSenders;
  readonly receiver: WalReceiver | undefined;
  private readonly known = new Map<string, KnownNode>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private archiving: Promise<void> = Promise.resolve();

  constructor(private readonly core: NodeCore, private readonly transport: PeerTransport, private readonly settings: ReplicationSettings) {
    this.senders = new WalSenders({
      nodeId: core.nodeId,
      wal: core.wal,
      slots: core.slots,
      maxWalSenders: settings.maxWalSenders,
      identity: () => this.identity(),
      snapshot: () => ({ lsn: core.wal.insertLsn, bytes: seal(takeSnapshot(core.db.state)) }),
      send: (to, msg) => this.send(to, msg),
      log: (m) => core.log('log', m),
    });
    this.receiver = core.role === 'standby' ? this.makeReceiver() : undefined;
    this.unsubscribe.push(
      transport.on('peer', (id) => {
        void this.send(id, { t: 'announce', node: this.announcement() });
        this.receiver?.poke();
      }),
      transport.on('peer-left', (id) => {
        this.known.delete(id);
        this.senders.peerLeft(id);
        this.receiver?.peerLeft(id);
      }),
      transport.on('message', (from, bytes) => void this.dispatch(from, bytes)),
    );
    if (settings.archive && core.role === 'primary') {
      const archive = settings.archive;
      this.unsubscribe.push(core.wal.onFlush((chunks) => {
        this.archiving = this.archiving.then(() => archive.archive(chunks)).catch((e) => core.log('warning', `archive command failed: ${String(e)}`));
      }));
    }
    this.timer = setInterval(() => {
      this.senders.keepalive();
      this.announce();
    }, settings.keepaliveMs);
    this.announce();
    this.receiver?.poke();
  }

  /** The node catalog: this node and every node it has heard from. */
  nodes(): KnownNode[] {
    return [{ ...this.announcement(), lastSeen: new Date() }, ...[...this.known.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1))];
  }

  announce(): void {
    const msg: ReplicationMessage = { t: 'announce', node: this.announcement() };
    for (const p of this.transport.peers()) void this.send(p, msg);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.receiver?.stop();
    for (const u of this.unsubscribe) u();
    await this.archiving;
  }

  private identity() {
    const c = this.core.control;
    return c ? { systemId: c.systemId, timeline: c.timeline, history: c.history } : undefined;
  }

  private announcement(): NodeAnnouncement {
    const c = this.core.control;
    return {
      nodeId: this.core.nodeId,
      systemId: c?.systemId ?? null,
      role: this.core.role,
      upstream: this.core.role === 'standby' ? (this.receiver?.snapshot().upstream ?? this.settings.upstream ?? null) : null,
      timeline: c?.timeline ?? 0,
      flushLsn: this.core.wal.flushLsn,
    };
  }

  private async send(to: string, msg: ReplicationMessage): Promise<void> {
    await this.transport.send(to, encodeMessage(msg));
  }

  private async dispatch(from: string, bytes: Uint8Array): Promise<void> {
    const decoded = decodeMessage(bytes);
    if (!decoded.ok) {
      this.core.log('warning', `rejected replication message from "${from}": ${decoded.reason}`);
      return;
    }
    const msg = decoded.msg;
    try {
      if (msg.t === 'announce') return this.heard(from, msg.node);
      if (isStandbyMessage(msg)) return await this.senders.handle(from, msg);
      if (this.receiver) return await this.receiver.handle(from, msg);
    } catch (e) {
      this.core.log('warning', `replication message "${msg.t}" from "${from}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private heard(from: string, node: NodeAnnouncement): void {
    if (node.nodeId !== from) {
      this.core.log('warning', `rejected announcement from "${from}" claiming to be "${node.nodeId}"`);
      return;
    }
    this.known.set(from, { ...node, lastSeen: new Date() });
    this.receiver?.poke();
  }

  /** The configured upstream, or the most advanced primary of this cluster among the peers. */
  private chooseUpstream(): string | undefined {
    if (this.settings.upstream) return this.transport.peers().includes(this.settings.upstream) ? this.settings.upstream : undefined;
    const systemId = this.core.control?.systemId;
    // a primary of another cluster is still chosen when it is the only one, so the mismatch is reported, not silently waited out
    const mine = (n: KnownNode) => (systemId && n.systemId === systemId ? 0 : 1);
    const candidates = [...this.known.values()].filter((n) => n.role === 'primary' && n.systemId !== null);
    candidates.sort((a, b) => mine(a) - mine(b) || b.timeline - a.timeline || (a.nodeId < b.nodeId ? -1 : 1));
    return candidates[0]?.nodeId;
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
      replayLsn: () => core.replayer.replayLsn,
      apply: (chunk, records) => {
        core.wal.appendChunk(chunk);
        for (const r of records) {
          const commit = core.replayer.apply(r);
          if (commit) core.db.publish(core.replayer.state, { end: commit.end, tables: commit.tables });
        }
      },
      installBackup: (meta, bytes) => this.installBackup(meta, bytes),
      followTimeline: async () => false,
      send: (to, msg: StandbyMessage) => this.send(to, msg),
      log: (level, m) => core.log(level, m),
      progress: (p) => this.settings.onProgress?.(p),
    });
  }

  /** Replace this node's state and WAL with a base backup consistent at meta.lsn. */
  private async installBackup(meta: BackupMeta, bytes: Uint8Array): Promise<void> {
    const core = this.core;
    const state: DbState = restoreSnapshot(unseal<Snapshot>(bytes, 'base backup'));
    const control: ControlFile = {
      systemId: meta.systemId,
      nodeId: core.nodeId,
      timeline: meta.timeline,
      checkpointLsn: meta.lsn,
      history: meta.history,
      slots: core.control?.slots ?? [],
    };
    await core.wal.flushAll().catch(() => {});
    await core.storage.removeWalFrom(0);
    await core.storage.writeCheckpoint({ lsn: meta.lsn, bytes }, control);
    core.control = control;
    core.wal.resetTo(meta.lsn);
    core.replayer = new Replayer(state, meta.lsn);
    core.db.publish(state, { end: meta.lsn, tables: new Set(state.tables.keys()) });
  }
}

function isStandbyMessage(msg: ReplicationMessage): msg is StandbyMessage {
  return msg.t === 'identify_system' || msg.t === 'timeline_history' || msg.t === 'start_replication' || msg.t === 'base_backup' || msg.t === 'status_update';
}

