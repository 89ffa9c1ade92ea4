/**
 * The corpora of table row types (issue 10), by fixture name: recorded by
 * scripts/record-values.ts, replayed by test/sql-rowtype2-reference.test.ts. A whole-row column's
 * type is the table's own row type, compared by name (its OID is allocated per database).
 */

/** Whole-row references report the table's row type; pg_typeof names the table. */
const ROWOID_CORPUS: readonly string[] = [
  'create table foo (f1 int, f2 text)',
  "insert into foo values (1, 'a'), (2, 'b')",
  'select foo from foo order by f1',
  'select f from foo f order by f1',
  'select pg_typeof(foo) from foo limit 1',
  'select pg_typeof(f) from foo f limit 1',
  "update foo set f2 = 'z' where f1 = 1 returning foo",
  "insert into foo values (3, 'c') returning foo",
  'delete from foo where f1 = 3 returning foo, f1',
  'select row_to_json(foo) from foo order by f1',
  'select foo.*, foo from foo order by f1',
  'select (foo).f2 from foo order by f1',
  'select pg_typeof(row(1, 2))',
  'select row(f1, f2) from foo order by f1',
  'select pg_typeof(row(f1, f2)) from foo limit 1',
  'create table bar (b1 int not null, b2 text)',
  "insert into bar values (1, 'x')",
  'select foo, bar from foo join bar on f1 = b1',
  'select foo, bar from foo left join bar on f1 = b1 order by f1',
  'select (select foo) from foo order by f1',
  'select f1 from foo where foo = foo order by f1',
  'create view fv as select f1, f2 from foo',
  'select fv from fv order by f1',
  'select pg_typeof(fv) from fv limit 1',
  'create table foo2 as select * from foo',
  'select foo2 from foo2 order by f1',
  'create schema app',
  'create table app.settings (k text, v int)',
  "insert into app.settings values ('a', 1) returning settings",
  'select s from app.settings s',
  'drop table foo2',
  'create table foo3 (a int)',
  'insert into foo3 values (1) returning foo3',
  'update foo f set f2 = f2 where f1 = 2 returning f',
  'update foo set f2 = b2 from bar where f1 = b1 returning foo, bar',
];

/** Enum columns keep judging right: enum OIDs are allocated per database too. */
const ENUMOID_CORPUS: readonly string[] = [
  "create type mood as enum ('sad', 'ok', 'happy')",
  'create table person (name text, m mood)',
  "insert into person values ('a', 'ok'), ('b', 'happy')",
  'select m from person order by name',
  "select 'sad'::mood",
  'select pg_typeof(m) from person limit 1',
  'select person from person order by name',
  "insert into person values ('c', 'sad') returning m, person",
  "create type color as enum ('red', 'green')",
  "select 'red'::color, 'ok'::mood",
];

export const ROWTYPE2_CORPORA: Record<string, readonly string[]> = {
  rowoid: ROWOID_CORPUS,
  enumoid: ENUMOID_CORPUS,
};
