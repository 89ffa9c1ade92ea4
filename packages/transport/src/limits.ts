// What one peer may cost this node: frame and byte rates (token buckets), a budget of rejected
// frames, and the backoff that keeps an abusive peer away after it is disconnected. Also the
// per-peer counters the transport reports in stats(). One PeerMeter per connection, owned by it.

/** Per-peer bounds; every field has a default (README, SECURITY.md). */
export interface PeerLimits {
  /** Sustained frames per second a peer may send (a frame is 16 KiB, 64 KiB between Node peers); default 100,000. */
  framesPerSecond?: number;
  /** Sustained bytes per second a peer may send; default 256 MiB. */
  bytesPerSecond?: number;
  /** Bursts may reach this many seconds' worth of the rates above; default 2. */
  burstSeconds?: number;
  /** Rejected (malformed, oversize, out-of-order) frames tolerated per connection; default 32. */
  maxRejectedFrames?: number;
  /** How long a peer disconnected for abuse is refused; doubles per repeat, up to 64×; default 30,000 ms. */
  abuseBackoffMs?: number;
}

export type ResolvedLimits = Required<PeerLimits>;

export function resolveLimits(l: PeerLimits = {}): ResolvedLimits {
  return {
    framesPerSecond: l.framesPerSecond ?? 100_000,
    bytesPerSecond: l.bytesPerSecond ?? 256 * 1024 * 1024,
    burstSeconds: l.burstSeconds ?? 2,
    maxRejectedFrames: l.maxRejectedFrames ?? 32,
    abuseBackoffMs: l.abuseBackoffMs ?? 30_000,
  };
}

/** Counters of one remote node, summed over its connections. */
export interface PeerStats {
  peer: string;
  connected: boolean;
  framesReceived: number;
  bytesReceived: number;
  messagesReceived: number;
  framesRejected: number;
  /** Times this node was disconnected for abuse (rate limit, rejected-frame budget). */
  disconnectsForAbuse: number;
  /** Until when (ms since the epoch) connections from it are refused; 0 if not refused. */
  refusedUntil: number;
}

export interface TransportStats {
  peers: PeerStats[];
  /** Signaling envelopes accepted / refused (bad MAC, malformed, replayed, out of the time window). */
  signalingAccepted: number;
  signalingRejected: number;
}

class TokenBucket {
  #tokens: number;
  #at = performance.now();
  constructor(
    private readonly rate: number,
    private readonly capacity: number,
  ) {
    this.#tokens = capacity;
  }

  /** Take `n` tokens; false when the bucket is empty (the rate was exceeded). */
  take(n: number): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    this.#tokens -= n;
    return this.#tokens >= 0;
  }
}

/** Meters one connection's incoming traffic; returns the reason to disconnect, if any. */
export class PeerMeter {
  readonly #frames: TokenBucket;
  readonly #bytes: TokenBucket;
  framesReceived = 0;
  bytesReceived = 0;
  messagesReceived = 0;
  framesRejected = 0;

  constructor(private readonly limits: ResolvedLimits) {
    this.#frames = new TokenBucket(limits.framesPerSecond, limits.framesPerSecond * limits.burstSeconds);
    this.#bytes = new TokenBucket(limits.bytesPerSecond, limits.bytesPerSecond * limits.burstSeconds);
  }

  frame(bytes: number): string | null {
    this.framesReceived++;
    this.bytesReceived += bytes;
    if (!this.#frames.take(1)) return `rate limit exceeded (more than ${this.limits.framesPerSecond} frames per second)`;
    if (!this.#bytes.take(bytes)) return `rate limit exceeded (more than ${this.limits.bytesPerSecond} bytes per second)`;
    return null;
  }

  rejected(): string | null {
    this.framesRejected++;
    return this.framesRejected > this.limits.maxRejectedFrames ? `more than ${this.limits.maxRejectedFrames} rejected frames` : null;
  }
}
