/**
 * The corpora of PostgreSQL's order of peers in window functions (issue 10), by fixture name:
 * tables loaded in a known order (3 to 2,000 rows, so PostgreSQL's quicksort takes its insertion
 * sort, median-of-three and ninther paths), read by window functions whose values or row order
 * depend on which of two tied rows the window's sort puts first. Recorded by
 * scripts/record-values.ts, replayed by test/sql-pgsort-reference.test.ts. Keys come from a
 * fixed-seed generator, so the corpus is the same on every run.
 */
import { prng } from '../prng.ts';

const COLUMNS = 'id int, k int, g int, t text, n numeric, f float8';

/** `rows` rows with few distinct keys (many ties), some of them null, as literal VALUES in load order. */
function table(name: string, rows: number, seed: number, extra = ''): string[] {
  const rnd = prng(seed);
  const pick = (m: number): number => Math.floor(rnd() * m);
  const values = Array.from({ length: rows }, (_v, i) => {
    const k = pick(10) === 0 ? 'null' : String(pick(Math.max(2, rows >> 2)));
    return `(${(i * 7919) % 10007}, ${k}, ${pick(3)}, '${'abc'[pick(3)]}', ${pick(4) / 2}, ${pick(3) * 0.5})`;
  });
  const out = [`create table ${name} (${COLUMNS}${extra})`];
  for (let i = 0; i < values.length; i += 250) out.push(`insert into ${name} values ${values.slice(i, i + 250).join(', ')}`);
  return out;
}

/** Window expressions whose values depend on the order of peers; each over one window. */
const ONE_WINDOW = [
  'row_number() over (order by k)',
  'first_value(id) over (order by k), last_value(id) over (order by k)',
  'first_value(id) over (order by k rows between current row and 2 following exclude current row)',
  'last_value(id) over (order by k rows between 1 preceding and 1 following exclude group)',
  'nth_value(id, 2) over (order by k range between current row and unbounded following)',
  'lag(id) over (partition by g order by k), lead(id, 2) over (partition by g order by k)',
  'array_agg(id) over (order by k)',
  'string_agg(id::text, \',\') over (partition by g order by k rows between 1 preceding and 1 following exclude ties)',
  'first_value(id) over (order by k desc nulls last), last_value(id) over (order by k desc nulls last)',
  'first_value(id) over (order by t, k rows between current row and 1 following)',
  'first_value(id) over (partition by g), last_value(id) over (partition by g)',
  'nth_value(id, 3) over (order by n), last_value(id) over (order by f)',
  'row_number() over ()',
  'row_number() over (partition by k order by k desc, g), first_value(id) over (partition by k order by k desc, g)',
];

/** Several windows in one query: each sorts the rows the one below it returns, in PostgreSQL's order of windows. */
const WINDOWS = [
  'row_number() over (order by k), row_number() over (order by g)',
  'first_value(id) over (partition by g order by k), first_value(id) over (partition by g)',
  'first_value(id) over (order by k), first_value(id) over (order by g, k)',
  'last_value(id) over (order by g), first_value(id) over (order by k desc), nth_value(id, 2) over (order by t)',
  'first_value(id) over (partition by g order by k), last_value(id) over (partition by g order by t)',
  'first_value(id) over (order by g, k), first_value(id) over (order by g)',
  'row_number() over (partition by g order by k), last_value(id) over (partition by k order by g)',
  'first_value(id) over (w order by k), last_value(id) over w, nth_value(id, 2) over (w order by t) from (select * from %T) x window w as (partition by g)',
];

/** Every row, in the order the last window leaves them. */
function small(name: string): string[] {
  return [...ONE_WINDOW, ...WINDOWS].map((w) => (w.includes('%T') ? `select id, k, g, ${w.replace('%T', name)}` : `select id, k, g, ${w} from ${name}`));
}

/** One digest line per query, for tables too large to list. */
function large(name: string): string[] {
  return [...ONE_WINDOW, ...WINDOWS].map((w) => `select count(*), md5(string_agg(s::text, ',')) from (select id, ${w.includes('%T') ? w.replace('%T', name) : `${w} from ${name}`}) s`);
}

function sizes(): string[] {
  const out: string[] = [];
  [3, 6, 7, 8, 20, 40, 41, 90].forEach((n, i) => out.push(...table(`s${n}`, n, 100 + i), ...(n <= 20 ? small : large)(`s${n}`)));
  [300, 2000].forEach((n, i) => out.push(...table(`m${n}`, n, 200 + i), ...large(`m${n}`)));
  return out;
}

/** tenk1's ten rows with unique1 < 10 in its load order (heap order), as window.sql reads them. */
function regress(): string[] {
  return [
    'create table tenk (unique1 int, unique2 int, four int, ten int)',
    'insert into tenk values (4, 1621, 0, 4), (2, 2716, 2, 2), (1, 2838, 1, 1), (6, 2855, 2, 6), (9, 4463, 1, 9), (8, 5435, 0, 8), (5, 5557, 1, 5), (3, 5679, 3, 3), (7, 8518, 3, 7), (0, 9998, 0, 0)',
    'SELECT first_value(unique1) over (ORDER BY four rows between current row and 2 following exclude current row), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT first_value(unique1) over (ORDER BY four rows between current row and 2 following exclude group), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT last_value(unique1) over (ORDER BY four rows between current row and 2 following exclude current row), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT last_value(unique1) over (ORDER BY four rows between current row and 2 following exclude group), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT last_value(unique1) over (ORDER BY four rows between current row and 2 following exclude ties), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT first_value(unique1) over w, nth_value(unique1, 2) over w AS nth_2, last_value(unique1) over w, unique1, four FROM tenk WHERE unique1 < 10 WINDOW w AS (order by four range between current row and unbounded following)',
    'SELECT sum(unique1) over (order by four range between current row and unbounded following), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT first_value(unique1) over (ORDER BY four rows between current row and 2 following exclude ties), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT nth_value(unique1, 2) over (ORDER BY four rows between current row and 2 following exclude current row), unique1, four FROM tenk WHERE unique1 < 10',
    'SELECT last_value(ten) OVER (ORDER BY four), ten, four FROM tenk',
  ];
}

/** Tables with a primary key and an index, loaded out of key order: the window sorts the rows in load order still. */
function indexed(): string[] {
  return [
    ...table('ix', 120, 300, ', primary key (id)'),
    'create index ix_k on ix (k)',
    ...large('ix'),
    'select id, k, first_value(id) over (order by k), last_value(id) over (order by k) from ix where g = 1',
    'select id, k, first_value(id) over (partition by g order by k) from ix where k is not null',
  ];
}

/** Aggregates with ORDER BY over tied keys: PostgreSQL sorts each group's rows as they arrive. */
function aggregates(): string[] {
  const out = [...table('ag', 60, 400), ...table('ag2', 700, 401)];
  for (const agg of ['string_agg(id::text, \',\' order by k)', 'array_agg(id order by k desc)', 'array_agg(id order by g, t)', 'string_agg(t, \'\' order by n)']) {
    out.push(`select ${agg} from ag`, `select ${agg} from ag where g = 1`, `select md5(${agg}::text) from ag2`);
  }
  out.push(
    'select json_agg(id order by k) from ag',
    'select jsonb_agg(id) over (order by k rows between 2 preceding and current row) from ag',
    'select bool_and(g = 1) over (order by k), array_agg(t) over (partition by g order by n range between current row and unbounded following) from ag',
    'select string_agg(id::text, \'-\') over (order by k groups between 1 preceding and current row exclude group) from ag',
  );
  return out;
}

/** DISTINCT ON keeps the first row of each group in the sort's order: which row that is depends on the order of peers. */
function distinctOn(): string[] {
  return [
    ...table('d', 80, 500),
    ...table('d2', 1500, 501),
    'select distinct on (g) g, id, k from d order by g',
    'select distinct on (g) g, id, k from d',
    'select distinct on (k) k, id from d order by k, g',
    'select distinct on (k) k, id from d order by k desc nulls last',
    'select distinct on (t, g) t, g, id from d order by t, g',
    'select distinct on (g) g, id, k from d where k > 2 order by g',
    'select count(*), md5(string_agg(s::text, \',\')) from (select distinct on (k) k, id from d2 order by k, t) s',
    'select count(*), md5(string_agg(s::text, \',\')) from (select distinct on (g, t) g, t, id from d2) s',
  ];
}

export const PGSORT_CORPORA: Record<string, readonly string[]> = {
  pgsort_sizes: sizes(),
  pgsort_regress: regress(),
  pgsort_index: indexed(),
  pgsort_aggregates: aggregates(),
  pgsort_distinct: distinctOn(),
};
