/**
 * A call of a two-argument statistic (covar_pop, corr, regr_slope, …): its (Y, X) arguments,
 * coerced to float8 as PostgreSQL's only overloads take them, travel to the aggregate as one tuple.
 */
import type { FuncCall, Node } from '@pgsql/types';
import { featureNotSupported } from '../../errors.ts';
import type { Aggregate } from '../aggregates.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import type { Compiled, Scope } from '../scope.ts';
import { isTwoArgumentStatistic, regressionAggregate } from './statistics.ts';

export function regressionCall(f: FuncCall, name: string, input: Scope, compile: (n: Node, s: Scope) => Expr): { arg: Compiled; agg: Aggregate } | undefined {
  if (!isTwoArgumentStatistic(name)) return undefined;
  if (f.agg_distinct || f.agg_order?.length) throw featureNotSupported(`${f.agg_distinct ? 'DISTINCT' : 'ORDER BY'} in ${name}`);
  const args = (f.args ?? []).map((a) => compile(a, input));
  const agg = regressionAggregate(name, args.map((a) => a.type));
  const evals = args.map((a) => retype(a, 'float8').eval);
  return { arg: expr('unknown', (row, ctx) => evals.map((e) => e(row, ctx))), agg };
}
