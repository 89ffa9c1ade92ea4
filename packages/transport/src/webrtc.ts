// webrtcTransport: discovery over pluggable signaling, one authenticated Connection per remote
// node, and the Transport API on top. Owns the connection registry and its invariants: the
// lower node id initiates, a newer session of a node replaces the stale one, at most one each.

import type { SignalData } from '@thaunknown/simple-peer/lite.js';
import { ClusterKey, randomNonce } from './auth.ts';
import { Connection, type ConnectionEvents, type Timing } from './connection.ts';
import { Emitter } from './emitter.ts';
import type { Wrtc } from './rtc.ts';
import { openEnvelope, sealEnvelope, type Envelope, type Unsigned } from './signaling/envelope.ts';
import type { Signaling, SignalingChannel } from './signaling/signaling.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, TransportError, type Logger, type Transport, type TransportEvent, type TransportEvents } from './transport.ts';

export interface WebrtcTransportOptions {
  cluster: string;
  nodeId: string;
  /** The cluster secret. Only HMACs derived from it ever leave this node. */
  key: string;
  signaling: Signaling;
  /** Node without webrtc-polyfill's default, or another implementation: `{ RTCPeerConnection }`. */
  wrtc?: Wrtc;
  iceServers?: RTCIceServer[];
  /** Keep every ICE candidate on 127.0.0.1 (tests and benchmarks). Default false. */
  loopbackOnly?: boolean;
  /** Largest message accepted in either direction; default 64 MiB. */
  maxMessageSize?: number;
  /** Heartbeat period; default 1000 ms. */
  heartbeatMs?: number;
  /** A peer silent for this long is reported left; default 5000 ms. */
  peerTimeoutMs?: number;
  /** A connection not authenticated within this is abandoned; default 15000 ms. */
  connectTimeoutMs?: number;
  log?: Logger;
}

const MAX_REMEMBERED = 1000; // bound on per-stranger bookkeeping
const MAX_RETRIES = 5;
const RETRY_MS = 250; // times the attempt number

/** Create a transport; it joins signaling at once and connects to every node it hears of. */
export function webrtcTransport(options: WebrtcTransportOptions): Transport {
  return new WebrtcTransport(options);
}

class WebrtcTransport implements Transport {
  readonly nodeId: string;
  readonly #session = randomNonce(); // a reload is a new session: that is how stale connections are told apart
  readonly #o: WebrtcTransportOptions;
  readonly #log: Logger;
  readonly #emitter: Emitter;
  readonly #timing: Timing;
  readonly #conns = new Map<string, Connection>();
  readonly #known = new Map<string, string>(); // remote id -> its latest announced session
  readonly #attempts = new WeakMap<Connection, number>();
  readonly #refusedConns = new WeakSet<Connection>();
  readonly #retries = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #refusedOnce = new Set<string>(); // "from|reason": report each refusal once, not per message
  readonly #started: Promise<void>;
  #key: ClusterKey | null = null;
  #channel: SignalingChannel | null = null;
  #inbox: Promise<void> = Promise.resolve(); // envelopes are verified asynchronously but handled in order
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: WebrtcTransportOptions) {
    this.#o = options;
    this.nodeId = options.nodeId;
    this.#log = options.log ?? ((m) => console.warn(m));
    this.#emitter = new Emitter(this.#log);
    this.#timing = {
      heartbeatMs: options.heartbeatMs ?? 1000,
      peerTimeoutMs: options.peerTimeoutMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15000,
    };
    this.#started = this.#start();
  }

  async #start(): Promise<void> {
    this.#key = await ClusterKey.import(this.#o.cluster, this.#o.key);
    if (this.#closed) return;
    this.#channel = this.#o.signaling.join(this.#o.cluster, {
      message: (text) => {
        this.#inbox = this.#inbox.then(() => this.#onSignalingText(text)).catch((err) => this.#log(`transport ${this.nodeId}: ${String(err)}`));
      },
      ready: () => void this.#post({ type: 'announce', to: '', toSession: '', body: '' }),
    });
  }

  peers(): string[] {
    return [...this.#conns.values()].filter((c) => c.ready).map((c) => c.remoteId).sort();
  }

  on<E extends TransportEvent>(event: E, fn: TransportEvents[E]): () => void {
    return this.#emitter.on(event, fn);
  }

  off<E extends TransportEvent>(event: E, fn: TransportEvents[E]): void {
    this.#emitter.off(event, fn);
  }

  send(to: string, msg: Uint8Array): Promise<void> {
    const conn = this.#conns.get(to);
    if (!conn?.ready) return Promise.reject(new TransportError('not-connected', `${to} is not a connected peer of ${this.nodeId}`));
    return conn.send(msg);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      for (const timer of this.#retries.values()) clearTimeout(timer);
      await this.#started;
      await this.#post({ type: 'bye', to: '', toSession: '', body: '' });
      await Promise.all([...this.#conns.values()].map((c) => c.close(`${this.nodeId} closed`, true)));
      await this.#channel?.close();
      this.#emitter.clear();
    })();
    return this.#closing;
  }

  /** Test hook: the live Connection objects, to check that exactly one exists per peer. */
  connectionsForTest(): Connection[] {
    return [...this.#conns.values()];
  }

  async #post(e: Unsigned | Omit<Unsigned, 'from' | 'session'>): Promise<void> {
    if (!this.#key || !this.#channel) return;
    this.#channel.send(await sealEnvelope(this.#key, { from: this.nodeId, session: this.#session, ...e }));
  }

  async #onSignalingText(text: string): Promise<void> {
    if (this.#closed || !this.#key) return;
    const opened = await openEnvelope(this.#key, text);
    if (!opened.ok) {
      if ('ignore' in opened) return;
      this.#refuse(opened.from ?? '(unknown)', opened.reason);
      // Answer a stranger's broadcast announce once, so it too learns why no connection forms.
      if (opened.from && opened.from !== this.nodeId && this.#remember(`reply|${opened.from}`)) {
        await this.#post({ type: 'announce', to: opened.from, toSession: '', body: '' });
      }
      return;
    }
    const e = opened.envelope;
    if (this.#closed || e.from === this.nodeId) return;
    if (e.to !== '' && (e.to !== this.nodeId || (e.toSession !== '' && e.toSession !== this.#session))) return;
    switch (e.type) {
      case 'announce':
        if (e.to === '') await this.#post({ type: 'announce', to: e.from, toSession: e.session, body: '' });
        this.#discovered(e);
        return;
      case 'signal':
        return this.#onSignal(e);
      case 'bye': {
        const conn = this.#conns.get(e.from);
        if (conn?.remoteSession === e.session) void conn.close(`${e.from} said goodbye`);
        return;
      }
    }
  }

  /** Heard of `from`'s session: replace a stale connection; the lower id starts a new one. */
  #discovered(e: Envelope): void {
    this.#known.set(e.from, e.session);
    const existing = this.#conns.get(e.from);
    if (existing?.remoteSession === e.session) return;
    if (existing) void existing.close(`${e.from} reconnected as a new session`, true);
    if (this.nodeId < e.from) this.#connect(e.from, e.session, true);
  }

  #onSignal(e: Envelope): void {
    let data: SignalData;
    try {
      data = JSON.parse(e.body) as SignalData;
    } catch {
      return this.#log(`transport ${this.nodeId}: unreadable signal from ${e.from}`);
    }
    let conn = this.#conns.get(e.from);
    if (conn?.remoteSession !== e.session) {
      // Only the initiator's offer may open a connection; anything else is for a session we dropped.
      if (this.nodeId < e.from || data.type !== 'offer') return;
      if (conn) void conn.close(`${e.from} reconnected as a new session`, true);
      conn = this.#connect(e.from, e.session, false);
    } else if (data.type === 'offer' && !conn.ready) {
      // The initiator gave up on the last attempt and retries: start over with it.
      void conn.close(`${e.from} retried the connection`);
      conn = this.#connect(e.from, e.session, false);
    }
    conn.signal(data);
  }

  #connect(remoteId: string, remoteSession: string, initiator: boolean, attempt = 0): Connection {
    const key = this.#key;
    if (!key) throw new Error('unreachable: signaling is joined only after the key is imported');
    const conn = new Connection({
      nodeId: this.nodeId,
      remoteId,
      remoteSession,
      initiator,
      key,
      rtc: { iceServers: this.#o.iceServers ?? [], loopbackOnly: this.#o.loopbackOnly ?? false, wrtc: this.#o.wrtc },
      maxMessageSize: this.#o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      timing: this.#timing,
      log: this.#log,
      events: this.#events,
    });
    this.#attempts.set(conn, attempt);
    this.#conns.set(remoteId, conn);
    return conn;
  }

  /** The initiator retries a connection that failed before becoming ready (e.g. ICE or DTLS timeout). */
  #retry(conn: Connection, attempt: number): void {
    if (this.#closed || this.nodeId > conn.remoteId || attempt > MAX_RETRIES) return;
    const id = conn.remoteId;
    clearTimeout(this.#retries.get(id));
    this.#retries.set(
      id,
      setTimeout(() => {
        this.#retries.delete(id);
        if (this.#closed || this.#conns.has(id) || this.#known.get(id) !== conn.remoteSession) return;
        this.#connect(id, conn.remoteSession, true, attempt);
      }, RETRY_MS * attempt),
    );
  }

  readonly #events: ConnectionEvents = {
    ready: (conn) => {
      if (this.#conns.get(conn.remoteId) === conn && !this.#closed) this.#emitter.emit('peer', conn.remoteId);
    },
    message: (conn, data) => this.#emitter.emit('message', conn.remoteId, data),
    closed: (conn, reason, wasReady) => {
      if (this.#conns.get(conn.remoteId) !== conn) return; // replaced: its successor owns the id
      this.#conns.delete(conn.remoteId);
      if (wasReady && !this.#closed) this.#emitter.emit('peer-left', conn.remoteId, reason);
      if (!wasReady && !this.#refusedConns.has(conn)) this.#retry(conn, (this.#attempts.get(conn) ?? 0) + 1);
    },
    refused: (conn, reason) => {
      this.#refusedConns.add(conn); // a refusal is final: no retry
      this.#refuse(conn.remoteId, reason);
    },
    signal: (conn, data) =>
      void this.#post({ type: 'signal', to: conn.remoteId, toSession: conn.remoteSession, body: JSON.stringify(data) }),
  };

  #refuse(from: string, reason: string): void {
    if (!this.#remember(`${from}|${reason}`)) return;
    this.#log(`transport ${this.nodeId}: refused ${from}: ${reason}`);
    if (!this.#closed) this.#emitter.emit('refused', from, reason);
  }

  /** True the first time `token` is seen (bounded memory). */
  #remember(token: string): boolean {
    if (this.#refusedOnce.has(token)) return false;
    if (this.#refusedOnce.size >= MAX_REMEMBERED) this.#refusedOnce.clear();
    this.#refusedOnce.add(token);
    return true;
  }
}
