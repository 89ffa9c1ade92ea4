/**
 * The statements behind functions.json (issue 10): PostgreSQL 15's regexp_matches (set-returning),
 * regexp_count/_instr/_like/_substr, to_number, statement_timestamp, typed interval literals and
 * interval field restrictions, and window aggregates with FILTER. Recorded by
 * `scripts/record-values.ts <url> functions`, replayed by sql-reference.test.ts.
 */
export const FUNCTIONS_CORPUS: readonly string[] = [
  // regexp_matches: one row per match with g, the first only without
  "select regexp_matches('foobarbequebaz', '(bar)(beque)')",
  "select regexp_matches('foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)', 'g')",
  "select regexp_matches('abc', 'x')",
  "select regexp_matches('abcABC', 'b', 'gi')",
  "select regexp_matches('a1b22c333', '[0-9]+', 'g') as m",
  "select * from regexp_matches('a1b22c333', '([a-z])([0-9]+)', 'g') as m(x)",
  "select regexp_matches('foo', '(f)(x)?(o)')",
  "select regexp_matches('abc', '', 'g')",
  "select regexp_matches('aaa', 'a*', 'g')",
  "select regexp_matches('abc', '(', 'g')",
  "select regexp_matches('abc', 'b', 'z')",
  "select count(*) from regexp_matches('one two three', '\\w+', 'g')",
  // regexp_count, regexp_instr, regexp_like, regexp_substr
  "select regexp_count('abcabcabc', 'abc'), regexp_count('abcabcabc', 'abc', 2), regexp_count('ABCabc', 'abc', 1, 'i'), regexp_count('', 'a'), regexp_count('aaa', 'a*')",
  "select regexp_count('abc', 'b', 0)",
  "select regexp_count('abc', 'b', 1, 'g')",
  "select regexp_instr('abcabc', 'bc'), regexp_instr('abcabc', 'bc', 3), regexp_instr('abcabc', 'bc', 1, 2), regexp_instr('abcabc', 'bc', 1, 3), regexp_instr('abcabc', 'bc', 1, 1, 1)",
  "select regexp_instr('abcabc', '(b)(c)', 1, 2, 0, '', 2), regexp_instr('ABC', 'b', 1, 1, 0, 'i'), regexp_instr('héllo wörld', 'w'), regexp_instr('abc', '(x)?b', 1, 1, 0, '', 1)",
  "select regexp_instr('abc', 'b', 1, 0)",
  "select regexp_instr('abc', 'b', 1, 1, 2)",
  "select regexp_instr('abc', 'b', 1, 1, 0, '', -1)",
  "select regexp_like('Hello World', 'world'), regexp_like('Hello World', 'world', 'i'), regexp_like('abc', '^a.c$'), regexp_like(null, 'a')",
  "select regexp_like('abc', 'b', 'g')",
  "select regexp_substr('abc123def456', '[0-9]+'), regexp_substr('abc123def456', '[0-9]+', 1, 2), regexp_substr('abc123def456', '[0-9]+', 7), regexp_substr('abc', 'x'), regexp_substr('abc123def456', '([a-z]+)([0-9]+)', 1, 2, '', 1)",
  "select regexp_substr('ABC', 'b', 1, 1, 'i'), regexp_substr('abc', '(b)(x)?', 1, 1, '', 2), regexp_substr('abc', 'b', 1, 1, '', 5)",
  // to_number
  "select to_number('-34,338,492', '99G999G999'), to_number('-34,338,492.654,878', '99G999G999D999G999'), to_number('<564646.654564>', '999999.999999PR')",
  "select to_number('0.00001-', '9.999999S'), to_number('5.01-', 'FM9.999999S'), to_number('5.01-', 'FM9.999999MI'), to_number('.01', 'FM9.99'), to_number('0', '99.99')",
  "select to_number('.-01', 'S99.99'), to_number('.01-', '99.99S'), to_number('34,50', '999,99'), to_number('123,000', '999G'), to_number('123456', '999G999')",
  "select to_number('$1234.56', 'L9,999.99'), to_number('1,234.56', 'L99,999.99'), to_number('12,454.8-', '99G999D9S'), to_number('123456', '999'), to_number('12.345', '99.9')",
  "select to_number('1.5', '9V9')",
  "select to_number('abc', '999')",
  // statement_timestamp, transaction_timestamp
  "select statement_timestamp() = now(), transaction_timestamp() = now(), pg_typeof(statement_timestamp())::text",
  "begin",
  "select statement_timestamp() >= transaction_timestamp(), transaction_timestamp() = now()",
  "commit",
  "select '3 4:05'::interval, '-2 10:00'::interval",
  // typed interval literals and field restrictions
  "select interval '1' day, interval '1-2' year to month, interval '3 4:05' day to minute, interval(3) '1.23456 sec', interval '1.5' day",
  "select interval '4:05' minute to second, interval '1 year 2 months 3 days 04:05:06.789' day to hour, interval '2 years 15 months' year, interval '-1.5' hour, interval '10:11:12.345678' hour to second(2)",
  "select interval '1 day 02:03:04.5678' hour to minute, interval '100' minute, interval '1 year 3 days' month, interval '7' second, interval(0) '1.5 seconds', interval '2' year",
  "select '1.5 days'::interval day, cast('3 hours 20 minutes' as interval hour), '01:02:03.456'::interval(1)",
  "create table ivt (d interval day, s interval(1), y interval year to month)",
  "insert into ivt values ('2', '1.26 sec', '1-7'), ('1 day 3 hours', '3 min 1.04 s', '2 years 40 days')",
  "select * from ivt order by d",
  // window aggregates with FILTER, and what PostgreSQL refuses there
  "create table wf (i int, g int)",
  "insert into wf values (1, 1), (2, 1), (3, 2), (4, 2), (5, 2)",
  "select i, sum(i) filter (where i > 1) over (partition by g order by i), count(*) filter (where i % 2 = 0) over () from wf order by i",
  "select i, avg(i) filter (where g = 2) over (order by i rows between 1 preceding and 1 following) from wf order by i",
  "select i, count(distinct g) over () from wf",
  "select i, array_agg(i order by i desc) over () from wf",
  "select i, row_number() filter (where i > 1) over () from wf",
  "select i, sum(i) filter (where sum(i) > 1) over () from wf",
  "select sum(i) filter (where max(i) > 1) from wf",
];
