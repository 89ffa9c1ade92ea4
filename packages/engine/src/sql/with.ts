/**
 * WITH: non-recursive, read-only common table expressions. Each CTE is planned once, in order (a
 * CTE sees the ones before it), and its rows are computed at most once per statement execution,
 * however often the query names it — PostgreSQL's materialised CTE, which gives the same answer as
 * inlining for every query without volatile functions, and PostgreSQL's answer for those. In front
 * of SELECT, INSERT, UPDATE and DELETE alike. WITH RECURSIVE and data-modifying CTEs are refused
 * with 0A000, so a data-modifying CTE is never dropped silently.
 */
import type { CommonTableExpr, SelectStmt, WithClause } from '@pgsql/types';
import { SqlError, SQLSTATE } from '../errors.ts';
import type { ExecEnv, RunContext } from './env.ts';
import { strings } from './names.ts';
import type { PlanNode } from './plan/explain.ts';
import type { SqlType, Value } from './types.ts';

const MODIFYING: Record<string, string> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };

/** Why a WITH clause cannot be planned, or undefined when it can. */
function refusal(clause: WithClause): SqlError | undefined {
  for (const cte of clause.ctes ?? []) {
    const query = 'CommonTableExpr' in cte ? cte.CommonTableExpr.ctequery : undefined;
    const kind = query ? MODIFYING[Object.keys(query)[0]!] : undefined;
    if (kind) return new SqlError(SQLSTATE.feature_not_supported, `data-modifying statements in WITH (${kind}) are not supported`);
  }
  if (clause.recursive) return new SqlError(SQLSTATE.feature_not_supported, 'WITH RECURSIVE queries are not supported');
  return undefined;
}

export interface Cte {
  name: string;
  columns: { name: string; type: SqlType }[];
  node: PlanNode;
  rows(ctx: RunContext): Value[][];
}

interface PlannedQuery {
  columns: { name: string; type: SqlType }[];
  node: PlanNode;
  run(ctx: RunContext, outer: readonly Value[] | undefined): Value[][];
}

/** The CTEs visible while a statement is planned: innermost WITH first. */
export class CteScope {
  private readonly levels: Map<string, Cte>[] = [];

  find(name: string): Cte | undefined {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const cte = this.levels[i]!.get(name);
      if (cte) return cte;
    }
    return undefined;
  }

  /** Plan the clause's CTEs, then `body` with them visible; they are hidden again afterwards. */
  with<T>(clause: WithClause, plan: (stmt: SelectStmt) => PlannedQuery, body: () => T): T {
    const refused = refusal(clause);
    if (refused) throw refused;
    const level = new Map<string, Cte>();
    this.levels.push(level);
    try {
      for (const item of clause.ctes ?? []) {
        const cte = (item as { CommonTableExpr: CommonTableExpr }).CommonTableExpr;
        const name = cte.ctename!;
        if (level.has(name)) throw new SqlError('42712', `WITH query name "${name}" specified more than once`);
        level.set(name, materialised(name, plan((cte.ctequery as { SelectStmt: SelectStmt }).SelectStmt), strings(cte.aliascolnames)));
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
    columns: query.columns.map((c, i) => ({ name: aliases[i] ?? c.name, type: c.type })),
    node: query.node,
    rows(ctx) {
      let rows = results.get(ctx.env);
      if (!rows) results.set(ctx.env, (rows = query.run(ctx, undefined)));
      return rows.slice();
    },
  };
}
