/**
 * The always-on Node peer: a walrtc node on file storage that joins its cluster over WebRTC
 * (node-datachannel), serves the WebSocket signaling relay itself, keeps the cluster's WAL
 * archive (archive_mode = always: what it receives as a standby is archived too; standbys read it
 * over HTTP on the relay's port with `peerArchive`), relays WAL to
 * standbys that name it as upstream (cascading), and optionally runs the PostgreSQL bridge, in
 * which case it is the cluster's primary and writes standbys' offline transactions back to
 * PostgreSQL (forwardToPostgres). Logs PostgreSQL-style lines with a periodic health line;
 * close() (SIGTERM in the CLI) stops the bridge, the node, the transport and the relay in order.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openNode, type Node, type NodeOptions } from '@walrtc/engine';
import { webrtcTransport, websocketSignaling, type Transport } from '@walrtc/transport';
import { archiveRequestHandler, startSignalServer, type SignalServer, type SignalServerOptions } from '@walrtc/transport/server';
import { startBridge, type Bridge, type BridgeOptions } from '../bridge/bridge.ts';
import { forwardToPostgres, type PostgresWriteBack } from '../bridge/forward.ts';
import { fileArchive, type FileArchive } from '../storage/archive.ts';
import { fileStorage, type FileStorage } from '../storage/file.ts';
import { pgLogger, type LineSink, type Logger } from './log.ts';

export interface PeerOptions {
  cluster: string;
  /** The cluster key (generateClusterKey()) or passphrase; a list during a rotation. */
  key: string | readonly string[];
  /** Where the peer keeps its database (`db/`), archive (`archive/`) and node id. */
  dataDir: string;
  /** Default: generated once and kept in `<dataDir>/node_id`. */
  nodeId?: string;
  /** Serve WebSocket signaling here (default 127.0.0.1:8787; port 0 picks a free one); false to serve none. */
  listen?: (SignalServerOptions & { host?: string; port?: number }) | false;
  /** Use this relay instead of (or besides) its own: a ws:// or wss:// URL. Default: its own. */
  signaling?: string;
  /** 'auto' (default): a voting member that follows the primary; 'standby' never becomes primary. With `bridge` the peer is the primary. */
  role?: 'auto' | 'standby';
  /** Stream from this node instead of the primary. */
  upstream?: string;
  /** With role 'auto': win elections among equally advanced candidates (electionPriority 1), so the always-on peer becomes the primary when it is as far along as any browser. */
  preferredPrimary?: boolean;
  /** ICE only on 127.0.0.1 (tests, one machine). */
  loopbackOnly?: boolean;
  iceServers?: RTCIceServer[];
  /** Run the PostgreSQL → walrtc bridge: this peer becomes the cluster's primary. */
  bridge?: Omit<BridgeOptions, 'node' | 'log'>;
  /** Period of the health line in ms; default 60,000 (0: none). */
  healthIntervalMs?: number;
  /** Where log lines go; default stderr. */
  logLine?: LineSink;
  /** Further node settings (synchronous commit, WAL sizes, timeouts). */
  node?: Partial<NodeOptions>;
  /** Another transport (tests); default WebRTC through the signaling above. */
  transport?: Transport;
}

export interface Peer {
  readonly node: Node;
  readonly nodeId: string;
  /** ws:// URL of the relay this peer serves, if it serves one. */
  readonly signalUrl: string | undefined;
  readonly archive: FileArchive;
  readonly bridge: Bridge | undefined;
  /** The health line's fields. */
  health(): Promise<Record<string, string | number>>;
  close(): Promise<void>;
}

async function persistentNodeId(dataDir: string, given: string | undefined): Promise<string> {
  const path = join(dataDir, 'node_id');
  const stored = await readFile(path, 'utf8').then((s) => s.trim(), () => undefined);
  if (given && stored && given !== stored) throw new Error(`data directory "${dataDir}" belongs to node "${stored}", not "${given}"`);
  const id = given ?? stored ?? `peer-${crypto.randomUUID().slice(0, 8)}`;
  if (!stored) await writeFile(path, `${id}\n`);
  return id;
}

export async function startPeer(o: PeerOptions): Promise<Peer> {
  const sink = o.logLine ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const log: Logger = pgLogger(sink);
  await mkdir(o.dataDir, { recursive: true });
  const nodeId = await persistentNodeId(o.dataDir, o.nodeId);
  let server: SignalServer | undefined;
  let storage: FileStorage | undefined;
  let archive: FileArchive | undefined;
  let transport: Transport | undefined;
  let node: Node | undefined;
  let writeBack: PostgresWriteBack | undefined;
  if (o.preferredPrimary && (o.role === 'standby' || o.bridge)) throw new Error('preferredPrimary needs role "auto" (a standby-only peer or a bridge is never elected)');
  try {
    storage = await fileStorage(join(o.dataDir, 'db'));
    archive = await fileArchive(join(o.dataDir, 'archive'));
    if (o.listen !== false) {
      // the relay's port also answers signed archive reads: restore_command for browsers
      const onRequest = archiveRequestHandler(archive, { cluster: o.cluster, key: o.key, log: (m) => log('warning', m) });
      server = await startSignalServer({ host: '127.0.0.1', port: 8787, ...o.listen, onRequest, log: (m) => log('log', m) });
      log('log', `listening for signaling and archive reads on ${server.url}`);
    }
    const relay = o.signaling ?? server?.url;
    if (!relay && !o.transport) throw new Error('the peer needs a signaling relay: serve one (listen) or name one (signaling)');
    transport = o.transport ?? webrtcTransport({
      cluster: o.cluster,
      nodeId,
      key: o.key,
      signaling: websocketSignaling(relay!),
      loopbackOnly: o.loopbackOnly,
      iceServers: o.iceServers,
      log: (m) => log('log', m),
    });
    const primary = !!o.bridge;
    let bridge: Bridge | undefined;
    // browsers' offline writes go to PostgreSQL, and come back through the bridge's stream
    writeBack = o.bridge && forwardToPostgres(o.bridge.postgres, () => bridge);
    node = await openNode({
      cluster: o.cluster,
      nodeId,
      storage,
      transport,
      archive,
      archiveMode: 'always',
      role: primary ? 'primary' : (o.role ?? 'auto'),
      failover: primary || o.role === 'standby' ? 'manual' : 'auto',
      upstream: o.upstream,
      electionPriority: o.preferredPrimary ? 1 : 0,
      log,
      ...(writeBack ? { applyForwarded: writeBack.apply } : {}),
      ...o.node,
    });
    log('log', `database system is ready: node "${nodeId}" of cluster "${o.cluster}" (${primary ? 'primary, PostgreSQL bridge' : o.role ?? 'auto'})`);
    bridge = o.bridge ? await startBridge({ ...o.bridge, node, log }) : undefined;
    bridge?.done.catch(() => log('warning', 'the PostgreSQL bridge stopped: the cluster keeps serving reads; restart the peer once the cause is fixed'));
    const opened = { node, storage, archive, transport, server };
    const health = async () => {
      const s = await opened.node.status();
      const mem = process.memoryUsage();
      const b = bridge?.status();
      return {
        role: s.role,
        timeline: s.timeline,
        flush: s.lsn.flush,
        replay: s.lsn.replay,
        upstream: s.upstream ?? '-',
        peers: opened.transport.peers().length,
        standbys: s.replication.length,
        signal_clients: opened.server?.connections() ?? 0,
        rss_mb: Math.round(mem.rss / 1048576),
        heap_mb: Math.round(mem.heapUsed / 1048576),
        wal_on_disk_kb: Math.round((await opened.storage.walDiskBytes()) / 1024),
        ...(b ? { bridge: b.state, pg_applied: b.appliedLsn, pg_pending: b.pendingChanges } : {}),
      };
    };
    const every = o.healthIntervalMs ?? 60_000;
    const timer = every > 0 ? setInterval(() => void health().then((h) => log('log', `health: ${Object.entries(h).map(([k, v]) => `${k}=${v}`).join(' ')}`), () => {}), every) : undefined;
    timer?.unref();
    let closing: Promise<void> | undefined;
    return {
      node,
      nodeId,
      signalUrl: server?.url,
      archive,
      bridge,
      health,
      close: () => (closing ??= (async () => {
        log('log', 'received fast shutdown request');
        clearInterval(timer);
        await bridge?.stop().catch(() => {});
        await writeBack?.close();
        await opened.node.close();
        await opened.transport.close();
        await opened.archive.close();
        await opened.server?.close();
        log('log', 'database system is shut down');
      })()),
    };
  } catch (e) {
    await writeBack?.close();
    await node?.close().catch(() => {});
    if (!node) await storage?.close().catch(() => {});
    await transport?.close().catch(() => {});
    await archive?.close().catch(() => {});
    await server?.close().catch(() => {});
    throw e;
  }
}
