/**
 * LISTEN / UNLISTEN: the channels one session listens on, as PostgreSQL's async.c keeps them per
 * backend. Inside a transaction block they change at COMMIT (a rolled-back LISTEN never took
 * effect); outside one, at once. A node delivers a committed NOTIFY to its session's listeners
 * when the session listens on its channel — on a standby too, where replay brings the NOTIFYs
 * (walrtc's addition: PostgreSQL refuses LISTEN during recovery).
 */
import type { Node } from '@pgsql/types';
import type { Notification } from '../sql/notify.ts';
import { rawResult } from './raw.ts';
import type { RawResult } from './result.ts';
import type { Session } from './session.ts';

type Change = { listen: boolean; channel: string | undefined };

export class Listens {
  private readonly channels = new Set<string>();
  private pending: Change[] = [];
  /** Savepoints of the block: how many changes were pending when each was taken. */
  private marks: { name: string; at: number }[] = [];

  has(channel: string): boolean {
    return this.channels.has(channel);
  }

  change(c: Change, inBlock: boolean): void {
    if (inBlock) this.pending.push(c);
    else this.apply(c);
  }

  /** The block committed: its LISTENs and UNLISTENs take effect, in order. */
  commit(): void {
    for (const c of this.pending) this.apply(c);
    this.forget();
  }

  /** The block ended without committing (or after `commit`): nothing more to apply. */
  forget(): void {
    this.pending = [];
    this.marks = [];
  }

  savepoint(name: string): void {
    this.marks.push({ name, at: this.pending.length });
  }

  /** RELEASE keeps the changes; ROLLBACK TO drops those made after the savepoint, which stays. */
  endSavepoint(name: string, rollback: boolean): void {
    const i = this.marks.map((m) => m.name).lastIndexOf(name);
    if (i < 0) return;
    if (rollback) this.pending.length = this.marks[i]!.at;
    this.marks.length = rollback ? i + 1 : i;
  }

  private apply(c: Change): void {
    if (c.listen) this.channels.add(c.channel!);
    else if (c.channel === undefined) this.channels.clear();
    else this.channels.delete(c.channel);
  }
}

export function listenStatement(stmt: Node, session: Session): RawResult {
  const listen = 'ListenStmt' in stmt;
  const channel = listen ? stmt.ListenStmt.conditionname : 'UnlistenStmt' in stmt ? stmt.UnlistenStmt.conditionname : undefined;
  session.listens.change({ listen, channel }, session.txn !== undefined);
  return rawResult(listen ? 'LISTEN' : 'UNLISTEN', [], [], 0);
}

/** The notifications of a commit this session listens for, in order. */
export function heard(session: Session, notifications: readonly Notification[] | undefined): Notification[] {
  return (notifications ?? []).filter((n) => session.listens.has(n.channel));
}
