// WebSocket signaling for separate devices: one socket per node to the relay in server.ts,
// room = URL path. Reconnects after a drop (the transport re-announces on `ready`).
// Browsers use their WebSocket; Node 20 has none, so the `ws` package is loaded on demand.

import type { Signaling, SignalingChannel, SignalingHandlers } from './signaling.ts';

/** The part of the WebSocket API shared by browsers and `ws`. */
interface Socket {
  readonly readyState: number;
  onopen: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(text: string): void;
  close(): void;
}
type SocketCtor = new (url: string) => Socket;

const OPEN = 1;
const STABLE_MS = 10_000; // a socket open this long was not refused: reconnect at the base delay
const MAX_QUEUED = 1000; // texts kept while disconnected; beyond this signaling is best effort anyway

async function socketClass(): Promise<SocketCtor> {
  const native = (globalThis as { WebSocket?: SocketCtor }).WebSocket;
  if (native) return native;
  const ws = await import('ws');
  return ws.WebSocket as unknown as SocketCtor;
}

export interface WebsocketSignalingOptions {
  /** Delay before reconnecting after the socket drops; doubles while connecting fails, up to 32×. Default 1000 ms. */
  reconnectMs?: number;
  /** The room token a server started with `roomSecret` requires (`roomToken(secret, room)`). */
  token?: string;
}

/** `url` of the signaling server, e.g. `ws://127.0.0.1:8787`; the room is appended as the path. */
export function websocketSignaling(url: string, options: WebsocketSignalingOptions = {}): Signaling {
  const reconnectMs = options.reconnectMs ?? 1000;
  return {
    join(room: string, handlers: SignalingHandlers): SignalingChannel {
      const query = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`;
      const target = `${url.replace(/\/+$/, '')}/${encodeURIComponent(room)}${query}`;
      let failures = 0; // consecutive sockets that failed or were refused soon after opening
      let openedAt = 0;
      let socket: Socket | null = null;
      let closed = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      const queue: string[] = [];

      const connect = async () => {
        const Ctor = await socketClass();
        if (closed) return;
        const s = new Ctor(target);
        socket = s;
        s.onopen = () => {
          openedAt = Date.now();
          for (const text of queue.splice(0)) s.send(text);
          handlers.ready();
        };
        s.onmessage = (ev) => {
          if (typeof ev.data === 'string') handlers.message(ev.data);
        };
        s.onerror = () => {}; // onclose follows and handles it
        s.onclose = () => {
          socket = null;
          failures = openedAt > 0 && Date.now() - openedAt > STABLE_MS ? 0 : Math.min(failures + 1, 5);
          openedAt = 0;
          if (!closed) retry = setTimeout(() => void connect(), reconnectMs * 2 ** Math.max(0, failures - 1));
        };
      };
      void connect();

      return {
        send(text) {
          if (closed) return;
          if (socket?.readyState === OPEN) socket.send(text);
          else if (queue.length < MAX_QUEUED) queue.push(text);
        },
        close() {
          closed = true;
          clearTimeout(retry);
          socket?.close();
          socket = null;
        },
      };
    },
  };
}
