// Replay protection for verified signaling envelopes: the latest session heard from each node,
// when it began, the last counter it used and whether it said goodbye. Owned by one transport;
// only envelopes whose MAC verified are shown to it, in arrival order.

import type { Envelope } from './envelope.ts';

export interface SessionRecord {
  session: string;
  born: number;
  seq: number;
  ended: boolean; // said goodbye: nothing more is accepted from this session
}

/** Default: how far an envelope's timestamp may be from the receiver's clock. */
export const DEFAULT_SIGNALING_WINDOW_MS = 5 * 60_000;
const MAX_NODES = 1000; // bound on per-sender bookkeeping (only key holders reach it)

/** True if session (bornA, a) began after (bornB, b); ties broken by id so the order is total. */
function newer(bornA: number, a: string, bornB: number, b: string): boolean {
  return bornA > bornB || (bornA === bornB && a > b);
}

export class ReplayGuard {
  readonly #nodes = new Map<string, SessionRecord>();

  constructor(readonly windowMs: number = DEFAULT_SIGNALING_WINDOW_MS) {}

  /** The session currently believed live for `node`, if any. */
  live(node: string): string | undefined {
    const r = this.#nodes.get(node);
    return r && !r.ended ? r.session : undefined;
  }

  /**
   * Accept `e` (and record it) or say why not. `connected(node, session)` tells whether a
   * connection to that session exists: an older session never displaces one that does.
   */
  admit(e: Envelope, now: number, connected: (node: string, session: string) => boolean): string | null {
    if (Math.abs(now - e.ts) > this.windowMs) {
      return `signaling message from ${e.from} is ${Math.round((now - e.ts) / 1000)} s off this node's clock (replayed, or clocks more than ${this.windowMs / 1000} s apart)`;
    }
    const known = this.#nodes.get(e.from);
    if (known?.session === e.session) {
      if (known.ended) return `signaling message from ${e.from} for a session that said goodbye`;
      if (e.seq <= known.seq) return `replayed signaling message from ${e.from} (counter ${e.seq}, last ${known.seq})`;
      known.seq = e.seq;
      if (e.type === 'bye') known.ended = true;
      return null;
    }
    if (known && !newer(e.born, e.session, known.born, known.session) && connected(e.from, known.session)) {
      return `signaling message from an older session of ${e.from} (its connected session is newer)`;
    }
    if (!known && this.#nodes.size >= MAX_NODES) this.#nodes.delete(this.#nodes.keys().next().value as string);
    this.#nodes.set(e.from, { session: e.session, born: e.born, seq: e.seq, ended: e.type === 'bye' });
    return null;
  }
}
