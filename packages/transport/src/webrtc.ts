// webrtcTransport: discovery over pluggable signaling, one authenticated Connection per remote
// node, and the Transport API on top. Owns the connection registry and its invariants: the
// lower node id initiates, a newer session of a node replaces the stale one, at most one each.

import type { SignalData } from '@thaunknown/simple-peer/lite.js';
import { ClusterKey, randomNonce } from './auth.ts';
import { Connection, type ConnectionEvents, type Timing } from './connection.ts';
import { Emitter } from './emitter.ts';
import { resolveLimits, type PeerLimits, type PeerStats, type ResolvedLimits, type TransportStats } from './limits.ts';
import { loadRtc, type Wrtc } from './rtc-impl.ts';
import { openEnvelope, sealEnvelope, type Envelope, type Unsigned } from './signaling/envelope.ts';
import { ReplayGuard } from './signaling/replay.ts';
import type { Signaling, SignalingChannel } from './signaling/signaling.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, TransportError, type Logger, type Transport, type TransportEvent, type TransportEvents } from './transport.ts';

export interface WebrtcTransportOptions {
  cluster: string;
  nodeId: string;
  /**
   * The cluster key: a random key from `generateClusterKey()` (recommended) or a passphrase
   * (stretched with PBKDF2, 600,000 iterations). A list accepts several during a rotation: the
   * first signs and encrypts, all verify (SECURITY.md). Only MACs derived from it leave this node.
   */
  key: string | readonly string[];
  signaling: Signaling;
  /** Encrypt every signaling envelope (AES-GCM): a relay sees only the cluster name and sizes. Default false. */
  encryptSignaling?: boolean;
  /** Signaling envelopes stamped further than this from the local clock are refused; default 300,000 ms. */
  signalingWindowMs?: number;
  /** Per-peer rate limits, rejected-frame budget and abuse backoff (limits.ts). */
  limits?: PeerLimits;
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
  /**
   * An attempt not authenticated within this is abandoned (and retried); default 15000 ms, 5000 ms
   * with loopbackOnly. A pairing carried by hand (manualSignaling) waits as long as the signaling window.
   */
  connectTimeoutMs?: number;
  log?: Logger;
}

const MAX_REMEMBERED = 1000; // bound on per-stranger bookkeeping
const MAX_SIGNAL_TEXT = 256 * 1024; // an SDP with candidates is a few KiB; sealed or not, far below this
const MAX_INBOX = 1000; // signaling texts awaiting verification
const MAX_RETRIES = 5;
const RETRY_MS = 250; // times the attempt number

/** Create a transport; it joins signaling at once and connects to every node it hears of. */
export function webrtcTransport(options: WebrtcTransportOptions): Transport {
  return new WebrtcTransport(options);
}

class WebrtcTransport implements Transport {
  readonly nodeId: string;
  readonly #session = randomNonce(); // a reload is a new session: that is how stale connections are told apart
  readonly #born = Date.now(); // orders our sessions: a replayed envelope of an older one cannot displace this one
  #seq = 0; // per-session envelope counter
  readonly #o: WebrtcTransportOptions;
  readonly #log: Logger;
  readonly #emitter: Emitter;
  readonly #timing: Timing;
  readonly #conns = new Map<string, Connection>();
  readonly #guard: ReplayGuard; // remote id -> its latest session, born, counter
  readonly #limits: ResolvedLimits;
  readonly #stats = new Map<string, PeerStats>(); // totals of closed connections, per remote id
  readonly #backoff = new Map<string, { until: number; strikes: number }>(); // peers disconnected for abuse
  #signalingAccepted = 0;
  #signalingRejected = 0;
  readonly #attempts = new WeakMap<Connection, number>();
  readonly #byHand = new WeakSet<Connection>(); // paired by a text carried by hand: non-trickle, never retried
  #invite: Connection | null = null; // our pairing offer, bound to whoever answers it
  readonly #refusedConns = new WeakSet<Connection>();
  readonly #retries = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #refusedOnce = new Set<string>(); // "from|reason": report each refusal once, not per message
  readonly #started: Promise<void>;
  #key: ClusterKey | null = null;
  #channel: SignalingChannel | null = null;
  #outbox: Promise<void> = Promise.resolve();
  #inbox: Promise<void> = Promise.resolve(); // envelopes are verified asynchronously but handled in order
  #inboxDepth = 0;
  #closed = false;
  #closing: Promise<void> | null = null;

  constructor(options: WebrtcTransportOptions) {
    this.#o = options;
    this.nodeId = options.nodeId;
    this.#log = options.log ?? ((m) => console.warn(m));
    this.#emitter = new Emitter(this.#log);
    this.#guard = new ReplayGuard(options.signalingWindowMs);
    this.#limits = resolveLimits(options.limits);
    this.#timing = {
      heartbeatMs: options.heartbeatMs ?? 1000,
      peerTimeoutMs: options.peerTimeoutMs ?? 5000,
      // On loopback an attempt takes well under a second even on a loaded machine: give up on a stuck one sooner.
      connectTimeoutMs: options.connectTimeoutMs ?? (options.loopbackOnly ? 5000 : 15000),
    };
    this.#started = this.#start();
  }

  async #start(): Promise<void> {
    await loadRtc(this.#o.wrtc);
    this.#key = await ClusterKey.import(this.#o.cluster, this.#o.key);
    if (this.#closed) return;
    this.#channel = this.#o.signaling.join(this.#o.cluster, {
      message: (text) => {
        // Verification is async: bound what a flood of signaling texts can queue up.
        if (text.length > MAX_SIGNAL_TEXT || this.#inboxDepth >= MAX_INBOX) return void this.#signalingRejected++;
        this.#inboxDepth++;
        this.#inbox = this.#inbox
          .then(() => this.#onSignalingText(text))
          .catch((err) => this.#log(`transport ${this.nodeId}: ${String(err)}`))
          .finally(() => this.#inboxDepth--);
      },
      ready: () => void this.#post({ type: 'announce', to: '', toSession: '', body: '' }),
      invite: () => this.#startInvite(),
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
    return this.#send(to, msg);
  }

  sendParts(to: string, parts: readonly Uint8Array[]): Promise<void> {
    return this.#send(to, parts);
  }

  #send(to: string, msg: Uint8Array | readonly Uint8Array[]): Promise<void> {
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
      const all = [...this.#conns.values(), ...(this.#invite ? [this.#invite] : [])];
      await Promise.all(all.map((c) => c.close(`${this.nodeId} closed`, true)));
      await this.#channel?.close();
      this.#emitter.clear();
    })();
    return this.#closing;
  }

  /** Per-peer counters (frames, bytes, messages, rejected frames, abuse) and signaling totals. */
  stats(): TransportStats {
    const peers = new Map<string, PeerStats>();
    for (const [id, s] of this.#stats) peers.set(id, { ...s, connected: false, refusedUntil: this.#refusedUntil(id) });
    for (const conn of this.#conns.values()) {
      const s = this.#statsOf(peers, conn.remoteId);
      s.connected = conn.ready;
      addMeter(s, conn);
    }
    return { peers: [...peers.values()].sort((a, b) => (a.peer < b.peer ? -1 : 1)), signalingAccepted: this.#signalingAccepted, signalingRejected: this.#signalingRejected };
  }

  #statsOf(map: Map<string, PeerStats>, id: string): PeerStats {
    let s = map.get(id);
    if (!s) {
      if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value as string);
      s = { peer: id, connected: false, framesReceived: 0, bytesReceived: 0, messagesReceived: 0, framesRejected: 0, disconnectsForAbuse: 0, refusedUntil: this.#refusedUntil(id) };
      map.set(id, s);
    }
    return s;
  }

  #refusedUntil(id: string): number {
    const until = this.#backoff.get(id)?.until ?? 0;
    return until > Date.now() ? until : 0;
  }

  /** True (and logged once per backoff) while `id` is refused for abuse. */
  #shunned(id: string): boolean {
    const until = this.#refusedUntil(id);
    if (until && this.#remember(`shun|${id}|${until}`)) this.#log(`transport ${this.nodeId}: ignoring ${id} until ${new Date(until).toISOString()} (disconnected for abuse)`);
    return until > 0;
  }

  /** Test hook: the live Connection objects, to check that exactly one exists per peer. */
  connectionsForTest(): Connection[] {
    return [...this.#conns.values()];
  }

  /** Envelopes are signed concurrently but sent in the order posted (signals must not overtake each other). */
  #post(e: Pick<Unsigned, 'type' | 'to' | 'toSession' | 'body'>, byHand = false): Promise<void> {
    const key = this.#key;
    const channel = this.#channel;
    if (!key || !channel) return Promise.resolve();
    const stamp = { from: this.nodeId, session: this.#session, born: this.#born, seq: ++this.#seq, ts: Date.now() };
    const sealed = sealEnvelope(key, { ...stamp, ...e }, this.#o.encryptSignaling ?? false);
    const sent = this.#outbox.then(async () => (byHand ? channel.sendByHand?.(await sealed) : channel.send(await sealed)));
    this.#outbox = sent.catch((err) => this.#log(`transport ${this.nodeId}: ${String(err)}`));
    return this.#outbox;
  }

  async #onSignalingText(text: string): Promise<void> {
    if (this.#closed || !this.#key) return;
    const opened = await openEnvelope(this.#key, text);
    if (!opened.ok) {
      if ('ignore' in opened) return;
      this.#signalingRejected++;
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
    const stale = this.#guard.admit(e, Date.now(), (id, session) => this.#conns.get(id)?.remoteSession === session);
    if (stale) {
      this.#signalingRejected++;
      if (this.#remember(`stale|${e.from}|${e.session}`)) this.#log(`transport ${this.nodeId}: ignored ${stale}`);
      return;
    }
    this.#signalingAccepted++;
    switch (e.type) {
      case 'announce':
        if (e.body !== '') return this.#onPairing(e);
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
    const existing = this.#conns.get(e.from);
    if (existing?.remoteSession === e.session) return;
    if (existing) void existing.close(`${e.from} reconnected as a new session`, true);
    if (this.nodeId < e.from && !this.#shunned(e.from)) {
      clearTimeout(this.#retries.get(e.from));
      this.#retries.delete(e.from);
      this.#connect(e.from, e.session, true, 0, randomNonce());
    }
  }

  /** Pairing by hand: announce with a complete offer (non-trickle), to whoever gets the text. */
  #startInvite(): void {
    if (this.#closed || !this.#key) return;
    if (this.#invite) void this.#invite.close('replaced by a new pairing text', true);
    this.#invite = this.#connect('', '', true, 0, randomNonce(), true);
  }

  /**
   * An announce that carries a complete offer (to anyone: the author of the text offers, whatever
   * the ids) or the answer to our own offer. Only ever carried by hand, so the answer goes back
   * the same way; the envelope was verified and admitted by the replay guard like any other.
   */
  #onPairing(e: Envelope): void {
    let attempt: string;
    let data: SignalData;
    try {
      const body = JSON.parse(e.body) as { attempt?: unknown; signal?: { type?: unknown; sdp?: unknown } };
      if (typeof body.attempt !== 'string' || typeof body.signal?.sdp !== 'string') throw new Error('shape');
      attempt = body.attempt;
      data = body.signal as SignalData;
    } catch {
      return this.#log(`transport ${this.nodeId}: unreadable pairing text from ${e.from}`);
    }
    if (this.#shunned(e.from)) return;
    const existing = this.#conns.get(e.from);
    if (data.type === 'offer' && e.to === '') {
      if (existing) void existing.close(`${e.from} paired again`, existing.remoteSession !== e.session);
      this.#connect(e.from, e.session, false, 0, attempt, true).signal(data);
      return;
    }
    const invite = this.#invite;
    if (data.type !== 'answer' || !invite || invite.attempt !== attempt) {
      return this.#log(`transport ${this.nodeId}: ignored a pairing text from ${e.from} that answers no offer of this session (paste the answer to the latest text)`);
    }
    this.#invite = null;
    if (existing) void existing.close(`${e.from} paired again`, existing.remoteSession !== e.session);
    invite.bind(e.from, e.session);
    this.#conns.set(e.from, invite);
    invite.signal(data);
  }

  #onSignal(e: Envelope): void {
    let attempt: string;
    let data: SignalData | null;
    try {
      const body = JSON.parse(e.body) as { attempt?: unknown; signal?: unknown };
      if (typeof body.attempt !== 'string' || typeof body.signal !== 'object') throw new Error('shape');
      attempt = body.attempt;
      data = body.signal as SignalData | null; // null: the remote abandoned this attempt
    } catch {
      return this.#log(`transport ${this.nodeId}: unreadable signal from ${e.from}`);
    }
    if (data === null) {
      const conn = this.#conns.get(e.from);
      if (conn?.remoteSession === e.session && conn.attempt === attempt && !conn.ready) void conn.close(`${e.from} abandoned the connection attempt`);
      return;
    }
    let conn = this.#conns.get(e.from);
    if (conn?.remoteSession === e.session && conn.attempt === attempt) return conn.signal(data);
    // Only the initiator's offer opens a connection (one attempt of it); anything else belongs to
    // an attempt or session already replaced, and is dropped.
    if (this.nodeId < e.from || data.type !== 'offer' || this.#shunned(e.from)) return;
    if (conn) {
      void conn.close(conn.remoteSession === e.session ? `${e.from} started a new connection attempt` : `${e.from} reconnected as a new session`, conn.remoteSession !== e.session);
    }
    conn = this.#connect(e.from, e.session, false, 0, attempt);
    conn.signal(data);
  }

  #connect(remoteId: string, remoteSession: string, initiator: boolean, tries: number, attempt: string, byHand = false): Connection {
    const key = this.#key;
    if (!key) throw new Error('unreachable: signaling is joined only after the key is imported');
    const conn = new Connection({
      nodeId: this.nodeId,
      remoteId,
      remoteSession,
      initiator,
      attempt,
      key,
      rtc: { iceServers: this.#o.iceServers ?? [], loopbackOnly: this.#o.loopbackOnly ?? false, trickle: !byHand, wrtc: this.#o.wrtc },
      maxMessageSize: this.#o.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      limits: this.#limits,
      // A person carries the answer back: wait as long as the pasted text itself stays valid.
      timing: byHand ? { ...this.#timing, connectTimeoutMs: this.#guard.windowMs } : this.#timing,
      log: this.#log,
      events: this.#events,
    });
    this.#attempts.set(conn, tries);
    if (byHand) this.#byHand.add(conn);
    if (remoteId !== '') this.#conns.set(remoteId, conn);
    return conn;
  }

  /**
   * The initiator starts a new attempt when one fails before becoming ready (ICE, DTLS, a
   * timeout), and when a ready connection is lost while the remote's session is still live (no
   * goodbye): bounded by MAX_RETRIES consecutive failures, with a growing delay.
   */
  #retry(conn: Connection, tries: number): void {
    if (this.#closed || this.nodeId > conn.remoteId || tries > MAX_RETRIES) return;
    const id = conn.remoteId;
    clearTimeout(this.#retries.get(id));
    this.#retries.set(
      id,
      setTimeout(() => {
        this.#retries.delete(id);
        if (this.#closed || this.#conns.has(id) || this.#guard.live(id) !== conn.remoteSession || this.#shunned(id)) return;
        this.#connect(id, conn.remoteSession, true, tries, randomNonce());
      }, RETRY_MS * tries),
    );
  }

  readonly #events: ConnectionEvents = {
    ready: (conn) => {
      if (this.#conns.get(conn.remoteId) === conn && !this.#closed) this.#emitter.emit('peer', conn.remoteId);
    },
    message: (conn, data) => this.#emitter.emit('message', conn.remoteId, data),
    closed: (conn, reason, wasReady) => {
      if (this.#invite === conn) this.#invite = null;
      if (conn.remoteId === '') return; // a pairing offer nobody answered
      addMeter(this.#statsOf(this.#stats, conn.remoteId), conn);
      if (this.#conns.get(conn.remoteId) !== conn) return; // replaced: its successor owns the id
      this.#conns.delete(conn.remoteId);
      if (wasReady && !this.#closed) this.#emitter.emit('peer-left', conn.remoteId, reason);
      // A pairing carried by hand cannot be redone without the person: they paste new texts.
      if (this.#refusedConns.has(conn) || conn.goodbye || this.#closed || this.#byHand.has(conn)) return;
      if (this.nodeId < conn.remoteId) this.#retry(conn, wasReady ? 1 : (this.#attempts.get(conn) ?? 0) + 1);
      else if (!wasReady) {
        // Only the initiator retries: tell it this attempt is over rather than let it wait out its timeout.
        void this.#post({ type: 'signal', to: conn.remoteId, toSession: conn.remoteSession, body: JSON.stringify({ attempt: conn.attempt, signal: null }) });
      }
    },
    abusive: (conn) => {
      this.#refusedConns.add(conn); // no retry: the backoff decides when it may come back
      const prev = this.#backoff.get(conn.remoteId);
      const strikes = (prev?.strikes ?? 0) + 1;
      if (!prev && this.#backoff.size >= MAX_REMEMBERED) this.#backoff.delete(this.#backoff.keys().next().value as string);
      this.#backoff.set(conn.remoteId, { strikes, until: Date.now() + this.#limits.abuseBackoffMs * 2 ** Math.min(strikes - 1, 6) });
      this.#statsOf(this.#stats, conn.remoteId).disconnectsForAbuse++;
    },
    refused: (conn, reason) => {
      this.#refusedConns.add(conn); // a refusal is final: no retry
      this.#refuse(conn.remoteId, reason);
    },
    signal: (conn, data) => {
      const body = JSON.stringify({ attempt: conn.attempt, signal: data });
      if (!this.#byHand.has(conn)) return void this.#post({ type: 'signal', to: conn.remoteId, toSession: conn.remoteSession, body });
      // Non-trickle: the one offer or answer holds every candidate and rides in an announce.
      if (data.type === 'offer' || data.type === 'answer') void this.#post({ type: 'announce', to: conn.remoteId, toSession: conn.remoteSession, body }, true);
    },
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

function addMeter(s: PeerStats, conn: Connection): void {
  s.framesReceived += conn.meter.framesReceived;
  s.bytesReceived += conn.meter.bytesReceived;
  s.messagesReceived += conn.meter.messagesReceived;
  s.framesRejected += conn.meter.framesRejected;
}
