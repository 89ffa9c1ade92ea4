/**
 * Random typed expressions for the surface fuzzer: arithmetic of every numeric type with its
 * overflow and division edges, numeric scales, casts between the types (text in both directions),
 * three-valued logic, CASE/COALESCE/NULLIF/GREATEST/LEAST, cross-type comparisons, pattern
 * matching with escapes and non-ASCII, string functions, date/time/interval arithmetic and jsonb
 * operators. Each generator returns SQL whose PostgreSQL type is (usually) the one asked for; a
 * wrong guess only makes both engines fail alike, so the types steer the mix, not the verdict.
 */
import type { Rand } from './schema.ts';

export type XType = 'int2' | 'int4' | 'int8' | 'numeric' | 'float4' | 'float8' | 'text' | 'bool' | 'date' | 'timestamp' | 'timestamptz' | 'interval' | 'jsonb';

export const XTYPES: XType[] = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'text', 'bool', 'date', 'timestamp', 'timestamptz', 'interval', 'jsonb'];
const INTS: XType[] = ['int2', 'int4', 'int8'];
const NUMS: XType[] = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];
const TIMES: XType[] = ['date', 'timestamp', 'timestamptz'];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

const LITERALS: Record<XType, string[]> = {
  int2: ['0::int2', '1::int2', '(-1)::int2', '7::int2', '32767::int2', '(-32768)::int2', '200::int2'],
  int4: ['0', '1', '-1', '2', '3', '7', '-13', '100', '2147483647', '-2147483648', '65536', '46341'],
  int8: ['0::int8', '3::int8', '(-5)::int8', '9223372036854775807', '(-9223372036854775807 - 1)', '4294967296', '3037000500::int8', '9007199254740993'],
  numeric: ['0.0', '1.5', '-2.25', '0.1', '3.14159', '12.345', '1e20', '0.000001', '-0.5', '2.5', '100.00', "'NaN'::numeric", '123456789.987654321', '1::numeric', '(-7)::numeric', '0.5'],
  float4: ["'1.5'::float4", "'0.1'::float4", "'-0'::float4", "'3.4e38'::float4", "'NaN'::float4", "'Infinity'::float4", "'1e-30'::float4", "'7'::float4"],
  float8: ["'1.5'::float8", "'0.1'::float8", "'-0'::float8", "'1e308'::float8", "'NaN'::float8", "'-Infinity'::float8", "'2'::float8", "'1e-300'::float8", "'123.456'::float8", "'-2.5'::float8"],
  text: ['a', 'abc', 'ABC', 'Hello World', '', ' x ', 'é', 'ÉCOLE', 'straße', 'ǅ', 'ﬁ', '😀x', 'a%b_c', 'a\\b', '12', '-3.5', 'true', 'f', '2024-02-29', '1 day', 'x,y,,z', "it's", 'NaN', ' 42 ', '1e3', 'İ', 'ΣΑΣ']
    .map(q),
  bool: ['true', 'false', 'null::bool'],
  date: ["'2024-02-29'::date", "'2000-01-01'::date", "'1999-12-31'::date", "'2024-12-31'::date", "'infinity'::date", "'0001-01-01'::date", "'2023-03-26'::date"],
  timestamp: ["'2024-02-29 12:34:56.789'::timestamp", "'2000-01-01 00:00:00'::timestamp", "'1999-12-31 23:59:59.999999'::timestamp", "'2024-03-31 02:30:00'::timestamp", "'-infinity'::timestamp"],
  timestamptz: ["'2024-02-29 12:34:56.789+00'::timestamptz", "'2000-01-01 00:00:00+05:30'::timestamptz", "'1999-12-31 23:59:59.5-08'::timestamptz", "'infinity'::timestamptz"],
  interval: ["'1 day'::interval", "'1 mon 2 days 03:04:05'::interval", "'-1 hour'::interval", "'1 year 6 mons'::interval", "'00:00:00.5'::interval", "'-3 days 4 hours'::interval", "'36 hours'::interval", "'1.5 months'::interval", "'0'::interval"],
  jsonb: [`'{"a": 1, "b": [1, 2, {"c": "x"}], "d": null}'::jsonb`, `'[1, "two", 3.50, null, true]'::jsonb`, `'"str"'::jsonb`, `'12.30'::jsonb`, `'{}'::jsonb`, `'{"a": {"b": {"c": 5}}, "é": "ü"}'::jsonb`, `'null'::jsonb`],
};

/** Columns available to expressions: SQL and type. */
export interface XCol { sql: string; type: XType }

export class ExprGen {
  constructor(readonly r: Rand, readonly cols: XCol[] = []) {}

  leaf(t: XType): string {
    const r = this.r;
    const own = this.cols.filter((c) => c.type === t);
    if (own.length && r.chance(0.55)) return r.pick(own).sql;
    if (r.chance(0.04)) return `null::${t}`;
    return r.pick(LITERALS[t]);
  }

  /** An expression of type t, nested about `depth` levels. */
  expr(t: XType, depth = 2): string {
    if (depth <= 0 || this.r.chance(0.25)) return this.leaf(t);
    const d = depth - 1;
    const r = this.r;
    if (r.chance(0.12)) return this.generic(t, d);
    if (r.chance(0.1)) return this.cast(t, d);
    switch (t) {
      case 'int2': case 'int4': case 'int8': return this.integer(t, d);
      case 'numeric': return this.numeric(d);
      case 'float4': case 'float8': return this.float(t, d);
      case 'text': return this.text(d);
      case 'bool': return this.bool(d);
      case 'date': return this.date(d);
      case 'timestamp': case 'timestamptz': return this.timestamp(t, d);
      case 'interval': return this.interval(d);
      case 'jsonb': return this.jsonb(d);
    }
  }

  any(depth = 2): { sql: string; type: XType } {
    const type = this.r.pick(XTYPES);
    return { sql: this.expr(type, depth), type };
  }

  /** CASE, COALESCE, NULLIF, GREATEST, LEAST: their result types come from the mix of branches. */
  generic(t: XType, d: number): string {
    const r = this.r;
    const other = () => (NUMS.includes(t) && r.chance(0.4) ? this.expr(r.pick(NUMS), d) : TIMES.includes(t) && r.chance(0.3) ? this.expr(r.pick(TIMES), d) : this.expr(t, d));
    switch (r.int(0, 5)) {
      case 0: return `case when ${this.bool(d)} then ${this.expr(t, d)} ${r.chance(0.3) ? `when ${this.bool(d)} then ${other()} ` : ''}${r.chance(0.8) ? `else ${other()} ` : ''}end`;
      case 1: return `case ${this.expr(t, d)} when ${this.leaf(t)} then ${other()} else ${this.expr(t, d)} end`;
      case 2: return `coalesce(${this.expr(t, d)}, ${r.chance(0.3) ? 'null, ' : ''}${other()})`;
      case 3: return `nullif(${this.expr(t, d)}, ${this.expr(t, d)})`;
      default: return `${r.pick(['greatest', 'least'])}(${this.expr(t, d)}, ${other()}${r.chance(0.4) ? `, ${other()}` : ''})`;
    }
  }

  /** A cast into t from another type: text parsing (22P02), range checks (22003), rounding. */
  cast(t: XType, d: number): string {
    const r = this.r;
    const from: XType = t === 'jsonb' ? r.pick(['text', 'jsonb'] as XType[])
      : t === 'bool' ? r.pick(['int4', 'text', 'jsonb'] as XType[])
      : NUMS.includes(t) ? r.pick([...NUMS, 'text', 'jsonb'] as XType[])
      : TIMES.includes(t) ? r.pick([...TIMES, 'text'] as XType[])
      : t === 'text' ? r.pick(XTYPES)
      : r.pick(['text', 'interval'] as XType[]);
    const target = t === 'numeric' && r.chance(0.5) ? r.pick(['numeric(5,2)', 'numeric(3)', 'numeric(10,4)', 'numeric(2,2)', 'numeric(20,0)'])
      : t === 'text' && r.chance(0.3) ? r.pick(['varchar(3)', 'char(4)', 'name', 'varchar'])
      : t === 'timestamp' && r.chance(0.3) ? 'timestamp(0)' : t === 'interval' && r.chance(0.2) ? r.pick(['interval(0)', 'interval day to second', 'interval year to month', 'interval hour']) : t;
    const inner = this.expr(from, d);
    return r.chance(0.7) ? `(${inner})::${target}` : `cast(${inner} as ${target})`;
  }

  integer(t: XType, d: number): string {
    const r = this.r;
    const mixed = () => this.expr(r.chance(0.6) ? t : r.pick(INTS), d);
    switch (r.int(0, 14)) {
      case 0: case 1: case 2: return `(${this.expr(t, d)} ${r.pick(['+', '-', '*'])} ${mixed()})`;
      case 3: return `(${this.expr(t, d)} ${r.pick(['/', '%'])} ${mixed()})`;
      case 4: return `(- ${this.expr(t, d)})`;
      case 5: return `abs(${this.expr(t, d)})`;
      case 6: return `(${this.expr(t, d)} ${r.pick(['&', '|', '#'])} ${this.expr(t, d)})`;
      case 7: return `(${this.expr(t, d)} ${r.pick(['<<', '>>'])} ${r.int(0, 70)})`;
      case 8: return r.pick([`length(${this.text(d)})`, `octet_length(${this.text(d)})`, `char_length(${this.text(d)})`, `strpos(${this.text(d)}, ${this.leaf('text')})`, `position(${this.leaf('text')} in ${this.text(d)})`, `ascii(${this.text(d)})`, `bit_length(${this.text(d)})`]);
      case 9: return `(${this.date(d)} - ${this.date(d)})`;
      case 10: return `${r.pick(['gcd', 'lcm'])}(${this.expr(t === 'int2' ? 'int4' : t, d)}, ${this.expr(t === 'int2' ? 'int4' : t, d)})`;
      case 11: return `(${this.expr(t, d)} ${r.pick(['/', '%'])} ${r.pick(['0', '-1', '2'])})`;
      case 12: return `width_bucket(${this.expr('float8', d)}, 0, 10, ${r.int(1, 5)})`;
      case 13: return `sign(${this.expr(t, d)})`;
      default: return `(${this.expr(t, d)})::${r.pick(INTS)}`;
    }
  }

  numeric(d: number): string {
    const r = this.r;
    const num = () => this.expr(r.chance(0.7) ? 'numeric' : r.pick(INTS), d);
    switch (r.int(0, 15)) {
      case 0: case 1: case 2: return `(${num()} ${r.pick(['+', '-', '*'])} ${num()})`;
      case 3: case 4: return `(${num()} ${r.pick(['/', '%'])} ${num()})`;
      case 5: return `round(${num()}${r.chance(0.7) ? `, ${r.int(-3, 6)}` : ''})`;
      case 6: return `trunc(${num()}${r.chance(0.7) ? `, ${r.int(-3, 6)}` : ''})`;
      case 7: return `${r.pick(['ceil', 'floor', 'abs', 'sign'])}(${num()})`;
      case 8: return `${r.pick(['sqrt', 'exp', 'ln', 'log10'])}(${num()})`;
      case 9: return `${r.pick(['mod', 'div', 'power', 'log'])}(${num()}, ${num()})`;
      case 10: return `extract(${r.pick(['year', 'month', 'day', 'hour', 'minute', 'second', 'epoch', 'dow', 'doy', 'quarter', 'week', 'isodow', 'century', 'millisecond', 'julian'])} from ${this.expr(r.pick([...TIMES, 'interval'] as XType[]), d)})`;
      case 11: return `scale(${num()})::numeric`;
      case 12: return `(${num()} ${r.pick(['+', '*', '-'])} ${this.expr(r.pick(INTS), d)})`;
      case 13: return `(- ${num()})`;
      case 14: return `trim_scale(${num()})`;
      default: return `min_scale(${num()})::numeric`;
    }
  }

  float(t: XType, d: number): string {
    const r = this.r;
    const f = () => this.expr(r.chance(0.7) ? t : r.pick(NUMS), d);
    switch (r.int(0, 9)) {
      case 0: case 1: case 2: return `(${f()} ${r.pick(['+', '-', '*', '/'])} ${f()})`;
      case 3: return `${r.pick(['sqrt', 'cbrt', 'abs', 'ceil', 'floor', 'round', 'trunc', 'sign'])}(${this.expr(t, d)})`;
      case 4: return `power(${this.expr('float8', d)}, ${this.expr('float8', d)})`;
      case 5: return `(- ${this.expr(t, d)})`;
      case 6: return `date_part(${q(r.pick(['year', 'epoch', 'second', 'dow', 'day']))}, ${this.expr(r.pick([...TIMES, 'interval'] as XType[]), d)})`;
      case 7: return `(${this.expr(t, d)} ${r.pick(['+', '*'])} ${this.expr(r.pick(['int4', 'int8', 'int2'] as XType[]), d)})`;
      case 8: return `${r.pick(['exp', 'ln', 'log'])}(${this.expr('float8', d)})`;
      default: return `(${this.expr(t, d)} % ${this.expr(t, d)})`;
    }
  }

  text(d: number): string {
    const r = this.r;
    const s = () => this.expr('text', d);
    const n = () => (r.chance(0.7) ? String(r.int(-2, 6)) : this.expr('int4', d));
    switch (r.int(0, 24)) {
      case 0: case 1: return `(${s()} || ${r.chance(0.7) ? s() : this.expr(r.pick(XTYPES), d)})`;
      case 2: return `substr(${s()}, ${n()}${r.chance(0.6) ? `, ${n()}` : ''})`;
      case 3: return `substring(${s()} from ${n()}${r.chance(0.5) ? ` for ${n()}` : ''})`;
      // not initcap: its words are ASCII as under the recorded PostgreSQL's C ctype, PGlite's C.UTF-8 sees é as a letter
      case 4: return `${r.pick(['upper', 'lower', 'reverse', 'btrim', 'ltrim', 'rtrim', 'quote_literal', 'quote_ident', 'md5'])}(${s()})`;
      case 5: return `${r.pick(['lpad', 'rpad'])}(${s()}, ${n()}${r.chance(0.6) ? `, ${s()}` : ''})`;
      case 6: return `repeat(${s()}, ${n()})`;
      case 7: return `replace(${s()}, ${s()}, ${s()})`;
      case 8: return `translate(${s()}, ${s()}, ${s()})`;
      case 9: return `split_part(${s()}, ${r.pick(["','", "''", "'x'", "'é'"])}, ${n()})`;
      case 10: return `${r.pick(['left', 'right'])}(${s()}, ${n()})`;
      case 11: return `concat(${s()}, ${this.expr(r.pick(XTYPES), d)}${r.chance(0.5) ? `, ${this.expr(r.pick(XTYPES), d)}` : ''})`;
      case 12: return `concat_ws(${r.pick(["','", "'-'", 'null', "''"])}, ${s()}, ${this.expr(r.pick(XTYPES), d)}${r.chance(0.5) ? `, ${s()}` : ''})`;
      case 13: return `format(${r.pick(["'%s-%s'", "'%I.%L'", "'[%5s|%-5s]'", "'%2$s %1$s'", "'%L'", "'%%%s'"])}, ${s()}, ${this.expr(r.pick(XTYPES), d)})`;
      case 14: return `${r.pick(['trim', 'ltrim', 'rtrim', 'btrim'])}(${s()}, ${s()})`;
      case 15: return `trim(${r.pick(['both', 'leading', 'trailing'])} ${this.leaf('text')} from ${s()})`;
      case 16: return `to_char(${this.expr(r.pick(TIMES), d)}, ${q(r.pick(['YYYY-MM-DD HH24:MI:SS', 'Dy DD Mon YYYY', 'HH12:MI AM', 'IYYY-IW-ID', 'YYYY"q"Q DDD', 'FMMonth FMDD', 'MS US', 'J', 'WW W CC', 'TZ OF']))})`;
      case 17: return `to_char(${this.expr(r.pick(['int4', 'numeric', 'float8', 'int8'] as XType[]), d)}, ${q(r.pick(['999', '0000.00', 'FM999.99', 'S9999', '9,999.9', '99D99', 'PR999', '9.99EEEE', 'RN', 'FM00']))})`;
      case 18: return `(${this.expr(r.pick(XTYPES), d)})::text`;
      case 19: return `overlay(${s()} placing ${s()} from ${r.int(1, 5)}${r.chance(0.5) ? ` for ${r.int(0, 4)}` : ''})`;
      case 20: return `chr(${r.pick(['65', '233', '128512', '0', '1114112', String(r.int(32, 300))])})`;
      case 21: return `${r.pick(['regexp_replace', 'regexp_replace'])}(${s()}, ${q(r.pick(['[aeiou]', '^.', '(.)(.)', 'é|ß', '\\s+', 'b*']))}, ${q(r.pick(['X', '\\2\\1', '', '-']))}${r.chance(0.5) ? ", 'g'" : ''})`;
      case 22: return `(${this.jsonb(d)} ->> ${r.pick(["'a'", "'b'", '1', '0', "'é'", '-1'])})`;
      case 23: return `${r.pick(['to_hex', 'to_hex'])}(${this.expr(r.pick(['int4', 'int8'] as XType[]), d)})`;
      default: return `(${this.expr(r.pick(XTYPES), d)})::${r.pick(['varchar(3)', 'char(3)', 'text'])}::text`;
    }
  }

  /** Comparable operands for a comparison: the same family, often crossing types within it. */
  pair(d: number): [string, string] {
    const r = this.r;
    const t = r.pick(XTYPES.filter((x) => x !== 'jsonb' || r.chance(0.3)));
    const family = NUMS.includes(t) ? NUMS : TIMES.includes(t) ? TIMES : [t];
    return [this.expr(t, d), r.chance(0.3) ? this.leaf(r.pick(family)) : this.expr(r.pick(family), d)];
  }

  bool(d: number): string {
    const r = this.r;
    const b = () => this.expr('bool', d);
    switch (r.int(0, 13)) {
      case 0: case 1: {
        const [x, y] = this.pair(d);
        return `(${x} ${r.pick(['=', '<>', '<', '<=', '>', '>='])} ${y})`;
      }
      case 2: return `(${b()} ${r.pick(['and', 'or'])} ${b()})`;
      case 3: return `(not ${b()})`;
      case 4: {
        const [x, y] = this.pair(d);
        return `(${x} is ${r.pick(['', 'not '])}distinct from ${y})`;
      }
      case 5: {
        const [x, y] = this.pair(d);
        return `(${x} ${r.pick(['between', 'not between', 'between symmetric', 'not between symmetric'])} ${y} and ${this.pair(d)[1].startsWith('(') ? y : this.leaf(r.pick(NUMS.includes(r.pick(XTYPES)) ? NUMS : ['text'] as XType[]))})`;
      }
      case 6: {
        const pat = r.pick(['a%', '%b%', '_', 'é%', '%É', 'A_C', 'a\\%b%', '%\\_%', '', '%', 'ß', 'S%', 'hello%', '%😀%', '%x', 'a#%b%']);
        const op = r.pick(['like', 'not like', 'ilike', 'not ilike', '~~', '~~*']);
        const esc = op.includes('~') ? '' : pat.includes('#') ? " escape '#'" : r.chance(0.1) ? " escape ''" : '';
        return `(${this.text(d)} ${op} ${q(pat)}${esc})`;
      }
      case 7: return `(${this.text(d)} similar to ${q(r.pick(['a%', '(a|b)%', '%[0-9]+%', 'a_c', '%(é|ß)%', '[A-Z]%', 'x*', '%#%%']))}${r.chance(0.2) ? " escape '#'" : ''})`;
      case 8: return `(${this.expr(r.pick(XTYPES), d)} is ${r.pick(['', 'not '])}null)`;
      case 9: return `(${b()} is ${r.pick(['true', 'false', 'unknown', 'not true', 'not false', 'not unknown'])})`;
      case 10: {
        const t = r.pick(XTYPES.filter((x) => x !== 'jsonb'));
        const family = NUMS.includes(t) ? NUMS : TIMES.includes(t) ? TIMES : [t];
        const vs = Array.from({ length: r.int(1, 4) }, () => (r.chance(0.15) ? 'null' : this.leaf(r.pick(family))));
        return `(${this.expr(t, d)} ${r.pick(['in', 'not in'])} (${vs.join(', ')}))`;
      }
      case 11: return `(${this.text(d)} ${r.pick(['~', '~*', '!~'])} ${q(r.pick(['^a', 'b$', '[0-9]', 'é', '^$', '.', 'ss']))})`;
      case 12: return `(${this.jsonb(d)} ${r.pick(['?', '@>', '<@'])} ${r.pick(["'a'", `'{"a": 1}'`, "'[1]'", "'\"str\"'", "'b'"])})`;
      default: return `starts_with(${this.text(d)}, ${this.leaf('text')})`;
    }
  }

  date(d: number): string {
    const r = this.r;
    switch (r.int(0, 5)) {
      case 0: case 1: return `(${this.expr('date', d)} ${r.pick(['+', '-'])} ${this.expr('int4', d)})`;
      case 2: return `make_date(${r.pick(['2024', '2023', '-44', '0'])}, ${r.int(0, 13)}, ${r.int(0, 31)})`;
      case 3: return `(${this.expr('int4', d)} + ${this.expr('date', d)})`;
      case 4: return `(${this.expr(r.pick(['timestamp', 'timestamptz'] as XType[]), d)})::date`;
      default: return `date(${this.leaf('text')})`;
    }
  }

  timestamp(t: XType, d: number): string {
    const r = this.r;
    switch (r.int(0, 5)) {
      case 0: case 1: return `(${this.expr(r.pick(t === 'timestamp' ? ['date', 'timestamp'] as XType[] : ['timestamptz'] as XType[]), d)} ${r.pick(['+', '-'])} ${this.expr('interval', d)})`;
      case 2: return `date_trunc(${q(r.pick(['year', 'month', 'week', 'day', 'hour', 'minute', 'second', 'quarter', 'decade', 'millennium', 'milliseconds']))}, ${this.expr(t, d)})`;
      case 3: return t === 'timestamp' ? `(${this.expr('date', d)} + ${r.pick(["'12:30'::time", "'00:00:01.5'::time", "'23:59:59'::time"])})` : `to_timestamp(${this.expr('float8', d)})`;
      case 4: return `(${this.expr('interval', d)} + ${this.expr(t, d)})`;
      default: return t === 'timestamp' ? `make_timestamp(2024, ${r.int(1, 12)}, ${r.int(1, 31)}, ${r.int(0, 24)}, ${r.int(0, 59)}, ${r.pick(['0', '1.5', '59.999999', '60'])})` : `(${this.expr('timestamp', d)})::timestamptz`;
    }
  }

  interval(d: number): string {
    const r = this.r;
    switch (r.int(0, 8)) {
      case 0: case 1: return `(${this.expr('interval', d)} ${r.pick(['+', '-'])} ${this.expr('interval', d)})`;
      case 2: return `(${this.expr('interval', d)} ${r.pick(['*', '/'])} ${this.expr(r.pick(['int4', 'float8', 'numeric'] as XType[]), d)})`;
      case 3: { const t = r.pick(['timestamp', 'timestamptz'] as XType[]); return `(${this.expr(t, d)} - ${this.expr(t, d)})`; }
      case 4: return `${r.pick(['justify_days', 'justify_hours', 'justify_interval'])}(${this.expr('interval', d)})`;
      case 5: return `age(${this.expr('timestamp', d)}, ${this.expr('timestamp', d)})`;
      case 6: return `make_interval(${r.int(-1, 2)}, ${r.int(0, 13)}, ${r.int(0, 2)}, ${r.int(-3, 40)}, ${r.int(0, 30)}, ${r.int(0, 70)}, ${r.pick(['0', '1.5', '-0.25'])})`;
      case 7: return `(- ${this.expr('interval', d)})`;
      default: return `date_trunc(${q(r.pick(['day', 'hour', 'month', 'year']))}, ${this.expr('interval', d)})`;
    }
  }

  jsonb(d: number): string {
    const r = this.r;
    switch (r.int(0, 6)) {
      case 0: return `(${this.expr('jsonb', d)} -> ${r.pick(["'a'", "'b'", '1', '-1', "'d'"])})`;
      case 1: return `(${this.expr('jsonb', d)} #> ${r.pick(["'{a,b}'", "'{b,2,c}'", "'{}'", "'{a,b,c}'"])})`;
      case 2: return `(${this.expr('jsonb', d)} || ${this.expr('jsonb', d)})`;
      case 3: return `(${this.expr('jsonb', d)} - ${r.pick(["'a'", '0', "'{a,d}'::text[]"])})`;
      case 4: return `to_jsonb(${this.expr(r.pick(XTYPES.filter((x) => x !== 'jsonb')), d)})`;
      case 5: return `jsonb_build_object('k', ${this.expr(r.pick(XTYPES), d)}, 'n', ${this.expr(r.pick(NUMS), d)})`;
      default: return `jsonb_build_array(${this.expr(r.pick(XTYPES), d)}, ${this.expr(r.pick(XTYPES), d)})`;
    }
  }
}
