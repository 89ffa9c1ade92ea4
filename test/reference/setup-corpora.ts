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

export const SETUP_CORPORA: Record<string, readonly string[]> = {
  renamecol: renameColumn,
};
