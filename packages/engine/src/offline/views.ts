/**
 * walrtc_pending: this node's queued offline writes, in PostgreSQL's monitoring-view style (one
 * row per transaction: origin, seq, statements, queued_at, state, sqlstate, message, commit_lsn).
 * The applied-transactions record is a replicated table (apply.ts), queryable on every node.
 */
import type { VirtualTable } from '../sql/env.ts';
import type { PendingRow } from './offline.ts';

export function offlineViews(rows: () => PendingRow[]): Record<string, VirtualTable> {
  return {
    walrtc_pending: {
      columns: [
        { name: 'origin', type: 'text' }, { name: 'seq', type: 'int8' }, { name: 'statements', type: 'text' },
        { name: 'queued_at', type: 'timestamptz' }, { name: 'state', type: 'text' }, { name: 'sqlstate', type: 'text' },
        { name: 'message', type: 'text' }, { name: 'commit_lsn', type: 'text' },
      ],
      rows: () => rows().map((r) => [r.origin, r.seq, r.statements.join(';\n'), r.queuedAt, r.state, r.sqlstate, r.message, r.commitLsn]),
    },
  };
}
