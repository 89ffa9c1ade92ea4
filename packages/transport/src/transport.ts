// The seam the engine talks to: the `Transport` interface, its events and the options every
// implementation shares. Owns no behaviour; webrtc.ts and memory.ts implement it.

import type { TransportStats } from './limits.ts';

/** Events a transport emits. `peer` fires once a peer has proved it holds the cluster key. */
export interface TransportEvents {
  peer: (id: string) => void;
  /** A peer left: clean close, heartbeat timeout, or replaced by a newer session of the same node. */
  'peer-left': (id: string, reason: string) => void;
  message: (from: string, msg: Uint8Array) => void;
  /** A node was refused (wrong key, bad signaling MAC, protocol violation); it never became a peer. */
  refused: (id: string, reason: string) => void;
}

export type TransportEvent = keyof TransportEvents;

/**
 * Named peers, binary messages (ordered and reliable per peer), join/leave events,
 * and an async `send` that applies back-pressure.
 */
export interface Transport {
  readonly nodeId: string;
  /** Ids of connected, authenticated peers, sorted. */
  peers(): string[];
  /** Subscribe; returns the matching unsubscribe for convenience. */
  on<E extends TransportEvent>(event: E, fn: TransportEvents[E]): () => void;
  off<E extends TransportEvent>(event: E, fn: TransportEvents[E]): void;
  /** Resolves when the message is handed to the channel within its buffer budget; rejects if `to` is not a peer. */
  send(to: string, msg: Uint8Array): Promise<void>;
  /**
   * `send` of the message that is the concatenation of `parts`, framed from them without joining
   * them first (a base backup's stored chunks); the parts must not change until it settles.
   * Optional: a caller without it joins the parts and calls `send`.
   */
  sendParts?(to: string, parts: readonly Uint8Array[]): Promise<void>;
  /** Per-peer counters (received, rejected, disconnected for abuse); implementations may omit it. */
  stats?(): TransportStats;
  /** Says goodbye to every peer (they report `peer-left` at once) and releases every handle. */
  close(): Promise<void>;
}

/** Where rejected frames, refused peers and other diagnostics go. Defaults to console.warn. */
export type Logger = (message: string) => void;

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/** Error thrown by `send` and friends; `code` is stable for callers to branch on. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    readonly code: 'not-connected' | 'too-large' | 'closed',
    message: string,
  ) {
    super(message);
  }
}
