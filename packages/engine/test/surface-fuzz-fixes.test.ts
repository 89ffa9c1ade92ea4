/**
 * The wrong answers the surface fuzzer (surface-fuzz.test.ts) found, minimised, each with
 * PostgreSQL's answer (checked on PGlite, PostgreSQL 15).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeEach(async () => { node = await freshNode(); });
afterEach(async () => { await node.close(); });

const TEXT = Object.fromEntries([16, 20, 21, 23, 25, 700, 701, 1007, 1009, 1082, 1114, 1184, 1186, 1231, 1700, 3802].map((oid) => [oid, (v: string) => v]));
const text = async (sql: string, params: unknown[] = []) =>
  (await node.query<string[]>(sql, params, { rowMode: 'array', parsers: TEXT })).rows;

describe('date/time input', () => {
  it('an offset or 24:00 that crosses a year or month boundary keeps the right year', async () => {
    // the time was added to a date in 2000 before the year was set: 1999-12-31 became 2000-12-31
    expect(await text(`select '2000-01-01 00:00:00+05:30'::timestamptz, '2023-03-01 00:00:00+05:30'::timestamptz,
      '2023-12-31 23:00:00-02'::timestamptz, '2023-12-31 24:00:00'::timestamp`))
      .toEqual([['1999-12-31 18:30:00+00', '2023-02-28 18:30:00+00', '2024-01-01 01:00:00+00', '2024-01-01 00:00:00']]);
  });

  it('a stored timestamptz keeps its day through the WAL text and arithmetic', async () => {
    await node.exec(`create table t (id int primary key, ts timestamptz); insert into t values (1, '2000-01-01 00:00:00+02')`);
    expect(await text('select ts, ts::date + 1 from t')).toEqual([['1999-12-31 22:00:00+00', '2000-01-01']]);
  });
});

describe('string lengths', () => {
  it('lpad, rpad and repeat beyond the largest text fail with 54000 instead of crashing the process', async () => {
    expect((await sqlError(node.query("select lpad('x', 300000000, 'ab')"))).code).toBe('54000');
    expect((await sqlError(node.query("select rpad('x', 2147483647, 'ab')"))).message).toBe('requested length too large');
    expect((await sqlError(node.query("select repeat('abc', 400000000)"))).code).toBe('54000');
    expect(await text("select lpad('ab', 7, 'é😀'), rpad('ab', 6, 'xyz'), length(lpad('x', 100000, 'ab')), repeat('é', 3)"))
      .toEqual([['é😀é😀éab', 'abxyzx', '100000', 'ééé']]);
  });
});

describe('DISTINCT aggregates', () => {
  it('array_agg(DISTINCT x) and string_agg(DISTINCT …) come out sorted by their arguments', async () => {
    expect(await text(`select array_agg(distinct x), string_agg(distinct x::text, ','), array_agg(distinct x order by x desc)
      from (values (3), (1), (null), (2), (1)) v(x)`)).toEqual([['{1,2,3,NULL}', '1,2,3', '{NULL,3,2,1}']]);
  });
});

describe('date arithmetic', () => {
  it('date ± integer beyond the date range is 22008, not an invalid date that prints NaN later', async () => {
    expect(await text("select '2024-02-29'::date - '2000-01-01'::date, '2024-02-29'::date + 1, 1 + '2024-02-28'::date")).toEqual([['8825', '2024-03-01', '2024-02-29']]);
    const e = await sqlError(node.query("select '2024-02-29'::date - (2147483647 + '2000-01-01'::date)"));
    expect([e.code, e.message]).toEqual(['22008', 'date out of range']);
    expect((await sqlError(node.query("select '2000-01-01'::date - 2147483647"))).code).toBe('22008');
    // PostgreSQL's dates go on to 5874897 AD; JavaScript's end in 275760: refused, not wrong
    expect((await sqlError(node.query("select date '4000-01-01' + 2000000000"))).code).toBe('0A000');
  });

  it('interval overflow is 22008 (interval_pl, interval_mul), as PostgreSQL raises it', async () => {
    expect((await sqlError(node.query("select '1 year 6 mons'::interval * 2147483647"))).code).toBe('22008');
    expect((await sqlError(node.query("select '-1 hour'::interval * '1e308'::float8"))).code).toBe('22008');
  });
});

describe('regexp_replace', () => {
  it('a back reference to a group the pattern lacks (or that did not match) is empty, not "$2"', async () => {
    expect(await text(String.raw`select regexp_replace('abc', 'b*', '\2\1', 'g'), regexp_replace('abc', '(b)', '\2\1x\&\\\0\q$1'), regexp_replace('a.b', '(a)|(z)', '[\1\2]', 'g')`))
      .toEqual([['ac', String.raw`abxb\\0\q$1c`, '[a].b']]);
  });
});

describe('arrays of jsonb', () => {
  it('are refused (0A000) instead of taking a jsonb array for a dimension', async () => {
    // array_agg printed {{1,2},…} where PostgreSQL prints {"[1, 2]",…}
    for (const sql of ["select array_agg(j) from (values ('[1,2]'::jsonb)) v(j)", "select array['[1,2]'::jsonb]", "select array(select '[1]'::jsonb)"]) {
      expect((await sqlError(node.query(sql))).code).toBe('0A000');
    }
  });
});

describe('common types', () => {
  it('real and numeric meet at real in CASE, COALESCE, GREATEST/LEAST and UNION (numeric → real is the implicit cast)', async () => {
    expect(await text(`select pg_typeof(least('1.5'::float4, 2.5::numeric))::text, pg_typeof(case when true then 1::float4 else 1::numeric end)::text,
      pg_typeof(coalesce(1::numeric, 1::float4))::text, pg_typeof(1.5::float4 + 1.5::numeric)::text`)).toEqual([['real', 'real', 'real', 'double precision']]);
    const r = await node.query('select x from (select 1.5::numeric union select 2::float4) v(x)');
    expect(r.fields[0]!.dataTypeID).toBe(700);
  });
});

describe('float aggregates and negative zero', () => {
  it('avg of -0 is 0 (float8_accum adds to 0); min/max keep the later of 0 and -0, as float8smaller does', async () => {
    expect(await text("select avg(x), sum(x), min(x), max(x) from (values ('-0'::float4)) v(x)")).toEqual([['0', '-0', '-0', '-0']]);
    expect(await text("select min(x), max(x) from (values ('-0'::float8), (0)) v(x)")).toEqual([['0', '0']]);
    expect(await text("select avg(x) over () from (values ('-0'::float8)) v(x)")).toEqual([['0']]);
  });
});

describe('strict functions and operators over a constant NULL', () => {
  it('are NULL without evaluating their other arguments, as PostgreSQL folds them', async () => {
    await node.exec("create table x (id int primary key, r float4, i int); insert into x values (1, 1e10, 2147483647)");
    // r::int4 is out of range; PostgreSQL never evaluates it, its call folded to NULL while planning
    expect(await text(`select gcd(cast(r as int4), width_bucket(null::float8, 0, 10, 3)), starts_with(rpad('t', i), null::text),
      cast(r as int4) + null, (r::int4)::text || null, r::int4 = null from x`)).toEqual([[null, null, null, null, null]]);
    expect(await text('select id from x where starts_with(rpad(id::text, i), null)')).toEqual([]);
    // not strict: array_cat and concat evaluate their arguments
    expect((await sqlError(node.query('select array[r::int4] || null from x'))).code).toBe('22003');
    expect((await sqlError(node.query('select concat(r::int4, null) from x'))).code).toBe('22003');
  });
});

describe('jsonb scalars (PostgreSQL 18, PGlite)', () => {
  it('-> 0 and -> -1 read a scalar (stored as a one-element raw array); a jsonb null casts to NULL', async () => {
    expect(await text(`select to_jsonb(true) -> -1, 'true'::jsonb -> 0, '"a"'::jsonb ->> -1, 'null'::jsonb -> 0, '3'::jsonb -> 1, '"a"'::json -> 0`))
      .toEqual([['true', 'true', 'a', 'null', null, null]]);
    expect(await text(`select ('null'::jsonb)::int4, ('null'::jsonb)::numeric, ('{"a": null}'::jsonb -> 'a')::float8, ('null'::jsonb)::bool`)).toEqual([[null, null, null, null]]);
    expect((await sqlError(node.query("select ('[1]'::jsonb)::int4"))).code).toBe('22023');
  });
});

describe('case mapping', () => {
  it('upper and lower map one code point to one (C.UTF-8, PGlite), not by JS\'s full mappings (ß → SS, İ → i̇)', async () => {
    expect(await text("select upper('éß'), lower('İ'), upper('ﬁ ŉ'), lower('ẞÉ'), upper('straße')")).toEqual([['Éẞ', 'i', 'ﬁ ŉ', 'ßé', 'STRAẞE']]);
  });
});

describe('string functions PostgreSQL has', () => {
  it('overlay and bit_length answer; to_char of a number is refused by name (0A000), not "does not exist"', async () => {
    expect(await text(`select overlay('Txxxxas' placing 'hom' from 2 for 4), overlay('abc' placing 'X' from 2), overlay('abc' placing 'XY' from 5 for 1),
      overlay('abcdef' placing '' from 2 for -1), bit_length('é')`)).toEqual([['Thomas', 'aXc', 'abcXY', 'aabcdef', '16']]);
    expect((await sqlError(node.query("select overlay('abc' placing 'x' from 0)"))).code).toBe('22011');
    const e = await sqlError(node.query("select to_char(1.5, '9.9')"));
    expect([e.code, e.message]).toEqual(['0A000', 'to_char(numeric, text) is not supported']);
  });
});

describe('make_timestamp and to_timestamp', () => {
  it('accept a leap second and 24:00:00 as DecodeTimeOnly does, rolling into the next year when it comes', async () => {
    // the time was added before the year was set: 2024-12-31 24:00 became 2024-01-01
    expect(await text('select make_timestamp(2024, 7, 15, 1, 29, 60), make_timestamp(2024, 12, 31, 24, 0, 0), make_timestamptz(2024, 1, 1, 23, 59, 60)'))
      .toEqual([['2024-07-15 01:30:00', '2025-01-01 00:00:00', '2024-01-02 00:00:00+00']]);
    const e = await sqlError(node.query('select make_timestamp(2024, 7, 15, 24, 1, 0)'));
    expect([e.code, e.message]).toEqual(['22008', 'time field value out of range: 24:01:00']);
    expect((await sqlError(node.query("select to_timestamp('2024-12-31 24:00:00', 'YYYY-MM-DD HH24:MI:SS')"))).code).toBe('22008');
  });
});

describe('float functions and aggregates', () => {
  it('sign of NaN and -0 is 0 (float8_sign); a sum of finite floats that overflows is 22003', async () => {
    expect(await text("select sign('NaN'::float8), sign('-0'::float8), sign('NaN'::numeric)")).toEqual([['0', '0', 'NaN']]);
    for (const sql of ["select sum(x) from (values ('1e308'::float8), ('1e308')) v(x)", "select avg(x) from (values ('1e308'::float8), ('1e308')) v(x)", "select sum(x) from (values ('3e38'::float4), ('3e38')) v(x)"]) {
      expect((await sqlError(node.query(sql))).code).toBe('22003');
    }
    expect(await text("select sum(x) from (values ('Infinity'::float8), ('1e308')) v(x)")).toEqual([['Infinity']]);
  });
});

describe('untyped literals in polymorphic calls', () => {
  it('array_agg(unknown) is 42725 and lag/first_value/nth_value of one are 42804, where walrtc took them for text', async () => {
    for (const [sql, code] of [["select array_agg('a')", '42725'], ['select array_agg(null)', '42725'], ["select lag('x') over ()", '42804'],
      ["select first_value('x') over ()", '42804'], ["select nth_value('x', 1) over ()", '42804']] as const) {
      expect((await sqlError(node.query(sql))).code).toBe(code);
    }
    // with a default, lag's arguments are anycompatible: text
    expect(await text("select lag('x', 1, 'y') over (), min('a'), string_agg('a', ',')")).toEqual([['y', 'a', 'a']]);
  });
});

describe('INSERT … VALUES', () => {
  it('a constant that does not fit its column fails before any row or default is made, so the serial does not move', async () => {
    await node.exec('create table z (id int primary key, n numeric(6,2), q serial); insert into z values (1, 1)');
    expect((await sqlError(node.query('insert into z (id, n) values (2, 1), (3, 10000) on conflict do nothing'))).code).toBe('22003');
    expect(await text("select last_value from pg_sequences where sequencename = 'z_q_seq'")).toEqual([['1']]);
    expect(await text('insert into z (id, n) values (6, 1.005) returning *')).toEqual([['6', '1.01', '2']]);
  });
});

describe('strict operators evaluate both operands', () => {
  it('an error of the right operand surfaces though the left is NULL, as PostgreSQL computes every argument first', async () => {
    await node.exec('create table t (h int2, r float4); insert into t values (null, 1e10)');
    for (const sql of ['select round(h, 3) * (r)::numeric(10,4) from t', 'select h < r::int4 from t', 'select h::text || (r::int4)::text from t']) {
      expect((await sqlError(node.query(sql))).code).toBe('22003');
    }
    expect(await text('select null::numeric * (r)::numeric(10,4) from t')).toEqual([[null]]);
  });
});

describe('casts', () => {
  it('bool to name goes through boolout (t/f), while text, varchar and bpchar read true/false', async () => {
    expect(await text('select cast(true as name)::text, cast(false as name)::text, true::text, true::varchar')).toEqual([['t', 'f', 'true', 'true']]);
  });

  it('an interval times an infinite factor is refused (PostgreSQL 17 on has infinite intervals), not out of range', async () => {
    expect((await sqlError(node.query("select '1.5 months'::interval * 'Infinity'::float8"))).code).toBe('0A000');
    expect((await sqlError(node.query("select '1 day'::interval * 'NaN'::float8"))).code).toBe('22008');
  });
});

describe('strict functions evaluate every argument', () => {
  it('an error of a later argument surfaces though an earlier one is NULL; to_json(b) of an untyped literal is 42804', async () => {
    await node.exec("create table t (s text, i int); insert into t values (null, -1)");
    expect((await sqlError(node.query("select replace(s, 'a', substr('x', 1, i)) from t"))).code).toBe('22011');
    expect((await sqlError(node.query("select to_jsonb('x')"))).code).toBe('42804');
    expect((await sqlError(node.query("select to_json('x')"))).code).toBe('42804');
  });

  it('an interval past 2^53 microseconds is refused (PostgreSQL keeps 2^63), not out of range; to_char OF of a timestamp is the session offset', async () => {
    expect((await sqlError(node.query("select '-1 hour'::interval / 1e-7::float8"))).code).toBe('0A000');
    expect(await text("select to_char('2024-01-01'::timestamp, 'TZ OF|'), to_char('2024-01-01'::timestamptz, 'TZ OF')")).toEqual([[' +00|', 'UTC +00']]);
  });
});

describe('stable functions are not folded', () => {
  it('to_char, to_timestamp(text, text) and to_date over constants wait for a row, as PostgreSQL folds only immutable calls', async () => {
    await node.exec('create table t (a int)');
    // '2024-09-4' is no interval: PostgreSQL never evaluates it over an empty table
    expect(await text("select (to_char('2024-02-29 12:34:56'::timestamptz, 'IYYY-IW-ID'))::interval, to_date('x', 'YYYY') from t")).toEqual([]);
    expect(await text("select to_char('2024-02-29 12:34:56'::timestamp, 'YYYY-MM-DD')")).toEqual([['2024-02-29']]);
  });
});

describe('NULLIF, float division and numeric min/max', () => {
  it('NULLIF computes both arguments and has the type its = operator coerced the left to', async () => {
    await node.exec(`create table t (js jsonb); insert into t values ('3')`);
    expect((await sqlError(node.query("select nullif(js #> '{a,b}', js - 'a') from t"))).code).toBe('22023');
    expect(await text(`select pg_typeof(nullif(1::int2, 1e20))::text, pg_typeof(nullif(1::int2, 2::int8))::text, pg_typeof(nullif(1, 2.5::float8))::text,
      pg_typeof(nullif('a'::varchar, 'b'::text))::text, nullif(2::int2, 1.5)`)).toEqual([['numeric', 'smallint', 'double precision', 'text', '2']]);
  });

  it('NaN / 0 is NaN (float8div); min/max of equal numerics keep the later one (numeric_smaller)', async () => {
    expect(await text("select 'NaN'::float8 / 0, 'NaN'::float4 / '-0'::float4")).toEqual([['NaN', 'NaN']]);
    expect((await sqlError(node.query("select 1::float8 / 0"))).code).toBe('22012');
    expect(await text('select min(x), max(x) from (values (0.0), (0.00), (0)) v(x)')).toEqual([['0', '0']]);
  });
});

describe('right() at the int32 edge', () => {
  it('right(s, -2147483648) is the whole string, as text_right computes it', async () => {
    expect(await text("select right('abc', -2147483648), left('abc', -2147483648), right('abcd', -1)")).toEqual([['abc', '', 'bcd']]);
  });
});
