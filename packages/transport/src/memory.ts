// memoryNetwork(): an in-process Transport for fault tests — same interface as webrtcTransport,
// every pair of live nodes connected unless partitioned, plus fault injection (partition, heal,
// delay, drop, kill). Deterministic given a seed; no timers unless a delay is set.

import { Emitter } from './emitter.ts';
import { DEFAULT_MAX_MESSAGE_SIZE, TransportError, type Logger, type Transport, type TransportEvent, type TransportEvents } from './transport.ts';

export interface MemoryNetworkOptions {
  /** Seed of the PRNG behind drop(); default 1. */
  seed?: number;
  log?: Logger;
}

export interface MemoryTransportOptions {
  maxMessageSize?: number;
}

export interface MemoryNetwork {
  /** A transport for `nodeId`; an existing live one with that id is replaced (like a reload). */
  transport(nodeId: string, options?: MemoryTransportOptions): Transport;
  /** Cut every link between a member of groupA and a member of groupB (both sides see peer-left). */
  partition(groupA: string[], groupB: string[]): void;
  /** Restore every cut link (both sides see peer). */
  heal(): void;
  /** Deliver every message this many ms after it is sent (order per link is kept). */
  delay(ms: number): void;
  /** Lose this fraction (0..1) of messages from now on. */
  drop(ratio: number): void;
  /** The node vanishes without goodbye: its transport goes silent, the others see peer-left. */
  kill(nodeId: string): void;
}

export function memoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  return new Network(options);
}

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** mulberry32: tiny, seedable, good enough to pick which messages to drop. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Network implements MemoryNetwork {
  readonly nodes = new Map<string, MemoryTransport>();
  readonly #cuts = new Set<string>();
  readonly #connected = new Set<string>();
  /** Delayed messages per directed link, in send order: one timer per link hands them over in that order. */
  readonly #inFlight = new Map<string, { at: number; hand: () => void }[]>();
  readonly #random: () => number;
  readonly log: Logger;
  #delayMs = 0;
  #dropRatio = 0;

  constructor(options: MemoryNetworkOptions) {
    this.#random = prng(options.seed ?? 1);
    this.log = options.log ?? ((m) => console.warn(m));
  }

  transport(nodeId: string, options: MemoryTransportOptions = {}): Transport {
    this.nodes.get(nodeId)?.die();
    this.#recompute(`${nodeId} reconnected as a new session`);
    const t = new MemoryTransport(this, nodeId, options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE);
    this.nodes.set(nodeId, t);
    this.#recompute('');
    return t;
  }

  partition(groupA: string[], groupB: string[]): void {
    for (const a of groupA) for (const b of groupB) if (a !== b) this.#cuts.add(pairKey(a, b));
    this.#recompute('network partition');
  }

  heal(): void {
    this.#cuts.clear();
    this.#recompute('');
  }

  delay(ms: number): void {
    this.#delayMs = Math.max(0, ms);
  }

  drop(ratio: number): void {
    this.#dropRatio = Math.min(1, Math.max(0, ratio));
  }

  kill(nodeId: string): void {
    this.nodes.get(nodeId)?.die();
    this.#recompute(`${nodeId} stopped responding`);
  }

  /** Called by a transport's close() after it left. */
  leave(t: MemoryTransport): void {
    if (this.nodes.get(t.nodeId) === t) this.nodes.delete(t.nodeId);
    this.#recompute(`${t.nodeId} closed`);
  }

  linked(a: string, b: string): boolean {
    return this.#connected.has(pairKey(a, b));
  }

  deliver(from: MemoryTransport, to: string, msg: Uint8Array): void {
    if (this.#dropRatio > 0 && this.#random() < this.#dropRatio) return;
    const copy = msg.slice(); // the sender may reuse its buffer; the receiver must not see that
    const link = `${from.nodeId}\u0000${to}`;
    const hand = () => {
      const target = this.nodes.get(to);
      if (target && this.nodes.get(from.nodeId) === from && this.linked(from.nodeId, to)) target.receive(from.nodeId, copy);
    };
    const queue = this.#inFlight.get(link);
    if (this.#delayMs === 0 && !queue) return queueMicrotask(hand);
    // the monotonic clock: a timer per message, each set from Date.now(), let a message sent after the
    // delay was lowered (or the wall clock stepped) fire before earlier ones
    const entry = { at: performance.now() + this.#delayMs, hand };
    if (queue) return void queue.push(entry);
    this.#inFlight.set(link, [entry]);
    this.#drain(link);
  }

  /** Hand over the link's head when it is due, then every later message already due, in order. */
  #drain(link: string): void {
    const queue = this.#inFlight.get(link)!;
    setTimeout(() => {
      queue.shift()!.hand();
      while (queue.length && queue[0]!.at <= performance.now()) queue.shift()!.hand();
      if (queue.length) this.#drain(link);
      else this.#inFlight.delete(link);
    }, Math.max(0, queue[0]!.at - performance.now()));
  }

  /** Bring #connected in line with live nodes and cuts, announcing every change to both ends. */
  #recompute(reason: string): void {
    const live = [...this.nodes.values()].filter((t) => t.alive);
    const want = new Set<string>();
    for (const a of live) for (const b of live) if (a.nodeId < b.nodeId && !this.#cuts.has(pairKey(a.nodeId, b.nodeId))) want.add(pairKey(a.nodeId, b.nodeId));
    for (const key of [...this.#connected]) {
      if (want.has(key)) continue;
      this.#connected.delete(key);
      const [a, b] = key.split('\u0000') as [string, string];
      this.nodes.get(a)?.notify('peer-left', b, reason);
      this.nodes.get(b)?.notify('peer-left', a, reason);
    }
    for (const key of want) {
      if (this.#connected.has(key)) continue;
      this.#connected.add(key);
      const [a, b] = key.split('\u0000') as [string, string];
      this.nodes.get(a)?.notify('peer', b);
      this.nodes.get(b)?.notify('peer', a);
    }
  }
}

class MemoryTransport implements Transport {
  alive = true;
  readonly #emitter: Emitter;

  constructor(
    readonly net: Network,
    readonly nodeId: string,
    readonly maxMessageSize: number,
  ) {
    this.#emitter = new Emitter(net.log);
  }

  peers(): string[] {
    if (!this.alive) return [];
    return [...this.net.nodes.keys()].filter((id) => id !== this.nodeId && this.net.linked(id, this.nodeId)).sort();
  }

  on<E extends TransportEvent>(event: E, fn: TransportEvents[E]): () => void {
    return this.#emitter.on(event, fn);
  }

  off<E extends TransportEvent>(event: E, fn: TransportEvents[E]): void {
    this.#emitter.off(event, fn);
  }

  async send(to: string, msg: Uint8Array): Promise<void> {
    if (!this.alive || !this.net.linked(this.nodeId, to)) throw new TransportError('not-connected', `${to} is not a connected peer of ${this.nodeId}`);
    if (msg.byteLength > this.maxMessageSize) {
      throw new TransportError('too-large', `message of ${msg.byteLength} bytes exceeds the maximum of ${this.maxMessageSize}`);
    }
    this.net.deliver(this, to, msg);
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.net.leave(this);
    this.#emitter.clear();
  }

  /** Go silent without telling anyone (kill, or replaced by a reload). */
  die(): void {
    this.alive = false;
    this.#emitter.clear();
  }

  receive(from: string, msg: Uint8Array): void {
    if (!this.alive) return;
    if (msg.byteLength > this.maxMessageSize) {
      this.net.log(`transport ${this.nodeId}: message from ${from} rejected: ${msg.byteLength} bytes exceeds the maximum of ${this.maxMessageSize}`);
      return;
    }
    this.#emitter.emit('message', from, msg);
  }

  /** Events are async, like a network's, so listeners attached right after creation see them. */
  notify(event: 'peer' | 'peer-left', id: string, reason = ''): void {
    queueMicrotask(() => {
      if (!this.alive) return;
      if (event === 'peer') this.#emitter.emit('peer', id);
      else this.#emitter.emit('peer-left', id, reason);
    });
  }
}
