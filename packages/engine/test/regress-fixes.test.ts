/**
 * What PostgreSQL's own regression files needed of the engine (test/regress.test.ts measures the
 * files themselves): the `name` type of their shared tables, planner parameters they SET,
 * uncorrelated sub-selects run once per statement, and a sub-select's untyped literals as text.
 * Every expected result was produced by PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode, sqlError } from './sql-helpers.ts';

let node: Node;
beforeAll(async () => {
  node = await freshNode();
});
afterAll(async () => {
  await node.close();
});

const one = async (sql: string) => (await node.query<unknown[]>(sql, [], { rowMode: 'array' })).rows[0];

describe('the name type', () => {
  it('stores at most 63 bytes, cut at a character boundary, and reports type oid 19', async () => {
    await node.exec(`create table names (n name, ns name[])`);
    await node.query(`insert into names values (repeat('x', 62) || 'éé', '{a,b}')`);
    const r = await node.query<unknown[]>('select n, length(n), octet_length(n), ns from names', [], { rowMode: 'array' });
    expect(r.rows[0]).toEqual([`${'x'.repeat(62)}`, 62, 62, ['a', 'b']]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([19, 23, 23, 1003]);
  });

  it('casts, compares and concatenates as PostgreSQL does (|| and max give text)', async () => {
    expect(await one(`select 'abc'::name > 'abb'::name, 'abc'::name = 'abc'::text, pg_typeof('a'::name)`)).toEqual([true, true, 'name']);
    const r = await node.query(`select 'a'::name || 'b' as c, max(n) as m from names`);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([25, 25]);
  });
});

describe('planner parameters', () => {
  it('SET and SHOW them as PostgreSQL shows them', async () => {
    await node.query('set enable_seqscan = false');
    await node.query(`set work_mem = '64kB'`);
    await node.query('set parallel_setup_cost = 0');
    expect(await one('show enable_seqscan')).toEqual(['off']);
    expect(await one('show work_mem')).toEqual(['64kB']);
    expect(await one('show parallel_setup_cost')).toEqual(['0']);
    await node.query('reset enable_seqscan');
    expect(await one('show enable_seqscan')).toEqual(['on']);
  });

  it('refuse a value of the wrong kind with 22023', async () => {
    const e = await sqlError(node.query(`set enable_hashjoin = 'maybe'`));
    expect([e.code, e.message]).toEqual(['22023', 'parameter "enable_hashjoin" requires a Boolean value']);
  });
});

describe('sub-selects', () => {
  it('an uncorrelated sub-select runs once per statement (PostgreSQL’s InitPlan)', async () => {
    expect(await one('select count(distinct r) from (select (select random()) as r from generate_series(1, 20)) s')).toEqual([1]);
  });

  it('a correlated one still runs per row', async () => {
    expect(await one('select count(distinct r) from (select (select g * 2) as r from generate_series(1, 20) g) s')).toEqual([20]);
  });

  it('untyped literals of a WITH query are text outside it', async () => {
    expect(await one(`with q as (select 'foo' as x) select x, pg_typeof(x) from q`)).toEqual(['foo', 'text']);
  });

  it('untyped literals of a sub-select in FROM are text outside it', async () => {
    const r = await node.query<unknown[]>(`select f1, pg_typeof(f1) from (select 'foo' as f1) ss`, [], { rowMode: 'array' });
    expect(r.rows).toEqual([['foo', 'text']]);
    expect(r.fields[0]!.dataTypeID).toBe(25);
  });
});

describe('VACUUM and ANALYZE', () => {
  it('succeed on existing tables and columns and change nothing', async () => {
    await node.exec('create table vac (a int); insert into vac values (1)');
    expect((await node.query('vacuum vac')).command).toBe('VACUUM');
    expect((await node.query('analyze vac (a)')).command).toBe('ANALYZE');
    expect(await one('select count(*) from vac')).toEqual([1]);
  });

  it('fail as PostgreSQL fails: a missing table or column, VACUUM inside a block', async () => {
    expect((await sqlError(node.query('vacuum nosuch'))).code).toBe('42P01');
    const e = await sqlError(node.query('analyze vac (b)'));
    expect([e.code, e.message]).toEqual(['42703', 'column "b" of relation "vac" does not exist']);
    await node.query('begin');
    const b = await sqlError(node.query('vacuum vac'));
    await node.query('rollback');
    expect([b.code, b.message]).toEqual(['25001', 'VACUUM cannot run inside a transaction block']);
  });
});

describe('CREATE TABLE … AS EXECUTE', () => {
  it('is refused with 0A000 (it crashed with a TypeError)', async () => {
    const e = await sqlError(node.query('create table as_exec as execute some_plan'));
    expect([e.code, e.message]).toEqual(['0A000', 'CREATE TABLE … AS EXECUTE is not supported']);
  });
});

describe('pg_typeof', () => {
  it('returns regtype (oid 2206), which compares with a type name and casts to text', async () => {
    const r = await node.query<unknown[]>(`select pg_typeof(1), pg_typeof(1) = 'int4', pg_typeof(1)::text || '!'`, [], { rowMode: 'array' });
    expect(r.rows[0]).toEqual(['integer', true, 'integer!']);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([2206, 16, 25]);
    expect((await sqlError(node.query(`select 'nosuch'::regtype`))).code).toBe('42704');
  });
});

describe("jsonb's operator functions", () => {
  it('jsonb_contains, jsonb_contained, jsonb_exists(_any/_all) and jsonb_delete answer as their operators', async () => {
    expect(await one(`select jsonb_contains('{"a":1,"b":2}', '{"a":1}'), jsonb_contained('{"a":1}', '{"a":1,"b":2}'), jsonb_exists('{"a":1}', 'a'),
      jsonb_exists_any('{"a":1}', array['x','a']), jsonb_exists_all('{"a":1}', '{a,b}'), jsonb_delete('{"a":1,"b":2}', 'a')`)).toEqual([true, true, true, true, false, { b: 2 }]);
  });

  it('take jsonb, not text', async () => {
    expect((await sqlError(node.query(`select jsonb_contains('x'::text, '{}')`))).message).toBe('function jsonb_contains(text, unknown) does not exist');
  });
});

describe('bytea_output and escape_string_warning', () => {
  it('keep the values walrtc has (hex, on) and refuse others with 0A000', async () => {
    await node.query(`set bytea_output = 'hex'`);
    await node.query('set escape_string_warning = on');
    expect(await one('show bytea_output')).toEqual(['hex']);
    expect((await sqlError(node.query(`set bytea_output = 'escape'`))).code).toBe('0A000');
  });
});

describe('transaction_deferrable', () => {
  it('SHOW reads the block’s DEFERRABLE, which AND CHAIN keeps', async () => {
    expect(await one('show transaction_deferrable')).toEqual(['off']);
    await node.query('start transaction isolation level repeatable read, read write, deferrable');
    expect(await one('show transaction_deferrable')).toEqual(['on']);
    await node.query('commit and chain');
    expect(await one('show transaction_deferrable')).toEqual(['on']);
    await node.query('select 1');
    const e = await sqlError(node.query('set transaction not deferrable'));
    await node.query('rollback');
    expect([e.code, e.message]).toEqual(['25001', 'SET TRANSACTION [NOT] DEFERRABLE must be called before any query']);
    expect(await one('show transaction_deferrable')).toEqual(['off']);
  });
});

describe('unistr', () => {
  it('decodes \\XXXX, \\+XXXXXX, \\uXXXX, \\UXXXXXXXX (surrogate pairs combined) and \\\\', async () => {
    expect(await one(String.raw`select unistr('\0064at\+0000610'), unistr('d\u0061t\U000000610'), unistr('a\\b'), unistr('\d83d\de00 x')`)).toEqual(['data0', 'data0', 'a\\b', '😀 x']);
  });

  it('fails with PostgreSQL’s errors', async () => {
    const fails = async (sql: string) => { const e = await sqlError(node.query(sql)); return [e.code, e.message]; };
    expect(await fails(String.raw`select unistr('wrong: \db99\0061')`)).toEqual(['42601', 'invalid Unicode surrogate pair']);
    expect(await fails(String.raw`select unistr('wrong: \U002FFFFF')`)).toEqual(['22023', 'invalid Unicode code point: 2FFFFF']);
    expect(await fails(String.raw`select unistr('wrong: \xyz')`)).toEqual(['42601', 'invalid Unicode escape']);
  });
});

describe('json_object and jsonb_object', () => {
  const text = async (sql: string) => (await node.query<unknown[]>(sql, [], { rowMode: 'array', parsers: { 114: (t) => t, 3802: (t) => t } })).rows[0];
  it('build an object from alternating keys and values, a two-column array, or keys and values', async () => {
    expect(await text(`select json_object('{a,1,b,2,3,NULL}'), json_object('{{a,1},{b,2}}'), json_object('{a,b}', '{1,2}'), json_object('{a,1,a,2}'), jsonb_object('{a,1,a,2,3,NULL}')`))
      .toEqual(['{"a" : "1", "b" : "2", "3" : null}', '{"a" : "1", "b" : "2"}', '{"a" : "1", "b" : "2"}', '{"a" : "1", "a" : "2"}', '{"3": null, "a": "2"}']);
  });

  it('fail with PostgreSQL’s errors', async () => {
    const fails = async (sql: string) => { const e = await sqlError(node.query(sql)); return [e.code, e.message]; };
    expect(await fails(`select json_object('{a,b,c}')`)).toEqual(['2202E', 'array must have even number of elements']);
    expect(await fails(`select jsonb_object('{{a},{b}}')`)).toEqual(['2202E', 'array must have two columns']);
    expect(await fails(`select json_object('{a,b}', '{1}')`)).toEqual(['2202E', 'mismatched array dimensions']);
    expect(await fails(`select json_object('{NULL,1}')`)).toEqual(['22004', 'null value not allowed for object key']);
  });
});

describe('json (not jsonb) set-returning functions', () => {
  const rows = async (sql: string) => (await node.query<unknown[]>(sql, [], { rowMode: 'array', parsers: { 114: (t) => t } })).rows;
  it('return members as written, in order, duplicate keys included', async () => {
    expect(await rows(`select * from json_each('{"f1":[1,2,3],"f2":{"f3":1},"f1":null}')`)).toEqual([['f1', '[1,2,3]'], ['f2', '{"f3":1}'], ['f1', 'null']]);
    expect(await rows(`select * from json_each_text('{"a":"x\\ty","b":null}')`)).toEqual([['a', 'x\ty'], ['b', null]]);
    expect(await rows(`select json_array_elements('[1,[1,[2,3]],{"f1":1}]')`)).toEqual([['1'], ['[1,[2,3]]'], ['{"f1":1}']]);
    expect(await rows(`select json_object_keys('{"b":1,"a":2,"b":3}')`)).toEqual([['b'], ['a'], ['b']]);
  });

  it("fail with the json functions' own errors", async () => {
    const fails = async (sql: string) => (await sqlError(node.query(sql))).message;
    expect(await fails(`select * from json_each('[1]')`)).toBe('cannot deconstruct an array as an object');
    expect(await fails(`select json_array_elements('{"a":1}')`)).toBe('cannot call json_array_elements on a non-array');
    expect(await fails(`select json_object_keys('1')`)).toBe('cannot call json_object_keys on a scalar');
  });
});

describe('silent wrong answers found under "differs after divergence"', () => {
  it('count() without * fails with 42809 (it counted rows)', async () => {
    const e = await sqlError(node.query('select count() over () from generate_series(1, 3)'));
    expect([e.code, e.message]).toEqual(['42809', 'count(*) must be used to call a parameterless aggregate function']);
  });

  it('an untyped literal || jsonb is jsonb concatenation (it concatenated text)', async () => {
    const r = await node.query<unknown[]>(`select '["c"]' || '["a", "b"]'::jsonb`, [], { rowMode: 'array' });
    expect([r.rows[0]![0], r.fields[0]!.dataTypeID]).toEqual([['c', 'a', 'b'], 3802]);
  });
});

describe('the common type of string branches (select_common_type)', () => {
  it('keeps the earlier type unless it is not text and converts to name; text UNION varchar is text, varchar UNION text varchar', async () => {
    const typeOf = async (sql: string) => (await one(`select pg_typeof(x) from (${sql}) s limit 1`))![0];
    expect(await typeOf(`select 'a'::varchar x union all select 'b'::text`)).toBe('character varying');
    expect(await typeOf(`select 'a'::text x union all select 'b'::varchar`)).toBe('text');
    expect(await typeOf(`select 'a'::char(2) x union all select 'b'::text`)).toBe('character');
    expect(await typeOf(`select 'a'::varchar x union all select 'b'::name`)).toBe('name');
    expect(await typeOf(`select 'a'::name x union all select 'b'::text`)).toBe('name');
    expect(await one(`select pg_typeof(case when true then 'a'::char(2) else 'b'::varchar end)`)).toEqual(['character varying']);
    // an IN list compares as the first branch's type: char(3) ignores trailing spaces
    expect(await one(`select 'a '::char(3) in ('a'::text)`)).toEqual([true]);
  });
});

describe('json arguments of json_build_object / json_build_array', () => {
  it('are embedded exactly as written, duplicate keys and spacing kept', async () => {
    const r = await node.query<unknown[]>(
      `select json_build_object('a', '{"x" : 1, "x": 2}'::json)::text, json_build_array('[1,  2]'::json, ' {"a":1} '::json, 3)::text,
              json_build_object('a', '{"b":1}'::jsonb, 'a', 2, 'c', null, 'e', array[1,2])::text, json_build_array(' "s" '::json, null, row(1, 'x'))::text`,
      [], { rowMode: 'array' });
    expect(r.rows[0]).toEqual([
      '{"a" : {"x" : 1, "x": 2}}', '[[1,  2],  {"a":1} , 3]',
      '{"a" : {"b": 1}, "a" : 2, "c" : null, "e" : [1,2]}', '[ "s" , null, {"f1":1,"f2":"x"}]',
    ]);
  });
});

describe('jsonb ordering (compareJsonbContainers)', () => {
  const values = `(values ('[]'::jsonb),('null'),('"a"'),('1'),('true'),('[1]'),('[1,2]'),('{}'),('{"a":2,"b":1}'),('{"a":1,"c":0}'),('{"b":1}'),('{"aa":1}'),('[[1,2]]'),('["a"]'),('[null]'),('[{}]'),('{"a":null}'),('1.0'),('false'),('[[]]')) v(j)`;

  it('sorts scalars, arrays and objects as PostgreSQL 15 does', async () => {
    const r = await node.query<unknown[]>(`select j::text as t from ${values} order by j, j::text`, [], { rowMode: 'array' });
    expect(r.rows.map((x) => x[0])).toEqual([
      '[]', 'null', '"a"', '1', '1.0', 'false', 'true', '[null]', '["a"]', '[1]', '[[]]', '[[1, 2]]', '[{}]', '[1, 2]',
      '{}', '{"a": null}', '{"aa": 1}', '{"b": 1}', '{"a": 1, "c": 0}', '{"a": 2, "b": 1}',
    ]);
  });

  it('compares with < and = and counts DISTINCT by that order', async () => {
    expect(await one(`select count(*) from ${values} where j > '{"a":1, "b":5}'`)).toEqual([2]);
    expect(await one(`select '"a"'::jsonb > '[]', '"a"'::jsonb < '["a"]', '{"a":2,"b":1}'::jsonb > '{"a":1,"c":0}', '1.0'::jsonb = '1'`)).toEqual([true, true, true, true]);
    expect(await one(`select count(distinct j) from (values ('[]'::jsonb),('null'),('"a"'),('1'),('1.0'),('[1]'),('[1,2]'),('{"a":2,"b":1}'),('{"b":1,"a":2}')) v(j)`)).toEqual([7]);
    const equalNumbers = `(values ('1'::jsonb),('1.0'),('{"a":1}'),('{"a":1.00}'),('[1]'),('[1.0]')) v(j)`;
    expect(await one(`select count(distinct j), (select count(*) from (select j from ${equalNumbers} group by j) g) from ${equalNumbers}`)).toEqual([3, 3]);
  });
});
