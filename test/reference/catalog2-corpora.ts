/**
 * The corpora of the oid and regclass types (issue 10, catalog), by fixture name: recorded by
 * scripts/record-values.ts, replayed by test/sql-catalog2-reference.test.ts.
 */

/** oid: unsigned 32-bit input/output, comparisons, casts to and from the integer types. */
const OID_CORPUS = [
  "select '1234'::oid, ' 42 '::oid, '4294967295'::oid, '-1'::oid, '-2147483648'::oid",
  "select 'abc'::oid",
  "select '4294967296'::oid",
  "select '-2147483649'::oid",
  "select ''::oid",
  "select '12.5'::oid",
  "select 5::oid, (-1)::oid, 3000000000::int8::oid",
  "select (-1)::int8::oid",
  "select 4294967296::oid",
  "select '4294967295'::oid::int4, '4294967295'::oid::int8, '7'::oid::int4",
  "select '7'::oid = 7, '7'::oid < 8, 9 > '7'::oid, '4294967295'::oid > 1",
  "select '7'::oid = 7::int8, '7'::oid in (1, 7, 9)",
  "create table oid_tbl (f1 oid)",
  "insert into oid_tbl (f1) values ('1234'), ('1235'), ('987'), ('-1234'), ('5     '), ('   10  '), ('  15'), ('4294967295')",
  "insert into oid_tbl (f1) values ('')",
  "insert into oid_tbl (f1) values ('-2147483649')",
  "insert into oid_tbl (f1) values ('asdfasd')",
  "insert into oid_tbl (f1) values (12)",
  "select * from oid_tbl order by f1",
  "select o.* from oid_tbl o where o.f1 = 1234",
  "select o.* from oid_tbl o where o.f1 <> '1234' order by 1",
  "select o.* from oid_tbl o where o.f1 <= '1234' order by 1",
  "select o.* from oid_tbl o where o.f1 > '1234' order by 1",
  "select max(f1), min(f1), count(distinct f1) from oid_tbl",
  "select pg_typeof('1'::oid), pg_typeof('1'::oid::int8)",
];

/** regclass: relation names in and out, search_path, quoting, unknown oids, errors. */
const REGCLASS_CORPUS = [
  "create table rc_t (a int primary key)",
  "create sequence rc_seq",
  "create view rc_v as select a from rc_t",
  "create schema rc_s",
  "create table rc_s.u (b int)",
  'create table "Mixed Case" (c int)',
  "select 'rc_t'::regclass, 'public.rc_t'::regclass, 'RC_T'::regclass, 'rc_seq'::regclass, 'rc_v'::regclass, 'rc_t_pkey'::regclass",
  "select 'rc_s.u'::regclass, '\"Mixed Case\"'::regclass",
  "select 'u'::regclass",
  "select 'nosuch'::regclass",
  "select 'nosuch_schema.t'::regclass",
  "select 'rc_s.nosuch'::regclass",
  "select '\"rc_t'::regclass",
  "select 'a.b.c.d'::regclass",
  "select '0'::regclass, '999999'::regclass, 999999::oid::regclass",
  "select 'rc_t'::regclass::oid = 'rc_t'::regclass::oid, 'rc_t'::regclass = 'rc_t'::regclass, 'rc_t'::regclass = 'rc_v'::regclass",
  "select ('rc_t'::regclass::oid)::regclass",
  "select 'rc_t'::regclass::oid::int8 > 16383",
  "select 'rc_t'::regclass::text, pg_typeof('rc_t'::regclass)",
  "set search_path = rc_s, public",
  "select 'u'::regclass, 'rc_t'::regclass",
  "reset search_path",
  "select 'rc_s.u'::regclass::oid::regclass",
];

/** tableoid: the oid of the table a row is stored in, as a column of every plain table. */
const TABLEOID_CORPUS = [
  "create table to_a (x int)",
  "create table to_b (y int)",
  "insert into to_a values (1), (2)",
  "insert into to_b values (3)",
  "select tableoid::regclass, x from to_a order by x",
  "select to_a.tableoid::regclass, to_b.tableoid::regclass, x, y from to_a, to_b order by x",
  "select a.tableoid = 'to_a'::regclass, pg_typeof(a.tableoid) from to_a a order by x",
  "select count(*) from to_a where tableoid = 'to_a'::regclass::oid",
  "select tableoid::regclass, count(*) from to_a group by tableoid",
  "select x, (select tableoid::regclass from to_b) from to_a order by x",
  "select tableoid from to_a, to_b",
  "update to_a set x = x + 10 where tableoid = 'to_a'::regclass returning tableoid::regclass, x",
  "delete from to_b returning tableoid::regclass, y",
  "create schema to_s",
  "create table to_s.c (z int)",
  "insert into to_s.c values (5)",
  "select tableoid::regclass, z from to_s.c",
];

export const CATALOG2_CORPORA: Record<string, readonly string[]> = {
  oid: OID_CORPUS,
  regclass: REGCLASS_CORPUS,
  tableoid: TABLEOID_CORPUS,
};
