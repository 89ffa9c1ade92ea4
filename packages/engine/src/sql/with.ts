/**
 * WITH: common table expressions. Each CTE is planned once, in order (a CTE sees the ones before
 * it), and its rows are computed at most once per statement execution, however often the query
 * names it — PostgreSQL's materialised CTE, which gives the same answer as inlining for every
 * query without volatile functions, and PostgreSQL's answer for those. In front of SELECT, INSERT,
 * UPDATE and DELETE alike. WITH RECURSIVE is cte/recursive.ts; data-modifying CTEs (top level
 * only, as in PostgreSQL) are cte/modifying.ts, and the statement runs them (collected here).
 */
import type { CommonTableExpr, Node, SelectStmt, WithClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { ExecEnv } from './env.ts';
import { strings } from './names.ts';
import type { StatementPlan } from './plan.ts';
import { modifyingCte, modifyingKind, type ModifyingCte } from './cte/modifying.ts';
import { isSelfReferencing, planRecursive, type CteRows, type PlannedQuery } from './cte/recursive.ts';
import type { Value } from './types.ts';

export type Cte = CteRows;

/** The CTEs visible while a statement is planned: innermost WITH first. */
export class CteScope {
  private readonly levels: Map<string, Cte>[] = [];
  /** The data-modifying CTEs of the statement being planned, in order: the statement runs each once. */
  readonly modifying: ModifyingCte[] = [];

  find(name: string): Cte | undefined {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const cte = this.levels[i]!.get(name);
      if (cte) return cte;
    }
    return undefined;
  }

  /**
   * Plan the clause's CTEs, then `body` with them visible; they are hidden again afterwards.
   * `planDml` plans a data-modifying CTE; absent where PostgreSQL allows none (below the top level).
   */
  with<T>(clause: WithClause, plan: (stmt: SelectStmt) => PlannedQuery, body: () => T, planDml?: (stmt: Node) => StatementPlan): T {
    const level = new Map<string, Cte>();
    this.levels.push(level);
    try {
      for (const item of clause.ctes ?? []) {
        const cte = (item as { CommonTableExpr: CommonTableExpr }).CommonTableExpr;
        const name = cte.ctename!;
        if (level.has(name)) throw new SqlError('42712', `WITH query name "${name}" specified more than once`);
        const aliases = strings(cte.aliascolnames);
        const kind = modifyingKind(cte);
        if (kind) {
          if (!planDml) throw new SqlError(SQLSTATE.feature_not_supported, 'WITH clause containing a data-modifying statement must be at the top level');
          if (kind === 'MERGE') throw new SqlError(SQLSTATE.feature_not_supported, 'MERGE not supported in WITH query');
          const m = modifyingCte(name, kind, planDml(cte.ctequery!), aliases);
          this.modifying.push(m);
          level.set(name, m);
        } else if (clause.recursive && isSelfReferencing(cte)) {
          level.set(name, planRecursive(cte, aliases, plan, (table, inner) => {
            level.set(name, table);
            try {
              return inner();
            } finally {
              level.delete(name);
            }
          }));
        } else {
          level.set(name, materialised(name, plan((cte.ctequery as { SelectStmt: SelectStmt }).SelectStmt), aliases));
        }
      }
      return body();
    } finally {
      this.levels.pop();
    }
  }
}

function materialised(name: string, query: PlannedQuery, aliases: string[]): Cte {
  if (aliases.length > query.columns.length) {
    throw new SqlError(SQLSTATE.invalid_column_reference, `WITH query "${name}" has ${query.columns.length} columns available but ${aliases.length} columns specified`);
  }
  // one result per statement execution (each has its own ExecEnv)
  const results = new WeakMap<ExecEnv, Value[][]>();
  return {
    name,
    // an untyped literal column is text outside the WITH query, as a sub-select's is
    columns: query.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type === 'unknown' ? 'text' : c.type })),
    node: query.node,
    rows(ctx) {
      let rows = results.get(ctx.env);
      if (!rows) results.set(ctx.env, (rows = query.run(ctx, undefined)));
      return rows.slice();
    },
  };
}
