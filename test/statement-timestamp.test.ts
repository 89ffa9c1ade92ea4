/**
 * statement_timestamp() is the start of the current statement, transaction_timestamp() and now()
 * the start of the transaction (PostgreSQL's xact_start / stmt_start): they differ inside a block.
 */
import { describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';

describe('statement_timestamp()', () => {
  it('moves with each statement of a transaction block while now() stays', async () => {
    const node = await openNode({ cluster: `stmt-ts-${process.pid}`, storage: 'memory' });
    try {
      await node.query('begin');
      const first = (await node.query<{ s: Date; n: Date }>('select statement_timestamp() as s, now() as n')).rows[0]!;
      // the wall clock has to move for a later statement to start later
      const t0 = Date.now();
      while (Date.now() < t0 + 5) { /* until the clock has moved */ }
      const second = (await node.query<{ s: Date; n: Date; t: Date }>('select statement_timestamp() as s, now() as n, transaction_timestamp() as t')).rows[0]!;
      await node.query('commit');
      expect(second.n.getTime()).toBe(first.n.getTime());
      expect(second.t.getTime()).toBe(first.n.getTime());
      expect(second.s.getTime()).toBeGreaterThan(first.s.getTime());
      const auto = (await node.query<{ same: boolean }>('select statement_timestamp() = now() as same')).rows[0]!;
      expect(auto.same).toBe(true);
    } finally {
      await node.close();
    }
  });
});
