/**
 * The corpora of the regression setup and chain-root fixes (issue 10, sql:regress --roots), by
 * fixture name; each statement's outcome is recorded from PostgreSQL 15 by
 * `scripts/record-values.ts <url> <name>` and replayed by test/sql-setup-reference.test.ts.
 */

/** ALTER TABLE … RENAME COLUMN down an inheritance tree (create_misc's a_star … f_star, inherit.sql, alter_table.sql). */
const renameColumn: readonly string[] = [
  // create_misc's tree, renamed from the top and back
  'CREATE TABLE a_star (class char, a int4)',
  'CREATE TABLE b_star (b text) INHERITS (a_star)',
  'CREATE TABLE c_star (c name) INHERITS (a_star)',
  'CREATE TABLE d_star (d float8) INHERITS (b_star, c_star)',
  "INSERT INTO a_star (class, a) VALUES ('a', 1)",
  "INSERT INTO b_star (class, a, b) VALUES ('b', 2, 'bumble')",
  "INSERT INTO c_star (class, a, c) VALUES ('c', 3, 'hi c')",
  "INSERT INTO d_star (class, a, b, c, d) VALUES ('d', 4, 'grumble', 'hi d', '1.1')",
  'ALTER TABLE c_star* RENAME COLUMN c TO cc',
  'ALTER TABLE b_star* RENAME COLUMN b TO bb',
  'ALTER TABLE a_star* RENAME COLUMN a TO aa',
  'SELECT class, aa FROM a_star* x WHERE aa ISNULL',
  'SELECT class, aa, bb, cc, d FROM d_star',
  'SELECT class, aa FROM a_star ORDER BY aa',
  'ALTER TABLE a_star RENAME COLUMN aa TO foo',
  'SELECT class, foo FROM a_star* x WHERE x.foo >= 2 ORDER BY foo',
  'ALTER TABLE a_star RENAME COLUMN foo TO aa',
  'SELECT * FROM d_star WHERE aa < 1000',
  "SELECT column_name::text FROM information_schema.columns c JOIN (VALUES ('d_star')) v(t) ON c.table_name = v.t ORDER BY ordinal_position",
  // a column a child has from a parent outside the rename, or defines itself
  'ALTER TABLE d_star RENAME COLUMN aa TO x',
  'ALTER TABLE ONLY a_star RENAME COLUMN aa TO x',
  'ALTER TABLE b_star RENAME COLUMN class TO x',
  'ALTER TABLE d_star RENAME COLUMN d TO dd',
  'SELECT dd FROM d_star',
  'ALTER TABLE a_star RENAME COLUMN aa TO bb',
  'ALTER TABLE a_star RENAME COLUMN nosuch TO y',
  'ALTER TABLE b_star RENAME COLUMN bb TO aa',
  'SELECT class, aa, bb FROM b_star ORDER BY aa',
  // inherit.sql: simple multiple inheritance, then a diamond
  'CREATE TABLE inht1 (a int, b int)',
  'CREATE TABLE inhs1 (b int, c int)',
  'CREATE TABLE inhts (d int) INHERITS (inht1, inhs1)',
  'ALTER TABLE inht1 RENAME a TO aa',
  'ALTER TABLE inht1 RENAME b TO bb',
  'ALTER TABLE inhts RENAME aa TO aaa',
  'ALTER TABLE inhts RENAME d TO dd',
  'SELECT * FROM inhts',
  'DROP TABLE inhts',
  'CREATE TABLE inht2 (x int) INHERITS (inht1)',
  'CREATE TABLE inht3 (y int) INHERITS (inht1)',
  'CREATE TABLE inht4 (z int) INHERITS (inht2, inht3)',
  'INSERT INTO inht4 VALUES (1, 2, 3, 4, 5)',
  'ALTER TABLE inht1 RENAME aa TO aaa',
  'SELECT * FROM inht4',
  'SELECT aaa FROM inht1',
  'CREATE TABLE inhts (d int) INHERITS (inht2, inhs1)',
  'ALTER TABLE inht1 RENAME aaa TO aaaa',
  'ALTER TABLE inht1 RENAME b TO bb',
  'SELECT * FROM inhts',
  // alter_table.sql
  'create table renameColumn (a int)',
  'create table renameColumnChild (b int) inherits (renameColumn)',
  'create table renameColumnAnother (c int) inherits (renameColumnChild)',
  'alter table renameColumnChild rename column a to d',
  'alter table only renameColumnChild rename column a to d',
  'alter table only renameColumn rename column a to d',
  'alter table renameColumn rename column a to d',
  'alter table renameColumnChild rename column b to a',
  'select * from renameColumnAnother',
  'alter table only renameColumnAnother rename column c to e',
  'select * from renameColumnAnother',
  // a CHECK the children inherit follows the rename
  'create table rc_parent (n int check (n > 0))',
  'create table rc_child () inherits (rc_parent)',
  'alter table rc_parent rename column n to m',
  'insert into rc_child values (-1)',
  'insert into rc_child values (2)',
  'select m from rc_parent',
  // partitions are renamed with their partitioned table; one alone may not rename an inherited column
  'create table rc_parted (k int, v text) partition by list (k)',
  'create table rc_part1 partition of rc_parted for values in (1)',
  "insert into rc_parted values (1, 'one')",
  'alter table rc_parted rename column v to w',
  'select * from rc_part1',
  'alter table rc_part1 rename column w to u',
  'alter table only rc_parted rename column w to u',
  // a rollback undoes the whole tree's rename
  'begin',
  'alter table rc_parent rename column m to q',
  'select q from rc_child',
  'rollback',
  'select m from rc_child',
];

/** CREATE SCHEMA with schema elements (namespace.sql, foreign_key.sql's fkpart schemas, create_view.sql). */
const schemaElements: readonly string[] = [
  // namespace.sql: the index and view come before the table they use; PostgreSQL runs tables first
  `CREATE SCHEMA test_ns_schema_1
       CREATE UNIQUE INDEX abc_a_idx ON abc (a)
       CREATE VIEW abc_view AS SELECT a+1 AS a, b+1 AS b FROM abc
       CREATE TABLE abc (a serial, b int UNIQUE)`,
  'SET search_path to public',
  'BEGIN',
  'SET search_path to public, test_ns_schema_1',
  'CREATE SCHEMA test_ns_schema_2 CREATE VIEW abc_view AS SELECT c FROM abc',
  'COMMIT',
  'SHOW search_path',
  'BEGIN',
  'SET search_path to public, test_ns_schema_1',
  'CREATE SCHEMA test_ns_schema_2 CREATE VIEW abc_view AS SELECT a FROM abc',
  'SHOW search_path',
  'COMMIT',
  'SHOW search_path',
  'SELECT * FROM test_ns_schema_2.abc_view',
  'DROP SCHEMA test_ns_schema_2 CASCADE',
  'RESET search_path',
  "SELECT table_name::text, table_type::text FROM information_schema.tables WHERE table_schema = 'test_ns_schema_1' ORDER BY 1",
  'INSERT INTO test_ns_schema_1.abc DEFAULT VALUES',
  'INSERT INTO test_ns_schema_1.abc DEFAULT VALUES',
  'INSERT INTO test_ns_schema_1.abc DEFAULT VALUES',
  'SELECT * FROM test_ns_schema_1.abc ORDER BY a',
  'SELECT * FROM test_ns_schema_1.abc_view ORDER BY a',
  'SELECT * FROM abc',
  "INSERT INTO test_ns_schema_1.abc VALUES (1, 5)",
  'DROP SCHEMA test_ns_schema_1 CASCADE',
  // foreign_key.sql: unqualified REFERENCES and PARTITION OF find the new schema's tables
  `create schema fkpart0
  create table pkey (a int primary key)
  create table fk_part (a int) partition by list (a)
  create table fk_part_1 partition of fk_part (foreign key (a) references fkpart0.pkey) for values in (1)
  create table fk_part_23 partition of fk_part (foreign key (a) references fkpart0.pkey) for values in (2, 3) partition by list (a)
  create table fk_part_23_2 partition of fk_part_23 for values in (2)`,
  'insert into fkpart0.pkey values (1), (2)',
  'insert into fkpart0.fk_part values (1), (2)',
  'insert into fkpart0.fk_part values (3)',
  `CREATE SCHEMA fkpart9
  CREATE TABLE pk (a INT PRIMARY KEY)
  CREATE TABLE fk (fk_a INT REFERENCES pk(a) ON DELETE CASCADE)
  CREATE SEQUENCE seq9 START 5
  CREATE INDEX fk_idx ON fk (fk_a)`,
  'INSERT INTO fkpart9.pk VALUES (1), (2)',
  'INSERT INTO fkpart9.fk VALUES (1), (2), (2)',
  'DELETE FROM fkpart9.pk WHERE a = 2',
  'SELECT * FROM fkpart9.fk',
  "SELECT nextval('fkpart9.seq9')",
  'ALTER INDEX fkpart9.fk_idx RENAME TO fk_idx2',
  'ALTER INDEX fkpart9.pk_pkey RENAME TO pk_pkey2',
  'DROP SCHEMA fkpart9 CASCADE',
  // errors: another schema named, a schema that exists, IF NOT EXISTS with elements, an element that fails
  'CREATE SCHEMA s_other CREATE TABLE public.t (a int)',
  'CREATE TABLE s_other.t (a int)',
  'CREATE SCHEMA fkpart0 CREATE TABLE t (a int)',
  'CREATE SCHEMA IF NOT EXISTS s_ine CREATE TABLE t (a int)',
  'CREATE SCHEMA s_fail CREATE TABLE t (a int) CREATE VIEW v AS SELECT nosuch FROM t',
  'CREATE TABLE s_fail.t (a int)',
  'CREATE SCHEMA s_ok CREATE TABLE s_ok.t (a int) CREATE VIEW v AS SELECT a * 2 AS b FROM t',
  'INSERT INTO s_ok.t VALUES (21)',
  'SELECT * FROM s_ok.v',
  'DROP SCHEMA s_ok CASCADE',
  // a table of the name in a schema of the search_path is not the element's, nor what it references
  'CREATE SCHEMA s_path CREATE TABLE pk (a int primary key)',
  'SET search_path TO s_path, public',
  'CREATE SCHEMA s_new CREATE TABLE pk (a int primary key) CREATE TABLE fk (a int references pk) CREATE TABLE tree (id int primary key, up int references tree)',
  'INSERT INTO s_new.pk VALUES (1)',
  'INSERT INTO s_path.pk VALUES (2)',
  'INSERT INTO s_new.fk VALUES (1)',
  'INSERT INTO s_new.fk VALUES (2)',
  'INSERT INTO s_new.tree VALUES (1, NULL), (2, 1)',
  'INSERT INTO s_new.tree VALUES (3, 7)',
  'SHOW search_path',
  'RESET search_path',
  'DROP SCHEMA s_path, s_new CASCADE',
  'DROP SCHEMA fkpart0 CASCADE',
];

export const SETUP_CORPORA: Record<string, readonly string[]> = {
  renamecol: renameColumn,
  schemaelts: schemaElements,
};
