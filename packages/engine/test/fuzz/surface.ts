/**
 * The surface fuzzer's queries (beyond the planner's): one table `x` with a column of every type
 * the expressions use, and queries that evaluate random expressions (fuzz/exprs.ts) folded as
 * constants and per row, in aggregates, in window functions, in set operations and subqueries.
 * Each query says how its result is compared (fuzz/compare.ts).
 */
import { ExprGen, XTYPES, type XCol, type XType } from './exprs.ts';
import type { Query } from './queries.ts';
import type { Rand } from './schema.ts';

/** x's columns after `id`: name and type. */
export const XCOLS: XCol[] = [
  { sql: 'h', type: 'int2' }, { sql: 'i', type: 'int4' }, { sql: 'b', type: 'int8' }, { sql: 'n', type: 'numeric' },
  { sql: 'r', type: 'float4' }, { sql: 'f', type: 'float8' }, { sql: 's', type: 'text' }, { sql: 'o', type: 'bool' },
  { sql: 'd', type: 'date' }, { sql: 'tp', type: 'timestamp' }, { sql: 'ts', type: 'timestamptz' }, { sql: 'iv', type: 'interval' },
  { sql: 'js', type: 'jsonb' },
];

/** Row values: mostly plain ones (so most expressions answer), some edges and NULLs. */
const VALUES: Record<XType, string[]> = {
  int2: ['1', '2', '-3', '0', '7', '100', '32767'],
  int4: ['1', '2', '3', '-4', '0', '10', '2147483647', '-7'],
  int8: ['1', '5', '-2', '0', '3000000000', '9223372036854775807', '42'],
  numeric: ['1.5', '2', '-0.25', '0', '10.10', '3.333', "'NaN'", '1e-5', '99999999999999999999.5'],
  float4: ['1.5', '0.1', '-2', '0', "'NaN'", '3.25', '1e10'],
  float8: ['1.5', '0.1', '-2', '0', "'Infinity'", '2.5', '1e-7', "'-0'"],
  text: ["'a'", "'abc'", "'Bé'", "''", "'x,y'", "'12'", "'ZZ'", "'straße'", "'a%b'", "' sp '"],
  bool: ['true', 'false'],
  date: ["'2024-02-29'", "'2000-01-01'", "'2024-01-31'", "'1999-12-31'"],
  timestamp: ["'2024-02-29 12:00:00'", "'2000-01-01 00:00:00.5'", "'2023-12-31 23:59:59'"],
  timestamptz: ["'2024-02-29 12:00:00+00'", "'2000-01-01 00:00:00+02'", "'2023-06-15 08:30:00-07'"],
  interval: ["'1 day'", "'2 hours 30 minutes'", "'1 mon'", "'-1 day 12:00'", "'1 year 2 mons'"],
  jsonb: [`'{"a": 1, "b": [1, 2]}'`, `'[1, 2, "x"]'`, `'{"a": "s"}'`, `'3'`],
};

export function xTable(r: Rand): string[] {
  const rows = r.int(3, 14);
  const values: string[] = [];
  for (let k = 1; k <= rows; k++) values.push(`(${[String(k), ...XCOLS.map((c) => (r.chance(0.12) ? 'null' : r.pick(VALUES[c.type])))].join(', ')})`);
  return [
    'drop table if exists x, y',
    `create table x (id int primary key, ${XCOLS.map((c) => `${c.sql} ${c.type}`).join(', ')})`,
    `insert into x values ${values.join(', ')}`,
    // a second table for set operations, subqueries and joins: a few of x's columns, overlapping values
    'create table y (id int primary key, i int4, n numeric, s text, d date)',
    `insert into y values ${Array.from({ length: r.int(2, 8) }, (_, k) => `(${k + 1}, ${r.chance(0.15) ? 'null' : r.pick(VALUES.int4)}, ${r.chance(0.15) ? 'null' : r.pick(VALUES.numeric)}, ${r.chance(0.15) ? 'null' : r.pick(VALUES.text)}, ${r.chance(0.15) ? 'null' : r.pick(VALUES.date)})`).join(', ')}`,
  ];
}

const plain = (sql: string): Query => ({ sql, params: [], keys: null, determined: false, limited: false, loose: false });
const ordered = (sql: string, keys: number[]): Query => ({ sql, params: [], keys, determined: true, limited: false, loose: false });

/** A random expression query: folded constants, or per row of x in id order. */
export function exprQuery(r: Rand): Query {
  const g = new ExprGen(r, XCOLS);
  const depth = r.int(1, 3);
  if (r.chance(0.3)) return plain(`select ${new ExprGen(r).any(depth).sql}`);
  const e = g.any(depth);
  if (r.chance(0.25)) return ordered(`select id, ${e.sql} from x where ${g.bool(depth)} order by id`, [0]);
  return ordered(`select id, ${e.sql} from x order by id`, [0]);
}

const AGG_TYPES: XType[] = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];

/** Aggregates over an expression, grouped or not: exact sums and averages, every min/max, ordered string_agg/array_agg, FILTER. */
export function aggQuery(r: Rand): Query {
  const g = new ExprGen(r, XCOLS);
  const t = r.pick(XTYPES);
  const e = g.expr(t, r.int(0, 2));
  const num = g.expr(r.pick(AGG_TYPES), r.int(0, 1));
  const aggs = [
    () => `count(${e})`, () => `count(distinct ${e})`, () => `min(${e})`, () => `max(${e})`,
    () => `sum(${num})`, () => `avg(${num})`, () => `${r.pick(['stddev', 'variance', 'stddev_pop', 'var_pop', 'var_samp', 'stddev_samp'])}(${num})`,
    () => `string_agg((${e})::text, ${r.pick(["','", "''", "' | '"])} order by ${e}${r.pick(['', ' desc'])}, id)`,
    () => `array_agg(${e} order by id${r.pick(['', ' desc'])})`,
    () => `${r.pick(['bool_and', 'bool_or', 'every'])}(${g.bool(1)})`,
    () => `${r.pick(['count(*)', `sum(${num})`, `max(${e})`])} filter (where ${g.bool(1)})`,
    () => `array_agg(distinct ${g.expr(r.pick(['int4', 'text', 'numeric'] as XType[]), 1)})`,
  ];
  const picked = r.some(aggs, 1, 3).map((a) => a());
  if (r.chance(0.5)) {
    const key = r.pick(XCOLS.filter((c) => c.type !== 'jsonb' && c.type !== 'float4'));
    return { sql: `select ${key.sql}, ${picked.join(', ')} from x group by ${key.sql} order by ${key.sql}`, params: [], keys: [0], determined: true, limited: false, loose: true, floats: true };
  }
  // PostgreSQL 16 on sorts an aggregate's input for another's DISTINCT/ORDER BY, so float sums may add in another order
  return { ...plain(`select ${picked.join(', ')} from x`), floats: true };
}

/** Window functions over x: ranks, lag/lead with defaults, first/last/nth_value, frames, PARTITION BY with NULLs. */
export function windowQuery(r: Rand): Query {
  const g = new ExprGen(r, XCOLS);
  const part = r.chance(0.6) ? `partition by ${r.pick(['o', 'i % 2', 's is null', 'd', 'h'])} ` : '';
  const ordCol = r.pick(['i', 'n', 's', 'd', 'f', 'b']);
  const order = `order by ${ordCol}${r.pick(['', ' desc'])}${r.pick(['', ' nulls first', ' nulls last'])}, id`;
  const frame = r.chance(0.5) ? ` ${r.pick(['rows', 'groups'])} between ${r.pick(['unbounded preceding', '1 preceding', 'current row', '2 preceding'])} and ${r.pick(['current row', '1 following', 'unbounded following'])}` : '';
  const e = g.expr(r.pick(['int4', 'numeric', 'text', 'float8', 'int8'] as XType[]), 1);
  const fns = [
    'row_number()', 'rank()', 'dense_rank()', 'percent_rank()', 'cume_dist()', `ntile(${r.int(1, 4)})`,
    `lag(${e}${r.chance(0.6) ? `, ${r.int(0, 3)}` : ''}${r.chance(0.4) ? `, ${e}` : ''})`, `lead(${e}, ${r.int(1, 2)})`,
    `first_value(${e})`, `last_value(${e})`, `nth_value(${e}, ${r.int(1, 3)})`,
    `sum(${g.expr(r.pick(AGG_TYPES), 1)})`, `avg(${g.expr(r.pick(AGG_TYPES), 0)})`, `count(${e})`, `min(${e})`, `max(${e})`,
    `string_agg((${e})::text, ',')`,
  ];
  const f = r.pick(fns);
  const ranking = /^(row_number|rank|dense_rank|percent_rank|cume_dist|ntile|lag|lead)/.test(f);
  return ordered(`select id, ${f} over (${part}${order}${ranking ? '' : frame}) from x order by id`, [0]);
}

/** Set operations, scalar/IN/EXISTS/correlated subqueries. */
export function setQuery(r: Rand): Query {
  const g = new ExprGen(r, XCOLS);
  const col = r.pick(['i', 'n', 's', 'd']);
  const xw = r.chance(0.5) ? ` where ${g.bool(1)}` : '';
  switch (r.int(0, 6)) {
    case 0: case 1: {
      const op = r.pick(['union', 'union all', 'intersect', 'intersect all', 'except', 'except all']);
      return { sql: `select ${col} from x${xw} ${op} select ${col} from y`, params: [], keys: null, determined: false, limited: false, loose: false };
    }
    case 2: return ordered(`select id, (select ${r.pick([`y.${col}`, `max(y.${col})`, 'count(*)'])} from y where y.${col} ${r.pick(['=', '<', '>'])} x.${col}) from x order by id`, [0]);
    case 3: return ordered(`select id, x.${col} ${r.pick(['in', 'not in'])} (select y.${col} from y${r.chance(0.5) ? ` where y.id ${r.pick(['<', '>'])} ${r.int(0, 5)}` : ''}) from x order by id`, [0]);
    case 4: return ordered(`select id, ${r.pick(['', 'not '])}exists (select 1 from y where y.${col} = x.${col}) from x order by id`, [0]);
    case 5: return ordered(`select id, x.${col} ${r.pick(['=', '<', '>=', '<>'])} ${r.pick(['any', 'all', 'some'])} (select y.${col} from y) from x order by id`, [0]);
    default: return ordered(`select id, (select y.${col} from y where y.id ${r.pick(['=', '<', '>'])} ${r.int(0, 4)}) from x order by id`, [0]);
  }
}
