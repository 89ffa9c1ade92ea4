// Types for the parts of @thaunknown/simple-peer 10 (plain ESM JavaScript, no bundled types)
// that rtc.ts and connection.ts use, including the few internals rtc.ts touches on purpose.

declare module '@thaunknown/simple-peer/lite.js' {
  /** What simple-peer emits on 'signal' and accepts in signal(): an SDP or a trickled candidate. */
  export interface SignalData {
    type?: string;
    sdp?: string;
    candidate?: { candidate: string; sdpMLineIndex?: number | null; sdpMid?: string | null };
    renegotiate?: boolean;
    transceiverRequest?: unknown;
  }

  export interface PeerOptions {
    initiator?: boolean;
    config?: RTCConfiguration & Record<string, unknown>;
    channelConfig?: RTCDataChannelInit;
    trickle?: boolean;
    sdpTransform?: (sdp: string) => string;
  }

  export default class Peer {
    constructor(opts?: PeerOptions);
    on(event: 'signal', fn: (data: SignalData) => void): this;
    on(event: 'data', fn: (chunk: Uint8Array) => void): this;
    on(event: 'error', fn: (err: Error & { code?: string }) => void): this;
    on(event: 'connect' | 'close', fn: () => void): this;
    once(event: 'connect' | 'close', fn: () => void): this;
    signal(data: SignalData): void;
    send(chunk: Uint8Array | string): void;
    destroy(err?: Error): void;
    readonly destroyed: boolean;
    readonly connected: boolean;
    readonly bufferSize: number;
    readonly initiator: boolean;
    readonly config: RTCConfiguration;
    readonly channelName: string | null;
    readonly channelConfig: RTCDataChannelInit;
    // Internals (underscore-named in the library). rtc.ts and connection.ts say why each is used.
    _pc: RTCPeerConnection | null;
    _channel: RTCDataChannel | null;
    _iceCompleteTimer: ReturnType<typeof setTimeout> | null;
    _closingInterval: ReturnType<typeof setInterval> | null;
    _setupData(event: { channel: RTCDataChannel }): void;
    _onIceStateChange(): void;
    _onConnectionStateChange(): void;
    _onSignalingStateChange(): void;
    _onIceCandidate(event: RTCPeerConnectionIceEvent): void;
  }
}
