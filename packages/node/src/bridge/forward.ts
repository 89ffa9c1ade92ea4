/**
 * Offline writes through a bridge primary: the node option `applyForwarded` that sends a standby's
 * forwarded transaction to PostgreSQL (writeback.ts, on a connection of its own) instead of
 * running it in walrtc. PostgreSQL's transaction carries its record (walrtc_applied_xacts' row:
 * outcome, SQLSTATE, message, detail) as a logical message, which the bridge applies in the same
 * walrtc transaction as the change; this resolves once the stream has brought it
 * (`bridge.waitApplied`), and the engine answers from that record. Anything that leaves the outcome unknown (no bridge
 * streaming yet, the connection lost, the stream stopped while waiting) throws: nothing is
 * recorded in walrtc, the origin resends, and PostgreSQL's walrtc_applied answers the resend.
 * Owns the connection; the engine's applier calls it one transaction at a time.
 */
import type { ForwardedApplier } from '@walrtc/engine';
import type pg from 'pg';
import type { Bridge } from './bridge.ts';
import { BridgeError } from './errors.ts';
import { connect, serverInfo } from './source.ts';
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
      const { version } = await serverInfo(c);
      if (version < 140000) throw new BridgeError('0A000', 'writing offline transactions back needs PostgreSQL 14 or later: their records travel as logical messages');
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
    // recorded nowhere: walrtc's record and PostgreSQL's disagree, which a resend must not paper over
    if ('outOfOrder' in v) throw new Error(v.message);
    await b.waitApplied(v.lsn);
  };
  return {
    apply,
    close: async () => {
      if (client) await drop(client);
    },
  };
}
