/** A planned statement: compiled once for a catalog version, run with a RunContext each time. */
import type { RunContext } from './env.ts';
import type { SqlType, Value } from './types.ts';

export interface StatementPlan {
  command: string;
  columns: { name: string; type: SqlType }[];
  /** Changes data or catalog: refused on a standby, runs under the writer lock on a primary. */
  writes: boolean;
  /** How a read-only refusal names the statement when not by its command (SELECT FOR UPDATE). */
  writeName?: string;
  run(ctx: RunContext): { rows: Value[][]; rowCount: number };
  /**
   * Work done before the statement takes the writer lock (a subscription talking to its
   * publisher); resolves with the plan to run. `inBlock`: a transaction block is open.
   */
  prepare?(ctx: RunContext, inBlock: boolean): Promise<StatementPlan>;
}
