// Creates the simple-peer instance behind one connection: ordered reliable data channel,
// optional loopback-only ICE, and an explicitly supplied WebRTC implementation (`wrtc`).
// @thaunknown/simple-peer 10 gets RTCPeerConnection from webrtc-polyfill: the browser's own in
// browsers, node-datachannel (libdatachannel) in Node; it has no `wrtc` option of its own.

import Peer, { type PeerOptions, type SignalData } from '@thaunknown/simple-peer/lite.js';

import type { Wrtc } from './rtc-impl.ts';

export type { Wrtc };

export interface RtcOptions {
  iceServers: RTCIceServer[];
  /** Keep ICE on 127.0.0.1: bind node-datachannel there and drop every other candidate. */
  loopbackOnly: boolean;
  /** False: every ICE candidate is gathered into the offer/answer SDP (a text carried by hand). Default true. */
  trickle?: boolean;
  wrtc?: Wrtc;
}

const LOOPBACK_CANDIDATE = / 127\.0\.0\.1 \d+ typ host/;

/** Strip every non-loopback candidate from an SDP. */
function loopbackSdp(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate') || LOOPBACK_CANDIDATE.test(line))
    .join('\r\n');
}

/**
 * Loopback filter for signals in either direction: returns the signal to pass on, or null to
 * drop it. Filtering incoming signals too means we never even try a remote's other addresses.
 */
export function loopbackSignal(data: SignalData): SignalData | null {
  if (data.candidate) return LOOPBACK_CANDIDATE.test(data.candidate.candidate) ? data : null;
  if (data.sdp) return { ...data, sdp: loopbackSdp(data.sdp) };
  return data;
}

/**
 * simple-peer builds its RTCPeerConnection inside its constructor from a module-level import,
 * so a caller-supplied implementation can only be put in right after: detach the default one
 * (nothing has been negotiated yet: negotiation starts on a later tick) and wire the new one
 * exactly as lite.js's constructor does. The default one is closed only when this peer closes:
 * in Node, closing webrtc-polyfill's last connection calls node-datachannel's global cleanup(),
 * which would tear down the injected connection too if that is node-datachannel-based.
 * Pinned to simple-peer 10.1 internals; covered by a test.
 */
class InjectedPeer extends Peer {
  constructor(opts: PeerOptions, wrtc: Wrtc) {
    super(opts);
    const borrowed = this._pc;
    if (!borrowed) return; // the default constructor failed and is already destroying
    const unused = this._channel;
    if (unused) {
      unused.onmessage = unused.onopen = unused.onclose = unused.onerror = unused.onbufferedamountlow = null;
    }
    if (this._closingInterval) clearInterval(this._closingInterval);
    borrowed.oniceconnectionstatechange = borrowed.onicegatheringstatechange = null;
    borrowed.onconnectionstatechange = borrowed.onsignalingstatechange = null;
    borrowed.onicecandidate = null;
    borrowed.ondatachannel = null;
    this.once('close', () => borrowed.close());

    const pc = plainDescriptions(new wrtc.RTCPeerConnection(this.config));
    this._pc = pc;
    pc.oniceconnectionstatechange = () => this._onIceStateChange();
    pc.onicegatheringstatechange = () => this._onIceStateChange();
    pc.onconnectionstatechange = () => this._onConnectionStateChange();
    pc.onsignalingstatechange = () => this._onSignalingStateChange();
    pc.onicecandidate = (event) => this._onIceCandidate(event);
    if (this.initiator) {
      this._setupData({ channel: pc.createDataChannel(this.channelName ?? 'walrtc', this.channelConfig) });
    } else {
      pc.ondatachannel = (event) => this._setupData(event);
    }
  }
}

/**
 * simple-peer assigns `offer.sdp = …`; some implementations (node-datachannel's polyfill) return
 * descriptions with read-only getters, so hand simple-peer plain `{ type, sdp }` objects instead.
 */
function plainDescriptions(pc: RTCPeerConnection): RTCPeerConnection {
  const plain = (d: RTCSessionDescriptionInit): RTCSessionDescriptionInit => ({ type: d.type, sdp: d.sdp });
  const createOffer = pc.createOffer.bind(pc) as (o?: RTCOfferOptions) => Promise<RTCSessionDescriptionInit>;
  const createAnswer = pc.createAnswer.bind(pc) as (o?: RTCAnswerOptions) => Promise<RTCSessionDescriptionInit>;
  Object.assign(pc, {
    createOffer: (o?: RTCOfferOptions) => createOffer(o).then(plain),
    createAnswer: (o?: RTCAnswerOptions) => createAnswer(o).then(plain),
  });
  return pc;
}

export function createPeer(initiator: boolean, options: RtcOptions): Peer {
  const config: RTCConfiguration & Record<string, unknown> = { iceServers: options.loopbackOnly ? [] : options.iceServers };
  // node-datachannel reads bindAddress from the config (webrtc-polyfill passes it through); browsers ignore it.
  if (options.loopbackOnly) config.bindAddress = '127.0.0.1';
  const opts: PeerOptions = {
    initiator,
    config,
    channelConfig: { ordered: true },
    trickle: options.trickle ?? true,
    sdpTransform: options.loopbackOnly ? loopbackSdp : (sdp) => sdp,
  };
  const peer = options.wrtc ? new InjectedPeer(opts, options.wrtc) : new Peer(opts);
  // Non-trickle waits for the end of gathering, which simple-peer learns only from a null
  // candidate; node-datachannel never sends one (only the gathering state says 'complete'), and
  // simple-peer would wait out its 5 s timeout for each offer and answer.
  const pc = peer._pc;
  if (options.trickle === false && pc) {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') peer._onIceCandidate({ candidate: null } as RTCPeerConnectionIceEvent);
    });
  }
  return peer;
}

/** Destroy a peer and clear the ICE-complete timer simple-peer leaves behind after destroy(). */
export function destroyPeer(peer: Peer): void {
  peer.destroy();
  if (peer._iceCompleteTimer) clearTimeout(peer._iceCompleteTimer);
}
