/**
 * Two clusters of one name: 'auto' nodes that could not see each other in time each initialised
 * one. Which side gives way (its node rejoins the other by base backup) is decided here, the same
 * way on both sides; replication.ts carries the rejoin out.
 */
import type { NodeAnnouncement } from './protocol.ts';

/**
 * A primary whose cluster has no tables gives way to one with tables, or between two empty ones to
 * the smaller system identifier. A cluster with data never gives way on its own: that needs an
 * operator. Returns the reason to rejoin, a warning for two clusters with data, or nothing.
 */
export function primaryGivesWay(from: string, mine: { systemId: string; tables: number }, other: NodeAnnouncement): { rejoin?: string; warning?: string } {
  if (mine.tables === 0 && (other.tables > 0 || other.systemId! < mine.systemId)) {
    return { rejoin: `primary "${from}" leads cluster ${other.systemId}; this node's cluster ${mine.systemId} is empty: joining it` };
  }
  if (mine.tables > 0 && other.tables > 0) return { warning: `primary "${from}" leads another cluster (system identifier ${other.systemId}) with data: not merging` };
  return {};
}

/**
 * A standby that joined an empty cluster whose primary then gave way to another is left with a
 * system identifier no primary has: it would refuse every primary it finds and stand in elections
 * it cannot win, for ever. While no primary of its own cluster is alive and its cluster still has
 * no tables (nothing to lose), it rejoins the other cluster by base backup too.
 */
export function orphanRejoins(from: string, mine: { systemId: string; tables: number; ownPrimaryAlive: boolean }, other: NodeAnnouncement): string | undefined {
  if (mine.tables > 0 || mine.ownPrimaryAlive) return undefined;
  return `primary "${from}" leads cluster ${other.systemId}; this standby's cluster ${mine.systemId} is empty and has no primary: joining it`;
}
