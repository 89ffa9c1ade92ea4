// Public entry of @walrtc/transport: the Transport interface and its implementations
// (webrtcTransport over simple-peer, memoryNetwork for fault tests) plus the signaling adapters.

export type { Transport, TransportEvents, TransportEvent, Logger } from './transport.ts';
export { TransportError, DEFAULT_MAX_MESSAGE_SIZE } from './transport.ts';
export { generateClusterKey, RANDOM_KEY_PREFIX, PBKDF2_ITERATIONS } from './auth.ts';
export type { PeerLimits, PeerStats, TransportStats } from './limits.ts';
export { webrtcTransport, type WebrtcTransportOptions } from './webrtc.ts';
export type { Wrtc } from './rtc-impl.ts';
export { memoryNetwork, type MemoryNetwork, type MemoryNetworkOptions, type MemoryTransportOptions } from './memory.ts';
export type { Signaling, SignalingChannel, SignalingHandlers } from './signaling/signaling.ts';
export { broadcastSignaling } from './signaling/broadcast.ts';
export { websocketSignaling, type WebsocketSignalingOptions } from './signaling/websocket.ts';
export { manualSignaling, PairingTextError, type ManualSignaling } from './signaling/manual.ts';
export { peerArchive, type PeerArchive, type PeerArchiveOptions } from './archive/client.ts';
