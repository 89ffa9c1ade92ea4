/**
 * Slot synchronization (PostgreSQL 17's slotsync.c) on a physical standby: the primary hands its
 * standbys its failover slots (name, restart_lsn, confirmed_flush_lsn, decoder catalog) on every
 * keepalive; with syncReplicationSlots on (or at pg_sync_replication_slots()) the standby makes
 * or updates a local copy marked synced. A copy stays temporary while this standby could not
 * decode from its restart_lsn (it has not flushed that far, or its WAL there may already be
 * removed), and becomes persistent ("sync-ready") once it can. Slots the primary no longer has
 * are dropped; a slot invalidated there is invalidated here.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { NodeCore } from '../replication/replication.ts';
import type { Slot } from '../replication/slots.ts';
import { formatLsn } from '../wal/lsn.ts';
import type { RemoteSlot } from './protocol.ts';

export class SlotSync {
  private latest: RemoteSlot[] | undefined;
  /** Synced slots whose WAL this standby has kept since they were made (so they can become persistent). */
  private readonly held = new WeakSet<Slot>();
  private readonly warned = new Set<string>();

  constructor(private readonly core: NodeCore, readonly worker: boolean, private readonly log: (m: string) => void) {}

  /** The primary's failover slots arrived. */
  received(slots: RemoteSlot[]): void {
    this.latest = slots;
    if (this.worker && this.core.control.role === 'standby') this.apply();
  }

  /** pg_sync_replication_slots(). */
  syncNow(): void {
    if (this.core.control.role !== 'standby') {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'replication slots can only be synchronized to a standby server');
    }
    if (this.worker) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'cannot synchronize replication slots concurrently');
    if (!this.latest) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'replication slot synchronization requires the primary\'s failover slots, and none arrived yet');
    this.apply();
  }

  /** A promotion: copies that never became sync-ready are of no use, as PostgreSQL drops them. */
  promoted(): void {
    for (const s of this.core.slots.list()) if (s.logical?.synced && s.logical.temporary) this.core.slots.drop(s.name);
  }

  private apply(): void {
    const { core } = this;
    const remote = this.latest ?? [];
    const names = new Set(remote.map((r) => r.name));
    for (const local of core.slots.list()) {
      if (local.logical?.synced && !names.has(local.name) && !local.active) {
        core.slots.drop(local.name);
        this.log(`dropped replication slot "${local.name}" of database with OID 5`);
      }
    }
    const checkpoint = core.control.file?.checkpointLsn ?? 0;
    for (const r of remote) {
      let local = core.slots.get(r.name);
      if (local && !local.logical?.synced) {
        this.log(`exiting from slot synchronization because same name slot "${r.name}" already exists on the standby`);
        continue;
      }
      if (!local) {
        local = core.slots.create(r.name, r.restartLsn);
        local.logical = { plugin: r.plugin, confirmedFlush: r.confirmedFlush, twoPhase: r.twoPhase, failover: true, synced: true, catalog: r.catalog, temporary: true, inactiveSince: Date.now() };
      }
      const logical = local.logical!;
      if (r.invalidated) {
        local.lost = true;
        local.restartLsn = null;
        continue;
      }
      if (r.restartLsn !== null && local.restartLsn !== null && r.restartLsn < local.restartLsn) continue;
      local.restartLsn = r.restartLsn;
      logical.confirmedFlush = r.confirmedFlush;
      logical.catalog = r.catalog;
      logical.inactiveSince = Date.now();
      // WAL from a restart point after this standby's last restartpoint is still here, and the slot keeps it from now on
      if (r.restartLsn !== null && r.restartLsn >= checkpoint) this.held.add(local);
      const ready = this.held.has(local) && r.restartLsn !== null && core.wal.flushLsn >= r.restartLsn;
      if (logical.temporary && ready) {
        logical.temporary = false;
        this.log(`newly created replication slot "${r.name}" is sync-ready now`);
      } else if (logical.temporary && !ready && !this.warned.has(r.name)) {
        this.warned.add(r.name);
        this.log(`could not synchronize replication slot "${r.name}": the standby has flushed only up to ${formatLsn(core.wal.flushLsn)} or lacks WAL at ${formatLsn(r.restartLsn ?? 0)}`);
      }
    }
  }
}
