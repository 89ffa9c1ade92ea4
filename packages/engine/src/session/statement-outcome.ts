/**
 * What a statement leaves on its session: a write transaction takes the session's temporary tables
 * when the statement may use them; a statement that ran or failed marks its block, and ends
 * set_config outside a block (the statement was its own transaction).
 */
import type { ParsedStatement } from '../sql/parse.ts';
import type { RawResult } from './result.ts';
import type { Session } from './session.ts';
import type { OpenTxn } from './transaction.ts';

/** A write transaction of `session` holds its temporary tables once a statement may use them (offline and snapshot blocks never do). */
export function attachTemp(txn: OpenTxn, session: Session, st: ParsedStatement): void {
  if (session.offline || !session.temp.wanted(st.stmt)) return;
  session.temp.attach(txn.state);
  txn.temp = session.temp;
}

/** A statement ran: set_config outside a block ends with it (the statement was its transaction). */
export function statementDone(session: Session, autocommit: boolean, r: RawResult): RawResult {
  if (autocommit) session.settings.end(true);
  if (session.txn) session.queried = true;
  return r;
}

/** `statementDone` and `statementFailed` of an autocommit statement as steps of its Committing (wal/committing.ts), made once per session. */
export interface AutocommitSteps {
  done(r: RawResult): RawResult;
  failed(e: unknown): never;
}

export function autocommitSteps(session: Session): AutocommitSteps {
  return (session.autocommitSteps ??= {
    done: (r) => statementDone(session, true, r),
    failed: (e) => {
      throw statementFailed(session, true, e);
    },
  });
}

/** A statement failed: its block fails, set_config outside a block is undone; returns the error to throw. */
export function statementFailed(session: Session, autocommit: boolean, e: unknown): unknown {
  if (session.txn) session.failed = true;
  if (autocommit) session.settings.end(false);
  if (session.txn) session.queried = true;
  return e;
}
