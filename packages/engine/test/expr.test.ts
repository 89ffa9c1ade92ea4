/**
 * compileExpr, casts, value formatting and aggregates against a fixed row. Expected values and
 * error texts were checked on PostgreSQL 15 (psql) unless a comment says the engine differs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import type { Node, SelectStmt } from '@pgsql/types';
import { SqlError } from '../src/errors.ts';
import { makeAggregate } from '../src/sql/aggregates.ts';
import { checkAssignable, coerceToColumn } from '../src/sql/cast.ts';
import { compileExpr, compilePredicate, isAggregateCall } from '../src/sql/expr.ts';
import type { EvalContext, Scope, Slot } from '../src/sql/scope.ts';
import type { SqlType, Value } from '../src/sql/types.ts';
import { Numeric } from '../src/sql/numeric.ts';
import { compareForSort, compareValues, formatValue, outputValue, toText } from '../src/sql/values.ts';

const COLUMNS: [string, SqlType][] = [
  ['id', 'int4'], ['name', 'text'], ['score', 'float8'], ['active', 'bool'], ['born', 'date'], ['doc', 'jsonb'],
];
const ROW: Value[] = [7, 'Alice', 2.5, true, new Date('1990-05-17T00:00:00Z'), { a: 1, b: [1, 2], s: 'x', n: null }];
const NULL_ROW: Value[] = [null, null, null, null, null, null];
const NOW = new Date('2024-03-04T05:06:07.089Z');

function firstTarget(stmt: SelectStmt): Node {
  const t = stmt.targetList![0]!;
  return (t as { ResTarget: { val: Node } }).ResTarget.val;
}

/** A scope over COLUMNS whose sub-SELECTs may use VALUES, UNION ALL and FROM-less SELECT … WHERE. */
function makeScope(opts: { paramTypes?: SqlType[]; clause?: string } = {}): Scope {
  const scope: Scope = {
    clause: opts.clause,
    column(fields: readonly string[]): Slot {
      const name = fields[fields.length - 1];
      const i = COLUMNS.findIndex(([n]) => n === name);
      if (i < 0) throw new SqlError('42703', `column "${name}" does not exist`);
      return { index: i, type: COLUMNS[i]![1] };
    },
    paramType: (n) => opts.paramTypes?.[n - 1],
    subquery(stmt: SelectStmt) {
      const plan = (s: SelectStmt): { columns: SqlType[]; run: (outer: readonly Value[], ctx: EvalContext) => Value[][] } => {
        if (s.op && s.op !== 'SETOP_NONE') {
          const l = plan(s.larg!), r = plan(s.rarg!);
          return { columns: l.columns, run: (o, c) => [...l.run(o, c), ...r.run(o, c)] };
        }
        if (s.valuesLists) {
          const rows = s.valuesLists.map((l) => (l as { List: { items: Node[] } }).List.items.map((n) => compileExpr(n, scope)));
          return { columns: rows[0]!.map((c) => c.type), run: (o, c) => rows.map((r) => r.map((x) => x.eval(o, c))) };
        }
        const targets = s.targetList!.map((t) => compileExpr((t as { ResTarget: { val: Node } }).ResTarget.val, scope));
        const where = s.whereClause ? compilePredicate(s.whereClause, scope) : undefined;
        return {
          columns: targets.map((t) => t.type),
          run: (o, c) => (where && where.eval(o, c) !== true ? [] : [targets.map((t) => t.eval(o, c))]),
        };
      };
      return plan(stmt);
    },
  };
  return scope;
}

function compileSql(expr: string, opts: { paramTypes?: SqlType[]; clause?: string } = {}) {
  const parsed = parseSync(`SELECT ${expr}`) as { stmts: { stmt: { SelectStmt: SelectStmt } }[] };
  return compileExpr(firstTarget(parsed.stmts[0]!.stmt.SelectStmt), makeScope(opts));
}

/** The value as a client receives it (numeric as its exact text). */
function ev(expr: string, params: Value[] = [], row: Value[] = ROW, paramTypes?: SqlType[]): Value {
  return outputValue(compileSql(expr, { paramTypes }).eval(row, { params, now: NOW }));
}

function typeOf(expr: string): SqlType {
  return compileSql(expr).type;
}

function fails(expr: string, code: string, message: string, params: Value[] = [], row: Value[] = ROW, clause?: string): void {
  let err: unknown;
  try {
    compileSql(expr, { clause }).eval(row, { params, now: NOW });
  } catch (e) {
    err = e;
  }
  expect(err, expr).toBeInstanceOf(SqlError);
  expect({ code: (err as SqlError).code, message: (err as SqlError).message }).toEqual({ code, message });
}

beforeAll(async () => {
  await loadModule();
});

describe('constants, columns, params', () => {
  it('evaluates literals with PostgreSQL types', () => {
    expect(ev('1')).toBe(1);
    expect(typeOf('1')).toBe('int4');
    expect(typeOf('9999999999')).toBe('int8');
    expect(ev('1.5')).toBe('1.5');
    expect(ev('2.50')).toBe('2.50');
    expect(ev('9007199254740993')).toBe(9007199254740993n);
    expect(typeOf('1.5')).toBe('numeric');
    expect(ev("'abc'")).toBe('abc');
    expect(typeOf("'abc'")).toBe('unknown');
    expect(ev('true')).toBe(true);
    expect(ev('false')).toBe(false);
    expect(ev('null')).toBe(null);
    expect(ev('0')).toBe(0);
  });

  it('reads columns', () => {
    expect(ev('id')).toBe(7);
    expect(ev('name')).toBe('Alice');
    expect(typeOf('score')).toBe('float8');
    expect(ev('t.active')).toBe(true);
  });

  it('reads params, typed from the scope or inferred from the other operand', () => {
    expect(ev('$1', ['x'])).toBe('x');
    expect(ev('$1', ['12'], ROW, ['int4'])).toBe(12);
    expect(ev('id = $1', ['7'])).toBe(true);
    expect(ev('id = $1', [7])).toBe(true);
    expect(ev('id + $1', ['3'])).toBe(10);
    expect(ev('born < $1', ['2000-01-01'])).toBe(true);
    fails('id = $1', '22P02', 'invalid input syntax for type integer: "x"', ['x']);
    fails('$2', '42P02', 'there is no parameter $2', [1]);
  });
});

describe('comparisons and logic', () => {
  it('compares with unknown literals coerced to the other type', () => {
    expect(ev("id = '7'")).toBe(true);
    expect(ev('id <> 7')).toBe(false);
    expect(ev('id != 8')).toBe(true);
    expect(ev('score > 2')).toBe(true);
    expect(ev('score <= 2.5')).toBe(true);
    expect(ev("name >= 'Al'")).toBe(true);
    expect(ev("born = '1990-05-17'")).toBe(true);
    expect(ev("'a' < 'b'")).toBe(true);
    expect(ev('id = null')).toBe(null);
    expect(ev('id = 7', [], NULL_ROW)).toBe(null);
  });

  it('rejects mismatched operand types like PostgreSQL', () => {
    fails("id = 'abc'", '22P02', 'invalid input syntax for type integer: "abc"');
    fails('name = 1', '42883', 'operator does not exist: text = integer');
    fails("1 = 'a'", '22P02', 'invalid input syntax for type integer: "a"');
  });

  it('implements three-valued AND/OR/NOT', () => {
    expect(ev('true and null')).toBe(null);
    expect(ev('false and null')).toBe(false);
    expect(ev('true or null')).toBe(true);
    expect(ev('false or null')).toBe(null);
    expect(ev('not null::bool')).toBe(null);
    expect(ev('not active')).toBe(false);
    expect(ev('id = 7 and name = $1', ['Alice'])).toBe(true);
    expect(ev('true and true and null')).toBe(null);
    fails('1 and true', '42804', 'argument of AND must be type boolean, not type integer');
  });

  it('checks that a predicate is boolean', () => {
    const where = (sql: string) => {
      const p = parseSync(`SELECT ${sql}`) as { stmts: { stmt: { SelectStmt: SelectStmt } }[] };
      return compilePredicate(firstTarget(p.stmts[0]!.stmt.SelectStmt), makeScope({ clause: 'WHERE' }));
    };
    expect(where("'t'").eval(ROW, { params: [], now: NOW })).toBe(true);
    expect(where('$1').eval(ROW, { params: ['yes'], now: NOW })).toBe(true);
    expect(() => where('id')).toThrow('argument of WHERE must be type boolean, not type integer');
  });

  it('tests NULL, truth and distinctness', () => {
    expect(ev('name is null')).toBe(false);
    expect(ev('name is not null')).toBe(true);
    expect(ev('name is null', [], NULL_ROW)).toBe(true);
    expect(ev('active is true', [], NULL_ROW)).toBe(false);
    expect(ev('active is not true', [], NULL_ROW)).toBe(true);
    expect(ev('active is false')).toBe(false);
    expect(ev('active is not false')).toBe(true);
    expect(ev('null is distinct from 1')).toBe(true);
    expect(ev('null::int is not distinct from null')).toBe(true);
    expect(ev('id is distinct from 7')).toBe(false);
  });

  it('evaluates BETWEEN and IN with NULL semantics', () => {
    expect(ev('id between 1 and 10')).toBe(true);
    expect(ev('id not between 1 and 10')).toBe(false);
    expect(ev('id between 10 and 1')).toBe(false);
    expect(ev('id between symmetric 10 and 1')).toBe(true);
    expect(ev('id between null and 10')).toBe(null);
    expect(ev('1 in (1, null)')).toBe(true);
    expect(ev('2 in (1, null)')).toBe(null);
    expect(ev('2 not in (1, null)')).toBe(null);
    expect(ev('2 not in (1, 3)')).toBe(true);
    expect(ev('null in (1)')).toBe(null);
    expect(ev("id in ('7', '8')")).toBe(true);
    expect(ev('id in ($1, $2)', [1, 7])).toBe(true);
    expect(ev('score in (1, 2.5)')).toBe(true);
    fails("1 in ('a'::text)", '42883', 'operator does not exist: integer = text');
  });
});

describe('arithmetic', () => {
  it('follows PostgreSQL result types and integer division', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('7 / 2')).toBe(3);
    expect(ev('-7 / 2')).toBe(-3);
    expect(ev('-7 % 3')).toBe(-1);
    expect(ev('7.5 / 2')).toBe('3.7500000000000000');
    expect(ev('id + score')).toBe(9.5);
    expect(typeOf('id + score')).toBe('float8');
    expect(typeOf('id + 1.5')).toBe('numeric');
    expect(typeOf('1::int2 + 1::int2')).toBe('int2');
    expect(typeOf('1::int2 + 1')).toBe('int4');
    expect(typeOf('1 + 1.5::real')).toBe('float8');
    expect(ev('0.1 + 0.2')).toBe('0.3');
    expect(ev('1.1 * 1.1')).toBe('1.21');
    expect(ev('5.5 % 2')).toBe('1.5');
    expect(ev('-id')).toBe(-7);
    expect(ev("'5' + 3")).toBe(8);
    expect(ev("born + 1")).toEqual(new Date('1990-05-18T00:00:00Z'));
    expect(ev("'2024-03-01'::date - '2024-02-01'::date")).toBe(29);
    expect(ev('id + null')).toBe(null);
    expect(ev('id + 1', [], NULL_ROW)).toBe(null);
  });

  it('raises division by zero and overflow errors', () => {
    fails('1 / 0', '22012', 'division by zero');
    fails('1.0 / 0', '22012', 'division by zero');
    fails('score / 0', '22012', 'division by zero');
    fails('5 % 0', '22012', 'division by zero');
    fails('2147483647 + 1', '22003', 'integer out of range');
    fails('100000 * 100000', '22003', 'integer out of range');
    fails('-(-2147483647 - 1)', '22003', 'integer out of range');
    fails('32767::int2 + 1::int2', '22003', 'smallint out of range');
    fails('9223372036854775807 + 1', '22003', 'bigint out of range');
    fails('1e308::float8 * 10', '22003', 'value out of range: overflow');
    fails("'1.5' + 3", '22P02', 'invalid input syntax for type integer: "1.5"');
    fails('name + 1', '42883', 'operator does not exist: text + integer');
    fails('1.5::float8 % 2', '42883', 'operator does not exist: double precision % integer');
    fails('-name', '42883', 'operator does not exist: - text');
  });
});

describe('casts', () => {
  it('converts between types with PostgreSQL input syntax', () => {
    expect(ev("' 12 '::int")).toBe(12);
    expect(ev('2.5::int')).toBe(3);
    expect(ev('(-2.5)::int')).toBe(-3);
    expect(ev('2.5::float8::int')).toBe(2);
    expect(ev('3.5::float8::int')).toBe(4);
    expect(ev("'yes'::bool")).toBe(true);
    expect(ev("'on'::bool")).toBe(true);
    expect(ev("'OFF'::bool")).toBe(false);
    expect(ev("'f'::bool")).toBe(false);
    expect(ev('1::bool')).toBe(true);
    expect(ev('true::int')).toBe(1);
    expect(ev('true::text')).toBe('true');
    expect(ev('score::text')).toBe('2.5');
    expect(ev('born::text')).toBe('1990-05-17');
    expect(ev('doc::text')).toBe('{"a": 1, "b": [1, 2], "n": null, "s": "x"}');
    expect(ev("CAST(id AS text)")).toBe('7');
    expect(ev("'123.456'::numeric(5,2)")).toBe('123.46');
    expect(ev("'abcdef'::varchar(3)")).toBe('abc');
    expect(ev("'2024-01-02 03:04:05.120'::timestamptz::text")).toBe('2024-01-02 03:04:05.12+00');
    expect(ev("'2024-01-02 03:04:05.120'::timestamp::text")).toBe('2024-01-02 03:04:05.12');
    expect(ev("'2024-01-02T03:04:05+02'::timestamptz::text")).toBe('2024-01-02 01:04:05+00');
    expect(ev("'2024-01-02 13:14:15'::timestamptz::date::text")).toBe('2024-01-02');
    expect(ev("'\\x41ff'::bytea")).toEqual(Uint8Array.from([0x41, 0xff]));
    expect(ev(`'{"b": 1, "a": [1, "x"]}'::jsonb`)).toEqual({ a: [1, 'x'], b: 1 });
    expect(ev("'1.5'::jsonb::int")).toBe(2);
  });

  it('reports bad input and impossible casts', () => {
    fails("'abc'::int", '22P02', 'invalid input syntax for type integer: "abc"');
    fails("'1.5'::int", '22P02', 'invalid input syntax for type integer: "1.5"');
    fails("'99999999999'::int", '22003', 'value "99999999999" is out of range for type integer');
    fails("'1e400'::float8", '22003', '"1e400" is out of range for type double precision');
    fails('1e10::int', '22003', 'integer out of range');
    fails("'o'::bool", '22P02', 'invalid input syntax for type boolean: "o"');
    fails("'maybe'::bool", '22P02', 'invalid input syntax for type boolean: "maybe"');
    fails("'x'::date", '22007', 'invalid input syntax for type date: "x"');
    fails("'2024-02-30'::date", '22008', 'date/time field value out of range: "2024-02-30"');
    fails("'abc'::timestamptz", '22007', 'invalid input syntax for type timestamp with time zone: "abc"');
    fails('1234.5::numeric(5,2)', '22003', 'numeric field overflow');
    fails(`'{"a":1'::json`, '22P02', 'invalid input syntax for type json');
    fails(`'"a"'::jsonb::int`, '22023', 'cannot cast jsonb string to type integer');
    fails("'1'::json::int", '42846', 'cannot cast type json to integer');
    fails('1::bigint::bool', '42846', 'cannot cast type bigint to boolean');
    fails('born::int', '42846', 'cannot cast type date to integer');
    fails("'\\x0g'::bytea", '22023', 'invalid hexadecimal digit: "g"');
    fails("'x'::foo", '42704', 'type "foo" does not exist');
    fails("'x'::uuid", '22P02', 'invalid input syntax for type uuid: "x"');
    fails("'x'::interval", '22007', 'invalid input syntax for type interval: "x"');
    fails("'x'::time", '22007', 'invalid input syntax for type time: "x"');
    fails("'11:59 PM-07'::timetz", '22007', 'invalid input syntax for type time with time zone: "11:59 PM-07"');
  });
});

describe('strings and LIKE', () => {
  it('concatenates with ||, casting non-text operands and propagating NULL', () => {
    expect(ev("name || ' ' || id")).toBe('Alice 7');
    expect(ev("true || 'x'")).toBe('truex');
    expect(ev("1.5 || 'x'")).toBe('1.5x');
    expect(ev("null || 'a'")).toBe(null);
    expect(ev("born || ''")).toBe('1990-05-17');
    fails('1 || 2', '42883', 'operator does not exist: integer || integer');
  });

  it('matches LIKE / ILIKE with % _ and ESCAPE', () => {
    expect(ev("name like 'Al%'")).toBe(true);
    expect(ev("name like 'al%'")).toBe(false);
    expect(ev("name ilike 'al%'")).toBe(true);
    expect(ev("name not like '%ce'")).toBe(false);
    expect(ev("name not ilike '%CE'")).toBe(false);
    expect(ev("name like 'Al_ce'")).toBe(true);
    expect(ev("'a%b' like 'a\\%b'")).toBe(true);
    expect(ev("'axb' like 'a\\%b'")).toBe(false);
    expect(ev("'a_b' like 'a!_b' escape '!'")).toBe(true);
    expect(ev("'a.b' like 'a.b'")).toBe(true);
    expect(ev("'axb' like 'a.b'")).toBe(false);
    expect(ev("name like $1", ['A%'])).toBe(true);
    expect(ev("null like 'a'")).toBe(null);
    fails("id like '1%'", '42883', 'operator does not exist: integer ~~ unknown');
    fails("'x' like 'x' escape 'xy'", '22025', 'invalid escape string');
    fails("'a\\' like 'a\\'", '22025', 'LIKE pattern must not end with escape character');
  });

  it('implements the string functions', () => {
    expect(ev('lower(name)')).toBe('alice');
    expect(ev('upper(name)')).toBe('ALICE');
    expect(ev('length(name)')).toBe(5);
    expect(ev("char_length('héllo😀')")).toBe(6);
    expect(ev("trim('  ab  ')")).toBe('ab');
    expect(ev("trim(both 'xa' from 'xxabxx')")).toBe('b');
    expect(ev("trim(leading 'x' from 'xxabxx')")).toBe('abxx');
    expect(ev("ltrim('  ab  ')")).toBe('ab  ');
    expect(ev("rtrim('  ab  ')")).toBe('  ab');
    expect(ev("substr('hello', 2)")).toBe('ello');
    expect(ev("substring('hello' from 2 for 3)")).toBe('ell');
    expect(ev("substring('hello' from 0 for 3)")).toBe('he');
    expect(ev("substring('hello' from 'h(.)l')")).toBe('e');
    expect(ev("replace('abcabc', 'b', 'XY')")).toBe('aXYcaXYc');
    expect(ev("position('l' in 'hello')")).toBe(3);
    expect(ev("position('z' in 'hello')")).toBe(0);
    expect(ev("concat('a', 1, null, true, 2.5, score)")).toBe('a1t2.52.5');
    expect(ev("concat_ws(',', 'a', null, 1)")).toBe('a,1');
    expect(ev('lower(name)', [], NULL_ROW)).toBe(null);
    fails("substring('hello', 2, -1)", '22011', 'negative substring length not allowed');
  });
});

describe('numeric and other functions', () => {
  it('rounds like PostgreSQL', () => {
    expect(ev('abs(-5)')).toBe(5);
    expect(ev('abs(-2.5)')).toBe('2.5');
    expect(typeOf('round(2)')).toBe('float8');
    expect(ev('round(2.5)')).toBe('3');
    expect(ev('round(-2.5)')).toBe('-3');
    expect(ev('round(2.5::float8)')).toBe(2);
    expect(ev('round(2.567, 2)')).toBe('2.57');
    expect(ev('round(1234.5, -2)')).toBe('1200');
    expect(ev('ceil(2.1)')).toBe('3');
    expect(ev('floor(-2.5)')).toBe('-3');
    expect(ev('ceil(score)')).toBe(3);
    expect(ev('trunc(1.15, 2)')).toBe('1.15');
    expect(ev('round(1.005, 2)')).toBe('1.01');
    expect(ev("left('hello', -2)")).toBe('hel');
    fails('round(2.5::float8, 1)', '42883', 'function round(double precision, integer) does not exist');
    fails('abs(-2147483647 - 1)', '22003', 'integer out of range');
  });

  it('returns the transaction time and random values', () => {
    expect(ev('now()')).toBe(NOW);
    expect(ev('current_timestamp')).toBe(NOW);
    expect(ev('current_date')).toEqual(new Date('2024-03-04T00:00:00Z'));
    const r = ev('random()') as number;
    expect(r >= 0 && r < 1).toBe(true);
    expect(ev('gen_random_uuid()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names unknown functions with their argument types', () => {
    fails('lower(1)', '42883', 'function lower(integer) does not exist');
    fails("foo(1, 'a', 2.5, null)", '42883', 'function foo(integer, unknown, numeric, unknown) does not exist');
    fails('foo()', '42883', 'function foo() does not exist');
  });
});

describe('CASE, COALESCE, NULLIF, GREATEST, LEAST', () => {
  it('evaluates CASE forms', () => {
    expect(ev("case when id = 7 then 'seven' else 'other' end")).toBe('seven');
    expect(ev("case when id = 8 then 'eight' end")).toBe(null);
    expect(ev("case id when 7 then 'seven' when 8 then 'eight' else 'other' end")).toBe('seven');
    expect(ev('case id when 1 then 1 else 2.5 end')).toBe('2.5');
    expect(typeOf('case id when 1 then 1 else 2.5 end')).toBe('numeric');
    expect(ev("case 7 when '7' then 'y' end")).toBe('y');
    expect(ev('case when active then 1 else 0 end', [], NULL_ROW)).toBe(0);
    fails("case when true then 1 else 'a'::text end", '42804', 'CASE types text and integer cannot be matched');
    fails('case when id then 1 end', '42804', 'argument of CASE/WHEN must be type boolean, not type integer');
    fails("case when id > 1 then 1 when id > 0 then 'x' end", '22P02', 'invalid input syntax for type integer: "x"');
  });

  it('evaluates COALESCE / NULLIF / GREATEST / LEAST', () => {
    expect(ev('coalesce(null, 1, 2)')).toBe(1);
    expect(ev('coalesce(null, null)')).toBe(null);
    expect(ev("coalesce(name, 'dflt')", [], NULL_ROW)).toBe('dflt');
    expect(ev('coalesce(null::int, 2.5)')).toBe('2.5');
    expect(ev('nullif(1, 1)')).toBe(null);
    expect(ev('nullif(id, 8)')).toBe(7);
    expect(ev('greatest(1, 2, 3)')).toBe(3);
    expect(ev('least(1, null, 3)')).toBe(1);
    expect(ev('greatest(null, null)')).toBe(null);
    expect(ev("least(born, '1980-01-01')")).toEqual(new Date('1980-01-01T00:00:00Z'));
    fails("coalesce(1, 'x')", '22P02', 'invalid input syntax for type integer: "x"');
    fails("coalesce(id, 'a'::text)", '42804', 'COALESCE types integer and text cannot be matched');
    fails("greatest(1, 'a'::text)", '42804', 'GREATEST types integer and text cannot be matched');
  });
});

describe('json operators', () => {
  it('navigates with -> and ->>', () => {
    expect(ev("doc -> 'a'")).toBe(1);
    expect(typeOf("doc -> 'a'")).toBe('jsonb');
    expect(ev("doc -> 'b'")).toEqual([1, 2]);
    expect(ev("doc -> 'b' -> 1")).toBe(2);
    expect(ev("doc -> 'b' -> -1")).toBe(2);
    expect(ev("doc -> 'b' ->> 0")).toBe('1');
    expect(ev("doc ->> 's'")).toBe('x');
    expect(ev("doc -> 's'")).toBe('x');
    expect(ev("doc ->> 'b'")).toBe('[1, 2]');
    expect(ev("doc -> 'zz'")).toBe(null);
    expect(ev('doc -> 0')).toBe(null);
    expect(ev(`'{"a":{"b":2}}'::json ->> 'a'`)).toBe('{"b":2}');
    expect(ev("doc || '{\"z\": 1}'")).toEqual({ a: 1, b: [1, 2], s: 'x', n: null, z: 1 });
    expect(ev("doc -> 'a'", [], NULL_ROW)).toBe(null);
    fails("id -> 'a'", '42883', 'operator does not exist: integer -> unknown');
    fails(`'{"a":1}' -> 'a'`, '42725', 'operator is not unique: unknown -> unknown');
  });
});

describe('subqueries', () => {
  it('evaluates IN / NOT IN / EXISTS / ANY / ALL / scalar subqueries', () => {
    expect(ev('7 in (select 7)')).toBe(true);
    expect(ev('8 in (select 7)')).toBe(false);
    expect(ev('8 not in (select 7 union all select null)')).toBe(null);
    expect(ev('id in (values (1), (7))')).toBe(true);
    expect(ev('exists (select 1 where false)')).toBe(false);
    expect(ev('exists (select 1 where id = 7)')).toBe(true);
    expect(ev('(select 1 where false)')).toBe(null);
    expect(ev('(select id + 1)')).toBe(8);
    expect(ev('7 > all (select 1 union all select 2)')).toBe(true);
    expect(ev('7 < any (select 1)')).toBe(false);
    expect(ev('1 = any (select null::int)')).toBe(null);
    fails('(select 1 union all select 2)', '21000', 'more than one row returned by a subquery used as an expression');
    fails('(select 1, 2)', '42601', 'subquery must return only one column');
    fails('1 in (select 1, 2)', '42601', 'subquery has too many columns');
  });
});

describe('aggregates and unsupported syntax', () => {
  it('rejects aggregate calls that were not precomputed', () => {
    expect(isAggregateCall(firstTarget((parseSync('SELECT count(*)') as { stmts: { stmt: { SelectStmt: SelectStmt } }[] }).stmts[0]!.stmt.SelectStmt))).toBe(true);
    expect(isAggregateCall(firstTarget((parseSync('SELECT lower(x)') as { stmts: { stmt: { SelectStmt: SelectStmt } }[] }).stmts[0]!.stmt.SelectStmt))).toBe(false);
    fails('count(*) > 0', '42803', 'aggregate functions are not allowed in WHERE', [], ROW, 'WHERE');
    fails('sum(distinct id)', '42803', 'aggregate functions are not allowed in WHERE', [], ROW, 'WHERE');
    fails('max(id)', '42803', 'aggregate functions are not allowed here');
  });

  it('uses precomputed slots before compiling a node', () => {
    const scope = makeScope();
    scope.precomputed = (n) => ('FuncCall' in n ? { index: 0, type: 'int8' } : undefined);
    const p = parseSync('SELECT count(*) + 1') as { stmts: { stmt: { SelectStmt: SelectStmt } }[] };
    const c = compileExpr(firstTarget(p.stmts[0]!.stmt.SelectStmt), scope);
    expect(c.type).toBe('int8');
    expect(c.eval([41], { params: [], now: NOW })).toBe(42);
  });

  it('reports unsupported constructs as 0A000', () => {
    fails('((select row(1, 2))).f1', '0A000', 'field selection from a composite value is not supported');
    fails('cbrt(8)', '0A000', 'cbrt(double precision) (its last digit depends on the C library) is not supported');
    fails('row_number() over ()', '42P20', 'window functions are not allowed here');
    fails('current_time', '0A000', 'SQL value function CURRENT_TIME is not supported');
    fails("lower(distinct 'a')", '42809', 'DISTINCT specified, but lower is not an aggregate function');
  });
});

describe('values: coercion, ordering, text output', () => {
  it('coerces values for storage in typed columns', () => {
    expect(coerceToColumn('42', 'int4')).toBe(42);
    expect(coerceToColumn(2.5, 'int4')).toBe(3);
    expect(coerceToColumn(2.5, 'int4', -1, 'float8')).toBe(2);
    expect(coerceToColumn('ab   ', 'varchar', 3 + 4)).toBe('ab ');
    expect(String(coerceToColumn(123.456, 'numeric', ((5 << 16) | 2) + 4))).toBe('123.46');
    expect(coerceToColumn(9007199254740993n, 'int8')).toBe(9007199254740993n);
    expect(coerceToColumn('9007199254740993', 'int8')).toBe(9007199254740993n);
    expect(coerceToColumn('t', 'bool')).toBe(true);
    expect(coerceToColumn('2024-01-02 03:04:05+01', 'timestamptz')).toEqual(new Date('2024-01-02T02:04:05Z'));
    expect(coerceToColumn('{"a": [1]}', 'jsonb')).toEqual({ a: [1] });
    expect(coerceToColumn({ a: 1 }, 'jsonb')).toEqual({ a: 1 });
    expect(coerceToColumn('x', 'jsonb', -1, 'jsonb')).toBe('x');
    expect(coerceToColumn(7, 'text')).toBe('7');
    expect(coerceToColumn(null, 'int4')).toBe(null);
    const err = (f: () => unknown): { code: string; message: string } => {
      try { f(); } catch (e) { return { code: (e as SqlError).code, message: (e as SqlError).message }; }
      return { code: '', message: 'no error' };
    };
    expect(err(() => coerceToColumn('abcdef', 'varchar', 3 + 4))).toEqual({ code: '22001', message: 'value too long for type character varying(3)' });
    expect(err(() => coerceToColumn(40000, 'int2'))).toEqual({ code: '22003', message: 'smallint out of range' });
    expect(err(() => coerceToColumn(2 ** 31, 'int4'))).toEqual({ code: '22003', message: 'integer out of range' });
    expect(err(() => coerceToColumn(2 ** 63, 'int8'))).toEqual({ code: '22003', message: 'bigint out of range' });
    expect(err(() => coerceToColumn('2.5', 'int4'))).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "2.5"' });
    expect(err(() => coerceToColumn(1234.5, 'numeric', ((5 << 16) | 2) + 4))).toEqual({ code: '22003', message: 'numeric field overflow' });
    expect(err(() => checkAssignable('text', 'int4', 'i'))).toEqual({ code: '42804', message: 'column "i" is of type integer but expression is of type text' });
  });

  it('orders values totally, with a NULLS FIRST/LAST helper', () => {
    expect(compareValues(1, 2)).toBeLessThan(0);
    expect(compareValues(NaN, Infinity)).toBeGreaterThan(0);
    expect(compareValues(NaN, NaN)).toBe(0);
    expect(compareValues('B', 'a')).toBeLessThan(0);
    expect(compareValues('\uffff', '😀')).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(new Date(1), new Date(2))).toBeLessThan(0);
    expect(compareValues(Uint8Array.from([1, 2]), Uint8Array.from([1, 3]))).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { a: 1 })).toBe(0);
    expect(compareValues([1, 2], [1, 2, 0])).toBeLessThan(0);
    const sorted = [3, null, 1, 2];
    expect([...sorted].sort((a, b) => compareForSort(a, b))).toEqual([1, 2, 3, null]);
    expect([...sorted].sort((a, b) => compareForSort(a, b, true))).toEqual([null, 3, 2, 1]);
    expect([...sorted].sort((a, b) => compareForSort(a, b, false, true))).toEqual([null, 1, 2, 3]);
  });

  it('prints values as PostgreSQL does', () => {
    expect(formatValue(true, 'bool')).toBe('t');
    expect(toText(true, 'bool')).toBe('true');
    expect(formatValue(null, 'int4')).toBe(null);
    expect(formatValue(1e15, 'float8')).toBe('1e+15');
    expect(formatValue(123456789012345, 'float8')).toBe('123456789012345');
    expect(formatValue(1e-5, 'float8')).toBe('1e-05');
    expect(formatValue(0.0001, 'float8')).toBe('0.0001');
    expect(formatValue(-0, 'float8')).toBe('-0');
    expect(formatValue(NaN, 'float8')).toBe('NaN');
    expect(formatValue(Math.fround(0.1), 'float4')).toBe('0.1');
    expect(formatValue(1234567, 'float4')).toBe('1.234567e+06');
    expect(formatValue(Numeric.parse('1e21'), 'numeric')).toBe('1000000000000000000000');
    expect(formatValue(Numeric.parse('0.50'), 'numeric')).toBe('0.50');
    expect(formatValue(9007199254740993n, 'int8')).toBe('9007199254740993');
    expect(formatValue(new Date('2024-01-02T03:04:05.120Z'), 'timestamptz')).toBe('2024-01-02 03:04:05.12+00');
    expect(formatValue(new Date('2024-01-02T03:04:05Z'), 'timestamp')).toBe('2024-01-02 03:04:05');
    expect(formatValue(new Date('2024-01-02T00:00:00Z'), 'date')).toBe('2024-01-02');
    expect(formatValue({ bb: 1, a: { c: null } }, 'jsonb')).toBe('{"a": {"c": null}, "bb": 1}');
    expect(formatValue(Uint8Array.from([0x41, 0xff]), 'bytea')).toBe('\\x41ff');
  });
});

describe('aggregates', () => {
  const run = (name: string, type: SqlType | undefined, values: Value[], opts: { distinct?: boolean; star?: boolean } = {}) => {
    const agg = makeAggregate(name, type, opts);
    let s = agg.init();
    for (const v of values) s = agg.step(s, v);
    return { type: agg.type, value: outputValue(agg.final(s)) };
  };

  it('computes count/sum/avg/min/max with PostgreSQL result types', () => {
    expect(run('count', undefined, [1, 1, 1], { star: true })).toEqual({ type: 'int8', value: 3 });
    expect(run('count', 'int4', [1, null, 2])).toEqual({ type: 'int8', value: 2 });
    expect(run('count', 'int4', [1, 1, 2, null], { distinct: true })).toEqual({ type: 'int8', value: 2 });
    expect(run('sum', 'int4', [1, 2, null])).toEqual({ type: 'int8', value: 3 });
    expect(run('sum', 'int4', [1, 1, 2], { distinct: true })).toEqual({ type: 'int8', value: 3 });
    expect(run('sum', 'int8', [1])).toEqual({ type: 'numeric', value: '1' });
    expect(run('sum', 'numeric', [Numeric.parse('0.1'), Numeric.parse('0.20')])).toEqual({ type: 'numeric', value: '0.30' });
    expect(run('sum', 'float4', [1.5])).toEqual({ type: 'float4', value: 1.5 });
    expect(run('sum', 'int4', [])).toEqual({ type: 'int8', value: null });
    expect(run('avg', 'int4', [1, 2])).toEqual({ type: 'numeric', value: '1.5000000000000000' });
    expect(run('avg', 'float4', [1, 2])).toEqual({ type: 'float8', value: 1.5 });
    expect(run('avg', 'int4', [null])).toEqual({ type: 'numeric', value: null });
    expect(run('min', 'text', ['b', 'a', null])).toEqual({ type: 'text', value: 'a' });
    expect(run('max', 'date', [new Date(1), new Date(5)])).toEqual({ type: 'date', value: new Date(5) });
    expect(run('count', 'int4', [], {})).toEqual({ type: 'int8', value: 0 });
  });

  it('rejects argument types PostgreSQL lacks', () => {
    const err = (f: () => unknown): string => {
      try { f(); } catch (e) { return `${(e as SqlError).code} ${(e as SqlError).message}`; }
      return 'no error';
    };
    expect(err(() => makeAggregate('sum', 'text'))).toBe('42883 function sum(text) does not exist');
    expect(err(() => makeAggregate('min', 'bool'))).toBe('42883 function min(boolean) does not exist');
    expect(err(() => makeAggregate('max', 'jsonb'))).toBe('42883 function max(jsonb) does not exist');
    expect(err(() => makeAggregate('sum', undefined, { star: true }))).toBe('42883 function sum() does not exist');
    expect(err(() => makeAggregate('sum', 'unknown'))).toBe('42725 function sum(unknown) is not unique');
    expect(err(() => makeAggregate('string_agg', 'text'))).toBe('0A000 aggregate function string_agg is not supported');
  });
});
