/**
 * The statements behind explain.json: EXPLAIN ANALYZE over small deterministic tables, covering
 * every plan node kind whose `(actual rows=N loops=L)` walrtc prints — scans with and without a
 * Filter, index scans, Hash Join and its Hash, nested loops (inner loops = outer rows, the inner
 * side of an empty outer never executed), Values Scan, Subquery Scan (sub-selects and views),
 * Function Scan (generate_series, unnest), CTE Scan, Append (UNION ALL) and its scans, LEFT JOIN,
 * aggregates, windows, LATERAL, sub-plans. Recorded from PostgreSQL 15 by
 * `scripts/record-explain.ts <url>`; compared node by node by test/explain-analyze.test.ts.
 */
export const EXPLAIN_SETUP: readonly string[] = [
  'create table ea (id int primary key, v int, g int)',
  'create table eb (id int primary key, a_id int, w text)',
  'create table ec (id int primary key, name text)',
  'create table ee (id int primary key, x int)',
  'create index eb_a on eb (a_id)',
  'create view ev as select id, v from ea where v < 5',
  'insert into ea select i, i % 50, i % 10 from generate_series(1, 200) i',
  "insert into eb select i, i % 200 + 1, 'w' || i from generate_series(1, 600) i",
  "insert into ec select i, 'c' || i from generate_series(1, 10) i",
];

/** Each is run as `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) <statement>`. */
export const EXPLAIN_CORPUS: readonly string[] = [
  'select * from ea',
  'select * from ea where v < 3',
  'select * from ea where id = 7',
  'select * from ea order by id limit 5',
  'select * from ea order by v desc limit 3',
  'select count(*) from ea where v < 10',
  'select g, count(*) from ea group by g',
  'select distinct g from ea',
  'select * from ea join eb on eb.a_id = ea.id',
  'select * from ea join ec on ec.id = ea.g',
  'select * from ea, ec where ea.id = ec.id',
  'select * from ec join eb on eb.a_id = ec.id where ec.id < 4',
  'select * from ea cross join ec where ea.id < 3',
  'values (1), (2), (3)',
  "select * from (values (1, 'a'), (2, 'b'), (3, 'c')) v(x, y)",
  "select * from (values (1, 'a'), (2, 'b'), (3, 'c')) v(x, y) where x > 1",
  "select * from ec join (values (1, 'a'), (2, 'b')) v(x, y) on v.x = ec.id",
  'select * from (select id, v from ea order by id limit 5) s',
  'select * from (select id, v from ea order by id limit 5) s where s.v > 2',
  'select * from (select g, count(*) as n from ea group by g) s where n > 1',
  'select * from ev',
  'select * from ev join ec on ec.id = ev.id',
  'select * from generate_series(1, 10) g',
  'select * from generate_series(1, 10) g where g % 2 = 0',
  'select * from unnest(array[1, 2, 3]) u',
  'select * from ea join generate_series(1, 5) s(k) on s.k = ea.id',
  'with x as materialized (select * from ea where v < 3) select * from x',
  'with x as (select * from ea where v < 3) select * from x a join x b on a.id = b.id',
  'select id from ea union all select id from eb',
  'select id from ea where v < 2 union all select id from eb where a_id < 3',
  'select * from (select id from ea union all select id from ec) u where id < 3',
  'select * from ea left join ec on ec.id = ea.g',
  'select * from ec left join eb on eb.a_id = ec.id',
  'select * from ea left join eb on eb.a_id = ea.id where ea.id < 5',
  'select * from ee join ea on ea.id = ee.id',
  'select * from ee cross join ec',
  'select * from ec cross join ee',
  'select * from ec where id = (select max(id) from ea)',
  'select ec.name, (select count(*) from eb where eb.a_id = ec.id) from ec',
  'select * from ea, lateral (select * from eb where eb.a_id = ea.id order by eb.id limit 1) s where ea.id < 5',
  'select * from ec left join lateral (select count(*) as n from eb where eb.a_id = ec.id) s on true',
  'select g, sum(v) over (partition by g) from ea where id < 10',
];
