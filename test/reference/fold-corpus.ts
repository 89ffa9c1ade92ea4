/**
 * The statements behind fold.json: PostgreSQL's plan-time constant folding (eval_const_expressions)
 * — which errors a statement raises before any row, and which branches it drops unfolded (issue
 * 10). Recorded from PostgreSQL 15 by `scripts/record-values.ts <url> fold`, replayed by
 * sql-reference.test.ts.
 */
export const FOLD_CORPUS: readonly string[] = [
  'create table fold_t (i int, t text)',
  "insert into fold_t values (1, 'a'), (2, 'b'), (3, null)",
  'create table fold_empty (i int)',
  // folded although no row takes the branch, or there is no row at all
  'select case when i > 100 then 1/0 else 0 end from fold_t',
  'select 1/0 from fold_empty',
  'select i from fold_empty where i = 1/0',
  'select i from fold_t where i > 5 and 2147483647 + 1 > 0',
  "select case when i > 1 then 'x'::text || (10 % 0)::text end from fold_t",
  'select sum(1/0) from fold_empty',
  'select (select 1/0 from fold_empty) from fold_t',
  'select case i when 2 then 1/0 else 3 end from fold_t',
  'select abs(-2147483647 - 1) from fold_empty',
  "select i from fold_empty where t = repeat('x', -1) || (1/0)::text",
  'select 1/0 = 1 or true',
  'select coalesce(i, 1/0) from fold_t',
  'select case when i > 1 then 1 else 1 % 0 end from fold_t',
  // dropped before folding: constant conditions, AND/OR/COALESCE that are already decided
  'select case when false then 1/0 else 2 end',
  'select case when null then 1/0 else 2 end',
  'select case when true then 2 else 1/0 end',
  'select case when 1 > 2 then 1/0 when 1 < 2 then 5 else 1/0 end',
  'select case when i > 1 then 7 when 1 = 1 then 8 else 1/0 end from fold_t order by i',
  'select case 1 when 2 then 1/0 else 3 end',
  "select case 'a' when 'a' then 4 else 1/0 end",
  'select true or 1/0 = 1',
  'select false and 1/0 = 1',
  'select i from fold_t where false and 1/0 = 1',
  'select i from fold_t where i > 1 and (1 < 2 or 1/0 = 1) order by i',
  'select coalesce(1, 1/0)',
  'select coalesce(null, 2, 1/0)',
  'select i, coalesce(null, i, 9) from fold_t order by i',
  'select not (1 > 2) and (case when 1 = 1 then i end) > 1 from fold_t order by i',
  'select (case when true then 1 else 0 end) / 0',
  'select i from fold_t where case when 2 > 1 then i > 1 else 1/0 > 0 end order by i',
  'select a.i from fold_t a, fold_t b where false and 1/0 = 1',
  'select a.i from fold_t a join fold_t b on a.i = b.i where null and 1/0 = 1',
  'select a.i from fold_t a, fold_t b where 1/0 = 1 and false',
  'select case when (i > 0 and false) then 1/0 else 2 end from fold_t order by i',
  'select i from fold_t where 1/(i - 1) = 1 and false',
  'select i, (i > 0 or true) from fold_t order by i',
  // DDL is not planned, so not folded: a DEFAULT, a CHECK or a view keeps 1/0 until a query plans it
  'create table fold_d (a int default 1/0, b int check (b > 1/0 or b is null))',
  'insert into fold_d (a) values (5)',
  'insert into fold_d default values',
  'select a from fold_d',
  'create view fold_v as select 1/0 as x from fold_empty',
  'select * from fold_v',
  'select count(*) from fold_empty where exists (select 1/0)',
  'explain select 1/0',
  'create table fold_ctas as select 1/0 as x from fold_empty',
  // a dropped branch is still type-checked
  "select case when false then 'abc'::int else 1 end",
  "select case when false then 1 + 'x' else 1 end",
  'select case when false then nosuch else 1 end',
];
