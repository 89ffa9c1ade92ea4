/**
 * The statements behind rowtype.json: row values (issue 10) — whole-row references (`t`, `t.*`
 * inside expressions), ROW(…) and (a, b) constructors and PostgreSQL's record text output with its
 * quoting, row_to_json / to_json / to_jsonb / json_agg of rows, row comparisons and IN lists of
 * rows with their NULL rules, IS [NOT] NULL of rows, DISTINCT/GROUP BY/ORDER BY on rows, and the
 * errors — in the manner of src/test/regress/sql/rowtypes.sql. A whole-row column reports the type
 * `record` here (PostgreSQL: the table's own row type), so such columns are read through ::text
 * or JSON. Recorded from PostgreSQL 15 by `scripts/record-values.ts <url> rowtype`; replayed by
 * sql-reference.test.ts.
 */
export const ROWTYPE_CORPUS: readonly string[] = [
  'create table rw (id int primary key, name text, score numeric(5, 2), tags text[], born date, ok boolean)',
  `insert into rw values (1, 'ann', 1.50, '{a,b}', '2024-01-02', true), (2, 'b o"b', null, '{}', null, false),
    (3, '', 3, null, '2024-03-04', null), (4, 'c\\d (e), f', 0.25, '{"x y"}', '2020-02-29', true)`,
  'create table rw_kids (id int primary key, parent int, label text)',
  "insert into rw_kids values (10, 1, 'k1'), (11, 1, 'k2'), (12, 3, null)",
  // text output of records
  'select rw::text from rw order by id',
  'select r::text from rw r order by r.id',
  'select row(1, \'x y\', null, \'\', \'a"b\', \'c\\d\', \'(p)\', \'q,r\', \' lead\')::text',
  'select (1, 2)::text, row(1)::text, row()::text, row(null)::text, row(null, null)::text',
  'select row(row(1, \'a b\'), array[1, 2], row(null))::text',
  'select row(rw.*)::text, row(rw.id, rw.*)::text from rw order by id',
  'select (select t from (select 1 as a, \'x y\' as b) t)::text',
  // JSON of rows
  'select row_to_json(rw) from rw order by id',
  'select row_to_json(rw.*), to_json(rw), to_jsonb(rw) from rw order by id',
  'select row_to_json(rw, true) from rw where id = 1',
  'select row_to_json(row(1, \'a\', null, true, 2.50))',
  'select row_to_json(x) from (select id, name as "Name", id * 2 as twice from rw) x order by x.id',
  'select row_to_json(t), to_jsonb(t) from (select 1 as a, 2 as a) t',
  'select json_agg(rw order by id) from rw',
  'select jsonb_agg(k order by k.id) from rw_kids k',
  'select json_build_object(\'r\', row(1, \'a\'), \'x\', 2), jsonb_build_object(\'r\', row(1, \'a\'))',
  'select rw.name, (select json_agg(k) from rw_kids k where k.parent = rw.id) as kids from rw order by rw.id',
  'select rw.name, j.kids from rw left join lateral (select json_agg(row_to_json(k) order by k.id) as kids from rw_kids k where k.parent = rw.id) j on true order by rw.id',
  'select (select to_json(t) from (select rw.id, upper(rw.name) as up) t) from rw order by rw.id',
  'select rw.id, row_to_json(k) from rw join rw_kids k on k.parent = rw.id order by k.id',
  // a row an outer join filled with NULLs is NULL itself
  'select rw.id, row_to_json(k), k is null, k is not null, k::text from rw left join rw_kids k on k.parent = rw.id order by rw.id, k.id',
  'select rw.id, row(k.*)::text from rw_kids k right join rw on k.parent = rw.id order by rw.id, k.id',
  'select row_to_json(a), to_jsonb(b) from rw a full join rw_kids b on b.parent = a.id order by a.id, b.id',
  'select rw.id, json_agg(k order by k.id) from rw left join rw_kids k on k.parent = rw.id group by rw.id order by rw.id',
  'select row_to_json(s) from (select parent, array_agg(label order by id) as labels from rw_kids group by parent) s order by s.parent',
  // row comparisons and IN lists
  'select (1, 2) < (1, 3), (1, 2) = (1, 2), (1, null) = (1, 2), (1, null) = (2, 2), (1, null) < (2, 0), (2, null) < (1, 5), (1, 2) <> (1, 3), (1, 2) >= (1, 2), (1, 2) <= (1, 1)',
  'select (1, \'b\') > (1, \'a\'), row(1, 2, 3) < row(1, 2, 4), (null, 1) < (1, 1), (1, 2) <> (1, null), (1, 2) <> (2, null)',
  'select id from rw where (id, name) = (2, \'b o"b\')',
  'select id from rw where (id, ok) > (1, false) order by id',
  'select id from rw where (id, name) in ((1, \'ann\'), (3, \'\'), (9, \'x\')) order by id',
  'select id from rw where (id, name) not in ((1, \'ann\'), (3, \'\')) order by id',
  'select (1, null) in ((1, 2)), (1, null) in ((1, null), (2, 2)), (1, 2) not in ((1, null)), (1, 2) not in ((2, null)), (1, 2) in ((1, 2), (3, 4))',
  'select count(*) from rw a join rw b on (a.id, a.name) = (b.id, b.name)',
  // field selection
  'select (rw).name, (rw).id + 1, (rw.*).ok from rw order by 1',
  'select (r).name from rw r where (r).id = 2',
  'select (row(1, \'a\'::text)).f2, (row(1, 2)).f1 + 1',
  'select (k).label from rw left join rw_kids k on k.parent = rw.id order by rw.id, k.id',
  'select (rw).nope from rw',
  'select (row(1, 2)).f3',
  // rows against a sub-select's rows
  'select k.id from rw_kids k where (k.parent, k.label) in (select 1, \'k1\')',
  'select id, (parent, label) in (select parent, label from rw_kids where id <> 12) from rw_kids order by 1',
  'select id, (parent, label) not in (select parent, label from rw_kids where id > 11) from rw_kids order by 1',
  'select id, (parent, label) = any (select 1, \'k2\'), (parent, label) <> all (select 1, \'k2\'), (parent, id) < any (select 2, 0) from rw_kids order by 1',
  'select id, (parent, label) = (select 1, \'k1\') from rw_kids order by 1',
  'select (1, 2) = (select 1, 2), (1, 2) < (select 1, 3), (1, null) = (select 1, 2), (1, 2) = (select 1, 2 where false), (1, 2) in (select 1.0, 2::bigint)',
  'select (1, 2) = (select x, x from (values (1), (2)) v(x))',
  'select (1, 2) in (select 1)',
  'select (1, 2) in (select 1, 2, 3)',
  'select (1, \'a\') in (select 1, 2)',
  // IS NULL of rows
  'select row(null, null) is null, row(1, null) is null, row(1, null) is not null, row(1, 2) is not null, row(null, null) is not null, row() is null',
  'select id, rw is null, rw is not null from rw order by id',
  'select id from rw where rw is not null order by id',
  'select id from rw r where r is null',
  'select k.id, (k.parent, k.label) is not null from rw_kids k order by k.id',
  // rows as keys and sort keys
  'select distinct row(id % 2, ok)::text from rw order by 1',
  'select count(distinct rw) from rw',
  'select r::text, count(*) from (select row(id % 2, ok) as r from rw) s group by r order by r',
  'select r::text from (select row(id % 2, name) as r from rw) s order by r',
  'select r::text from (select row(ok, id) as r from rw) s order by r desc',
  'create view rw_json as select id, row_to_json(rw) as doc, row(id, name)::text as pair from rw',
  'select * from rw_json order by id',
  'with t as (select rw from rw where id < 3) select row_to_json(t) from t',
  'insert into rw_kids select 20 + id, id, rw::text from rw where id = 4 returning label',
  // errors
  'select (1, 2) = (1, 2, 3)',
  'select (1, 2) < (1, \'x\')',
  'select row_to_json(1)',
  'select nope.* is null from rw',
];
