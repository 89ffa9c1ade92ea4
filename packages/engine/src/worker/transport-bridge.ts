/**
 * The transport bridge: WebRTC (RTCPeerConnection) exists only on the page, the engine runs in a
 * worker, so the page serves its transport over a MessagePort and the worker sees a
 * PeerTransport-shaped proxy. This file holds the whole conversation: the message kinds of each
 * direction, the page end (serveTransport) and the worker end (bridgedTransport).
 *
 * Bytes are copied exactly once per hop and the copy is transferred, never cloned: the engine
 * and the transports hand out views into buffers they keep using (msgpackr's scratch buffer, the
 * WAL kept in memory, the memory network's shared messages), so neither side may give away the
 * buffer it was handed.
 */
import type { PeerTransport } from '../replication/peer-transport.ts';

/** Sent by the page. `hello` is first and lists the peers already connected. */
export type PageMessage =
  | { t: 'hello'; peers: string[] }
  | { t: 'peer'; id: string }
  | { t: 'peer-left'; id: string }
  | { t: 'message'; from: string; bytes: Uint8Array }
  | { t: 'sent'; id: number; error?: { message: string; code?: string } };

/** Sent by the worker. */
export type WorkerMessage = { t: 'send'; id: number; to: string; bytes: Uint8Array };

/** A copy of `bytes` in a buffer of its own, ready to transfer. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

/** `parts` joined in a buffer of their own, ready to transfer (not wal/codec's concat: the page's bundle holds no engine module). */
function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Page end: forward the transport's events to `port` and run the worker's sends. Returns the detach function. */
export function serveTransport(transport: PeerTransport, port: MessagePort): () => void {
  const post = (m: PageMessage, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  const offs = [
    transport.on('peer', (id) => post({ t: 'peer', id })),
    transport.on('peer-left', (id) => post({ t: 'peer-left', id })),
    transport.on('message', (from, msg) => {
      const bytes = own(msg);
      post({ t: 'message', from, bytes }, [bytes.buffer]);
    }),
  ];
  port.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const m = e.data;
    if (m?.t !== 'send') return;
    transport.send(m.to, m.bytes).then(
      () => post({ t: 'sent', id: m.id }),
      (err: unknown) => {
        const { message, code } = err as { message?: unknown; code?: unknown };
        post({ t: 'sent', id: m.id, error: { message: String(message ?? err), code: typeof code === 'string' ? code : undefined } });
      },
    );
  };
  // posted after subscribing, in the same task: no event can fall between the list and the events
  post({ t: 'hello', peers: transport.peers() });
  return () => {
    for (const off of offs) off();
    port.onmessage = null;
    port.close();
  };
}

type Listener = (...args: never[]) => void;

/** Worker end: a PeerTransport whose peers, events and sends go through `port`. */
export function bridgedTransport(port: MessagePort, nodeId: string): PeerTransport & { close(): void } {
  const peers = new Set<string>();
  const listeners = { peer: new Set<Listener>(), 'peer-left': new Set<Listener>(), message: new Set<Listener>() };
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const emit = (event: keyof typeof listeners, ...args: unknown[]) => {
    for (const fn of listeners[event]) (fn as (...a: unknown[]) => void)(...args);
  };
  const joined = (id: string) => {
    if (peers.has(id)) return;
    peers.add(id);
    emit('peer', id);
  };
  port.onmessage = (e: MessageEvent<PageMessage>) => {
    const m = e.data;
    switch (m?.t) {
      case 'hello':
        for (const id of m.peers) joined(id);
        return;
      case 'peer':
        return joined(m.id);
      case 'peer-left':
        if (peers.delete(m.id)) emit('peer-left', m.id);
        return;
      case 'message':
        return emit('message', m.from, m.bytes);
      case 'sent': {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (!p) return;
        if (!m.error) p.resolve();
        else p.reject(Object.assign(new Error(m.error.message), { name: 'TransportError', code: m.error.code }));
      }
    }
  };
  const post = (to: string, bytes: Uint8Array) => {
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      port.postMessage({ t: 'send', id, to, bytes } satisfies WorkerMessage, [bytes.buffer]);
    });
  };
  return {
    nodeId,
    peers: () => [...peers].sort(),
    on(event: 'peer' | 'peer-left' | 'message', fn: Listener) {
      listeners[event].add(fn);
      return () => void listeners[event].delete(fn);
    },
    send(to, msg) {
      return post(to, own(msg));
    },
    // a base backup's message comes as parts (a stored chunk behind its headers): joined straight into the
    // buffer that is transferred, not joined first and then copied again (56 MB of garbage per 1M-row backup)
    sendParts(to, parts) {
      return post(to, joinParts(parts));
    },
    close() {
      port.onmessage = null;
      port.close();
      for (const p of pending.values()) p.reject(Object.assign(new Error('the transport bridge is closed'), { name: 'TransportError', code: 'closed' }));
      pending.clear();
    },
  } as PeerTransport & { close(): void };
}
