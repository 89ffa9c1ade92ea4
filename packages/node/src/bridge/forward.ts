/**
 * Offline writes through a bridge primary: the node option `applyForwarded` that sends a standby's
 * forwarded transaction to PostgreSQL (writeback.ts, on a connection of its own) instead of
 * running it in walrtc. An applied one is answered only once its change has come back through the
 * logical stream into walrtc (`bridge.waitApplied`), so the record the engine then commits — the
 * one that settles the origin's pending entry — never precedes the data. A rejection carries
 * PostgreSQL's SQLSTATE, message and detail. Anything that leaves the outcome unknown (no bridge
 * streaming yet, the connection lost, the stream stopped while waiting) throws: nothing is
 * recorded in walrtc, the origin resends, and PostgreSQL's walrtc_applied answers the resend.
 * Owns the connection; the engine's applier calls it one transaction at a time.
 */
import type { ForwardedApplier, ForwardedOutcome } from '@walrtc/engine';
import type pg from 'pg';
import type { Bridge } from './bridge.ts';
import { connect } from './source.ts';
import { applyForwarded, ensureAppliedTable } from './writeback.ts';

export interface PostgresWriteBack {
  /** Pass as the bridge node's `applyForwarded` option. */
  readonly apply: ForwardedApplier;
  /** Ends the connection (a call in progress fails and its transaction is resent later). */
  close(): Promise<void>;
}

/** `bridge()`: the bridge streaming into the node now (undefined before it started: forwarded transactions wait). */
export function forwardToPostgres(postgres: string, bridge: () => Bridge | undefined): PostgresWriteBack {
  let client: Promise<pg.Client> | undefined;
  const open = async () => {
    const c = connect(postgres, false);
    c.on('error', () => {});
    try {
      await c.connect();
      await ensureAppliedTable(c);
      return c;
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
  };
  const drop = async (c: Promise<pg.Client>) => {
    if (client === c) client = undefined;
    await (await c.catch(() => undefined))?.end().catch(() => {});
  };
  const apply: ForwardedApplier = async (xact) => {
    const b = bridge();
    if (b?.status().state !== 'streaming') throw new Error('the PostgreSQL bridge is not streaming');
    const c = (client ??= open());
    let v;
    try {
      v = await applyForwarded(await c, xact);
    } catch (e) {
      await drop(c);
      throw e;
    }
    if (v.status === 'rejected') {
      // recorded nowhere: walrtc's record and PostgreSQL's disagree, which a resend must not paper over
      if (v.outOfOrder) throw new Error(v.message);
      const outcome: ForwardedOutcome = { status: 'rejected', code: v.code, message: v.message };
      return v.detail ? { ...outcome, detail: v.detail } : outcome;
    }
    await b.waitApplied(v.lsn);
    return { status: 'applied' };
  };
  return {
    apply,
    close: async () => {
      if (client) await drop(client);
    },
  };
}
