/**
 * Ordered-set aggregates (`agg(direct) WITHIN GROUP (ORDER BY x)`): percentile_cont and
 * percentile_disc with one fraction or an array of them, and mode(), as orderedsetaggs.c computes
 * them — NULL sort values are skipped, the fraction is checked before an empty group gives NULL,
 * percentile_cont interpolates float8 with lo + pct · (hi - lo), mode keeps the first of tied values.
 */
import type { FuncCall, Node, SortBy } from '@pgsql/types';
import { featureNotSupported, SqlError, SQLSTATE } from '../../errors.ts';
import type { Aggregate } from '../aggregates.ts';
import { isNumericType } from '../cast.ts';
import { expr, retype, type Expr } from '../compiled.ts';
import { comparatorFor } from '../operators.ts';
import type { Compiled, Scope } from '../scope.ts';
import { TYPE_NAME, type SqlType, type Value } from '../types.ts';
import { arrayTypeOf, isArrayType } from '../types/array.ts';
import { compareForSort } from '../values.ts';

const ORDERED_SET = new Set(['percentile_cont', 'percentile_disc', 'mode']);

function noSuch(name: string, types: SqlType[]): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${types.map((t) => TYPE_NAME[t]).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** C's %g for the fractions of the error text (glibc prints NaN as "nan"). */
const g = (x: number): string => (Number.isNaN(x) ? 'nan' : String(Number(x.toPrecision(6))));

function checkFraction(p: number): number {
  if (p < 0 || p > 1 || Number.isNaN(p)) {
    throw new SqlError(SQLSTATE.numeric_value_out_of_range, `percentile value ${g(p)} is not between 0 and 1`);
  }
  return p;
}

function percentileCont(sorted: Value[], p: number): Value {
  const n = sorted.length;
  const first = Math.floor(p * (n - 1)), second = Math.ceil(p * (n - 1));
  const lo = sorted[first] as number;
  if (first === second) return lo;
  return lo + (p * (n - 1) - first) * ((sorted[second] as number) - lo);
}

function percentileDisc(sorted: Value[], p: number): Value {
  const row = Math.ceil(p * sorted.length);
  return sorted[row > 1 ? row - 1 : 0]!;
}

function mode(sorted: Value[], compare: (a: Value, b: Value) => number): Value {
  let best: Value = null, bestCount = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && compare(sorted[i], sorted[j]) === 0) j++;
    if (j - i > bestCount) { best = sorted[i]!; bestCount = j - i; }
    i = j;
  }
  return best;
}

/** Whether a direct argument reads a column: PostgreSQL evaluates it once per group, which needs grouped columns. */
function readsColumns(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  if ('ColumnRef' in n || 'SubLink' in n) return true;
  return Object.values(n).some((v) => (Array.isArray(v) ? v.some(readsColumns) : readsColumns(v)));
}

/**
 * The compiled (direct argument, sort value) tuple and the aggregate for an `agg(…) WITHIN GROUP
 * (ORDER BY …)` call; undefined for a call without WITHIN GROUP that is no ordered-set aggregate.
 */
export function orderedSetAggregate(f: FuncCall, name: string, input: Scope, compile: (n: Node, s: Scope) => Expr): { arg: Compiled; agg: Aggregate } | undefined {
  if (!f.agg_within_group && !ORDERED_SET.has(name)) return undefined;
  const direct = f.args ?? [];
  const order = (f.agg_order ?? []).map((s) => (s as { SortBy: SortBy }).SortBy);
  const directExprs = direct.map((a) => compile(a, input));
  const keys = order.map((o) => compile(o.node!, input));
  const types = [...directExprs, ...keys].map((e) => e.type);
  // PostgreSQL looks the call up with the sort keys as further arguments: no such function either way
  if (!f.agg_within_group || !ORDERED_SET.has(name)) throw noSuch(name, types);
  if (f.agg_distinct) throw featureNotSupported('DISTINCT in an ordered-set aggregate');
  if (direct.some(readsColumns)) throw featureNotSupported('an ordered-set aggregate argument that reads columns');
  if (order.length !== 1 || (name === 'mode') !== (direct.length === 0) || direct.length > 1) throw noSuch(name, types);
  const spec = order[0]!;
  if (spec.sortby_dir === 'SORTBY_USING') throw featureNotSupported('ORDER BY … USING in WITHIN GROUP');
  const desc = spec.sortby_dir === 'SORTBY_DESC';
  const nullsFirst = spec.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : spec.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
  let key = keys[0]!;
  if (key.type === 'unknown') key = retype(key, name === 'percentile_cont' ? 'float8' : 'text');
  if (name === 'percentile_cont') {
    if (key.type === 'interval') throw featureNotSupported('percentile_cont over interval');
    if (!isNumericType(key.type)) throw noSuch(name, types);
    key = retype(key, 'float8');
  }
  let fraction: Expr | undefined = directExprs[0];
  const many = fraction !== undefined && isArrayType(fraction.type);
  if (fraction) {
    const t = fraction.type;
    if (many ? !(t === 'float8[]' || t === 'float4[]' || t === 'numeric[]' || t.startsWith('int')) : !(t === 'unknown' || isNumericType(t))) throw noSuch(name, types);
    fraction = retype(fraction, many ? 'float8[]' : 'float8');
  }
  const compare = comparatorFor(key.type);
  const keyEval = key.eval, fractionEval = fraction?.eval;
  const pick = name === 'percentile_cont' ? percentileCont : percentileDisc;
  const resultType: SqlType = name === 'mode' ? key.type : many ? arrayTypeOf(key.type) : key.type;
  type State = { fraction: Value | undefined; values: Value[] };
  const agg: Aggregate<State> = {
    type: resultType,
    init: () => ({ fraction: undefined, values: [] }),
    step: (s, v) => {
      const [p, x] = v as [Value, Value];
      if (s.fraction === undefined) s.fraction = p;
      if (x !== null) s.values.push(x);
      return s;
    },
    final: (s) => {
      const sorted = s.values.slice().sort((a, b) => compareForSort(a, b, desc, nullsFirst, compare));
      if (name === 'mode') return sorted.length ? mode(sorted, compare) : null;
      // an empty group never evaluated the fraction: only a constant one can still be checked
      const p = s.fraction !== undefined ? s.fraction : fraction?.konst ? fraction.value ?? null : null;
      if (p === null) return null;
      if (!many) {
        checkFraction(p as number);
        return sorted.length ? pick(sorted, p as number) : null;
      }
      const ps = p as Value[];
      if (ps.some((x) => Array.isArray(x))) throw featureNotSupported('multidimensional percentile arrays');
      ps.forEach((x) => { if (x !== null) checkFraction(x as number); });
      if (!sorted.length) return null;
      return ps.map((x) => (x === null ? null : pick(sorted, x as number)));
    },
  };
  const tuple = expr('unknown', (row, ctx) => [fractionEval ? fractionEval(row, ctx) : null, keyEval(row, ctx)]);
  return { arg: tuple, agg: agg as unknown as Aggregate };
}
