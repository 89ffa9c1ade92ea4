/**
 * The corpora of HASH partition routing (issue 10), by fixture name: many pseudo-random key values
 * of each supported type inserted into hash-partitioned tables, then each partition's rows read
 * back, so every value's partition is compared with PostgreSQL 15's; and the `^` operator /
 * power() over float8 and numeric (corpus "power"). Recorded by
 * scripts/record-values.ts, replayed by test/sql-hashpart-reference.test.ts. The values come from
 * a fixed-seed generator, so the corpus is the same on every run.
 */
import { prng as generator } from '../prng.ts';

/** CREATE TABLE … PARTITION BY HASH and `modulus` partitions named `<name>_<remainder>`. */
function hashTable(name: string, columns: string, key: string, modulus: number): string[] {
  return [
    `create table ${name} (${columns}) partition by hash (${key})`,
    ...Array.from({ length: modulus }, (_, r) => `create table ${name}_${r} partition of ${name} for values with (modulus ${modulus}, remainder ${r})`),
  ];
}

/** One SELECT per partition listing its rows (ordered by `order`, which is total on the rows). */
function readBack(name: string, modulus: number, order: string): string[] {
  return Array.from({ length: modulus }, (_, r) => `select * from ${name}_${r} order by ${order}`);
}

/** `values` inserted as literals, in chunks so one bad value cannot hide the rest. */
function inserts(name: string, values: readonly string[], chunk = 40): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += chunk) out.push(`insert into ${name} values ${values.slice(i, i + chunk).map((v) => `(${v})`).join(', ')}`);
  return out;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

function integers(): string[] {
  const rnd = generator(10);
  const int4 = [0, 1, -1, 2147483647, -2147483648, ...Array.from({ length: 150 }, () => Math.floor(rnd() * 4294967296) - 2147483648), ...Array.from({ length: 50 }, (_, i) => i - 25)];
  const int2 = [0, 32767, -32768, ...Array.from({ length: 80 }, () => Math.floor(rnd() * 65536) - 32768)];
  const big = (): bigint => (BigInt(Math.floor(rnd() * 4294967296)) << 32n | BigInt(Math.floor(rnd() * 4294967296))) - (1n << 63n);
  const int8 = ['0', '-1', '4294967295', '4294967296', '-4294967296', '9223372036854775807', '-9223372036854775808',
    ...Array.from({ length: 120 }, () => String(big())), ...Array.from({ length: 40 }, () => String(Math.floor(rnd() * 2e6) - 1e6))];
  return [
    ...hashTable('h4', 'a int4', 'a', 7), ...inserts('h4', [...new Set(int4)].map(String)), ...readBack('h4', 7, 'a'),
    ...hashTable('h2', 'a int2', 'a', 5), ...inserts('h2', [...new Set(int2)].map(String)), ...readBack('h2', 5, 'a'),
    ...hashTable('h8', 'a int8', 'a', 6), ...inserts('h8', [...new Set(int8)]), ...readBack('h8', 6, 'a'),
    // modulus 1: every row; a null key hashes to 0
    ...hashTable('h1', 'a int', 'a', 1), 'insert into h1 values (5), (null)', 'select * from h1 order by a',
    'insert into h4 values (null)', 'select count(*) from h4_0 where a is null',
  ];
}

function texts(): string[] {
  const rnd = generator(20);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,éßøλжあ漢😀';
  const word = (): string => Array.from({ length: Math.floor(rnd() * 30) }, () => [...alphabet][Math.floor(rnd() * [...alphabet].length)]).join('');
  // every length 0…25 (lookup3 reads 12-byte blocks and an 11-byte tail), then random words
  const values = [...Array.from({ length: 26 }, (_, n) => 'x'.repeat(n)), ...Array.from({ length: 160 }, word)];
  return [
    ...hashTable('ht', 'a text', 'a', 8), ...inserts('ht', [...new Set(values)].map(quote)), ...readBack('ht', 8, 'md5(a)'),
    ...hashTable('hv', 'a varchar(40)', 'a', 3), ...inserts('hv', [...new Set(values)].slice(0, 80).map(quote)), ...readBack('hv', 3, 'md5(a)'),
  ];
}

function others(): string[] {
  const rnd = generator(30);
  const floats = ['0', '-0', "'NaN'", "'Infinity'", "'-Infinity'", '1', '-1', '0.5', '1e300', '-2.5e-300', ...Array.from({ length: 60 }, () => String((rnd() - 0.5) * 10 ** Math.floor(rnd() * 20 - 10)))];
  const hex = (): string => Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const uuids = Array.from({ length: 60 }, () => { const h = hex(); return quote(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`); });
  const dates = new Set(['\'2000-01-01\'', '\'1999-12-31\'', '\'1970-01-01\'', '\'0044-03-15 BC\'', ...Array.from({ length: 60 }, () => quote(new Date(Date.UTC(1900, 0, 1) + Math.floor(rnd() * 80_000) * 86_400_000).toISOString().slice(0, 10)))]);
  const pairs = Array.from({ length: 80 }, () => `${Math.floor(rnd() * 2000) - 1000}, ${rnd() < 0.15 ? 'null' : quote(String(Math.floor(rnd() * 1e6)))}`);
  return [
    ...hashTable('hb', 'a bool', 'a', 3), 'insert into hb values (true), (false), (null)', ...readBack('hb', 3, 'a'),
    ...hashTable('hf', 'a float8', 'a', 5), ...inserts('hf', floats.map((f) => `${f}::float8`)), ...readBack('hf', 5, 'md5(a::text)'),
    ...hashTable('hr', 'a float4', 'a', 4), ...inserts('hr', ['0', '-0', '1.5', '-3.25', '100', "'NaN'", '0.125', '65536', '-7']), ...readBack('hr', 4, 'md5(a::text)'),
    ...hashTable('hu', 'a uuid', 'a', 4), ...inserts('hu', uuids), ...readBack('hu', 4, 'md5(a::text)'),
    ...hashTable('hd', 'a date', 'a', 5), ...inserts('hd', [...dates]), ...readBack('hd', 5, 'a'),
    // two key columns, nulls skipped in the combined hash
    ...hashTable('hm', 'a int, b text', 'a, b', 6), ...inserts('hm', pairs), ...readBack('hm', 6, 'a, b'),
    // a key expression
    ...hashTable('he', 'a int', '(a * 2)', 4), ...inserts('he', Array.from({ length: 30 }, (_, i) => String(i * 37 - 500))), ...readBack('he', 4, 'a'),
  ];
}

/** Partition moduli that differ, sub-partitions, row movement, direct inserts and the errors. */
const BEHAVIOUR: readonly string[] = [
  'create table hp (a int, b text) partition by hash (a)',
  'create table hp_a partition of hp for values with (modulus 2, remainder 1)',
  'create table hp_b partition of hp for values with (modulus 4, remainder 2)',
  'create table hp_c partition of hp for values with (modulus 8, remainder 0)',
  'insert into hp select g, g::text from generate_series(1, 40) g',
  'select a from hp_a order by a',
  'select a from hp_b order by a',
  'select a from hp_c order by a',
  // remainder 4 of 8 is missing: the rows that belong there are refused
  'insert into hp select g, g::text from generate_series(41, 60) g',
  'insert into hp values (3, \'x\')',
  'insert into hp values (4, \'x\')',
  'create table hp_d partition of hp for values with (modulus 8, remainder 4)',
  'insert into hp select g, g::text from generate_series(41, 60) g',
  'select a from hp_d order by a',
  'select count(*) from hp',
  // a row written to the wrong partition violates its partition constraint
  'insert into hp_a values (1, \'one\')',
  'insert into hp_a values (2, \'two\')',
  'insert into hp_c values (1, \'x\')',
  // UPDATE moves a row whose key now hashes elsewhere; through a partition it must stay
  'update hp set a = a + 100 where a = 5 returning a, b',
  'select a, b from hp_a where b = \'5\' union all select a, b from hp_b where b = \'5\' union all select a, b from hp_c where b = \'5\' union all select a, b from hp_d where b = \'5\'',
  'update hp_a set a = 2 where a = 1',
  'delete from hp where a between 10 and 20',
  'select count(*) from hp',
  // sub-partitioning: hash under range and range under hash
  'create table hs (a int, b int) partition by range (a)',
  'create table hs_low partition of hs for values from (0) to (100) partition by hash (b)',
  'create table hs_low_0 partition of hs_low for values with (modulus 3, remainder 0)',
  'create table hs_low_1 partition of hs_low for values with (modulus 3, remainder 1)',
  'create table hs_low_2 partition of hs_low for values with (modulus 3, remainder 2)',
  'insert into hs select g, g * 7 from generate_series(0, 29) g',
  'select b from hs_low_0 order by b',
  'select b from hs_low_1 order by b',
  'select b from hs_low_2 order by b',
  'insert into hs values (100, 1)',
  'create table hh (a int8) partition by hash (a)',
  'create table hh_0 partition of hh for values with (modulus 2, remainder 0) partition by range (a)',
  'create table hh_0_lo partition of hh_0 for values from (minvalue) to (0)',
  'create table hh_0_hi partition of hh_0 for values from (0) to (maxvalue)',
  'create table hh_1 partition of hh for values with (modulus 2, remainder 1)',
  'insert into hh select g from generate_series(-10, 10) g',
  'select a from hh_0_lo order by a',
  'select a from hh_0_hi order by a',
  'select a from hh_1 order by a',
  // modelled on src/test/regress/sql/insert.sql (hash_parted, without the custom operator class)
  'create table hash_parted (a int) partition by hash (a)',
  'create table hpart0 partition of hash_parted for values with (modulus 4, remainder 0)',
  'create table hpart1 partition of hash_parted for values with (modulus 4, remainder 1)',
  'create table hpart2 partition of hash_parted for values with (modulus 4, remainder 2)',
  'create table hpart3 partition of hash_parted for values with (modulus 4, remainder 3)',
  'insert into hash_parted select g from generate_series(1,10) g',
  'insert into hpart0 values(12),(16)',
  'insert into hpart0 values(11)',
  'insert into hpart3 values(11)',
  'select a from hpart0 order by a',
  'select a from hpart3 order by a',
  'drop table hash_parted',
  // key types whose hash walrtc does not reproduce are refused (HASHPART_REFUSED)
  'create table hn (a numeric) partition by hash (a)',
  'create table hn_0 partition of hn for values with (modulus 1, remainder 0)',
  'insert into hn values (1.5)',
];

/** Statements PostgreSQL runs and walrtc refuses with 0A000: hashes of numeric, inexact float8 powers, numeric ^. */
export const HASHPART_REFUSED: ReadonlySet<string> = new Set([
  'insert into hn values (1.5)',
  'select 2 ^ 0.5',
  'select 10 ^ -1',
  'select 3 ^ 34',
  'select power(2.5, 1.5)',
  'select 3.789 ^ 21', 'select 2.0 ^ -1', "select 'NaN'::numeric ^ 2", 'select 1.5 ^ 2.5', 'select 7.1 ^ 40',
  'select power(0.5, 3), power(1.5, 2), power(-0.25, 3), power(144, 0.5)',
]);

/** Random numeric bases and small exponents whose exact power has at most 16 digits and decimals. */
function numericPowers(): string[] {
  const rnd = generator(40);
  const out: string[] = [];
  while (out.length < 60) {
    const scale = Math.floor(rnd() * 4), digits = 1 + Math.floor(rnd() * 4), n = Math.floor(rnd() * 9);
    const coef = BigInt(Math.floor(rnd() * 10 ** digits)) * (rnd() < 0.3 ? -1n : 1n);
    const power = (coef < 0n ? -coef : coef) ** BigInt(n);
    if (scale * n > 16 || power.toString().replace(/0+$/, '').length > 16) continue;
    const text = (coef < 0n ? '-' : '') + ((coef < 0n ? -coef : coef).toString().padStart(scale + 1, '0').replace(new RegExp(`(\\d{${scale}})$`), scale ? '.$1' : '$1'));
    out.push(`select (${text})::numeric ^ ${n}`);
  }
  return out;
}

/** The `^` operator and power(float8, float8): exact results, dpow's special cases and errors. */
const POWER: readonly string[] = [
  'select sqrt(2.0)::numeric(10, 5), 2 ^ 10, @ -5, |/ 25.0',
  'select 2 ^ 10 as p, pg_typeof(2 ^ 10), 2 ^ -2, (-2) ^ 3, (-2) ^ 4, 3 ^ 0, 0 ^ 0, 0 ^ 5',
  'select power(10, 15), power(3, 33), power(2, 1023), power(2, -1022), power(0.5::float8, 3), pow(6.25::float8, 0.5), power(-0.25::float8, 3)',
  'select power(0.5, 3), power(1.5, 2), power(-0.25, 3), power(144, 0.5)',
  "select power(float8 '-0', 3), power(float8 '-0', 2), power(float8 '0', 0.5), 7 ^ 18, 10 ^ 22",
  "select power(float8 '144', float8 '0.5')",
  "select power(float8 'NaN', float8 '0.5')",
  "select power(float8 '144', float8 'NaN')",
  "select power(float8 'NaN', float8 'NaN')",
  "select power(float8 '-1', float8 'NaN')",
  "select power(float8 '1', float8 'NaN')",
  "select power(float8 'NaN', float8 '0')",
  "select power(float8 'inf', float8 '0')",
  "select power(float8 '-inf', float8 '0')",
  "select power(float8 '0', float8 'inf')",
  "select power(float8 '0', float8 '-inf')",
  "select power(float8 '1', float8 'inf')",
  "select power(float8 '1', float8 '-inf')",
  "select power(float8 '-1', float8 'inf')",
  "select power(float8 '-1', float8 '-inf')",
  "select power(float8 '0.1', float8 'inf')",
  "select power(float8 '-0.1', float8 'inf')",
  "select power(float8 '1.1', float8 'inf')",
  "select power(float8 '-1.1', float8 'inf')",
  "select power(float8 '0.1', float8 '-inf')",
  "select power(float8 '-0.1', float8 '-inf')",
  "select power(float8 '1.1', float8 '-inf')",
  "select power(float8 '-1.1', float8 '-inf')",
  "select power(float8 'inf', float8 '-2')",
  "select power(float8 'inf', float8 '2')",
  "select power(float8 'inf', float8 'inf')",
  "select power(float8 'inf', float8 '-inf')",
  "select power(float8 '-inf', float8 '-2') = '0'",
  "select power(float8 '-inf', float8 '-3')",
  "select power(float8 '-inf', float8 '2')",
  "select power(float8 '-inf', float8 '3')",
  "select power(float8 '-inf', float8 '3.5')",
  "select power(float8 '-inf', float8 'inf')",
  "select power(float8 '-inf', float8 '-inf')",
  'select 0 ^ 0 + 0 ^ 1 + 0 ^ 0.0 + 0 ^ 0.5',
  // errors: PostgreSQL's 2201F and 22003 texts
  'select 0 ^ -1',
  'select (-8) ^ 0.5',
  'select 10 ^ 400',
  'select 10 ^ -400',
  'select 2 ^ 1024',
  "select 1e200::float8 ^ '1e200'",
  // results that are not exact doubles: C pow's last digit is not reproduced (HASHPART_REFUSED)
  'select 2 ^ 0.5',
  'select 10 ^ -1',
  'select 3 ^ 34',
  'select power(2.5, 1.5)',
  "select '2' ^ '3'",
  'select 2.0 ^ 3',
  "select 'a'::text ^ 2",
  // numeric ^ numeric with a non-negative integer exponent (src/test/regress/sql/numeric.sql and more)
  'select 2.0 ^ 3, 10.0 ^ 20, 0.5 ^ 10, 2 ^ 3.00, 1.5 ^ 2, 0 ^ 0.5, 0.0 ^ 0, 3.7 ^ 1, 12.5 ^ 5, 0.001 ^ 5, (-2.0) ^ 3, 0.0 ^ 3',
  'select 0.0 ^ 0.0', 'select (-12.34) ^ 0.0', 'select 12.34 ^ 0.0', 'select 0.0 ^ 12.34',
  'select 0.0 ^ (-12.34)', 'select (-12.34) ^ 1.2', 'select 0 ^ (-1.0)',
  'select 1.23456789012345678 ^ 1', 'select 1.23456789 ^ 2', 'select power(2.50::numeric, 4), pow(-1.1::numeric, 7)',
  ...numericPowers(),
  // beyond what walrtc reproduces exactly (HASHPART_REFUSED)
  'select 3.789 ^ 21', 'select 2.0 ^ -1', "select 'NaN'::numeric ^ 2", 'select 1.5 ^ 2.5', 'select 7.1 ^ 40',
];

export const HASHPART_CORPORA: Record<string, readonly string[]> = {
  hashint: integers(),
  hashtext: texts(),
  hashother: others(),
  hashpart: BEHAVIOUR,
  power: POWER,
};
