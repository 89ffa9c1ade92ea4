/** What the benchmark page offers its driver (bench/browser.bench.ts) as `window.bench`. */

/** Durable-commit contenders, all on IndexedDB. */
export type CommitKind = 'walrtc-page' | 'walrtc-worker' | 'pglite' | 'idb' | 'idb-strict';

export interface Throughput {
  commits: number;
  ms: number;
}

export interface TabStatus {
  nodeId: string;
  role: string;
  leaderId: string | null;
  /** Standbys this node streams to ('streaming'). */
  streaming: number;
  visibility: DocumentVisibilityState;
}

export interface LagRun {
  /** Per commit: INSERT awaited in tab 1 (ms). */
  commit: number[];
  /** Per commit: tab 1's clock before the INSERT → tab 1 receives tab 2's BroadcastChannel ack (ms). */
  roundTrip: number[];
}

/** The page's JS heap in use (MB) when a phase starts, its highest after any commit of the phase, and when the phase ends. */
export interface PhaseHeap {
  before: number;
  peak: number;
  after: number;
}

/** The first full checkpoint of a large table on IndexedDB, then a base backup, with commits going on (bench/browser/src/checkpoint.ts). */
export interface CheckpointStall {
  checkpointMs: number;
  /** Longest time between two commits finishing, and the page's longest task over 50 ms (0: none) and how many there were, during the checkpoint and the tail after it. */
  longestGap: number;
  longestTask: number;
  longTasks: number;
  commits: number;
  /** Commits that took over 20 ms (the target's bound), during the checkpoint. */
  slow: number;
  /** Gaps over 50 ms between two commits finishing, and the page's heap over the phase. */
  gaps: number;
  heap: PhaseHeap;
  /** The same for the same commit loop for as long, with no checkpoint. */
  idleGap: number;
  idleTask: number;
  idleLongTasks: number;
  idleCommits: number;
  idleSlow: number;
  idleGaps: number;
  idleHeap: PhaseHeap;
  /** From opening a new standby until it holds the base backup: its time and the same measures. */
  backupMs: number;
  backupGap: number;
  backupTask: number;
  backupLongTasks: number;
  backupCommits: number;
  backupSlow: number;
  backupGaps: number;
  backupHeap: PhaseHeap;
}

/** Reopening a large node on IndexedDB (bench/browser/src/reopen.ts), per open. */
export interface ReopenRun {
  opens: {
    /** open() called → resolved; → its first query (a point SELECT) answered. */
    openMs: number;
    firstQueryMs: number;
    /** The page's longest task over 50 ms (0: none) and how many, from the open call to the first answer. */
    longestTask: number;
    longTasks: number;
    /** The first query through the `n` index (built on first use), and the page's longest task during it. */
    indexQueryMs: number;
    indexLongestTask: number;
  }[];
}

export interface BenchApi {
  /** Per-commit latency (ms) of `commits` single-row commits, one at a time, after `warmup` more. */
  latency(kind: CommitKind, commits: number, warmup: number): Promise<number[]>;
  /** `commits` single-row commits from `concurrency` concurrent loops. */
  throughput(kind: CommitKind, commits: number, concurrency: number): Promise<Throughput>;

  /** Open this tab's node: a worker node, role 'auto', WebRTC over BroadcastChannel signaling, loopback only. */
  openTab(cluster: string, nodeId: string): Promise<void>;
  /** SQL on this tab's node. */
  exec(sql: string): Promise<void>;
  status(): Promise<TabStatus>;
  /** Tab 2: subscribe to the lag table; each change is timed against the row's timestamp and acked. */
  lagReceive(): Promise<void>;
  /** Tab 2: lag per row (ms), visible in tab 2 − tab 1's clock before its INSERT (the same clock: one browser). */
  lagSeen(): number[];
  /** Tab 1: commits one at a time, each waiting for tab 2's ack. */
  lagSend(commits: number, warmup: number): Promise<LagRun>;
  /** Round trips (ms) of BroadcastChannel pings to the other tabs (the first answer counts). */
  ping(count: number): Promise<number[]>;
  /** Survivors: try an INSERT every 10 ms until one commits, then call the driver's `failoverDone`. */
  failoverArm(): void;
  /** This tab's log and transport events, each stamped with performance.timeOrigin + now() (ms). */
  events(): string[];
  closeTab(): Promise<void>;
  /** Fill `rows` rows, then time the first checkpoint (and `tailMs` after it), then a base backup, with commits going on (node in the page or its worker). */
  checkpointStall(where: 'page' | 'worker', rows: number, tailMs: number): Promise<CheckpointStall>;
  /** Fill `rows` rows, checkpoint, change 99 rows, close; then open the same node `opens` times, each timed to its first answers. */
  reopenRun(where: 'page' | 'worker', rows: number, opens: number): Promise<ReopenRun>;
}

declare global {
  interface Window {
    bench: BenchApi;
    /** Exposed by the driver (page.exposeBinding). */
    failoverDone?: (nodeId: string, at: number) => Promise<void>;
    /** Exposed by the driver: a checkpoint-mode phase starts or ends (`page:idle:start`); with TRACE set it traces it. */
    benchPhase?: (phase: string) => Promise<void>;
  }
}
