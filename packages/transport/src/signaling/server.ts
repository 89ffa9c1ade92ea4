// The signaling relay for websocket.ts: rooms by URL path, every text relayed to the other
// members of the same room. It knows nothing of keys or data (envelopes are MAC'd, optionally
// encrypted, end to end) and keeps no state beyond its connected sockets. Every resource a
// client can make it spend is bounded (SignalLimits). Binds 127.0.0.1 unless told otherwise;
// for other devices run it behind a TLS-terminating proxy (SECURITY.md).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SignalLimits {
  /** Largest text relayed; larger ones close the socket (1009). Default 64 KiB (an SDP is a few KiB). */
  maxMessageBytes?: number;
  /** Per connection, sustained; bursts of twice this. Default 20. */
  messagesPerSecond?: number;
  /** Per connection, sustained; bursts of twice this. Default 64 KiB. */
  bytesPerSecond?: number;
  /** Open sockets per client address (each socket is one room, so this also bounds rooms per client). Default 16. */
  maxConnectionsPerIp?: number;
  /** Default 10,000. */
  maxConnections?: number;
  /** Members of one room. Default 64. */
  maxPeersPerRoom?: number;
  /** A socket that has sent nothing for this long is closed (the client reconnects and re-announces). Default 600,000 ms. */
  idleTimeoutMs?: number;
  /** A member whose unsent backlog exceeds this is dropped (a reader that never reads). Default 256 KiB. */
  maxBufferedBytes?: number;
}

export interface SignalServerOptions extends SignalLimits {
  host?: string; // default 127.0.0.1
  port?: number; // default 8787; 0 picks a free port
  /** When set, a client must connect with `?token=<roomToken(roomSecret, room)>`. */
  roomSecret?: string;
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. Default false. */
  trustProxy?: boolean;
  log?: (message: string) => void;
  /** Plain HTTP requests on the same port (the Node peer serves its WAL archive there); default: 426 Upgrade Required. */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface SignalServer {
  readonly url: string;
  readonly port: number;
  /** Open sockets; a test hook and a health figure. */
  connections(): number;
  close(): Promise<void>;
}

const KEEPALIVE_MS = 30_000; // drop sockets whose far end vanished
const MAX_ROOM_NAME = 256;
const POLICY = 1008; // WebSocket close code: policy violation
const TRY_AGAIN = 1013;

/** The token for `room` under `secret` (HMAC-SHA-256, base64url): hand it to the room's nodes. */
export function roomToken(secret: string, room: string): string {
  return createHmac('sha256', secret).update(`walrtc-room:${room}`).digest('base64url');
}

function tokenMatches(secret: string, room: string, given: string | null): boolean {
  const want = Buffer.from(roomToken(secret, room));
  const got = Buffer.from(given ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Per-socket state: what it may still send, and when it last did. */
class Client {
  #messages: number;
  #bytes: number;
  #at = Date.now();
  lastMessage = Date.now();
  alive = true;
  dropped = false;

  constructor(
    readonly ip: string,
    readonly room: string,
    private readonly limits: Required<SignalLimits>,
  ) {
    this.#messages = 2 * limits.messagesPerSecond;
    this.#bytes = 2 * limits.bytesPerSecond;
  }

  /** Charge one message; the reason to drop the client if it is over its rate. */
  charge(bytes: number): string | null {
    const now = Date.now();
    const s = (now - this.#at) / 1000;
    this.#at = this.lastMessage = now;
    const l = this.limits;
    this.#messages = Math.min(2 * l.messagesPerSecond, this.#messages + s * l.messagesPerSecond) - 1;
    this.#bytes = Math.min(2 * l.bytesPerSecond, this.#bytes + s * l.bytesPerSecond) - bytes;
    if (this.#messages < 0) return `more than ${l.messagesPerSecond} messages per second`;
    if (this.#bytes < 0) return `more than ${l.bytesPerSecond} bytes per second`;
    return null;
  }
}

export function resolveSignalLimits(o: SignalLimits): Required<SignalLimits> {
  return {
    maxMessageBytes: o.maxMessageBytes ?? 64 * 1024,
    messagesPerSecond: o.messagesPerSecond ?? 20,
    bytesPerSecond: o.bytesPerSecond ?? 64 * 1024,
    maxConnectionsPerIp: o.maxConnectionsPerIp ?? 16,
    maxConnections: o.maxConnections ?? 10_000,
    maxPeersPerRoom: o.maxPeersPerRoom ?? 64,
    idleTimeoutMs: o.idleTimeoutMs ?? 600_000,
    maxBufferedBytes: o.maxBufferedBytes ?? 256 * 1024,
  };
}

export async function startSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const host = options.host ?? '127.0.0.1';
  const limits = resolveSignalLimits(options);
  const log = options.log ?? (() => {});
  const http = options.onRequest ? createServer(options.onRequest) : undefined;
  const wss = http
    ? new WebSocketServer({ server: http, maxPayload: limits.maxMessageBytes, perMessageDeflate: false })
    : new WebSocketServer({ host, port: options.port ?? 8787, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    (http ?? wss).once('listening', resolve);
    (http ?? wss).once('error', reject);
    http?.listen(options.port ?? 8787, host);
  });
  // The only state: the open sockets, indexed by room and by address.
  const rooms = new Map<string, Set<WebSocket>>();
  const perIp = new Map<string, number>();
  const clients = new WeakMap<WebSocket, Client>();

  const addressOf = (req: IncomingMessage): string => {
    const forwarded = options.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
    return last || req.socket.remoteAddress || 'unknown';
  };

  /** Close with a reason, and cut the socket if the far end does not finish the close promptly. */
  const drop = (socket: WebSocket, code: number, reason: string) => {
    const c = clients.get(socket);
    if (c) c.dropped = true;
    log(`signal server: closing a connection${c ? ` from ${c.ip} (room ${JSON.stringify(c.room).slice(0, 60)})` : ''}: ${reason}`);
    socket.close(code, reason.slice(0, 120));
    setTimeout(() => socket.terminate(), 1000).unref();
  };

  wss.on('connection', (socket, req) => {
    socket.on('error', (err) => log(`signal server: socket error: ${err.message}`));
    const url = new URL(req.url ?? '/', 'ws://x');
    let room: string;
    try {
      room = decodeURIComponent(url.pathname.slice(1)) || 'default';
    } catch {
      return drop(socket, POLICY, 'malformed room name');
    }
    const ip = addressOf(req);
    if (room.length > MAX_ROOM_NAME) return drop(socket, POLICY, 'room name too long');
    if (options.roomSecret !== undefined && !tokenMatches(options.roomSecret, room, url.searchParams.get('token'))) {
      return drop(socket, POLICY, 'a valid room token is required');
    }
    if (wss.clients.size > limits.maxConnections) return drop(socket, TRY_AGAIN, 'server full');
    if ((perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) return drop(socket, TRY_AGAIN, 'too many connections from this address');
    const members = rooms.get(room) ?? new Set<WebSocket>();
    if (members.size >= limits.maxPeersPerRoom) return drop(socket, TRY_AGAIN, 'room is full');

    const client = new Client(ip, room, limits);
    clients.set(socket, client);
    rooms.set(room, members);
    members.add(socket);
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data, isBinary) => {
      if (client.dropped) return;
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
      const over = client.charge(bytes);
      if (over) return drop(socket, POLICY, `rate limit exceeded (${over})`);
      if (isBinary) return drop(socket, POLICY, 'binary messages are not relayed');
      for (const peer of members) {
        if (peer === socket || peer.readyState !== peer.OPEN) continue;
        if (peer.bufferedAmount + bytes > limits.maxBufferedBytes) {
          drop(peer, POLICY, `not reading (more than ${limits.maxBufferedBytes} bytes unsent)`);
          continue;
        }
        peer.send(data, { binary: false });
      }
    });
    socket.on('close', () => {
      members.delete(socket);
      if (members.size === 0) rooms.delete(room);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n === 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
  });

  const keepalive = setInterval(() => {
    for (const socket of wss.clients) {
      const c = clients.get(socket);
      if (!c || c.dropped) continue;
      if (!c.alive) socket.terminate(); // no pong since the last round: the far end is gone
      else {
        c.alive = false;
        socket.ping();
      }
    }
  }, KEEPALIVE_MS);
  const idle = setInterval(() => {
    const now = Date.now();
    for (const socket of wss.clients) {
      const c = clients.get(socket);
      if (c && !c.dropped && now - c.lastMessage > limits.idleTimeoutMs) drop(socket, 1000, 'idle');
    }
  }, Math.max(10, limits.idleTimeoutMs / 4));

  const port = ((http ?? wss).address() as AddressInfo).port;
  return {
    url: `ws://${host}:${port}`,
    port,
    connections: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepalive);
        clearInterval(idle);
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => {
          if (!http) return resolve();
          http.closeAllConnections();
          http.close(() => resolve());
        });
      }),
  };
}

export { archiveRequestHandler, type ArchiveSource } from '../archive/server.ts';
