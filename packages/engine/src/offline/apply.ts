/**
 * The primary's side of offline writes (dbmirror's MirroredTransaction): runs each forwarded
 * transaction as one transaction against its own data and constraints, exactly once per
 * (origin, seq), in each origin's order. The pair and its outcome are recorded in the replicated
 * table walrtc_applied_xacts in the same commit (a rejection in a commit of its own, after the
 * rollback), so a resend — after a lost reply, a reload of the origin, or a failover to a
 * primary that replayed the record — gets the original outcome. Calls are serialised here. With
 * the node option `applyForwarded` (a PostgreSQL bridge) another system decides and records each
 * transaction, and its record arrives here with the change; this only answers from it.
 */
import type { Database } from '../database.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { WireVerdict, WireXact } from '../replication/protocol.ts';
import { Session } from '../session/session.ts';
import type { Value } from '../sql/types.ts';
import type { DbState } from '../state/state.ts';
import { decodeParams } from './params.ts';

export const APPLIED_TABLE = 'walrtc_applied_xacts';

/** A forwarded transaction as an external applier (a PostgreSQL bridge) gets it: parameters decoded. */
export interface ForwardedXact {
  origin: string;
  seq: number;
  /** `expect`: rows the statement changed on the origin; none changed where it is applied is a conflict (40001). */
  statements: { sql: string; params: Value[]; expect?: number }[];
  /** Set when it must be recorded rejected without running (too large to forward: 54000). */
  refuse?: { code: string; message: string; detail?: string };
}

/**
 * The node option `applyForwarded`: decides a forwarded transaction somewhere else (a bridge
 * primary: PostgreSQL) exactly once, and resolves once its outcome's row of walrtc_applied_xacts
 * is in this node's data, committed together with the change it made (a bridge's stream brings
 * both in one transaction). Throwing means "outcome not known now": the origin resends.
 */
export type ForwardedApplier = (xact: ForwardedXact) => Promise<void>;

const CREATE_APPLIED = `create table if not exists ${APPLIED_TABLE} (origin text not null, seq bigint not null, outcome text not null, `
  + 'sqlstate text, message text, applied_at timestamptz not null default now(), detail text, primary key (origin, seq))';

/** Whether the table has `detail` (a table created before it was added has not: its rejections record none). */
function hasDetail(state: DbState): boolean {
  const oid = state.tableNames.get(APPLIED_TABLE);
  return oid !== undefined && state.table(oid).column('detail') >= 0;
}

/** A decision recorded, in `session`'s transaction or a commit of its own. */
async function record(db: Database, session: Session, origin: string, seq: number, failure?: { code: string; message: string; detail?: string }): Promise<void> {
  const withDetail = failure?.detail !== undefined && hasDetail(db.state);
  await db.run(`insert into ${APPLIED_TABLE} (origin, seq, outcome, sqlstate, message${withDetail ? ', detail' : ''}) values ($1, $2, $3, $4, $5${withDetail ? ', $6' : ''})`,
    [origin, seq, failure ? 'rejected' : 'applied', failure?.code ?? null, failure?.message ?? null, ...(withDetail ? [failure.detail!] : [])], session, true);
}

export interface RecordedOutcome { seq: number; outcome: string; code: string | null; message: string | null; detail: string | null }

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
export async function recordedOutcomes(db: Database, state: DbState, origin: string, from: number, to = Number.MAX_SAFE_INTEGER): Promise<RecordedOutcome[]> {
  if (!state.tableNames.has(APPLIED_TABLE)) return [];
  const rows = await read(db, `select seq, outcome, sqlstate, message, ${hasDetail(state) ? 'detail' : 'null'} from ${APPLIED_TABLE} where origin = $1 and seq between $2 and $3 order by seq`, [origin, from, to]);
  return rows.map(([seq, outcome, code, message, detail]) => ({ seq: Number(seq), outcome: String(outcome), code: code as string | null, message: message as string | null, detail: detail as string | null }));
}

/** The highest seq of `origin` recorded in the replicated state (0 when none). */
export async function highestRecorded(db: Database, origin: string): Promise<number> {
  if (!db.state.tableNames.has(APPLIED_TABLE)) return 0;
  const [[max]] = (await read(db, `select max(seq) from ${APPLIED_TABLE} where origin = $1`, [origin])) as [[Value]];
  return max === null ? 0 : Number(max);
}

export class OfflineApplier {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Database, private readonly log: (m: string) => void, private readonly external?: ForwardedApplier) {}

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
      const v = this.external ? await this.executeExternal(this.external, origin, x) : await this.execute(origin, x);
      if (!v) break;
      verdicts.push(v);
      highest = x.seq;
    }
    return verdicts;
  }

  private verdictOf(row: RecordedOutcome): WireVerdict {
    // the record is committed, so the position now is at or after its commit
    const lsn = this.db.wal.insertLsn;
    return row.outcome === 'applied'
      ? { seq: row.seq, outcome: 'applied', lsn }
      : { seq: row.seq, outcome: 'rejected', lsn, code: row.code ?? SQLSTATE.internal_error, message: row.message ?? '', ...(row.detail ? { detail: row.detail } : {}) };
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

  /**
   * One forwarded transaction decided by the external applier. Its record arrives here in the
   * same commit as its change, so the origin, which settles its entry when its replay brings the
   * record, has the change then too: the write is never in neither place, nor in both.
   */
  private async executeExternal(apply: ForwardedApplier, origin: string, x: WireXact): Promise<WireVerdict | undefined> {
    try {
      await apply({
        origin,
        seq: x.seq,
        statements: x.statements.map((s) => ({ sql: s.sql, params: decodeParams(s.params), ...(s.expect ? { expect: s.expect } : {}) })),
        ...(x.tooLarge !== undefined ? { refuse: tooLarge(x.tooLarge) } : {}),
      });
    } catch (e) {
      this.log(`offline writes: transaction ${x.seq} of "${origin}" not applied now (${e instanceof Error ? e.message : String(e)}); it will be sent again`);
      return undefined;
    }
    const [row] = await recordedOutcomes(this.db, this.db.state, origin, x.seq, x.seq);
    if (row) return this.verdictOf(row);
    this.log(`offline writes: transaction ${x.seq} of "${origin}" was decided but its record is not here; it will be sent again`);
    return undefined;
  }

  /** One forwarded transaction: applied with its record in one commit, or rolled back and its rejection recorded. */
  private async execute(origin: string, x: WireXact): Promise<WireVerdict | undefined> {
    const { db } = this;
    const session = new Session();
    try {
      if (x.tooLarge !== undefined) {
        const r = tooLarge(x.tooLarge);
        throw new SqlError(r.code, r.message, { detail: r.detail });
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
      await record(db, session, origin, x.seq);
      const [end] = await db.run('COMMIT', undefined, session, true);
      if (end?.command !== 'COMMIT') throw new SqlError(SQLSTATE.in_failed_sql_transaction, 'the transaction was rolled back at COMMIT');
      return { seq: x.seq, outcome: 'applied', lsn: db.wal.insertLsn };
    } catch (e) {
      db.rollback(session);
      const code = e instanceof SqlError ? e.code : SQLSTATE.internal_error;
      const message = e instanceof Error ? e.message : String(e);
      const detail = e instanceof SqlError ? e.detail : undefined;
      if (TRANSIENT.has(code) || db.options.hooks.readOnly()) {
        this.log(`offline writes: transaction ${x.seq} of "${origin}" not applied now (${code} ${message}); it will be sent again`);
        return undefined;
      }
      try {
        await record(db, new Session(), origin, x.seq, detail === undefined ? { code, message } : { code, message, detail });
      } catch (e2) {
        this.log(`offline writes: could not record the rejection of transaction ${x.seq} of "${origin}": ${e2 instanceof Error ? e2.message : String(e2)}`);
        return undefined;
      }
      return { seq: x.seq, outcome: 'rejected', lsn: db.wal.insertLsn, code, message, ...(detail ? { detail } : {}) };
    }
  }
}

function tooLarge(bytes: number): { code: string; message: string; detail: string } {
  return { code: SQLSTATE.program_limit_exceeded, message: `offline transaction of ${bytes} bytes is too large to forward`, detail: 'Its origin could not send it in one message; it was not run.' };
}
