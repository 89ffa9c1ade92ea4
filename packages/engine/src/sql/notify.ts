/**
 * NOTIFY channel [, payload] and pg_notify(channel, payload): each adds a `notify` WAL record to
 * the writing transaction, so a notification exists only if its transaction commits, reaches
 * listeners in commit order, and travels to standbys with the WAL (replay hands each commit's
 * notifications to the node's listeners, beyond what PostgreSQL does). PostgreSQL's checks: a
 * channel name is 1 to 63 bytes, a payload under 8000 bytes (22023); identical notifications of
 * one transaction are delivered once.
 */
import type { NotifyStmt } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { WalRecord } from '../wal/record.ts';
import type { RunContext } from './env.ts';
import type { StatementPlan } from './plan.ts';
import type { Compiled } from './scope.ts';
import { TYPE_NAME, type SqlType } from './types.ts';

export interface Notification {
  channel: string;
  payload: string;
}

const TEXTUAL: ReadonlySet<SqlType> = new Set(['text', 'varchar', 'unknown']);

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

function notify(ctx: RunContext, channel: string | null, payload: string | null): void {
  if (!channel) throw new SqlError(SQLSTATE.invalid_parameter_value, 'channel name cannot be empty');
  if (utf8Length(channel) >= 64) throw new SqlError(SQLSTATE.invalid_parameter_value, 'channel name too long');
  if (payload !== null && utf8Length(payload) >= 8000) throw new SqlError(SQLSTATE.invalid_parameter_value, 'payload string too long');
  const txn = ctx.env.txn;
  // a SELECT that calls pg_notify is planned as a write (callsNotify), so a transaction is open
  if (!txn) throw new SqlError(SQLSTATE.feature_not_supported, 'pg_notify() is not supported here');
  txn.write({ kind: 'notify', channel, payload: payload ?? '' });
}

export function planNotify(stmt: NotifyStmt): StatementPlan {
  return {
    command: 'NOTIFY',
    columns: [],
    writes: true,
    run(ctx) {
      notify(ctx, stmt.conditionname ?? '', stmt.payload ?? null);
      return { rows: [], rowCount: 0 };
    },
  };
}

/** pg_notify(text, text) → void (NULL, as walrtc has no void type's output to give). */
export function pgNotify(args: Compiled[]): Compiled {
  if (args.length !== 2 || args.some((a) => !TEXTUAL.has(a.type))) {
    throw new SqlError(SQLSTATE.undefined_function, `function pg_notify(${args.map((a) => TYPE_NAME[a.type]).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  return {
    type: 'text',
    eval: (row, c) => {
      const ctx = c as RunContext;
      const channel = args[0]!.eval(row, ctx);
      const payload = args[1]!.eval(row, ctx);
      notify(ctx, channel === null || channel === undefined ? null : String(channel), payload === null || payload === undefined ? null : String(payload));
      return '';
    },
  };
}

/** Whether a statement calls pg_notify: it then writes (a NOTIFY), wherever the call is. */
export function callsNotify(stmt: unknown): boolean {
  return JSON.stringify(stmt).includes('{"sval":"pg_notify"}');
}

/** A committed transaction's notifications, in the order they were made, each (channel, payload) once. */
const NO_NOTIFICATIONS: readonly Notification[] = Object.freeze([]);

export function notificationsOf(records: readonly WalRecord[]): readonly Notification[] {
  // made at the first NOTIFY too: a commit without one shares the empty list
  let out: Notification[] | undefined;
  // made at the first NOTIFY: every commit passes here, few notify
  let seen: Set<string> | undefined;
  for (const r of records) {
    if (r.kind !== 'notify') continue;
    const key = JSON.stringify([r.channel, r.payload]);
    seen ??= new Set();
    if (seen.has(key)) continue;
    seen.add(key);
    (out ??= []).push({ channel: r.channel, payload: r.payload });
  }
  return out ?? NO_NOTIFICATIONS;
}
