/**
 * PostgreSQL plans a statement with parameters for the values it is given (a custom plan, what
 * the extended protocol's unnamed statement always gets) and folds what depends on parameters
 * only: `select 1/$1 from t` with $1 = 0 fails with 22012 even when t has no row. The plan here
 * is made once per SQL text, so those expressions (collected while planning, where folding is
 * on: fold.ts) are evaluated once at the start of every run, before any row.
 */
import type { Expr } from '../compiled.ts';
import type { StatementPlan } from '../plan.ts';
import { collectingParameterFolds } from './fold.ts';

export function withParameterFolds(plan: () => StatementPlan): StatementPlan {
  const folds: Expr[] = [];
  const planned = collectingParameterFolds(folds, plan);
  if (!folds.length || planned.prepare) return planned;
  return {
    ...planned,
    run: (ctx) => {
      for (const e of folds) e.eval([], ctx);
      return planned.run(ctx);
    },
  };
}
