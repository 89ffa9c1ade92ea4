/**
 * Data-modifying statements in WITH (`WITH d AS (DELETE … RETURNING …) INSERT … SELECT … FROM
 * d`), with PostgreSQL's rules: allowed only in the top-level statement's WITH; each runs exactly
 * once per execution, whether or not the query reads it, to completion; every part of the statement
 * reads the same snapshot — the state before the statement — so no part sees another's changes,
 * only the rows their RETURNING hands over. A row that two parts update or delete is changed by
 * the first to reach it and left alone by the other, as PostgreSQL does (dml.ts stillCurrent).
 */
import type { CommonTableExpr } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { ExecEnv, RunContext } from '../env.ts';
import type { StatementPlan } from '../plan.ts';
import { planNode } from '../plan/explain.ts';
import type { CteRows } from './recursive.ts';

export const MODIFYING: Record<string, string> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };

/** The kind of data-modifying statement a CTE holds, or undefined for a SELECT. */
export function modifyingKind(cte: CommonTableExpr): string | undefined {
  return cte.ctequery ? MODIFYING[Object.keys(cte.ctequery)[0]!] : undefined;
}

export interface ModifyingCte extends CteRows {
  /** Run the statement (once per execution) and keep its RETURNING rows. */
  execute(ctx: RunContext): void;
}

export function modifyingCte(name: string, kind: string, plan: StatementPlan, aliases: readonly string[]): ModifyingCte {
  if (aliases.length > plan.columns.length) {
    throw new SqlError(SQLSTATE.invalid_column_reference, `WITH query "${name}" has ${plan.columns.length} columns available but ${aliases.length} columns specified`);
  }
  const results = new WeakMap<ExecEnv, unknown[][]>();
  const run = (ctx: RunContext) => {
    let rows = results.get(ctx.env);
    if (!rows) results.set(ctx.env, (rows = plan.run(ctx).rows));
    return rows;
  };
  return {
    name,
    columns: plan.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type })),
    node: planNode(kind),
    execute: (ctx) => void run(ctx),
    rows(ctx) {
      if (!plan.columns.length) {
        throw new SqlError(SQLSTATE.feature_not_supported, `WITH query "${name}" does not have a RETURNING clause`);
      }
      return run(ctx).slice();
    },
  };
}

/** A read-only copy of the state as it is now, which later writes to `state` never change (O(tables), copy-on-write). */
export function snapshot(state: DbState): DbState {
  const copy = state.fork();
  for (const [oid, t] of state.tables) copy.tables.set(oid, t.clone());
  return copy;
}

/**
 * The statement around its data-modifying CTEs: runs every CTE once, then the statement itself,
 * all reading the snapshot taken when it starts.
 */
export function withModifyingCtes(plan: StatementPlan, ctes: readonly ModifyingCte[]): StatementPlan {
  return {
    ...plan,
    writes: true,
    writeName: plan.writes ? plan.writeName : ctes[0]!.node.label,
    run(ctx) {
      const env: ExecEnv = { ...ctx.env, state: snapshot(ctx.env.state) };
      const shared: RunContext = { ...ctx, env };
      for (const cte of ctes) cte.execute(shared);
      return plan.run(shared);
    },
  };
}
