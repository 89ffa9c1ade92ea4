/**
 * Logical replication slots (PostgreSQL's slot.c, logical side): a physical Slots entry whose
 * restart_lsn holds the WAL back, plus what decoding needs to resume there: the plugin, the
 * confirmed_flush_lsn the subscriber has durably applied, the failover flag, and the decoder's
 * catalog at the restart point. walrtc's WAL never interleaves transactions, so the restart
 * point is simply the confirmed position. Saved in the control file with the physical slots.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { NodeCore } from '../replication/replication.ts';
import type { LogicalSlotState, Slot } from '../replication/slots.ts';
import type { DbState } from '../state/state.ts';
import type { Lsn } from '../wal/lsn.ts';
import { catalogOf, packCatalog, unpackCatalog } from './decode.ts';

export interface CreateSlotOptions {
  plugin?: string;
  temporary?: boolean;
  twoPhase?: boolean;
  failover?: boolean;
}

export function createLogicalSlot(core: NodeCore, name: string, o: CreateSlotOptions): { slot: Slot; snapshot: DbState } {
  const plugin = o.plugin ?? 'pgoutput';
  if (plugin !== 'pgoutput') throw new SqlError('58P01', `could not access file "${plugin}": No such file or directory`);
  if (core.control.role !== 'primary') {
    if (o.failover) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'cannot enable failover for a replication slot created on the standby');
    throw new SqlError(SQLSTATE.feature_not_supported, 'logical decoding on a standby is not supported');
  }
  if (o.failover && o.temporary) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'cannot enable failover for a temporary replication slot');
  // taken together, with no await between: the snapshot is exactly the state at the slot's LSN
  const lsn = core.wal.insertLsn;
  const snapshot = core.db.latest();
  const slot = core.slots.create(name, lsn);
  slot.logical = {
    plugin, confirmedFlush: lsn, twoPhase: o.twoPhase ?? false, failover: o.failover ?? false, synced: false,
    catalog: packCatalog(catalogOf(snapshot)), temporary: o.temporary ?? false, inactiveSince: Date.now(),
  };
  return { slot, snapshot };
}

export function logicalSlot(core: NodeCore, name: string): Slot & { logical: LogicalSlotState } {
  const slot = core.slots.get(name);
  if (!slot) throw new SqlError(SQLSTATE.undefined_object, `replication slot "${name}" does not exist`);
  if (!slot.logical) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `cannot use physical replication slot "${name}" for logical decoding`);
  return slot as Slot & { logical: LogicalSlotState };
}

export function dropSlot(core: NodeCore, name: string): void {
  const slot = core.slots.get(name);
  if (slot?.logical?.synced && core.control.role === 'standby') {
    throw new SqlError(SQLSTATE.feature_not_supported, `cannot drop replication slot "${name}"`, { detail: 'This replication slot is being synchronized from the primary server.' });
  }
  if (slot?.active) throw new SqlError('55006', `replication slot "${name}" is active for PID 1`);
  core.slots.drop(name);
}

export function alterSlot(core: NodeCore, name: string, failover: boolean): void {
  const slot = logicalSlot(core, name);
  if (core.control.role !== 'primary') throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'cannot alter replication slot on a standby');
  if (failover && slot.logical.temporary) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'cannot enable failover for a temporary replication slot');
  slot.logical.failover = failover;
}

/** The subscriber confirmed `lsn`: decoding may restart there, and older WAL is no longer needed for it. */
export function confirmSlot(slot: Slot & { logical: LogicalSlotState }, lsn: Lsn, catalogAt: (lsn: Lsn) => DbState, packed: WeakMap<Slot, DbState>): void {
  if (lsn <= slot.logical.confirmedFlush || slot.lost) return;
  slot.logical.confirmedFlush = lsn;
  slot.restartLsn = lsn;
  const catalog = catalogAt(lsn);
  if (packed.get(slot) !== catalog) {
    slot.logical.catalog = packCatalog(catalog);
    packed.set(slot, catalog);
  }
}

export function slotCatalog(slot: Slot & { logical: LogicalSlotState }): DbState {
  return unpackCatalog(slot.logical.catalog);
}
