/**
 * The logical walsender (PostgreSQL's walsender.c in logical mode): streams one slot's decoded
 * transactions to one subscriber peer. It reads flushed WAL from the slot's restart point,
 * decodes it, skips what the subscriber already has (at or before the later of the slot's
 * confirmed_flush_lsn and the position the subscriber asked for), and, with
 * synchronizedStandbySlots, sends a transaction only once those physical standbys have flushed
 * it, so a standby promoted later can never be behind what a subscriber applied.
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { NodeCore } from '../replication/replication.ts';
import type { LogicalSlotState, Slot } from '../replication/slots.ts';
import type { DbState } from '../state/state.ts';
import { decodeRecords } from '../wal/codec.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { Value } from '../sql/types.ts';
import { LogicalDecoder, type Change, type DecodedTxn } from './decode.ts';
import { inPieces, type PublisherMessage } from './protocol.ts';
import { confirmSlot, slotCatalog } from './slot.ts';

const READ_BYTES = 1024 * 1024;

export interface WalSenderHost {
  core: NodeCore;
  send(peer: string, msg: PublisherMessage): Promise<void>;
  /** The positions the synchronizedStandbySlots have flushed to, or a reason they hold everything back. */
  standbyLimit(): { lsn: Lsn; waiting?: string };
  log(message: string): void;
  /** How large one message may get (a quarter of the transport's limit). */
  maxMessageBytes: number;
}

const changeRows = (c: Change): Value[][] => (c.op === 'insert' ? [c.row] : c.op === 'update' ? (c.old ? [c.row, c.old] : [c.row]) : c.op === 'delete' ? (c.old ? [c.old] : []) : []);

export class LogicalWalSender {
  private readonly decoder: LogicalDecoder;
  private pos: Lsn;
  /** The end of the last whole transaction (or standalone record) decoded. */
  private boundary: Lsn;
  private readonly startFrom: Lsn;
  private pumping: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastKeepalive = -1;
  private readonly packed = new WeakMap<Slot, DbState>();
  private warned: string | undefined;

  constructor(
    private readonly host: WalSenderHost,
    readonly peer: string,
    private readonly slot: Slot & { logical: LogicalSlotState },
    publications: string[],
    requested: Lsn,
  ) {
    const start = slot.restartLsn ?? slot.logical.confirmedFlush;
    this.decoder = new LogicalDecoder(slotCatalog(slot), publications, start);
    this.pos = start;
    this.boundary = start;
    this.startFrom = Math.max(requested, slot.logical.confirmedFlush);
    slot.active = true;
    slot.activePeer = peer;
    slot.logical.inactiveSince = null;
  }

  get slotName(): string {
    return this.slot.name;
  }

  /** Decode and send what is flushed (and confirmed by the synchronized standbys); runs one pass at a time. */
  pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.stopped);
    })().catch((e) => this.fail(e)).finally(() => (this.pumping = undefined));
  }

  feedback(flush: Lsn): void {
    if (this.stopped) return;
    confirmSlot(this.slot, Math.min(flush, this.boundary), (lsn) => this.decoder.catalogAt(lsn), this.packed);
    this.decoder.forgetBefore(this.slot.logical.confirmedFlush);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.slot.active = false;
    this.slot.activePeer = undefined;
    this.slot.logical.inactiveSince = Date.now();
  }

  private async step(): Promise<void> {
    const { core } = this.host;
    for (;;) {
      if (this.stopped) return;
      if (this.slot.lost) throw invalidated(this.slot.name);
      const held = this.host.standbyLimit();
      if (held.waiting && held.waiting !== this.warned) this.host.log(held.waiting);
      this.warned = held.waiting;
      const limit = Math.min(core.wal.flushLsn, held.lsn);
      if (this.pos >= limit) break;
      const chunks = await core.wal.readFlushed(this.pos, READ_BYTES);
      if (!chunks.length) break;
      let progressed = false;
      for (const chunk of chunks) {
        const { records, invalid } = decodeRecords(chunk.bytes, chunk.lsn);
        for (const r of records) {
          if (r.lsn < this.pos) continue;
          if (r.end > limit || this.stopped) return void (await this.keepalive());
          const txn = this.decoder.feed(r);
          this.pos = r.end;
          if (this.decoder.betweenTransactions) this.boundary = r.end;
          progressed = true;
          if (txn && txn.end > this.startFrom) await this.sendTxn(txn);
        }
        if (invalid) throw new Error(invalid.reason);
      }
      if (!progressed) break;
    }
    await this.keepalive();
  }

  /** A large transaction goes in pieces (each with the relation descriptions), joined by the subscriber before it applies any. */
  private async sendTxn(txn: DecodedTxn): Promise<void> {
    const pieces = inPieces(txn.changes, changeRows, this.host.maxMessageBytes);
    for (let i = 0; i < pieces.length; i++) {
      await this.host.send(this.peer, { t: 'l_txn', txn: { ...txn, changes: pieces[i]! }, ...(i < pieces.length - 1 ? { more: true } : {}) });
    }
  }

  private async keepalive(): Promise<void> {
    // only a transaction boundary: a subscriber confirming it makes it the slot's restart point
    if (this.boundary === this.lastKeepalive || this.stopped) return;
    this.lastKeepalive = this.boundary;
    await this.host.send(this.peer, { t: 'l_keepalive', walEnd: this.boundary });
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.host.log(`logical decoding for slot "${this.slot.name}" failed: ${message}`);
    const code = e instanceof SqlError ? e.code : 'XX000';
    void this.host.send(this.peer, { t: 'l_error', code, message, detail: e instanceof SqlError ? e.detail : undefined }).catch(() => {});
    this.stop();
  }
}

/** PostgreSQL's error for a slot invalidated by max_slot_wal_keep_size. */
export function invalidated(name: string): SqlError {
  return new SqlError(SQLSTATE.object_not_in_prerequisite_state, `can no longer get changes from replication slot "${name}"`, {
    detail: 'This slot has been invalidated because it exceeded the maximum reserved size.',
  });
}
