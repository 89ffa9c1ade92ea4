/**
 * The statements behind lateral.json: LATERAL sub-selects (issue 10) in the shapes apps and ORMs
 * write — comma LATERAL, [LEFT] JOIN LATERAL … ON true, CROSS JOIN LATERAL, top-N per group,
 * aggregates per outer row, nested and chained LATERAL items, json_agg per row as Drizzle's
 * relational queries send it — and the cases of src/test/regress/sql/join.sql's LATERAL section:
 * a sub-select without LATERAL reading an earlier item (42P01 with its hint), RIGHT/FULL JOIN
 * LATERAL (42P10), an aggregate of the outer item (42803), ambiguous names (42P09). Recorded from
 * PostgreSQL 15 by `scripts/record-values.ts <url> lateral`; replayed by sql-reference.test.ts.
 */
export const LATERAL_CORPUS: readonly string[] = [
  'create table la_users (id int primary key, name text not null, team int)',
  'create table la_posts (id int primary key, author int not null, title text, score int)',
  'create index la_posts_author on la_posts (author)',
  "insert into la_users values (1, 'ann', 1), (2, 'bob', 1), (3, 'cy', 2), (4, 'dee', null)",
  `insert into la_posts values (10, 1, 'a1', 5), (11, 1, 'a2', 9), (12, 1, 'a3', 7), (20, 2, 'b1', 3),
    (21, 2, 'b2', null), (30, 3, 'c1', 8)`,
  // top-N per group: the two best posts of each user
  'select u.name, p.title, p.score from la_users u, lateral (select * from la_posts where author = u.id order by score desc nulls last limit 2) p order by u.id, p.score desc',
  'select u.name, p.title from la_users u cross join lateral (select title from la_posts where la_posts.author = u.id order by id limit 1) p order by u.id',
  'select u.name, p.title from la_users u left join lateral (select title from la_posts where la_posts.author = u.id order by id desc limit 1) p on true order by u.id',
  'select u.name, p.title from la_users u join lateral (select title, score from la_posts where author = u.id) p on p.score > 4 order by u.id, p.title',
  'select u.name, p.title from la_users u left join lateral (select title, score from la_posts where author = u.id) p on p.score > 6 order by u.id, p.title',
  // aggregates per outer row
  'select u.name, s.n, s.total, s.best from la_users u, lateral (select count(*) as n, sum(score) as total, max(score) as best from la_posts where author = u.id) s order by u.id',
  'select u.name, s.n from la_users u left join lateral (select count(*) as n from la_posts where author = u.id having count(*) > 1) s on true order by u.id',
  'select u.name, s.titles from la_users u left join lateral (select string_agg(title, \',\' order by title) as titles from la_posts where author = u.id) s on true order by u.id',
  // what Drizzle's relational query builder sends
  `select u.id, u.name, coalesce(p.data, '[]'::json)::text as posts from la_users u left join lateral (
     select coalesce(json_agg(json_build_array(q.id, q.title) order by q.id), '[]'::json) as data
     from (select * from la_posts lp where lp.author = u.id order by lp.id limit 2) q) p on true order by u.id`,
  `select u.name, p.data::text from la_users u left join lateral (
     select json_agg(json_build_object('title', q.title, 'n', q.n)) as data from (
       select lp.title, c.n from la_posts lp left join lateral (select count(*) as n from la_users x where x.team = u.team) c on true
       where lp.author = u.id order by lp.id) q) p on true where u.id < 3 order by u.id`,
  // expressions over the earlier items, WHERE on the lateral's columns, several earlier items
  'select u.id, d.twice from la_users u, lateral (select u.id * 2 as twice) d where d.twice > 4 order by u.id',
  'select u.name, p.title, t.label from la_users u, la_posts p, lateral (select u.name || \'/\' || p.title as label) t where p.author = u.id and u.id = 2 order by p.id',
  'select u.name, t.w from la_users u, lateral (select title from la_posts where author = u.id order by id limit 1) p, lateral (select p.title || \'!\' as w) t order by u.id',
  'select u.id, s.* from la_users u, lateral (select * from (select title from la_posts where author = u.id) q, lateral (select q.title || u.name as e) r) s order by u.id, s.title',
  'select u.id, n.* from la_users u, lateral (select v.x from (values (1), (2)) v(x) where v.x <= u.id) n order by 1, 2',
  'select count(*) from la_users u, lateral (select u.id as k) s, la_posts p where p.author = s.k',
  'select x.id, y.id as next_id from la_users x, lateral (select id from la_users where id > x.id order by id limit 1) y order by x.id',
  'select x.id, y.id from la_users x left join lateral (select id from la_users where id > x.id order by id limit 1) y on true order by x.id',
  'select * from la_users u join lateral (select id, title from la_posts where author = u.id order by id limit 1) p using (id)',
  'select u.name, p.* from la_users u, la_posts q join lateral (select u.name as un, q.title as qt) p on true where q.author = u.id and u.id = 3',
  'select * from lateral (select 1 as one) s',
  'select (select string_agg(s.title, \',\') from lateral (select title from la_posts where author = u.id order by id) s) from la_users u order by u.id',
  'select v.k, w.* from (values (1), (2)) v(k) cross join lateral ((select 10 + v.k as z) union all (select 20)) w order by 1, 2',
  'select v.k, w.z from (values (1), (2)) v(k) cross join lateral (select z from (values (5), (6)) t(z) where z > v.k + 3) w order by 1, 2',
  'create view la_best as select u.name, p.title from la_users u left join lateral (select title from la_posts where author = u.id order by score desc nulls last limit 1) p on true',
  'select * from la_best order by name',
  'with c as (select id from la_users where team = 1) select c.id, p.n from c, lateral (select count(*) as n from la_posts where author = c.id) p order by 1',
  // functions on the right of LEFT JOIN LATERAL
  'create table la_docs (id int primary key, doc jsonb, tags text[])',
  "insert into la_docs values (1, '[1, 2]', '{a,b}'), (2, '[]', '{}'), (3, null, null)",
  'select d.id, e.value from la_docs d left join lateral jsonb_array_elements(d.doc) e on true order by 1, 2',
  'select d.id, t from la_docs d left join lateral unnest(d.tags) t on true order by 1, 2',
  'select d.id, t.x, t.n from la_docs d left join lateral unnest(d.tags) with ordinality t(x, n) on t.n > 1 order by 1, 2',
  'select d.id, g from la_docs d left join lateral generate_series(1, d.id) g on g > 1 where d.id < 3 order by 1, 2',
  'select d.id, t from la_docs d right join lateral unnest(d.tags) t on true',
  // errors, as PostgreSQL reports them
  'select u.id, s.x from la_users u, (select u.id as x) s',
  'select u.id, s.x from la_users u, (select team as x) s',
  'select u.id, s.x from la_users u cross join (select u.id as x) s',
  'select * from la_users u right join lateral (select u.id as x) s on true',
  'select * from la_users u full join lateral (select u.id as x) s on true',
  'select * from la_users u, lateral (select max(u.id) from la_posts) s',
  'select * from la_users u, lateral (select sum(u.id)) s',
  'select * from la_users x cross join (la_posts x cross join lateral (select x.id) ss)',
  'select * from la_users u join la_posts p on p.author = s.x join lateral (select u.id as x) s on true',
  'select * from la_users u, lateral (select nope from la_posts where author = u.id) s',
  'select * from la_users u, lateral (select * from la_posts where author = u.id) s, lateral (select * from la_posts p where p.id = q.id) t',
  // a LATERAL sub-select that reads nothing before it is an ordinary sub-select
  'select count(*) from la_users u, lateral (select count(*) from la_posts) s',
];
