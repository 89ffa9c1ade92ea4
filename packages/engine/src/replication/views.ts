/**
 * Replication monitoring as SQL, named as in PostgreSQL: pg_stat_replication,
 * pg_replication_slots, pg_stat_wal_receiver, and walrtc_nodes (every known node, in the spirit of
 * Postgres-XC's pgxc_node). LSNs are shown as text (`0/16B3748`), lags as interval text.
 */
import type { ExecEnv, VirtualTable } from '../sql/env.ts';
import type { SqlType, Value } from '../sql/types.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import type { KnownNode } from './replication.ts';
import type { PeerStatsRow } from './peer-transport.ts';
import type { ReceiverInfo } from './receiver.ts';
import type { StandbyInfo } from './sender.ts';
import type { Slots } from './slots.ts';

export interface ReplicationSource {
  standbys(): StandbyInfo[];
  syncState(applicationName: string): { priority: number; state: 'async' | 'potential' | 'sync' | 'quorum' };
  slots(): Slots;
  insertLsn(): Lsn;
  receiver(): ReceiverInfo | undefined;
  nodes(): KnownNode[];
  peerStats(): readonly PeerStatsRow[];
}

const col = (name: string, type: SqlType) => ({ name, type });
const lsn = (v: Lsn | null | undefined) => (v === null || v === undefined ? null : formatLsn(v));

/** PostgreSQL's interval output for a lag in milliseconds: `00:00:00.001234`. */
export function formatLag(ms: number | null): string | null {
  if (ms === null) return null;
  const us = Math.round(ms * 1000);
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor((us % 3_600_000_000) / 60_000_000);
  const s = Math.floor((us % 60_000_000) / 1_000_000);
  const frac = us % 1_000_000;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(frac, 6)}`;
}

export function replicationViews(src: ReplicationSource): Record<string, VirtualTable> {
  const view = (columns: { name: string; type: SqlType }[], rows: (env: ExecEnv) => Value[][]): VirtualTable => ({ columns, rows });
  return {
    pg_stat_replication: view(
      [col('pid', 'int4'), col('application_name', 'text'), col('state', 'text'), col('sent_lsn', 'text'), col('write_lsn', 'text'),
        col('flush_lsn', 'text'), col('replay_lsn', 'text'), col('write_lag', 'text'), col('flush_lag', 'text'), col('replay_lag', 'text'),
        col('sync_priority', 'int4'), col('sync_state', 'text'), col('reply_time', 'timestamptz'), col('backend_start', 'timestamptz')],
      () => src.standbys().map((s, i) => {
        const sync = src.syncState(s.applicationName);
        return [i + 1, s.applicationName, s.state, lsn(s.sentLsn), lsn(s.writeLsn), lsn(s.flushLsn), lsn(s.replayLsn),
          formatLag(s.writeLag), formatLag(s.flushLag), formatLag(s.replayLag), sync.priority, sync.state, s.replyTime, s.startedAt];
      }),
    ),
    // PostgreSQL 17's columns; logical slots (logical/slot.ts) fill the logical ones
    pg_replication_slots: view(
      [col('slot_name', 'text'), col('plugin', 'text'), col('slot_type', 'text'), col('datoid', 'int4'), col('database', 'text'), col('temporary', 'bool'),
        col('active', 'bool'), col('active_pid', 'int4'), col('xmin', 'text'), col('catalog_xmin', 'text'), col('restart_lsn', 'text'),
        col('confirmed_flush_lsn', 'text'), col('wal_status', 'text'), col('safe_wal_size', 'int8'), col('two_phase', 'bool'),
        col('inactive_since', 'timestamptz'), col('conflicting', 'bool'), col('invalidation_reason', 'text'), col('failover', 'bool'), col('synced', 'bool')],
      () => {
        const slots = src.slots();
        const insert = src.insertLsn();
        return slots.list().map((s) => {
          const l = s.logical;
          const invalidation = s.lost ? 'wal_removed' : null;
          return [s.name, l ? l.plugin : null, l ? 'logical' : 'physical', l ? 5 : null, l ? 'walrtc' : null, l?.temporary ?? false,
            s.active, s.active ? 1 : null, null, null, lsn(s.restartLsn), l ? lsn(l.confirmedFlush) : null, slots.walStatus(s, insert),
            slots.safeWalSize(s, insert), l?.twoPhase ?? false, s.active ? null : l?.inactiveSince ? new Date(l.inactiveSince) : null,
            l ? false : null, invalidation, l?.failover ?? false, l?.synced ?? false];
        });
      },
    ),
    pg_stat_wal_receiver: view(
      [col('pid', 'int4'), col('status', 'text'), col('receive_start_lsn', 'text'), col('receive_start_tli', 'int4'), col('written_lsn', 'text'),
        col('flushed_lsn', 'text'), col('received_tli', 'int4'), col('last_msg_send_time', 'timestamptz'), col('last_msg_receipt_time', 'timestamptz'),
        col('latest_end_lsn', 'text'), col('slot_name', 'text'), col('sender_host', 'text')],
      () => {
        const r = src.receiver();
        if (!r || r.status === 'stopped' || r.status === 'error') return [];
        return [[1, r.status, lsn(r.receiveStartLsn), r.receiveStartTli, lsn(r.writtenLsn), lsn(r.flushedLsn), r.receivedTli,
          r.lastMsgSendTime, r.lastMsgReceiptTime, lsn(r.latestEndLsn), r.slotName, r.upstream]];
      },
    ),
    walrtc_nodes: view(
      [col('node_id', 'text'), col('role', 'text'), col('upstream', 'text'), col('timeline', 'int4'), col('flush_lsn', 'text'), col('last_seen', 'timestamptz')],
      () => src.nodes().map((n) => [n.nodeId, n.role, n.upstream, n.timeline, lsn(n.flushLsn), n.lastSeen]),
    ),
    // what each peer sent this node and what was refused: SECURITY.md's per-peer limits
    walrtc_peer_stats: view(
      [col('peer', 'text'), col('connected', 'bool'), col('frames_received', 'int8'), col('bytes_received', 'int8'), col('messages_received', 'int8'),
        col('frames_rejected', 'int8'), col('disconnects_for_abuse', 'int8'), col('refused_until', 'timestamptz')],
      () => src.peerStats().map((p) => [p.peer, p.connected, p.framesReceived, p.bytesReceived, p.messagesReceived, p.framesRejected,
        p.disconnectsForAbuse, p.refusedUntil ? new Date(p.refusedUntil) : null]),
    ),
  };
}
