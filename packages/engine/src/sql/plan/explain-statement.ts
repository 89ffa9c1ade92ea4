/**
 * The EXPLAIN statement: plan the SELECT, print its plan tree (plan/explain.ts); with ANALYZE run it
 * first, so every node shows the rows it produced. Results have PostgreSQL's one text column
 * "QUERY PLAN". INSERT, UPDATE and DELETE are explained without ANALYZE (plan/explain-dml.ts);
 * other statements fail with 0A000.
 */
import type { ExplainStmt } from '@pgsql/types';
import { featureNotSupported } from '../../errors.ts';
import type { DbState } from '../../state/state.ts';
import type { StatementPlan } from '../plan.ts';
import type { SelectPlanner } from '../select.ts';
import type { Value } from '../types.ts';
import { explainDml } from './explain-dml.ts';
import { renderPlan, type PlanNode } from './explain.ts';

export function planExplain(stmt: ExplainStmt, planner: SelectPlanner, state: DbState): StatementPlan {
  let analyze = false;
  // PostgreSQL prints the Execution Time line by default with ANALYZE only, and never with SUMMARY OFF
  let summary: boolean | undefined;
  for (const o of stmt.options ?? []) {
    const d = 'DefElem' in o ? o.DefElem : undefined;
    const name = d?.defname ?? '';
    const arg = d?.arg && 'String' in d.arg ? d.arg.String.sval : d?.arg && 'Boolean' in d.arg ? String(d.arg.Boolean.boolval ?? false) : undefined;
    const on = arg === undefined || /^(true|on|1)$/i.test(arg);
    if (name === 'analyze') analyze = on;
    else if (name === 'summary') summary = on;
    else if (name === 'format' && arg?.toLowerCase() !== 'text') throw featureNotSupported(`EXPLAIN (FORMAT ${arg?.toUpperCase()})`);
    else if (name !== 'costs' && name !== 'verbose' && name !== 'timing' && name !== 'buffers') throw featureNotSupported(`EXPLAIN option ${name}`);
  }
  const query = stmt.query;
  const dml = query && !('SelectStmt' in query) ? explainDml(query, state, planner) : undefined;
  if (dml) {
    if (analyze) throw featureNotSupported(`EXPLAIN ANALYZE of ${Object.keys(query!)[0]!.replace(/Stmt$/, '').toUpperCase()}`);
    const rows: Value[][] = renderPlan(dml, false).map((l) => [l]);
    return { command: 'EXPLAIN', columns: [{ name: 'QUERY PLAN', type: 'text' }], writes: false, run: () => ({ rows, rowCount: rows.length }) };
  }
  if (!query || !('SelectStmt' in query)) throw featureNotSupported(`EXPLAIN of ${query ? Object.keys(query)[0]!.replace(/Stmt$/, '').toUpperCase() : 'this statement'}`);
  const plan = planner.plan(query.SelectStmt);
  return {
    command: 'EXPLAIN',
    columns: [{ name: 'QUERY PLAN', type: 'text' }],
    writes: false,
    run(ctx) {
      let lines: string[];
      if (analyze) {
        reset(plan.node);
        const t0 = performance.now();
        plan.run(ctx, undefined);
        const ms = performance.now() - t0;
        lines = [...renderPlan(plan.node, true), ...(summary === false ? [] : [`Execution Time: ${ms.toFixed(3)} ms`])];
      } else lines = renderPlan(plan.node, false);
      const rows: Value[][] = lines.map((l) => [l]);
      return { rows, rowCount: rows.length };
    },
  };
}

function reset(node: PlanNode): void {
  node.rows = 0;
  node.loops = 0;
  node.removed = 0;
  for (const c of node.children) reset(c);
}
