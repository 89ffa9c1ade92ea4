/**
 * PostgreSQL plans a statement with parameters for the values it is given (a custom plan, what
 * the extended protocol's unnamed statement always gets) and folds what depends on parameters
 * only: `select 1/$1 from t` with $1 = 0 fails with 22012 even when t has no row. The plan here
 * is made once per SQL text, so those expressions (collected while planning, where folding is
 * on: fold.ts) are evaluated once at the start of every run, before any row.
 */
import type { Expr } from '../compiled.ts';
import type { StatementPlan } from '../plan.ts';
import type { Value } from '../types.ts';
import { collectingParameterFolds } from './fold.ts';

/** The row parameter-only expressions are evaluated against: one for every run, not an array per fold per run. */
const NO_ROW: readonly Value[] = Object.freeze([]);

export function withParameterFolds(plan: () => StatementPlan): StatementPlan {
  const folds: Expr[] = [];
  const planned = collectingParameterFolds(folds, plan);
  if (!folds.length || planned.prepare) return planned;
  return {
    ...planned,
    run: (ctx) => {
      for (const e of folds) e.eval(NO_ROW, ctx);
      return planned.run(ctx);
    },
  };
}
