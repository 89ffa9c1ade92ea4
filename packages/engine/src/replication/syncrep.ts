/**
 * Synchronous replication (PostgreSQL's syncrep.c): parses synchronous_standby_names, assigns
 * each standby its sync_priority and sync_state, and holds committing transactions until the
 * chosen standbys have written (remote_write), flushed (on) or applied (remote_apply) their
 * commit record — or until syncCommitTimeout, when the commit is reported as local-only.
 */
import type { SynchronousCommit } from '../database.ts';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { Lsn } from '../wal/lsn.ts';
import type { StandbyInfo } from './sender.ts';

export interface SyncConfig {
  method: 'first' | 'any';
  count: number;
  /** Application names in priority order; '*' matches any standby. */
  names: string[];
}

/** Parse synchronous_standby_names: `FIRST n (a, b)`, `ANY n (a, b)`, `a, b` (FIRST 1), `*`. */
export function parseStandbyNames(text: string | undefined): SyncConfig | undefined {
  const src = (text ?? '').trim();
  if (!src) return undefined;
  const m = /^(?:(first|any)\s+(\d+)\s*\((.*)\)|(\d+)\s*\((.*)\))$/is.exec(src);
  const method = m?.[1] ? (m[1].toLowerCase() as 'first' | 'any') : 'first';
  const count = m ? Number(m[2] ?? m[4]) : 1;
  const list = m ? (m[3] ?? m[5])! : src;
  const names = list.split(',').map((n) => n.trim().replace(/^"(.*)"$/, '$1')).filter(Boolean);
  if (!names.length || count < 1) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "synchronous_standby_names": "${src}"`);
  }
  return { method, count, names };
}

export type SyncState = 'async' | 'potential' | 'sync' | 'quorum';

/** sync_priority and sync_state of every standby, as pg_stat_replication shows them. */
export function assignSyncStates(config: SyncConfig | undefined, standbys: readonly StandbyInfo[]): Map<string, { priority: number; state: SyncState }> {
  const out = new Map<string, { priority: number; state: SyncState }>();
  for (const s of standbys) out.set(s.applicationName, { priority: 0, state: 'async' });
  if (!config) return out;
  const priorityOf = (name: string) => {
    const i = config.names.findIndex((n) => n === name || n === '*');
    return i < 0 ? 0 : config.method === 'any' ? 1 : i + 1;
  };
  // only standbys that are streaming can be synchronous, as in PostgreSQL
  const candidates = standbys.filter((s) => s.state === 'streaming' && priorityOf(s.applicationName) > 0);
  if (config.method === 'any') {
    for (const s of candidates) out.set(s.applicationName, { priority: 1, state: 'quorum' });
    return out;
  }
  const ranked = [...candidates].sort((a, b) => priorityOf(a.applicationName) - priorityOf(b.applicationName));
  ranked.forEach((s, i) => out.set(s.applicationName, { priority: priorityOf(s.applicationName), state: i < config.count ? 'sync' : 'potential' }));
  return out;
}

function position(s: StandbyInfo, level: SynchronousCommit): Lsn {
  return level === 'remote_write' ? s.writeLsn : level === 'remote_apply' ? s.replayLsn : s.flushLsn;
}

/** Whether a commit ending at `end` is confirmed by the standbys `config` asks for. */
export function confirmed(config: SyncConfig, standbys: readonly StandbyInfo[], end: Lsn, level: SynchronousCommit): boolean {
  const states = assignSyncStates(config, standbys);
  const wanted = standbys.filter((s) => {
    const st = states.get(s.applicationName)!.state;
    return config.method === 'any' ? st === 'quorum' : st === 'sync';
  });
  const done = wanted.filter((s) => position(s, level) >= end).length;
  return config.method === 'any' ? done >= config.count : wanted.length >= config.count && done === wanted.length;
}

interface Waiter {
  end: Lsn;
  level: SynchronousCommit;
  resolve: () => void;
  reject: (e: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** Commits waiting for their standbys; released whenever standby positions move. */
export class SyncRepWaiters {
  private waiters: Waiter[] = [];

  constructor(private readonly config: () => SyncConfig | undefined, private readonly standbys: () => StandbyInfo[], private readonly timeoutMs: number | undefined) {}

  /** Undefined when the commit needs no standby (none is synchronous, or they confirmed already): the committer then does not wait a turn. */
  wait(end: Lsn, level: SynchronousCommit): Promise<void> | undefined {
    const config = this.config();
    if (!config || level === 'off' || level === 'local' || confirmed(config, this.standbys(), end, level)) return undefined;
    return new Promise((resolve, reject) => {
      const w: Waiter = { end, level, resolve, reject };
      if (this.timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          this.remove(w);
          reject(new SqlError(SQLSTATE.query_canceled, 'canceling wait for synchronous replication due to syncCommitTimeout', {
            detail: 'The transaction has already committed locally, but might not have been replicated to the standby.',
          }));
        }, this.timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  /** Standby positions or the set of sync standbys changed. */
  release(): void {
    const config = this.config();
    const standbys = this.standbys();
    for (const w of [...this.waiters]) {
      if (!config || confirmed(config, standbys, w.end, w.level)) {
        this.remove(w);
        w.resolve();
      }
    }
  }

  /** The node stopped being the primary: the outcome of every waiting commit is unknown to its caller. */
  abandon(reason: string): void {
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new SqlError(SQLSTATE.statement_completion_unknown, `${reason} while the commit waited for synchronous replication`, {
        detail: 'The transaction has already committed locally, but might not have been replicated; it may or may not survive the failover.',
      }));
    }
  }

  private remove(w: Waiter): void {
    if (w.timer) clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
  }
}
