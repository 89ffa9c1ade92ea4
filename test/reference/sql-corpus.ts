/**
 * The statements behind sql.json: SQL that apps and ORMs write, starting with the cases where
 * walrtc once answered silently and wrongly (issue 10). Run in order on one database; the recorder
 * (scripts/record-values.ts sql) runs them on PostgreSQL 15, sql-reference.test.ts replays them on
 * walrtc and compares columns, types, rows as text, row counts and errors (SQLSTATE and message).
 * Change this list, then re-record.
 */
export const SQL_CORPUS: readonly string[] = [
  // schema prefixes: public works, any other schema does not exist (there is no CREATE SCHEMA)
  'create table public.pt (a int)',
  'insert into public.pt values (1), (2)',
  'select a from public.pt order by a',
  'update public.pt set a = a + 10 where a = 2',
  'delete from public.pt where a = 1',
  'select * from pt',
  'create table app.settings (k text)',
  'create table missing_schema.t (a int)',
  'select * from settings',
  'select * from missing_schema.t',
  'insert into missing_schema.t values (1)',
  'drop table missing_schema.t',
  'create index on missing_schema.t (a)',
  'drop table public.pt',
  // data-modifying CTEs
  'create table cte_t (a int)',
  'with t as (insert into cte_t values (1) returning a) values (1)',
  'with t as (insert into cte_t values (2) returning a) select * from t',
  'with t as (delete from cte_t returning a) insert into cte_t values (3)',
  // ORDER BY … USING
  'create table ob (x int, s text)',
  "insert into ob values (2, 'b'), (null, 'n'), (3, 'c'), (1, 'a')",
  'select x from ob order by x using >',
  'select x from ob order by x using <',
  'select x from ob order by x using > nulls last',
  'select x from ob order by x using ~',
  // column alias lists on table aliases
  'create table j1 (i int, j int, t text)',
  "insert into j1 values (1, 4, 'one'), (2, 3, 'two'), (3, 2, 'three')",
  'select a, b, c from j1 as t1 (a, b, c) order by a',
  'select t1.a, t1.j from j1 as t1 (a) order by a',
  'select * from j1 t1 (a, b) where a > 1 order by b',
  'select * from j1 t1 (a, b, c, d)',
  'select i from j1 t1 (a, b, c)',
  'select t1.a, t2.a from j1 t1 (a) join j1 t2 (a) on t1.a = t2.a order by 1',
  // UNION resolves a common type
  "select '3.4'::numeric union select 'foo'",
  "select 1 union select '2' order by 1",
  'select x from ob union select x + 10 from ob order by x desc nulls last limit 3',
  'select 1 as a union all select 1 order by 1 limit 1 offset 1',
  'select 1 as a union select 2 order by a + 1',
  'select 1 as a union select 2 order by b',
  // an aggregate of an outer column inside a scalar subquery belongs to the outer query
  'create table agg_o (x int)',
  'insert into agg_o select 1 from ob',
  'select (select max(agg_o.x)) from agg_o',
  'select (select count(agg_o.x) from ob limit 1) from agg_o',
  // json keeps its input text
  `select '{"b":  "cc", "a": [1,  2]}'::json`,
  `select '{"a": {"b":  "cc"}}'::json -> 'a'`,
  `select '{"a": {"b":  "cc"}}'::json ->> 'a'`,
  `select '{"a": 1, "a": 2}'::json`,
  `select '{"b":  "cc"}'::jsonb`,
  `select '{"a": 1, "a": 2}'::json -> 'a', ' [1, "x" ] '::json ->> 1, ' [1, "x" ] '::json -> -1, '{"a": null}'::json ->> 'a'`,
  `select '{"b":  [1,2]}'::json::jsonb, '{"b":  [1,2]}'::jsonb::json`,
  'create table js (id int primary key, doc json, docb jsonb)',
  `insert into js values (1, '{"z": 1,  "a": [true]}', '{"z": 1,  "a": [true]}')`,
  `select doc, docb, doc::text, doc -> 'a', docb -> 'a' from js`,
  'select 1 from js where doc = doc',
  // accepted where PostgreSQL refuses
  'create table d1 (a int default (select 1))',
  'create table d5 (a int check (a > (select 1)))',
  'create table d2 (xmin int)',
  'create table d3 (a int) with (oids)',
  'create table d4 (a int) with (oids = false)',
  'create table d6 (a int) with (fillfactor = 70)',
  'values (1) for key share',
  'select * from ob for update',
  'select 1 except select 2 for no key update',
  'select 1 union select 2 for update',
  'select * from j1 a join ob a on true',
  'select * from j1, j1',
  'create table excluded (a int primary key, b int)',
  'insert into excluded values (1, 1) on conflict (a) do update set b = excluded.b + 1',
  'drop table excluded',
  'alter table ob add column xmin int',
  'alter table ob rename column s to ctid',
  // output column names
  'select cast(1 as int8), cast(x as int8), cast(x as bigint) as y from ob order by 2 limit 1',
  'select (select max(x) from ob), (select count(*) from ob), (select 1)',
];
