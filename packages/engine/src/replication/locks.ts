/**
 * Web Locks of one browser (tabs and workers of an origin): the lock a primary tab holds while it
 * may accept writes, which standby tabs wait on to notice a closed primary at once, and a presence
 * lock per node, so a primary can tell which members live in this browser. While a primary tab
 * holds its lock, the tabs of this browser neither stand nor vote (election.ts), so those members
 * cannot help elect another primary: the holder's lease counts them.
 */

export class LeaderLock {
  private releaseHeld: (() => void) | undefined;
  private watching = false;
  private leavePresence: (() => void) | undefined;
  private localNodes = new Set<string>();

  constructor(private readonly locks: LockManager, private readonly name: string, private readonly onFree: () => void) {}

  /** Whether this node holds the primary lock now (a newer primary's tab may have stolen it). */
  get holding(): boolean {
    return this.releaseHeld !== undefined;
  }

  /** The nodes of this browser, as of the last `refreshLocal()`. */
  get local(): ReadonlySet<string> {
    return this.localNodes;
  }

  /** Announce this node's presence to the other tabs of this browser until `release()`. */
  present(nodeId: string): void {
    void this.locks.request(`${this.name}:node:${nodeId}`, { mode: 'shared' }, () => new Promise<void>((resolve) => (this.leavePresence = resolve))).catch(() => {});
  }

  /** Re-read which nodes are present in this browser. */
  refreshLocal(): void {
    const prefix = `${this.name}:node:`;
    void this.locks.query().then((state) => {
      this.localNodes = new Set((state.held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)));
    }, () => {});
  }

  hold(): void {
    this.watching = false;
    if (this.releaseHeld) return;
    let mine: (() => void) | undefined;
    void this.locks.request(this.name, { steal: true }, () => new Promise<void>((resolve) => (this.releaseHeld = mine = resolve))).catch(() => {
      // stolen by a newer primary's tab: this node no longer holds it
      if (this.releaseHeld === mine) this.releaseHeld = undefined;
    });
  }

  watch(): void {
    this.release();
    if (this.watching) return;
    this.watching = true;
    // granted only when no tab holds it exclusively: the primary's tab closed or stepped down.
    // Shared, so watchers never look like a primary to each other.
    void this.locks.request(this.name, { mode: 'shared' }, async () => {}).then(() => {
      if (!this.watching) return;
      this.watching = false;
      this.onFree();
    }, () => {});
  }

  release(): void {
    this.releaseHeld?.();
    this.releaseHeld = undefined;
  }

  /** Leave: the primary lock (if held) and the presence lock. */
  stop(): void {
    this.release();
    this.leavePresence?.();
  }

  /** Whether another tab (or worker) of this browser holds the lock. */
  async heldElsewhere(): Promise<boolean> {
    if (this.releaseHeld) return false;
    const state = await this.locks.query();
    return (state.held ?? []).some((l) => l.name === this.name && l.mode === 'exclusive');
  }

  /** Take the lock only if no one holds it; keep it until release(). */
  async tryHold(): Promise<boolean> {
    if (this.releaseHeld) return true;
    this.watching = false;
    const granted = new Promise<boolean>((answer) => {
      void this.locks.request(this.name, { ifAvailable: true }, (lock) => {
        if (!lock) return answer(false);
        answer(true);
        return new Promise<void>((resolve) => (this.releaseHeld = resolve));
      }).catch(() => answer(false));
    });
    return granted;
  }
}
