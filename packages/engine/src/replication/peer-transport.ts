/**
 * What replication needs of a transport, typed structurally so the engine does not depend on
 * @walrtc/transport: the peers, their messages and, when the transport keeps them, its counters.
 */
/** The part of a transport replication needs (structurally the @walrtc/transport Transport). */
export interface PeerTransport {
  readonly nodeId: string;
  peers(): string[];
  on(event: 'peer' | 'peer-left', fn: (id: string) => void): () => void;
  on(event: 'message', fn: (from: string, msg: Uint8Array) => void): () => void;
  send(to: string, msg: Uint8Array): Promise<void>;
  /** `send` of the concatenation of `parts`, framed without joining them, when the transport can. */
  sendParts?(to: string, parts: readonly Uint8Array[]): Promise<void>;
  /** The largest message it carries, when it says (the memory transport does). */
  readonly maxMessageSize?: number;
  /** Per-peer transport counters, shown as walrtc_peer_stats when the transport has them. */
  stats?(): { peers: readonly PeerStatsRow[] };
}

export interface PeerStatsRow {
  peer: string;
  connected: boolean;
  framesReceived: number;
  bytesReceived: number;
  messagesReceived: number;
  framesRejected: number;
  disconnectsForAbuse: number;
  refusedUntil: number;
}
