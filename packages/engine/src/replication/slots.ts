/**
 * Physical replication slots (PostgreSQL's slot.c): on a sending node, the oldest WAL each named
 * standby still needs (`restart_lsn`). Slots are created on demand or by
 * pg_create_physical_replication_slot, advanced by standby feedback, saved in the control file at
 * checkpoints, and invalidated (`wal_status = 'lost'`) once they hold back more than
 * maxSlotWalKeepSize bytes.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { SavedLogicalSlot } from '../storage/storage.ts';
import type { Lsn } from '../wal/lsn.ts';

export interface Slot {
  name: string;
  /** Oldest WAL the standby still needs; null until reserved, and again once lost. */
  restartLsn: Lsn | null;
  /** Invalidated for holding back more than max_slot_wal_keep_size. */
  lost: boolean;
  active: boolean;
  /** The standby streaming through it while active (PostgreSQL shows its PID). */
  activePeer?: string;
  /** A logical slot's decoding state (logical/slot.ts); absent for physical slots. */
  logical?: LogicalSlotState;
}

export interface LogicalSlotState extends SavedLogicalSlot {
  /** Dropped when the node stops (and not saved); a synced slot stays temporary until it is sync-ready. */
  temporary: boolean;
  /** When the slot stopped being used (ms since epoch); null while in use. */
  inactiveSince: number | null;
}

export interface RetentionSettings {
  /** PostgreSQL's wal_keep_size, in bytes. */
  walKeepSize: number;
  /** PostgreSQL's max_slot_wal_keep_size, in bytes; -1 for no limit. */
  maxSlotWalKeepSize: number;
  /** PostgreSQL's max_wal_size, in bytes (a slot within it is 'reserved'). */
  maxWalSize: number;
  /** PostgreSQL's max_replication_slots; default 10. */
  maxReplicationSlots?: number;
}

export interface SavedSlot {
  name: string;
  restartLsn: Lsn | null;
  lost: boolean;
  logical?: SavedLogicalSlot;
}

export type WalStatus = 'reserved' | 'extended' | 'unreserved' | 'lost';

/** The slot name a standby uses by default: its node id, folded to what slot names allow. */
export function slotNameFor(nodeId: string): string {
  return nodeId.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

export class Slots {
  private readonly slots = new Map<string, Slot>();
  /** Temporary reservations (pg_basebackup's temporary slot): each says the oldest LSN its owner needs now, or undefined. */
  private readonly holds = new Set<() => Lsn | undefined>();

  constructor(saved: readonly SavedSlot[], private readonly settings: RetentionSettings) {
    for (const s of saved) {
      const logical = s.logical && { ...s.logical, temporary: false, inactiveSince: Date.now() };
      this.slots.set(s.name, { name: s.name, restartLsn: s.restartLsn, lost: s.lost, active: false, logical });
    }
  }

  list(): Slot[] {
    return [...this.slots.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get(name: string): Slot | undefined {
    return this.slots.get(name);
  }

  create(name: string, restartLsn: Lsn | null): Slot {
    if (!/^[a-z0-9_]{1,63}$/.test(name)) {
      throw new SqlError('42602', `replication slot name "${name}" contains invalid character`, {
        hint: 'Replication slot names may only contain lower case letters, numbers, and the underscore character.',
      });
    }
    if (this.slots.has(name)) throw new SqlError(SQLSTATE.duplicate_object, `replication slot "${name}" already exists`);
    if (this.slots.size >= (this.settings.maxReplicationSlots ?? 10)) {
      throw new SqlError('53400', 'all replication slots are in use', { hint: 'Free one or increase max_replication_slots.' });
    }
    const slot: Slot = { name, restartLsn, lost: false, active: false };
    this.slots.set(name, slot);
    return slot;
  }

  drop(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) throw new SqlError(SQLSTATE.undefined_object, `replication slot "${name}" does not exist`);
    if (slot.active) throw new SqlError(SQLSTATE.object_in_use, `replication slot "${name}" is active`);
    this.slots.delete(name);
  }

  /** Standby feedback: it has flushed up to `lsn`, so WAL before that is no longer needed for it. */
  advance(name: string, lsn: Lsn): void {
    const slot = this.slots.get(name);
    if (slot && !slot.lost && (slot.restartLsn === null || lsn > slot.restartLsn)) slot.restartLsn = lsn;
  }

  /** Invalidate slots that hold back more WAL than max_slot_wal_keep_size allows. */
  invalidate(insertLsn: Lsn, log: (m: string) => void): void {
    const max = this.settings.maxSlotWalKeepSize;
    if (max < 0) return;
    for (const slot of this.slots.values()) {
      if (slot.restartLsn !== null && insertLsn - slot.restartLsn > max) {
        log(`invalidating obsolete replication slot "${slot.name}": the slot's restart_lsn exceeds the limit by ${insertLsn - slot.restartLsn - max} bytes`);
        slot.restartLsn = null;
        slot.lost = true;
      }
    }
  }

  /**
   * A temporary reservation, asked each time WAL is removed (its owner keeps the LSN, so a
   * reservation ends with what it belongs to); one older than max_slot_wal_keep_size allows keeps
   * nothing, as a slot past it is lost. Returns the release.
   */
  hold(oldest: () => Lsn | undefined): () => void {
    this.holds.add(oldest);
    return () => void this.holds.delete(oldest);
  }

  /** The oldest LSN whose WAL must be kept: by the checkpoint, wal_keep_size, every live slot and every temporary reservation. */
  retentionLsn(checkpointLsn: Lsn, insertLsn: Lsn): Lsn {
    let keep = Math.min(checkpointLsn, insertLsn - this.settings.walKeepSize);
    for (const slot of this.slots.values()) if (slot.restartLsn !== null) keep = Math.min(keep, slot.restartLsn);
    const max = this.settings.maxSlotWalKeepSize;
    for (const oldest of this.holds) {
      const lsn = oldest();
      if (lsn !== undefined && (max < 0 || insertLsn - lsn <= max)) keep = Math.min(keep, lsn);
    }
    return Math.max(0, keep);
  }

  walStatus(slot: Slot, insertLsn: Lsn): WalStatus | null {
    if (slot.lost) return 'lost';
    if (slot.restartLsn === null) return null;
    const held = insertLsn - slot.restartLsn;
    if (held <= this.settings.maxWalSize) return 'reserved';
    const max = this.settings.maxSlotWalKeepSize;
    return max < 0 || held <= max ? 'extended' : 'unreserved';
  }

  /** Bytes that can still be written before this slot is lost; null when there is no limit. */
  safeWalSize(slot: Slot, insertLsn: Lsn): number | null {
    const max = this.settings.maxSlotWalKeepSize;
    if (max < 0 || slot.restartLsn === null) return null;
    return slot.restartLsn + max - insertLsn;
  }

  /** What the control file keeps. */
  persisted(): SavedSlot[] {
    return this.list().filter((s) => !s.logical?.temporary).map((s) => {
      if (!s.logical) return { name: s.name, restartLsn: s.restartLsn, lost: s.lost };
      const { temporary: _t, inactiveSince: _i, ...logical } = s.logical;
      return { name: s.name, restartLsn: s.restartLsn, lost: s.lost, logical };
    });
  }
}
