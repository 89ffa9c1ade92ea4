/**
 * compileExpr, casts, value formatting and aggregates against a fixed row. Expected values and
 * error texts were checked on PostgreSQL 15 (psql) unless a comment says the engine differs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import type { Node, SelectStmt } from '@pgsql/types';
import { SqlError } from '../src/errors.ts';
import { compileExpr, compilePredicate, isAggregateCall } from '../src/sql/expr.ts';
import type { EvalContext, Scope, Slot } from '../src/sql/scope.ts';
import type { SqlType, Value } from '../src/sql/types.ts';

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

function ev(expr: string, params: Value[] = [], row: Value[] = ROW, paramTypes?: SqlType[]): Value {
  return compileSql(expr, { paramTypes }).eval(row, { params, now: NOW });
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
    expect(ev('1.5')).toBe(1.5);
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
    expect(ev('7.5 / 2')).toBe(3.75);
    expect(ev('id + score')).toBe(9.5);
    expect(typeOf('id + score')).toBe('float8');
    expect(typeOf('id + 1.5')).toBe('numeric');
    expect(typeOf('1::int2 + 1::int2')).toBe('int2');
    expect(typeOf('1::int2 + 1')).toBe('int4');
    expect(typeOf('1 + 1.5::real')).toBe('float8');
    expect(ev('0.1 + 0.2')).toBe(0.3);
    expect(ev('1.1 * 1.1')).toBe(1.21);
    expect(ev('5.5 % 2')).toBe(1.5);
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
    expect(ev("'123.456'::numeric(5,2)")).toBe(123.46);
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
    fails("'x'::uuid", '0A000', 'type uuid is not supported');
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
    expect(ev('abs(-2.5)')).toBe(2.5);
    expect(typeOf('round(2)')).toBe('float8');
    expect(ev('round(2.5)')).toBe(3);
    expect(ev('round(-2.5)')).toBe(-3);
    expect(ev('round(2.5::float8)')).toBe(2);
    expect(ev('round(2.567, 2)')).toBe(2.57);
    expect(ev('round(1234.5, -2)')).toBe(1200);
    expect(ev('ceil(2.1)')).toBe(3);
    expect(ev('floor(-2.5)')).toBe(-3);
    expect(ev('ceil(score)')).toBe(3);
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
    expect(ev('case id when 1 then 1 else 2.5 end')).toBe(2.5);
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
    expect(ev('coalesce(null::int, 2.5)')).toBe(2.5);
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
