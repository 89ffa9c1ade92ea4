/**
 * Timelines (PostgreSQL's timeline.c): promotion starts timeline N+1 and records where it forked
 * from its parent; a node following a newer timeline checks that history against its own WAL —
 * up to the fork it agrees and simply switches timeline, past it it has diverged and must rewind.
 */
import { initialCluster } from '../recovery.ts';
import { Replayer } from '../state/replay.ts';
import { FIRST_LSN, formatLsn } from '../wal/lsn.ts';
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
 * One control update: a checkpoint cannot interleave and write back the old timeline.
 */
export function startTimeline(core: NodeCore, term: number): Promise<void> {
  return core.control.update(async (txn) => {
    const current = txn.current();
    if (!current) {
      const fresh = initialCluster(core.nodeId);
      await core.storage.truncateWal(0);
      await txn.write(fresh.control, fresh.checkpoint);
      core.wal.resetTo(FIRST_LSN);
      txn.setReplayer(new Replayer(fresh.state, FIRST_LSN));
      core.db.publish(fresh.state, { end: FIRST_LSN, tables: new Set() });
      core.log('log', `initialised cluster with system identifier ${fresh.control.systemId}`);
      return;
    }
    const parent = current.timeline;
    // the fork point is fixed before the first await: nothing is appended while promoting (read-only)
    const switchLsn = core.wal.insertLsn;
    const timeline = Math.max(term, parent + 1);
    await txn.write({ ...current, timeline, history: [...current.history, { timeline, parent, switchLsn }] });
    core.wal.append([{ kind: 'timeline_switch', timeline, parent, switchLsn }]);
    core.log('log', `selected new timeline ID: ${timeline} (forked from timeline ${parent} at ${formatLsn(switchLsn)})`);
  });
}

export type Follow = 'follow' | 'backup';

/** Switch to the upstream's newer `timeline`, rewinding first when this node's WAL went past the fork. */
export function followTimeline(core: NodeCore, timeline: number, history: TimelineHistoryEntry[]): Promise<Follow> {
  return core.control.update(async (txn) => {
    const current = txn.current();
    if (!current) return 'backup';
    const fork = forkOf(history, current.timeline);
    if (!fork) {
      core.log('warning', `timeline ${current.timeline} of this node is not in the history of timeline ${timeline}`);
      return 'backup';
    }
    if (core.wal.insertLsn > fork.switchLsn) {
      core.log('log', `this node's WAL (to ${formatLsn(core.wal.insertLsn)}) diverged from timeline ${fork.timeline}, which forked at ${formatLsn(fork.switchLsn)}: rewinding`);
      if (!(await rewindTo(core, txn, fork.switchLsn))) {
        core.log('log', 'cannot rewind: the last checkpoint is past the fork point; taking a base backup');
        return 'backup';
      }
    }
    await txn.write({ ...txn.current()!, timeline, history });
    core.log('log', `following timeline ${timeline} from ${formatLsn(core.wal.insertLsn)}`);
    return 'follow';
  });
}
