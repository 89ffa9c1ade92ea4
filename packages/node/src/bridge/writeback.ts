/**
 * Writes flowing back: a transaction a walrtc node queued offline (issue 15's forwarding: origin
 * node, per-origin sequence number, statements) applied to PostgreSQL exactly once. One
 * PostgreSQL transaction runs the statements and records (origin, seq) and the verdict in
 * `walrtc_applied`; a re-sent (origin, seq) gets the recorded verdict without running again, and
 * a statement's error becomes a rejection carrying PostgreSQL's SQLSTATE and message (recorded
 * too, so a re-send is rejected the same way). The applied change comes back to walrtc through
 * the logical stream like any other: `lsn` is a PostgreSQL position at or after its commit, to
 * wait for with `bridge.waitApplied(lsn)`.
 */
import type pg from 'pg';

export interface ForwardedTransaction {
  /** The node that queued it. */
  origin: string;
  /** Its position in that node's queue: 1, 2, 3, … without gaps. */
  seq: number;
  /** `expect`: rows the statement changed on the origin; none changed here rejects the transaction (40001). */
  statements: readonly { sql: string; params?: readonly unknown[]; expect?: number }[];
  /** Record it rejected with this, without running it (the origin could not send it: 54000). */
  refuse?: { code: string; message: string; detail?: string };
}

export type Verdict =
  | { status: 'applied'; seq: number; lsn: string; duplicate: boolean }
  | { status: 'rejected'; seq: number; code: string; message: string; detail?: string; duplicate: boolean; lsn: string }
  | { status: 'rejected'; seq: number; code: '55000'; message: string; duplicate: false; outOfOrder: true };

export const APPLIED_TABLE = 'walrtc_applied';

/** The prefix of the transactional logical message that carries a write-back's record to the bridge. */
export const RECORD_PREFIX = 'walrtc_applied';

/** The engine's table of decided offline transactions, on every walrtc node. */
export const APPLIED_XACTS = 'walrtc_applied_xacts';
const RECORD_SQL = `insert into ${APPLIED_XACTS} (origin, seq, outcome, sqlstate, message, detail) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`;

interface AppliedRecord { origin: string; seq: number; outcome: 'applied' | 'rejected'; sqlstate: string | null; message: string | null; detail: string | null }

/**
 * The walrtc statement for a record received in the stream: the engine's walrtc_applied_xacts
 * row (the table its offline applier creates before it forwards anything), applied in the same
 * walrtc transaction as the change, so a node that replays one has the other.
 */
export function appliedRecordStatement(content: Uint8Array): { sql: string; params: unknown[] } {
  const r = JSON.parse(new TextDecoder().decode(content)) as AppliedRecord;
  return { sql: RECORD_SQL, params: [r.origin, r.seq, r.outcome, r.sqlstate, r.message, r.detail] };
}

const RECORD_SQL_OLD = `insert into ${APPLIED_XACTS} (origin, seq, outcome, sqlstate, message) values ($1, $2, $3, $4, $5) on conflict do nothing`;

export const isRecord = (s: { sql: string }): boolean => s.sql === RECORD_SQL;

/** The record for a walrtc_applied_xacts made before the table had `detail`. */
export function withoutDetail(s: { sql: string; params: unknown[] }): { sql: string; params: unknown[] } {
  return { sql: RECORD_SQL_OLD, params: s.params.slice(0, 5) };
}

/** Errors that say "try again", not "this transaction is wrong": never recorded as a verdict. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRIES = 5;

export async function ensureAppliedTable(client: pg.ClientBase): Promise<void> {
  await client.query(`create table if not exists ${APPLIED_TABLE} (
    origin text not null, seq bigint not null, status text not null check (status in ('applied', 'rejected')),
    sqlstate text, message text, detail text, at timestamptz not null default now(), primary key (origin, seq))`);
}

const param = (v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v);

/**
 * Apply `tx` on `client` (a dedicated connection: this runs BEGIN … COMMIT on it) exactly once.
 * Throws only when the outcome is unknown (the connection failed): the caller sends the same
 * (origin, seq) again later, and the record decides.
 */
export async function applyForwarded(client: pg.ClientBase, tx: ForwardedTransaction): Promise<Verdict> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(client, tx);
    } catch (e) {
      const code = (e as { code?: string }).code;
      await client.query('rollback').catch(() => {});
      if (!code || !RETRYABLE.has(code) || attempt >= MAX_TRIES) throw e;
    }
  }
}

async function attemptOnce(client: pg.ClientBase, tx: ForwardedTransaction): Promise<Verdict> {
  await client.query('begin');
  // flushed at COMMIT, so the flush position after it is at or after the commit (currentLsn)
  await client.query(`select set_config('synchronous_commit', 'local', true) where current_setting('synchronous_commit') = 'off'`);
  // one applier per origin at a time, across every bridge connected to this server
  await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`walrtc_applied:${tx.origin}`]);
  const seen = await client.query<{ status: string; sqlstate: string | null; message: string | null; detail: string | null }>(
    `select status, sqlstate, message, detail from ${APPLIED_TABLE} where origin = $1 and seq = $2`,
    [tx.origin, tx.seq],
  );
  const recorded = seen.rows[0];
  if (recorded) {
    await client.query('rollback');
    return recorded.status === 'applied'
      ? { status: 'applied', seq: tx.seq, lsn: await currentLsn(client), duplicate: true }
      : { status: 'rejected', seq: tx.seq, code: recorded.sqlstate!, message: recorded.message!, ...(recorded.detail ? { detail: recorded.detail } : {}), duplicate: true, lsn: await currentLsn(client) };
  }
  const last = Number((await client.query<{ seq: string | null }>(`select max(seq) as seq from ${APPLIED_TABLE} where origin = $1`, [tx.origin])).rows[0]!.seq ?? 0);
  if (tx.seq !== last + 1) {
    await client.query('rollback');
    return { status: 'rejected', seq: tx.seq, code: '55000', message: `forwarded transaction ${tx.seq} of origin "${tx.origin}" is out of order: the last one applied is ${last}`, duplicate: false, outOfOrder: true };
  }
  await client.query('savepoint walrtc_forwarded');
  let failure: { code: string; message: string; detail?: string } | undefined = tx.refuse;
  try {
    for (const s of failure ? [] : tx.statements) {
      const r = await client.query(s.sql, (s.params ?? []).map(param));
      // the origin's optimistic run changed rows this one does not find: the row was deleted or changed meanwhile
      if (s.expect && !r.rowCount) {
        failure = { code: '40001', message: 'could not serialize access due to concurrent update', detail: `The statement changed ${s.expect} row(s) on the origin and none on the primary: ${s.sql}` };
        break;
      }
    }
    if (failure && !tx.refuse) await client.query('rollback to savepoint walrtc_forwarded');
  } catch (e) {
    const err = e as { code?: string; message: string; detail?: string };
    if (!err.code || RETRYABLE.has(err.code)) throw e;
    failure = { code: err.code, message: err.message, ...(err.detail ? { detail: err.detail } : {}) };
    await client.query('rollback to savepoint walrtc_forwarded');
  }
  const record: AppliedRecord = { origin: tx.origin, seq: tx.seq, outcome: failure ? 'rejected' : 'applied', sqlstate: failure?.code ?? null, message: failure?.message ?? null, detail: failure?.detail ?? null };
  await client.query(`insert into ${APPLIED_TABLE} (origin, seq, status, sqlstate, message, detail) values ($1, $2, $3, $4, $5, $6)`, [
    record.origin, record.seq, record.outcome, record.sqlstate, record.message, record.detail,
  ]);
  // the same record through the logical stream, in this transaction: the bridge writes it into walrtc with the change
  await client.query('select pg_logical_emit_message(true, $1, $2)', [RECORD_PREFIX, JSON.stringify(record)]);
  await client.query('commit');
  const lsn = await currentLsn(client);
  return failure ? { status: 'rejected', seq: tx.seq, ...failure, duplicate: false, lsn } : { status: 'applied', seq: tx.seq, lsn, duplicate: false };
}

/**
 * A position at or after every recorded commit (each was flushed at its COMMIT), and one the
 * logical stream reaches: the insert position can stay ahead of what is flushed, and so of what
 * a walsender sends, for as long as another session's transaction stays open on an idle server.
 */
async function currentLsn(client: pg.ClientBase): Promise<string> {
  return (await client.query<{ lsn: string }>('select pg_current_wal_flush_lsn()::text as lsn')).rows[0]!.lsn;
}
