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
