/**
 * Timelines (PostgreSQL's timeline.c): promotion starts timeline N+1 and records where it forked
 * from its parent; a node following a newer timeline checks that history against its own WAL —
 * up to the fork it agrees and simply switches timeline, past it it has diverged and must rewind.
 */
import { recover } from '../recovery.ts';
import type { ControlFile } from '../storage/storage.ts';
import { Replayer } from '../state/replay.ts';
import { formatLsn } from '../wal/lsn.ts';
import type { TimelineHistoryEntry } from './protocol.ts';
import type { NodeCore } from './replication.ts';
import { rewindTo } from './rewind.ts';

/** The entry of `history` where the timeline after `timeline` branched off it. */
export function forkOf(history: readonly TimelineHistoryEntry[], timeline: number): TimelineHistoryEntry | undefined {
  return history.find((h) => h.parent === timeline);
}

/**
 * Make this node a primary on timeline `term`: a standby forks a new timeline at the end of the
 * WAL it has replayed; a node without data initialises the cluster (only an elected node may).
 */
export async function startTimeline(core: NodeCore, term: number): Promise<void> {
  if (!core.control) {
    const fresh = await recover(core.storage, core.nodeId, (level, m) => core.log(level, m), true);
    core.control = fresh.control;
    core.replayer = new Replayer(fresh.state, fresh.endLsn);
    core.db.publish(fresh.state, { end: fresh.endLsn, tables: new Set() });
    core.log('log', `initialised cluster with system identifier ${fresh.control!.systemId}`);
    return;
  }
  const parent = core.control.timeline;
  const switchLsn = core.wal.insertLsn;
  const timeline = Math.max(term, parent + 1);
  const control: ControlFile = { ...core.control, timeline, history: [...core.control.history, { timeline, parent, switchLsn }] };
  await core.storage.writeControl(control);
  core.control = control;
  core.wal.append([{ kind: 'timeline_switch', timeline, parent, switchLsn }]);
  core.log('log', `selected new timeline ID: ${timeline} (forked from timeline ${parent} at ${formatLsn(switchLsn)})`);
}

export type Follow = 'follow' | 'backup';

/** Switch to the upstream's newer `timeline`, rewinding first when this node's WAL went past the fork. */
export async function followTimeline(core: NodeCore, timeline: number, history: TimelineHistoryEntry[]): Promise<Follow> {
  const control = core.control!;
  const fork = forkOf(history, control.timeline);
  if (!fork) {
    core.log('warning', `timeline ${control.timeline} of this node is not in the history of timeline ${timeline}`);
    return 'backup';
  }
  if (core.wal.insertLsn > fork.switchLsn) {
    core.log('log', `this node's WAL (to ${formatLsn(core.wal.insertLsn)}) diverged from timeline ${fork.timeline}, which forked at ${formatLsn(fork.switchLsn)}: rewinding`);
    if (!(await rewindTo(core, fork.switchLsn))) {
      core.log('log', 'cannot rewind: the last checkpoint is past the fork point; taking a base backup');
      return 'backup';
    }
  }
  const next: ControlFile = { ...core.control!, timeline, history };
  await core.storage.writeControl(next);
  core.control = next;
  core.log('log', `following timeline ${timeline} from ${formatLsn(core.wal.insertLsn)}`);
  return 'follow';
}

