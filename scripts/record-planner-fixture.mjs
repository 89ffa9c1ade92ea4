// Records packages/engine/test/fixtures/planner-postgres.json: a small data set and the results a real
// PostgreSQL gives for queries that exercise the planner's paths (index ranges, ordered walks with
// NULLS placement, top-N, min/max/count, hash and index joins). planner-postgres.test.ts runs the
// same statements on walrtc and compares the values as text.
// Run: scripts/postgres.sh start 54336 && node scripts/record-planner-fixture.mjs 54336
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const port = process.argv[2] ?? '54336';
const NULL = '\\N';

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const maybe = (v) => (rand() < 0.2 ? 'null' : v);
const words = ['apple', 'apricot', 'banana', 'blue', 'blueberry', 'cherry', 'ab', 'a', 'b', 'Zed', 'éclair'];

const setup = [
  'create table t (id int primary key, n int, s text, a int, b int)',
  'create index t_n on t (n)',
  'create index t_s on t (s)',
  'create index t_ab on t (a, b)',
  'create table c (id int primary key, name text)',
  'create table o (id int primary key, cid int, amount int)',
  'create index o_cid on o (cid)',
];
const trows = [];
for (let i = 1; i <= 80; i++) trows.push(`(${i}, ${maybe(int(0, 20))}, ${maybe(`'${words[int(0, words.length - 1)]}'`)}, ${maybe(int(0, 3))}, ${maybe(int(0, 6))})`);
setup.push(`insert into t values ${trows.join(', ')}`);
setup.push(`insert into c values ${Array.from({ length: 8 }, (_, i) => `(${i + 1}, 'c${i + 1}')`).join(', ')}`);
setup.push(`insert into o values ${Array.from({ length: 60 }, (_, i) => `(${i + 1}, ${maybe(int(1, 9))}, ${int(1, 100)})`).join(', ')}`);

// [sql, ordered]: unordered results are compared as sorted lines; every output column has its own
// name (results arrive as objects)
const queries = [
  ['select id from t where id = 17', true],
  ['select id from t where id < 5 order by id', true],
  ['select id from t where id >= 76', false],
  ['select id, n from t where n > 15', false],
  ['select id, n from t where n <= 2', false],
  ['select id from t where n between 4 and 6', false],
  ['select id from t where n in (3, 9, 3)', false],
  ['select id from t where n is null', false],
  ["select id, s from t where s like 'ap%'", false],
  ["select id, s from t where s like 'blue%'", false],
  ["select id, s from t where s >= 'b' and s < 'c'", false],
  ['select id from t where a = 2 and b > 3', false],
  ['select id from t where a = 1 and b is null', false],
  ['select n from t order by n limit 7', true],
  ['select n from t order by n desc limit 5', true],
  ['select n from t order by n desc nulls last limit 5', true],
  ['select n from t order by n nulls first limit 20', true],
  ['select id from t order by id desc limit 4 offset 2', true],
  ['select id from t where id > 30 order by id limit 3', true],
  ['select b from t where a = 3 order by b desc limit 4', true],
  ['select s from t order by s desc limit 6', true],
  ['select id from t order by n + b desc nulls last, id limit 6', true],
  ['select id from t order by s nulls first, id limit 5 offset 1', true],
  ['select count(*) as c, min(id) as a1, max(id) as a2, min(n) as a3, max(n) as a4, min(s) as a5, max(s) as a6 from t', true],
  ['select count(*) from t where n is not null', true],
  ['select a, count(*), sum(n), max(s) from t group by a order by a', true],
  ['select c.name, count(*), sum(o.amount) from o join c on c.id = o.cid group by c.name order by c.name', true],
  ['select c.id as c, o.id as o from c, o where c.id = o.cid and c.id = 3', false],
  ['select t.id as t, o.id as o from t, o, c where t.a = o.cid and o.cid = c.id and t.b = 2', false],
  ['select c.id, count(o.id) from c left join o on o.cid = c.id group by c.id order by c.id', true],
  ['select t1.id as a, t2.id as b from t t1 join t t2 on t1.n = t2.b where t1.id < 10', false],
];

const psql = (sql) => execFileSync('psql', ['-X', '-q', '-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-d', 'postgres', '-At', '-F', '\t', '-P', `null=${NULL}`, '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
psql('set client_min_messages = warning; drop table if exists t, c, o');
for (const s of setup) psql(s);
const recorded = queries.map(([sql, ordered]) => {
  const out = psql(sql).replace(/\n$/, '');
  return { sql, ordered, rows: out === '' ? [] : out.split('\n').map((l) => l.split('\t')) };
});
psql('drop table t, c, o');
const version = psql('show server_version').trim();
writeFileSync(new URL('../packages/engine/test/fixtures/planner-postgres.json', import.meta.url), JSON.stringify({ recordedWith: `PostgreSQL ${version}`, null: NULL, setup, queries: recorded }, null, 1) + '\n');
console.log(`recorded ${recorded.length} queries from PostgreSQL ${version}`);
