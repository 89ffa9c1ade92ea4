/**
 * Automatic failover (failover: 'auto'): failure detection, leader election and the primary's
 * lease. A standby that has not streamed from a primary for failoverTimeout asks for votes when it
 * is the most advanced member it knows of; members grant one vote per term to a candidate at least
 * as advanced as themselves ((timeline, LSN), ties to the higher priority, then the lower node id) while they see no live
 * primary. A majority of the replicated membership elects; the term becomes the new timeline,
 * which fences the old primary. A primary that cannot reach a majority for its lease stops
 * accepting writes. Same-browser tabs also watch a Web Lock held by the primary, so a closed
 * primary tab is noticed at once.
 */
import type { Lsn } from '../wal/lsn.ts';
import type { PeerMessage } from './protocol.ts';
import { LeaderLock } from './locks.ts';
import type { KnownNode } from './replication.ts';

export interface ElectionHost {
  readonly nodeId: string;
  readonly cluster: string;
  readonly failoverTimeoutMs: number;
  role(): 'primary' | 'standby';
  hasData(): boolean;
  position(): { timeline: number; lsn: Lsn };
  /** This node's election priority (a tie-break between equally advanced candidates). */
  readonly priority: number;
  members(): ReadonlySet<string>;
  peers(): string[];
  known(): KnownNode[];
  /** When this standby last heard from the upstream it streams from (undefined when it streams from none). */
  upstreamHeardAt(): number | undefined;
  /** When this node last heard anything from `peer` (ms, performance.now()), if ever. */
  lastHeard(peer: string): number | undefined;
  /** When `peer` last answered this node's keepalive, by the time it was sent (performance.now()); the lease counts only these. */
  answeredAt(peer: string): number | undefined;
  /** The term this node last voted in, as stored. */
  savedVote(): number;
  /** Store the vote for `term` before it is sent; false when it could not be stored (no vote then). */
  persistVote(term: number): Promise<boolean>;
  send(to: string, msg: PeerMessage): void;
  /** Become the primary on timeline `term` (initialising the cluster when there is no data yet). */
  promote(term: number): Promise<void>;
  /** Primary only: stop (reason) or resume (undefined) accepting writes. */
  fence(reason: string | undefined): void;
  /** Primary only: become a standby, keeping this node's WAL. */
  stepDown(reason: string): Promise<void>;
  log(message: string): void;
}

type Position = { timeline: number; lsn: Lsn; nodeId: string; priority?: number };

/**
 * Who is the better candidate: more advanced WAL, then the higher election priority (an
 * always-on peer preferred among equally advanced nodes; never over a more advanced one), then
 * the lower node id.
 */
export function compareCandidates(a: Position, b: Position): number {
  return b.timeline - a.timeline || b.lsn - a.lsn || (b.priority ?? 0) - (a.priority ?? 0) || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0);
}

export class Election {
  private votedTerm: number;
  private candidacy: { term: number; votes: Set<string>; until: number; since: number } | undefined;
  /** The voters that elected this node, and when it asked them (its clock): the lease's first proof. */
  private elected: { votes: Set<string>; since: number } | undefined;
  private lastPrimaryOk = performance.now();
  private fenced = false;
  private lastTick = performance.now();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly lock: LeaderLock | undefined;
  private stopped = false;

  constructor(private readonly host: ElectionHost) {
    this.votedTerm = host.savedVote();
    this.timer = setInterval(() => this.tick(), Math.max(10, host.failoverTimeoutMs / 5));
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    this.lock = locks ? new LeaderLock(locks, `walrtc:${host.cluster}:primary`, () => this.primaryGone()) : undefined;
    this.lock?.present(host.nodeId);
    this.roleChanged();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.lock?.stop();
  }

  /** The newest term this node knows of: its timeline, or a later term it voted in. */
  get term(): number {
    return Math.max(this.votedTerm, this.host.position().timeline);
  }

  /** How many votes elected this primary (0 when it was not elected by this election). */
  get votes(): number {
    return this.host.role() === 'primary' ? (this.elected?.votes.size ?? 0) : 0;
  }

  /**
   * Whether this primary's lease has run out, checked now by the monotonic clock (not by the
   * timer, which a paused node does not run): a majority must have answered a keepalive sent
   * within the lease. Messages that waited while this node was paused carry old pings, so they
   * never renew it. Returns the reason, or undefined while the lease holds.
   */
  leaseLost(): string | undefined {
    if (this.host.role() !== 'primary') return undefined;
    const members = this.host.members();
    if (members.size <= 1) return undefined;
    const now = performance.now();
    // a member that echoed a ping sent at T heard this node at T or later, and votes for no one before T + failoverTimeout
    const lease = this.host.failoverTimeoutMs * 0.8;
    let reachable = members.has(this.host.nodeId) ? 1 : 0;
    // while this tab holds the primary lock, the members in this browser cannot vote for another
    const local = this.lock?.holding ? this.lock.local : undefined;
    for (const m of members) {
      if (m === this.host.nodeId) continue;
      if (local?.has(m)) {
        reachable++;
        continue;
      }
      const voted = this.elected?.votes.has(m) ? this.elected.since : undefined;
      const answered = Math.max(this.host.answeredAt(m) ?? -Infinity, voted ?? -Infinity);
      if (now - answered <= lease) reachable++;
    }
    const needed = Math.floor(members.size / 2) + 1;
    return reachable >= needed ? undefined : `this primary can reach only ${reachable} of ${members.size} cluster members (a majority is ${needed}) and stopped accepting writes`;
  }

  /** Call after every promotion or step-down. */
  roleChanged(): void {
    this.candidacy = undefined;
    if (this.host.role() !== 'primary') this.elected = undefined;
    this.lastPrimaryOk = performance.now();
    this.fenced = false;
    if (this.host.role() === 'primary') this.lock?.hold();
    else this.lock?.watch();
  }

  /**
   * `from` answered this primary's ping from a newer term: it stood or voted in an election since,
   * and supports this primary's lease no more. While the lease holds through other members nothing
   * changes. Once it has lapsed, this primary could never renew it from that member, and refuses
   * that member its vote while it is a primary: in a cluster of two neither could ever write again.
   * It steps down instead, and its next candidacy is for a term past the one seen, which the
   * member can grant.
   */
  newerTerm(from: string, term: number): void {
    if (this.host.role() !== 'primary') return;
    const lost = this.leaseLost();
    if (!lost) return;
    this.votedTerm = Math.max(this.votedTerm, term);
    void this.host.stepDown(`member "${from}" is in term ${term}, newer than this primary's, and ${lost}`)
      .catch((e) => this.host.log(`stepping down failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  async handle(from: string, msg: PeerMessage): Promise<void> {
    if (msg.t === 'vote_request') return this.voteRequested(from, msg);
    if (msg.t === 'vote') return this.voted(from, msg);
  }

  private tick(): void {
    if (this.stopped) return;
    const now = performance.now();
    // a tick that comes late means this node itself was busy (a long statement): what it did not
    // hear meanwhile is still waiting to be read, so judge nobody on this tick
    const stalled = now - this.lastTick > this.host.failoverTimeoutMs / 2;
    this.lastTick = now;
    this.lock?.refreshLocal();
    // the lease is judged on every tick, late or not: it is measured by replies to this node's own pings
    if (this.host.role() === 'primary') return this.checkLease();
    if (stalled) {
      if (this.host.role() === 'standby') this.lastPrimaryOk = now;
      return;
    }
    // the silence is counted from the last word of the upstream, not from the last check
    const heard = this.host.upstreamHeardAt();
    if (heard !== undefined && heard > this.lastPrimaryOk) this.lastPrimaryOk = heard;
    if (this.upstreamHealthy(now) || this.newerPrimaryKnown(now)) {
      this.candidacy = undefined;
      return;
    }
    if (this.candidacy && now > this.candidacy.until) {
      // a split vote: wait a random part of a timeout before trying again, so the next round has one candidate
      this.candidacy = undefined;
      this.lastPrimaryOk = now - this.host.failoverTimeoutMs + Math.random() * this.host.failoverTimeoutMs;
      if (!this.host.hasData()) this.lock?.release();
      return;
    }
    if (this.candidacy) return;
    const waited = now - this.lastPrimaryOk;
    const timeout = this.host.failoverTimeoutMs;
    // the best candidate goes first; anyone may try once it has had its chance
    if (waited > timeout && (this.isBestCandidate() || waited > 3 * timeout)) void this.stand();
  }

  private upstreamHealthy(now: number): boolean {
    const heard = this.host.upstreamHeardAt();
    return heard !== undefined && now - heard <= this.host.failoverTimeoutMs;
  }

  /** A live primary on a newer timeline than this node's: follow it rather than stand. */
  private newerPrimaryKnown(now: number): boolean {
    const mine = this.host.position().timeline;
    return this.host.known().some((n) => {
      const heard = this.host.lastHeard(n.nodeId);
      return n.role === 'primary' && n.timeline > mine && heard !== undefined && now - heard <= this.host.failoverTimeoutMs;
    });
  }

  private primaryGone(): void {
    // a node without data waits out the discovery time: the lock is free before any cluster exists
    if (!this.host.hasData()) return;
    this.host.log('the primary released its lock: starting failover at once');
    this.lastPrimaryOk = performance.now() - this.host.failoverTimeoutMs - 1;
    this.tick();
  }

  private majority(): number {
    const members = this.host.members();
    return members.size ? Math.floor(members.size / 2) + 1 : Math.floor((this.host.peers().length + 1) / 2) + 1;
  }

  private eligible(nodeId: string): boolean {
    const members = this.host.members();
    return members.size === 0 || members.has(nodeId);
  }

  private isBestCandidate(): boolean {
    const me = { ...this.host.position(), nodeId: this.host.nodeId, priority: this.host.priority };
    const timeout = this.host.failoverTimeoutMs;
    const now = performance.now();
    for (const n of this.host.known()) {
      if (n.role !== 'standby' || !this.eligible(n.nodeId)) continue;
      const heard = this.host.lastHeard(n.nodeId);
      if (heard === undefined || now - heard > timeout) continue;
      if (compareCandidates({ timeline: n.timeline, lsn: n.flushLsn, nodeId: n.nodeId, priority: n.priority }, me) < 0) return false;
    }
    return true;
  }

  private async stand(): Promise<void> {
    if (!this.eligible(this.host.nodeId)) return;
    // only the tab holding the primary lock may initialise a cluster: two tabs opened at once, or one
    // that cannot reach the others, never start a second one
    if (!this.host.hasData() && this.lock && !(await this.lock.tryHold())) {
      this.host.log('another tab of this browser holds the primary lock: not initialising a new cluster');
      this.lastPrimaryOk = performance.now();
      return;
    }
    if (this.candidacy || this.host.role() === 'primary') return;
    // in one browser the primary's tab holds a Web Lock while it may accept writes: a primary that is
    // merely busy (its worker running a long transaction) is not a lost one
    if (this.host.hasData() && this.lock && (await this.lock.heldElsewhere())) {
      this.lastPrimaryOk = performance.now();
      return;
    }
    const known = Math.max(0, ...this.host.known().map((n) => n.timeline));
    const term = Math.max(this.host.position().timeline, known, this.votedTerm) + 1;
    this.votedTerm = term;
    const candidacy = { term, votes: new Set([this.host.nodeId]), until: performance.now() + this.host.failoverTimeoutMs, since: performance.now() };
    this.candidacy = candidacy;
    // its vote for itself is stored first, like any other: a restart cannot vote again in this term
    if (!(await this.host.persistVote(term)) || this.candidacy !== candidacy) {
      if (this.candidacy === candidacy) this.candidacy = undefined;
      return;
    }
    const { timeline, lsn } = this.host.position();
    this.host.log(`no primary for ${Math.round(performance.now() - this.lastPrimaryOk)} ms: standing for election on timeline ${term}`);
    const priority = this.host.priority ? { priority: this.host.priority } : {};
    for (const p of this.host.peers()) this.host.send(p, { t: 'vote_request', term, timeline, lsn, ...priority });
    this.maybeWon();
  }

  private async voteRequested(from: string, m: Extract<PeerMessage, { t: 'vote_request' }>): Promise<void> {
    // a primary tab of this browser holds its lock: it is alive (perhaps only busy), so no vote
    const primaryTabAlive = this.lock ? await this.lock.heldElsewhere() : false;
    const mine = { ...this.host.position(), nodeId: this.host.nodeId, priority: this.host.priority };
    const theirs = { timeline: m.timeline, lsn: m.lsn, nodeId: from, priority: m.priority };
    // a candidate meeting a better candidate for the same term withdraws and backs it: its own
    // tally is dropped, so no term can end with two winners
    const yieldsTo = this.candidacy?.term === m.term && compareCandidates(theirs, mine) < 0;
    const granted =
      !primaryTabAlive &&
      (m.term > this.votedTerm || yieldsTo) &&
      m.term > mine.timeline &&
      this.host.role() !== 'primary' &&
      !this.upstreamHealthy(performance.now()) &&
      this.eligible(from) &&
      compareCandidates(theirs, mine) <= 0;
    if (granted) {
      this.votedTerm = m.term;
      // a vote is a promise not to stand this term: give the candidate its chance
      this.candidacy = undefined;
      this.lastPrimaryOk = performance.now();
    }
    // the vote is stored before it is sent: a node restarted mid-election remembers it voted
    const stored = granted && (await this.host.persistVote(m.term));
    this.host.send(from, { t: 'vote', term: m.term, granted: stored });
  }

  private voted(from: string, m: Extract<PeerMessage, { t: 'vote' }>): void {
    const c = this.candidacy;
    if (!c || m.term !== c.term || !m.granted || !this.eligible(from)) return;
    c.votes.add(from);
    this.maybeWon();
  }

  private maybeWon(): void {
    const c = this.candidacy;
    if (!c || c.votes.size < this.majority()) return;
    this.candidacy = undefined;
    this.elected = { votes: c.votes, since: c.since };
    this.host.log(`elected primary for timeline ${c.term} with ${c.votes.size} votes (${[...c.votes].sort().join(', ')})`);
    void this.host.promote(c.term).catch((e) => this.host.log(`promotion failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** The primary's lease: writes stop while it cannot reach a majority of the members. */
  private checkLease(): void {
    const lost = this.leaseLost();
    if (!lost) {
      if (this.fenced) {
        this.host.fence(undefined);
        this.lock?.hold();
      }
      this.fenced = false;
      return;
    }
    // nobody in a majority has been heard for a whole lease: stop before they can elect (at failoverTimeout)
    if (!this.fenced) {
      this.host.fence(lost);
      // a fenced primary gives up its lock, so the other tabs may elect at once
      this.lock?.release();
    }
    this.fenced = true;
  }
}
