// One peer connection: a simple-peer data channel taken through the key handshake, then used
// for framed messages with back-pressure and heartbeats. Created and owned by webrtc.ts, one per
// remote node; it reports ready/message/closed/refused back and never outlives close().

import type Peer from '@thaunknown/simple-peer/lite.js';
import type { SignalData } from '@thaunknown/simple-peer/lite.js';
import { ClusterKey, randomNonce } from './auth.ts';
import { byteLength, CHUNK_SIZE, encodeControl, encodeMessage, fitsOneFrame, PING_FRAME, Reassembler, type Control } from './frame.ts';
import { PeerMeter, type ResolvedLimits } from './limits.ts';
import { createPeer, destroyPeer, loopbackSignal, type RtcOptions } from './rtc.ts';
import { TransportError, type Logger } from './transport.ts';

/**
 * The bufferedAmount budget: a send waits while the channel holds this much (browsers close a
 * channel whose buffer passes 16 MiB). In Node (libdatachannel) it is large enough for bulk sends
 * (a base backup): the sender is woken at LOW_WATER by 'bufferedamountlow', and what is left must
 * cover the time until its next send; with 64 / 32 KiB (0.4 ms of data at 80 MiB/s) the channel sat
 * idle between sends. In a browser the channels live on the page's main thread, and there a 1 MiB
 * budget gave the page 52–53 ms tasks while a worker node streamed a 100k-row insert to two tabs
 * (test/e2e/demo.e2e.test.ts, 2 of 4 runs; none in 4 runs with 64 KiB), so browsers keep 64 / 32 KiB.
 */
const IN_BROWSER = typeof (globalThis as { document?: unknown }).document !== 'undefined';
export const HIGH_WATER = IN_BROWSER ? 64 * 1024 : 1024 * 1024;
/** Resume sending when the channel drains to this (its 'bufferedamountlow' threshold). */
export const LOW_WATER = IN_BROWSER ? 32 * 1024 : 512 * 1024;
/**
 * The largest frame this end sends. In Node (libdatachannel) 64 KiB when the remote's SDP allows
 * it (RTCSctpTransport.maxMessageSize): each frame costs a JS event and a native send on both
 * sides, and a base backup of 54 MiB is 3,500 frames of 16 KiB. Browsers keep 16 KiB, the size
 * every data channel accepts: their channels run on the page's main thread with a 64 KiB budget.
 * A receiver takes frames of any size (frame.ts).
 */
export const MAX_FRAME = IN_BROWSER ? CHUNK_SIZE : 64 * 1024;
/** Fallback re-check of bufferedAmount, in case an implementation misses bufferedamountlow. */
const DRAIN_POLL_MS = 50;
/** How long what is still buffered (a bye, a deny) may take to flush before the channel is torn down. */
const BYE_FLUSH_MS = 250;
/** After a deny, how long the channel stays open for the remote to read it and close its side. */
const DENY_LINGER_MS = 1000;
/** Frames held while simple-peer has not yet reported connect: the handshake needs at most three. */
const MAX_EARLY_FRAMES = 16;

export interface Timing {
  heartbeatMs: number;
  peerTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface ConnectionEvents {
  ready(conn: Connection): void;
  message(conn: Connection, data: Uint8Array): void;
  /** Always called exactly once; `wasReady` says whether `ready` had been reported. */
  closed(conn: Connection, reason: string, wasReady: boolean): void;
  refused(conn: Connection, reason: string): void;
  /** The remote exceeded a limit (limits.ts) and was disconnected; the transport backs off from it. */
  abusive(conn: Connection, reason: string): void;
  /** A WebRTC signal to carry to the remote over signaling. */
  signal(conn: Connection, data: SignalData): void;
}

export interface ConnectionOptions {
  nodeId: string;
  remoteId: string;
  remoteSession: string;
  initiator: boolean;
  attempt: string;
  key: ClusterKey;
  rtc: RtcOptions;
  maxMessageSize: number;
  limits: ResolvedLimits;
  timing: Timing;
  log: Logger;
  events: ConnectionEvents;
}

const HOST_CANDIDATE = / typ host( |$)/;

/** Split an SDP into the SDP without candidate lines (nor end-of-candidates) and those candidates as trickle signals. */
function withoutCandidates(sdp: string): { sdp: string; candidates: SignalData[] } {
  const candidates: SignalData[] = [];
  let mid = '0';
  let index = -1;
  const kept = sdp.split('\r\n').filter((line) => {
    if (line.startsWith('m=')) index++;
    else if (line.startsWith('a=mid:')) mid = line.slice(6);
    else if (line.startsWith('a=candidate:')) {
      candidates.push({ type: 'candidate', candidate: { candidate: line.slice(2), sdpMid: mid, sdpMLineIndex: Math.max(index, 0) } });
      return false;
    } else if (line === 'a=end-of-candidates') return false;
    return true;
  });
  return { sdp: kept.join('\r\n'), candidates };
}

type State = 'connecting' | 'authenticating' | 'ready' | 'closed';

export class Connection {
  #remoteId: string;
  #remoteSession: string;
  /** The initiator's id for this attempt; every signal carries it, so stale ones are told apart. */
  readonly attempt: string;
  #goodbye = false;
  #held: SignalData[] | null; // initiator: candidates kept back until the answer arrives
  #state: State = 'connecting';
  readonly #o: ConnectionOptions;
  readonly #peer: Peer;
  readonly #reassembler: Reassembler;
  /** Counters and rate limits of what the remote sends. */
  readonly meter: PeerMeter;
  #channel: RTCDataChannel | null = null;
  #frameSize = CHUNK_SIZE; // set once the channel is open, from what the remote accepts
  /**
   * In Node every frame is made in this one buffer: node-datachannel's send copies the bytes into
   * its native queue before it returns, so a frame is garbage once sent, and a fresh ArrayBuffer per
   * frame is external memory that makes V8 collect (a base backup puts 54 MiB of frames on a channel).
   */
  readonly #scratch = IN_BROWSER ? undefined : new Uint8Array(MAX_FRAME);
  #myNonce = randomNonce();
  #theirNonce: string | null = null;
  #theirProofOk = false;
  #theirOk = false;
  #lastSeen = Date.now();
  #heard = false; // a frame arrived since the last heartbeat tick (cheaper than Date.now() per frame)
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #tail: Promise<void> | null = null; // the send in progress; sends are serialised so frames never interleave
  #drainWaiters = new Set<() => void>();
  #closing: Promise<void> | null = null;
  // simple-peer emits 'data' as soon as the channel opens but 'connect' only after an async
  // getStats: a fast remote's hello can arrive first. Frames are held until 'connect' (few expected).
  #early: Uint8Array[] = [];

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#remoteId = options.remoteId;
    this.#remoteSession = options.remoteSession;
    this.#reassembler = new Reassembler(options.maxMessageSize);
    this.meter = new PeerMeter(options.limits);
    this.#peer = createPeer(options.initiator, options.rtc);
    const peer = this.#peer;
    this.attempt = options.attempt;
    this.#held = options.initiator && options.rtc.trickle !== false ? [] : null;
    peer.on('signal', (data) => {
      const out = options.rtc.loopbackOnly ? loopbackSignal(data) : data;
      if (!out || this.#state === 'closed') return;
      if (this.#held) {
        // Initiator before the answer: send the offer without candidates and keep them back.
        if (out.candidate) return void this.#hold(out);
        if (out.type === 'offer' && out.sdp) {
          const { sdp, candidates } = withoutCandidates(out.sdp);
          for (const c of candidates) this.#hold(c);
          return options.events.signal(this, { type: 'offer', sdp });
        }
      }
      options.events.signal(this, out);
    });
    peer.on('connect', () => this.#onConnect());
    peer.on('data', (frame) => this.#onFrame(frame));
    // simple-peer destroys itself on a failure and emits 'error', but never 'close' on that path
    // (it calls _destroy directly, so streamx never finishes): the error itself ends the attempt.
    peer.on('error', (err) => void this.close(`connection failed (${err.code ? `${err.code}: ${err.message}` : err.message})`));
    peer.on('close', () => void this.close('connection closed by the remote'));
    // libdatachannel closes a PeerConnection by itself (a failed DTLS handshake, the remote's
    // SCTP abort) and node-datachannel drops the ICE 'closed' event simple-peer waits for; the
    // connection state still says so.
    const pc = peer._pc;
    pc?.addEventListener?.('connectionstatechange', () => {
      const state = pc.connectionState;
      if (state === 'failed' || state === 'closed') void this.close(`connection ${state}`);
    });
    this.#deadline = setTimeout(
      () => void this.close(`not connected and authenticated within ${options.timing.connectTimeoutMs} ms`),
      options.timing.connectTimeoutMs,
    );
  }

  get remoteId(): string {
    return this.#remoteId;
  }

  get remoteSession(): string {
    return this.#remoteSession;
  }

  /** A pairing offer goes out before anyone answers it: the answer's sender becomes the remote, once. */
  bind(remoteId: string, remoteSession: string): void {
    if (this.#remoteId !== '') throw new Error(`unreachable: connection to ${this.#remoteId} is already bound`);
    this.#remoteId = remoteId;
    this.#remoteSession = remoteSession;
  }

  /** The remote said goodbye on the channel: it closed on purpose, so there is nothing to retry. */
  get goodbye(): boolean {
    return this.#goodbye;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** Feed a WebRTC signal that arrived over (already authenticated) signaling. */
  signal(data: SignalData): void {
    if (this.#state === 'closed') return;
    const filtered = this.#o.rtc.loopbackOnly ? loopbackSignal(data) : data;
    if (!filtered) return;
    try {
      for (const s of this.#unhosted(filtered)) this.#peer.signal(s);
    } catch (err) {
      void this.close(`bad signal from ${this.remoteId}: ${String(err)}`);
      return;
    }
    if (filtered.type === 'answer') this.#releaseCandidates();
  }

  /**
   * A pairing offer carried by hand holds the initiator's candidates, and the answer comes back
   * only when a person carries it (seconds or minutes later). A responder that used the host ones
   * at once would complete ICE and start DTLS long before that, and the initiator would then
   * apply the answer while those checks and ClientHellos keep arriving: the race #hold describes,
   * and the pairing cannot be redone without new texts. So the responder applies the offer
   * without its host candidates; the initiator's checks, sent once it has the answer, teach it
   * that address (peer-reflexive). Server-reflexive and relay candidates cross a network whose
   * round trip is far longer than that window, and a NAT may need our checks to open: kept.
   */
  #unhosted(data: SignalData): SignalData[] {
    if (this.#o.initiator || this.#o.rtc.trickle !== false || data.type !== 'offer' || !data.sdp) return [data];
    const { sdp, candidates } = withoutCandidates(data.sdp);
    return [{ ...data, sdp }, ...candidates.filter((c) => !HOST_CANDIDATE.test(c.candidate?.candidate ?? ''))];
  }

  /**
   * The initiator's candidates go out only once the answer is applied. Otherwise the responder
   * completes ICE first and starts DTLS while the initiator has not yet applied the answer:
   * libdatachannel then fails the certificate check against a fingerprint it does not have yet
   * ("DTLS handshake failed", both sides closed), or drops the ClientHello and waits a 1 s
   * retransmit. Without our candidates, the responder's ICE (and so DTLS) starts only when our
   * checks reach it, which is after the answer.
   */
  #hold(c: SignalData): void {
    if (this.#held && !this.#held.some((h) => h.candidate?.candidate === c.candidate?.candidate)) this.#held.push(c);
  }

  #releaseCandidates(): void {
    const held = this.#held;
    this.#held = null;
    if (this.#state === 'closed' || !held) return;
    for (const c of held) this.#o.events.signal(this, c);
  }

  /** `msg` whole, or as parts (read, never kept or changed, until the promise settles). */
  send(msg: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (this.#state !== 'ready') return Promise.reject(new TransportError('not-connected', `${this.remoteId} is not connected`));
    const size = byteLength(msg);
    if (size > this.#o.maxMessageSize) {
      return Promise.reject(new TransportError('too-large', `message of ${size} bytes exceeds the maximum of ${this.#o.maxMessageSize}`));
    }
    // Fast path: nothing queued and the whole message is one frame that fits the buffer budget now.
    if (this.#tail === null && fitsOneFrame(msg, this.#frameSize) && this.#fits(size + 6)) {
      const [frame] = encodeMessage(msg, this.#frameSize, this.#scratch);
      return this.#raw(frame) ? Promise.resolve() : Promise.reject(this.#closedError());
    }
    const frames = encodeMessage(msg, this.#frameSize, this.#scratch);
    const run = (async (prev: Promise<void> | null) => {
      if (prev) await prev;
      for (const frame of frames) {
        while (this.#state === 'ready' && !this.#fits(frame.byteLength)) await this.#drained();
        if (this.#state !== 'ready' || !this.#raw(frame)) throw this.#closedError();
      }
    })(this.#tail);
    const tail = run.catch(() => {});
    this.#tail = tail;
    void tail.then(() => {
      if (this.#tail === tail) this.#tail = null;
    });
    return run;
  }

  /** Idempotent. `bye` tells the remote to report us left at once instead of waiting for heartbeats. */
  close(reason: string, bye = false, linger = false): Promise<void> {
    if (this.#closing) return this.#closing;
    const wasReady = this.#state === 'ready';
    this.#state = 'closed';
    clearInterval(this.#heartbeat);
    clearTimeout(this.#deadline);
    for (const wake of this.#drainWaiters) wake();
    this.#o.events.closed(this, reason, wasReady);
    this.#closing = (async () => {
      if (bye) this.#sayBye(reason);
      // what is still buffered (a bye, or the deny that tells an abusive or refused peer why) goes out before the channel does
      await this.#flush();
      // a flushed channel has handed the deny to SCTP, not delivered it: destroying the peer now
      // can drop it, so the remote (which closes on a deny) is given the time to close first
      if (linger) await this.#remoteClose(DENY_LINGER_MS);
      const gone = new Promise<void>((resolve) => {
        if (this.#peer.destroyed) return resolve();
        this.#peer.once('close', resolve);
        setTimeout(resolve, 1000).unref?.(); // never let a wedged implementation hang close()
      });
      destroyPeer(this.#peer);
      await gone;
      if (this.#peer._iceCompleteTimer) clearTimeout(this.#peer._iceCompleteTimer);
    })();
    return this.#closing;
  }

  #remoteClose(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#peer.destroyed) return resolve();
      this.#peer.once('close', resolve);
      setTimeout(resolve, ms).unref?.();
    });
  }

  /** Test hook for the framing tests: put raw bytes on the channel, bypassing framing. */
  sendRawFrame(frame: Uint8Array): void {
    this.#raw(frame);
  }

  #sayBye(reason: string): void {
    if (!this.#channel || this.#channel.readyState !== 'open') return;
    try {
      this.#peer.send(encodeControl({ t: 'bye', reason }));
    } catch {
      // the channel is going anyway; the remote then notices by heartbeat
    }
  }

  async #flush(): Promise<void> {
    const until = Date.now() + BYE_FLUSH_MS;
    while (this.#channel && this.#channel.readyState === 'open' && this.#channel.bufferedAmount > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  #onConnect(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'authenticating';
    // simple-peer does not expose the channel; we need it for bufferedAmount events and readyState.
    this.#channel = this.#peer._channel;
    if (this.#channel) this.#channel.bufferedAmountLowThreshold = LOW_WATER;
    const accepted = this.#peer._pc?.sctp?.maxMessageSize;
    if (typeof accepted === 'number' && accepted >= MAX_FRAME) this.#frameSize = MAX_FRAME;
    this.#lastSeen = Date.now();
    this.#heartbeat = setInterval(() => this.#beat(), this.#o.timing.heartbeatMs);
    this.#control({ t: 'hello', nonce: this.#myNonce });
    for (const frame of this.#early.splice(0)) this.#onFrame(frame);
  }

  #beat(): void {
    if (this.#heard) {
      this.#heard = false;
      this.#lastSeen = Date.now();
    }
    const silent = Date.now() - this.#lastSeen;
    if (silent > this.#o.timing.peerTimeoutMs) {
      void this.close(`no heartbeat from ${this.remoteId} for ${silent} ms`);
      return;
    }
    this.#raw(PING_FRAME);
  }

  #onFrame(frame: Uint8Array): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connecting') {
      if (this.#early.length < MAX_EARLY_FRAMES) this.#early.push(frame);
      else this.#violation('too many frames before the connection opened');
      return;
    }
    this.#heard = true;
    const over = this.meter.frame(frame.byteLength);
    if (over) return this.#abuse(over);
    const r = this.#reassembler.push(frame);
    switch (r.kind) {
      case 'message':
        if (this.#state !== 'ready') return this.#violation('data before authentication');
        this.meter.messagesReceived++;
        this.#o.events.message(this, r.data);
        return;
      case 'control':
        this.#onControl(r.control);
        return;
      case 'reject': {
        this.#o.log(`transport ${this.#o.nodeId}: frame from ${this.remoteId} rejected: ${r.reason}`);
        const tooMany = this.meter.rejected();
        if (tooMany) this.#abuse(tooMany);
        return;
      }
      case 'partial':
        if (this.#state !== 'ready') this.#violation('data before authentication');
        return;
      case 'ping':
        return;
    }
  }

  #onControl(c: Control): void {
    const { key, nodeId } = this.#o;
    switch (c.t) {
      case 'hello':
        if (this.#state !== 'authenticating' || this.#theirNonce !== null) return this.#violation('unexpected hello');
        this.#theirNonce = c.nonce;
        void key.proof(nodeId, this.remoteId, c.nonce, this.#myNonce).then((mac) => this.#control({ t: 'proof', mac }));
        return;
      case 'proof': {
        const theirNonce = this.#theirNonce;
        if (this.#state !== 'authenticating' || theirNonce === null || this.#theirProofOk) return this.#violation('unexpected proof');
        void key.verifyProof(this.remoteId, nodeId, this.#myNonce, theirNonce, c.mac).then((ok) => {
          if (this.#state !== 'authenticating') return;
          if (!ok) return this.#deny(`${this.remoteId} failed the key challenge (the nodes hold different cluster keys)`);
          this.#theirProofOk = true;
          this.#control({ t: 'ok' });
          this.#maybeReady();
        });
        return;
      }
      case 'ok':
        if (this.#state !== 'authenticating') return this.#violation('unexpected ok');
        this.#theirOk = true;
        this.#maybeReady();
        return;
      case 'deny':
        this.#o.events.refused(this, `refused by ${this.remoteId}: ${c.reason}`);
        void this.close(`refused by ${this.remoteId}`);
        return;
      case 'bye':
        this.#goodbye = true;
        void this.close(`${this.remoteId} said goodbye (${c.reason})`);
        return;
    }
  }

  #maybeReady(): void {
    if (this.#state !== 'authenticating' || !this.#theirProofOk || !this.#theirOk) return;
    this.#state = 'ready';
    clearTimeout(this.#deadline);
    this.#o.events.ready(this);
  }

  #deny(reason: string): void {
    this.#control({ t: 'deny', reason });
    this.#o.events.refused(this, reason);
    void this.close(reason, false, true);
  }

  /** Tell the remote why (an honest but misconfigured peer then stops retrying), and drop it. */
  #abuse(what: string): void {
    const reason = `${this.remoteId} disconnected: ${what}`;
    this.#o.log(`transport ${this.#o.nodeId}: ${reason}`);
    this.#control({ t: 'deny', reason });
    this.#o.events.abusive(this, reason);
    void this.close(reason, false, true);
  }

  #violation(what: string): void {
    const reason = `protocol violation by ${this.remoteId}: ${what}`;
    this.#o.log(`transport ${this.#o.nodeId}: ${reason}`);
    if (this.#state !== 'ready') this.#o.events.refused(this, reason);
    void this.close(reason);
  }

  #control(c: Control): void {
    if (this.#state !== 'closed') this.#raw(encodeControl(c));
  }

  #fits(bytes: number): boolean {
    const buffered = this.#channel?.bufferedAmount ?? 0;
    return buffered === 0 || buffered + bytes <= HIGH_WATER;
  }

  /** Put one frame on the channel; false (and the connection closes) if that is no longer possible. */
  #raw(frame: Uint8Array): boolean {
    if (this.#state === 'closed') return false;
    try {
      this.#peer.send(frame);
      return true;
    } catch (err) {
      void this.close(`send failed: ${String(err)}`);
      return false;
    }
  }

  #closedError(): TransportError {
    return new TransportError('closed', `connection to ${this.remoteId} closed while sending`);
  }

  #drained(): Promise<void> {
    const channel = this.#channel;
    if (!channel) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        channel.removeEventListener('bufferedamountlow', wake);
        clearTimeout(poll);
        this.#drainWaiters.delete(wake);
        resolve();
      };
      const poll = setTimeout(wake, DRAIN_POLL_MS);
      channel.addEventListener('bufferedamountlow', wake);
      this.#drainWaiters.add(wake);
    });
  }
}
