/**
 * The statements behind cte.json: WITH RECURSIVE and data-modifying WITH (issue 10), modelled on
 * PostgreSQL's src/test/regress/sql/with.sql — fixed points with UNION and UNION ALL, trees and
 * graphs, the 42P19 rules on the self-reference, type checks, and DELETE/UPDATE/INSERT … RETURNING
 * in WITH with the snapshot every part reads. Recorded from PostgreSQL 15 by
 * `scripts/record-values.ts <url> cte`; replayed by sql-reference.test.ts.
 */
export const CTE_CORPUS: readonly string[] = [
  'with recursive t(n) as (values (1) union all select n + 1 from t where n < 100) select sum(n) from t',
  'with recursive t(n) as (select (values (1)) union all select n + 1 from t where n < 5) select * from t',
  'with recursive t(n) as (select 1 union select n % 4 + 1 from t) select * from t order by n',
  'with recursive t(n) as (select 1 union all select n % 4 + 1 from t where n < 3) select * from t',
  'with recursive t(n, f) as (select 1, 1::bigint union all select n + 1, f * (n + 1) from t where n < 20) select n, f from t order by n desc limit 3',
  "with recursive t(n) as (select 'foo' union all select n || ' bar' from t where length(n) < 20) select n, n is of (text) as is_text from t",
  "with recursive t(n) as (select 'foo'::text union all select n || ' bar' from t where length(n) < 20) select n from t",
  'with recursive t(n) as (select 1 union all select n + 1::bigint from t where n < 3) select * from t',
  'with recursive t(n) as (select 1::bigint union all select n + 1 from t where n < 3) select * from t',
  'create table department (id integer primary key, parent_department integer references department, name text)',
  `insert into department values (0, null, 'ROOT'), (1, 0, 'A'), (2, 1, 'B'), (3, 2, 'C'), (4, 2, 'D'), (5, 0, 'E'),
    (6, 4, 'F'), (7, 5, 'G')`,
  `with recursive subdepartment as (select name as root_name, * from department where name = 'A'
    union all select sd.root_name, d.* from department as d, subdepartment as sd where d.parent_department = sd.id)
    select * from subdepartment order by name`,
  `with recursive subdepartment(level, id, parent_department, name) as (select 1, * from department where name = 'A'
    union all select sd.level + 1, d.* from department as d, subdepartment as sd where d.parent_department = sd.id)
    select * from subdepartment order by name`,
  `with recursive subdepartment(level, id, parent_department, name) as (select 1, * from department where name = 'A'
    union all select sd.level + 1, d.* from department as d, subdepartment as sd where d.parent_department = sd.id)
    select * from subdepartment where level >= 2 order by name`,
  `with recursive subdepartment as (select * from department where name = 'A') select * from subdepartment order by name`,
  `select count(*) from (with recursive t(n) as (select 1 union all select n + 1 from t where n < 500) select * from t) as t where n < (
    select count(*) from (with recursive t(n) as (select 1 union all select n + 1 from t where n < 100) select * from t where n < 50000) as t where n < 100)`,
  `with recursive q as (select * from department union all (with x as (select * from q) select * from x)) select * from q limit 24`,
  `with recursive t(i, j) as (values (1, 2) union all select t2.i, t.j + 1 from (select 2 as i union all select 3 as i) as t2
    join t on (t2.i = t.i + 1)) select * from t order by i, j`,
  'create table tree (id integer primary key, parent_id integer references tree(id))',
  'insert into tree values (1, null), (2, 1), (3, 1), (4, 2), (5, 2), (6, 2), (7, 3), (8, 3), (9, 4), (10, 4), (11, 7), (12, 7), (13, 7), (14, 9), (15, 11), (16, 11)',
  `with recursive t(id, path) as (select 1, 0 union all select tree.id, t.path + 1 from tree join t on (tree.parent_id = t.id))
    select t1.id, count(t2.id) from t as t1 join t as t2 on (t1.path < t2.path and t1.id = 1) group by t1.id order by t1.id`,
  `with recursive t(id, depth) as (select 1, 0 union all select tree.id, t.depth + 1 from tree join t on (tree.parent_id = t.id))
    select depth, count(*) from t group by depth order by depth`,
  'create table graph (f int, t int, label text)',
  `insert into graph values (1, 2, 'arc 1 -> 2'), (1, 3, 'arc 1 -> 3'), (2, 3, 'arc 2 -> 3'), (1, 4, 'arc 1 -> 4'), (4, 5, 'arc 4 -> 5')`,
  `with recursive search_graph(f, t, label, depth) as (select g.*, 1 from graph g union all select g.*, sg.depth + 1
    from graph g, search_graph sg where g.f = sg.t) select * from search_graph order by depth, f, t`,
  `with recursive reach(n) as (select 1 union select g.t from graph g join reach r on g.f = r.n) select * from reach order by n`,
  // the self-reference's rules
  'with recursive x(n) as (select 1 union all select n + 1 from x where n < 3 union all select 10) select * from x',
  'with recursive x(n) as (select n from x) select * from x',
  'with recursive x(n) as (select 1 union all select n + 1 from x, x as y where x.n < 3) select * from x',
  'with recursive x(n) as (select 1 union all select n + 1 from x where n in (select * from x)) select * from x',
  'with recursive x(n) as (select 1 union all select count(*) from x) select * from x',
  'with recursive x(n) as (select 1 union all select n + 1 from x order by 1) select * from x',
  'with recursive x(n) as (select 1 union all select n + 1 from x limit 3) select * from x',
  'with recursive x(n) as (select 1 intersect select n + 1 from x) select * from x',
  'with recursive x(n, m) as (select 1 union all select n + 1 from x where n < 3) select * from x',
  'with recursive x(a, b, c) as (select 1, 2 union all select 1, 2 from x) select * from x',
  'with recursive x(n) as (select 1 union all select n + 1 from x where n < 3), y(m) as (select n * 10 from x) select * from y',
  // data-modifying WITH
  'create table y (a integer)',
  'insert into y select n from (values (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) v(n)',
  'with t as (delete from y where a <= 5 returning *) select * from t order by a',
  'select * from y order by a',
  'with t as (insert into y values (11), (12) returning *) select * from t order by a',
  'select count(*) from y',
  'with t as (update y set a = a * 100 where a > 10 returning *) select a from t order by a',
  'with t as (delete from y where a > 1000 returning a) select count(*), (select count(*) from y) as before from t',
  'select count(*) from y',
  'create table yarch (a integer)',
  'with moved as (delete from y where a > 8 returning a) insert into yarch select a from moved',
  'select * from yarch order by a',
  'select * from y order by a',
  'with t as (insert into y values (0)) select * from y order by a',
  'select count(*) from y where a = 0',
  'with t as (insert into y values (20) returning a) insert into yarch select a + 1 from t',
  'select * from yarch order by a',
  'with t as (insert into y values (30)) select 1',
  'select count(*) from y where a = 30',
  'with t as (update y set a = a + 1 where a = 30 returning a) update yarch set a = a * 2 where a = 21 returning a',
  'with t as (delete from yarch where a = 42) delete from y where a = 31 returning a',
  'select a from y where a > 20 union all select a from yarch order by 1',
  'with d as (delete from y where a = 0 returning *), i as (insert into yarch select a from d returning *) select (select count(*) from i) as inserted',
  'select count(*) from yarch where a = 0',
  'with t as (insert into y values (1) returning a) select * from t, t as u',
  'select count(*) from y where a = 1',
  'with t as (delete from y where a = 1) select * from t',
  'with t as (delete from y returning a) select * from y where a in (select a from t)',
  'select count(*) from y',
  'insert into y values (1), (2)',
  'select * from (with t as (delete from y returning a) select * from t) s',
  'with t as (select 1) select * from (with u as (insert into y values (5) returning a) select * from u) s',
  'with t (a, b) as (insert into y values (7) returning a) select * from t',
  'with t (b) as (insert into y values (8) returning a) select b from t',
  'with t as (insert into y values (9)), u as (update y set a = 0 returning a) select 1',
  'select * from y order by a',
];
