// The signaling relay for websocket.ts: rooms by URL path, every text relayed to the other
// members of the same room. It knows nothing of keys or data (envelopes are MAC'd end to end).
// Binds 127.0.0.1 unless told otherwise.

import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface SignalServerOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 8787; 0 picks a free port
  log?: (message: string) => void;
}

export interface SignalServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_TEXT = 256 * 1024; // an SDP with candidates is a few KiB
const KEEPALIVE_MS = 30_000; // drop sockets whose far end vanished

export async function startSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const host = options.host ?? '127.0.0.1';
  const wss = new WebSocketServer({ host, port: options.port ?? 8787, maxPayload: MAX_TEXT });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const rooms = new Map<string, Set<WebSocket>>();
  const alive = new WeakSet<WebSocket>();

  wss.on('connection', (socket, req) => {
    const room = decodeURIComponent(new URL(req.url ?? '/', 'ws://x').pathname.slice(1)) || 'default';
    let members = rooms.get(room);
    if (!members) rooms.set(room, (members = new Set()));
    members.add(socket);
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return; // envelopes are text
      for (const peer of members) if (peer !== socket && peer.readyState === peer.OPEN) peer.send(data, { binary: false });
    });
    socket.on('close', () => {
      members.delete(socket);
      if (members.size === 0) rooms.delete(room);
    });
    socket.on('error', (err) => options.log?.(`signal server: socket error: ${err.message}`));
  });

  const keepalive = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) socket.terminate();
      else {
        alive.delete(socket);
        socket.ping();
      }
    }
  }, KEEPALIVE_MS);

  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepalive);
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
