/**
 * The primary's side of offline writes (dbmirror's MirroredTransaction): runs each forwarded
 * transaction as one transaction against its own data and constraints, exactly once per
 * (origin, seq), in each origin's order. The pair and its outcome are recorded in the replicated
 * table walrtc_applied_xacts in the same commit (a rejection in a commit of its own, after the
 * rollback), so a resend — after a lost reply, a reload of the origin, or a failover to a
 * primary that replayed the record — gets the original outcome. Calls are serialised here.
 */
import type { Database } from '../database.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { WireVerdict, WireXact } from '../replication/protocol.ts';
import { Session } from '../session/session.ts';
import type { Value } from '../sql/types.ts';
import type { DbState } from '../state/state.ts';
import { decodeParams } from './params.ts';

export const APPLIED_TABLE = 'walrtc_applied_xacts';

const CREATE_APPLIED = `create table if not exists ${APPLIED_TABLE} (origin text not null, seq bigint not null, outcome text not null, `
  + 'sqlstate text, message text, applied_at timestamptz not null default now(), primary key (origin, seq))';

/**
 * Errors that say nothing about the transaction itself — this node cannot commit now, or does not
 * know whether it did: no verdict is recorded, and the origin sends it again later.
 */
const TRANSIENT = new Set<string>([
  SQLSTATE.read_only_sql_transaction, SQLSTATE.statement_completion_unknown, SQLSTATE.query_canceled, SQLSTATE.data_corrupted,
]);

/** A read of the replicated state, never the node's own optimistic view. */
async function read(db: Database, sql: string, params: readonly Value[]): Promise<Value[][]> {
  const s = new Session();
  s.confirmed = true;
  const [r] = await db.run(sql, params, s, true);
  return r?.rows ?? [];
}

/** The recorded outcomes of `origin` for seqs from..to, in the given state's table (empty before its first write). */
export async function recordedOutcomes(db: Database, state: DbState, origin: string, from: number, to = Number.MAX_SAFE_INTEGER): Promise<{ seq: number; outcome: string; code: string | null; message: string | null }[]> {
  if (!state.tableNames.has(APPLIED_TABLE)) return [];
  const rows = await read(db, `select seq, outcome, sqlstate, message from ${APPLIED_TABLE} where origin = $1 and seq between $2 and $3 order by seq`, [origin, from, to]);
  return rows.map(([seq, outcome, code, message]) => ({ seq: Number(seq), outcome: String(outcome), code: code as string | null, message: message as string | null }));
}

/** The highest seq of `origin` recorded in the replicated state (0 when none). */
export async function highestRecorded(db: Database, origin: string): Promise<number> {
  if (!db.state.tableNames.has(APPLIED_TABLE)) return 0;
  const [[max]] = (await read(db, `select max(seq) from ${APPLIED_TABLE} where origin = $1`, [origin])) as [[Value]];
  return max === null ? 0 : Number(max);
}

export class OfflineApplier {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Database, private readonly log: (m: string) => void) {}

  /** Apply what is new of `xacts` in seq order, answer what was applied before; stops at a gap or a transient failure. */
  apply(origin: string, xacts: readonly WireXact[]): Promise<WireVerdict[]> {
    const run = this.tail.then(() => this.run(origin, xacts));
    this.tail = run.catch(() => {});
    return run;
  }

  private async run(origin: string, xacts: readonly WireXact[]): Promise<WireVerdict[]> {
    const verdicts: WireVerdict[] = [];
    if (!(await this.ensureTable())) return verdicts;
    let highest = await highestRecorded(this.db, origin);
    const sorted = [...xacts].sort((a, b) => a.seq - b.seq);
    // resends: answered from the record, read once for the whole batch
    const seen = sorted.length && sorted[0]!.seq <= highest
      ? new Map((await recordedOutcomes(this.db, this.db.state, origin, sorted[0]!.seq, Math.min(highest, sorted.at(-1)!.seq))).map((r) => [r.seq, r]))
      : new Map<number, never>();
    for (const x of sorted) {
      if (x.seq <= highest) {
        const row = seen.get(x.seq);
        if (row) verdicts.push(this.verdictOf(row));
        continue;
      }
      // an earlier one is missing (reordered or lost): it comes again, in order
      if (x.seq !== highest + 1) break;
      const v = await this.execute(origin, x);
      if (!v) break;
      verdicts.push(v);
      highest = x.seq;
    }
    return verdicts;
  }

  private verdictOf(row: { seq: number; outcome: string; code: string | null; message: string | null }): WireVerdict {
    // the record is committed, so the position now is at or after its commit
    const lsn = this.db.wal.insertLsn;
    return row.outcome === 'applied'
      ? { seq: row.seq, outcome: 'applied', lsn }
      : { seq: row.seq, outcome: 'rejected', lsn, code: row.code ?? SQLSTATE.internal_error, message: row.message ?? '' };
  }

  private async ensureTable(): Promise<boolean> {
    if (this.db.state.tableNames.has(APPLIED_TABLE)) return true;
    try {
      await this.db.run(CREATE_APPLIED, undefined, new Session(), true);
      return true;
    } catch (e) {
      this.log(`offline writes: could not create ${APPLIED_TABLE}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  /** One forwarded transaction: applied with its record in one commit, or rolled back and its rejection recorded. */
  private async execute(origin: string, x: WireXact): Promise<WireVerdict | undefined> {
    const { db } = this;
    const session = new Session();
    try {
      if (x.tooLarge !== undefined) {
        throw new SqlError(SQLSTATE.program_limit_exceeded, `offline transaction of ${x.tooLarge} bytes is too large to forward`, { detail: 'Its origin could not send it in one message; it was not run.' });
      }
      await db.run('BEGIN', undefined, session, true);
      for (const st of x.statements) {
        const [r] = await db.run(st.sql, decodeParams(st.params), session, true);
        if (st.expect && r && r.rowCount === 0) {
          throw new SqlError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update', {
            detail: `The statement changed ${st.expect} row(s) on the origin and none on the primary: ${st.sql}`,
          });
        }
      }
      await db.run(`insert into ${APPLIED_TABLE} (origin, seq, outcome) values ($1, $2, 'applied')`, [origin, x.seq], session, true);
      const [end] = await db.run('COMMIT', undefined, session, true);
      if (end?.command !== 'COMMIT') throw new SqlError(SQLSTATE.in_failed_sql_transaction, 'the transaction was rolled back at COMMIT');
      return { seq: x.seq, outcome: 'applied', lsn: db.wal.insertLsn };
    } catch (e) {
      db.rollback(session);
      const code = e instanceof SqlError ? e.code : SQLSTATE.internal_error;
      const message = e instanceof Error ? e.message : String(e);
      if (TRANSIENT.has(code) || db.options.hooks.readOnly()) {
        this.log(`offline writes: transaction ${x.seq} of "${origin}" not applied now (${code} ${message}); it will be sent again`);
        return undefined;
      }
      try {
        await db.run(`insert into ${APPLIED_TABLE} (origin, seq, outcome, sqlstate, message) values ($1, $2, 'rejected', $3, $4)`, [origin, x.seq, code, message], new Session(), true);
      } catch (e2) {
        this.log(`offline writes: could not record the rejection of transaction ${x.seq} of "${origin}": ${e2 instanceof Error ? e2.message : String(e2)}`);
        return undefined;
      }
      return { seq: x.seq, outcome: 'rejected', lsn: db.wal.insertLsn, code, message };
    }
  }
}
