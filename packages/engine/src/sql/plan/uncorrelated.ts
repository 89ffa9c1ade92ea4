/**
 * Whether a sub-select reads its outer query: the outer scope, watched while the sub-select is
 * planned. Every outer reference (a column, a whole row `t`, or an aggregate the outer query
 * computed) resolves through the outer scope's column(), wholeRow() or precomputed(), so when neither answered, the sub-select
 * is uncorrelated and select.ts runs it once per execution, as PostgreSQL's InitPlan does.
 */
import type { RowScope } from '../from.ts';

export function watchOuter(outer: RowScope): { scope: RowScope; used: () => boolean } {
  let used = false;
  const scope = new Proxy(outer, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (typeof v !== 'function') return v;
      if (key !== 'column' && key !== 'precomputed' && key !== 'wholeRow') return v.bind(target);
      return (...args: unknown[]) => {
        const slot = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (slot) used = true;
        return slot;
      };
    },
  });
  return { scope, used: () => used };
}
