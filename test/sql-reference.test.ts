/**
 * Differential test against PostgreSQL 15 for the SQL apps and ORMs write (issue 10): replays each
 * corpus (test/reference/sql-corpus.ts and fk-corpus.ts, recorded into sql.json and fk.json by
 * `scripts/record-values.ts <url> sql|fk`) on a fresh walrtc node. Every statement must give
 * PostgreSQL's columns, rows, count or error, except the ones listed as refused (0A000).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { ARRAY_CORPUS } from './reference/array-corpus.ts';
import { DATETIME_CORPUS } from './reference/datetime-corpus.ts';
import { ENUM_CORPUS } from './reference/enum-corpus.ts';
import { FK_CORPUS } from './reference/fk-corpus.ts';
import { JSON_CORPUS } from './reference/json-corpus.ts';
import { mismatches, type Entry } from './reference/replay.ts';
import { SQL_CORPUS } from './reference/sql-corpus.ts';
import { WINDOW_CORPUS } from './reference/window-corpus.ts';
import { CTE_CORPUS } from './reference/cte-corpus.ts';
import { SEQUENCE_CORPUS } from './reference/sequence-corpus.ts';
import { VIEW_CORPUS } from './reference/view-corpus.ts';
import { SETTINGS_CORPUS } from './reference/settings-corpus.ts';
import { STRING_CORPUS } from './reference/string-corpus.ts';
import { DDL_CORPUS } from './reference/ddl-corpus.ts';
import { SCHEMA_CORPUS } from './reference/schema-corpus.ts';
import { FOLD_CORPUS } from './reference/fold-corpus.ts';
import { JSONPATH_CORPUS } from './reference/jsonpath-corpus.ts';
import { FUNCTIONS_CORPUS } from './reference/functions-corpus.ts';
import { LATERAL_CORPUS } from './reference/lateral-corpus.ts';
import { GROUPING_CORPUS } from './reference/grouping-corpus.ts';
import { ROWTYPE_CORPUS } from './reference/rowtype-corpus.ts';
import { BPCHAR_CORPUS } from './reference/bpchar-corpus.ts';

const CORPORA = [
  {
    name: 'sql',
    what: 'silent wrong answers, schema prefixes, ORDER BY, aliases, json, refusals, output names, uuid',
    corpus: SQL_CORPUS,
    // statements PostgreSQL runs that walrtc refuses with 0A000 (not supported yet, never a wrong answer)
    refused: [],
  },
  {
    name: 'fk',
    what: 'foreign keys, ADD/DROP CONSTRAINT, ORM migrations',
    corpus: FK_CORPUS,
    refused: [
      'create table dq (id int primary key, u int unique deferrable initially deferred)',
    ],
  },
  {
    name: 'window',
    what: 'window functions, frames, named windows',
    corpus: WINDOW_CORPUS,
    refused: [],
  },
  {
    name: 'cte',
    what: 'WITH RECURSIVE and data-modifying WITH',
    corpus: CTE_CORPUS,
    refused: [
      'with recursive q as (select * from department union all (with x as (select * from q) select * from x)) select * from q limit 24',
    ],
  },
  {
    name: 'sequence',
    what: 'sequences, identity and generated columns, RESTART IDENTITY',
    corpus: SEQUENCE_CORPUS,
    refused: [],
  },
  {
    name: 'view',
    what: 'views, CREATE TABLE AS, SELECT INTO',
    corpus: VIEW_CORPUS,
    refused: [],
  },
  {
    name: 'settings',
    what: 'SET, SHOW and RESET',
    corpus: SETTINGS_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'array',
    what: 'arrays: columns, literals, subscripts, ANY/ALL, operators, functions, unnest, generate_series, array_agg/string_agg and aggregate ORDER BY',
    corpus: ARRAY_CORPUS,
    refused: [
      "update arr_g set k[1:2] = '{1,2}'",
      'select a.id from arr a, arr b, unnest(a.tags) z',
      'select unnest(array[1, 2]), unnest(array[3])',
    ],
  },
  {
    name: 'datetime',
    what: 'interval, date_trunc, extract, age, make_interval, justify_*, AT TIME ZONE, to_char, to_timestamp, generate_series over timestamps',
    corpus: DATETIME_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'enum',
    what: 'enums: CREATE TYPE … AS ENUM, ALTER TYPE … ADD VALUE, DROP TYPE, declaration order, 22P02',
    corpus: ENUM_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'json',
    what: 'jsonb: exact numbers, operators, functions, aggregates and set-returning functions',
    corpus: JSON_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'schema',
    what: 'CREATE/DROP SCHEMA, schema-qualified names, search_path',
    corpus: SCHEMA_CORPUS,
    // PostgreSQL takes two unaliased tables of one name from two schemas (and refuses t.x as ambiguous)
    refused: ['select count(*) from app.settings, public.settings'],
  },
  {
    name: 'string',
    what: 'string and regular-expression functions and operators',
    corpus: STRING_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'ddl',
    what: 'ALTER COLUMN … TYPE [USING], expression and partial indexes, LISTEN/NOTIFY',
    corpus: DDL_CORPUS,
    // a READ ONLY block here cannot commit the NOTIFY record
    refused: ["notify ch2, 'x'"],
  },
  {
    name: 'fold',
    what: 'plan-time constant folding: errors before any row, branches dropped unfolded',
    corpus: FOLD_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'jsonpath',
    what: 'jsonpath: the type, jsonb_path_* functions, @? and @@, lax/strict, filters, methods, errors',
    corpus: JSONPATH_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'functions',
    what: 'regexp_matches and the PostgreSQL 15 regexp_* functions, to_number, statement_timestamp, typed interval literals, window FILTER',
    corpus: FUNCTIONS_CORPUS,
    // the V (shift) code of number formats, to_number over other characters between the digits, two bare numbers under an interval field restriction
    refused: ["select to_number('1.5', '9V9')", "select to_number('4-2', '999'), to_number('1a2', '999')", "select interval '123 11' day to hour"],
  },
  {
    name: 'lateral',
    what: 'LATERAL sub-selects: per-row top-N and aggregates, JOIN LATERAL, json_agg per row, PostgreSQL\'s errors',
    corpus: LATERAL_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'grouping',
    what: 'GROUPING SETS, ROLLUP, CUBE, GROUPING()',
    corpus: GROUPING_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'rowtype',
    what: 'row values: whole-row references, ROW(…), record text, row_to_json, row comparisons, IS NULL of rows',
    corpus: ROWTYPE_CORPUS,
    refused: [] as string[],
  },
  {
    name: 'bpchar',
    what: 'char(n) / character(n) / bpchar: padding, limits, trailing-space-blind comparison and grouping',
    corpus: BPCHAR_CORPUS,
    refused: [] as string[],
  },
];

for (const { name, what, corpus, refused } of CORPORA) {
  const fixture = JSON.parse(readFileSync(new URL(`./reference/${name}.json`, import.meta.url), 'utf8')) as { entries: Entry[] };

  describe(`${what} against PostgreSQL 15 (recorded in ${name}.json)`, () => {
    it('the fixture was recorded from the current corpus', () => {
      expect(fixture.entries.map((e) => e.sql)).toEqual(corpus);
      for (const sql of refused) expect(corpus).toContain(sql);
    });

    it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
      const node = await openNode({ cluster: `${name}-reference-${process.pid}`, storage: 'memory' });
      try {
        expect((await mismatches(node, fixture.entries, new Set(refused))).join('\n')).toBe('');
      } finally {
        await node.close();
      }
    });
  });
}

describe('data-modifying WITH', () => {
  it('runs each part once, all reading the snapshot taken before the statement', async () => {
    const node = await openNode({ cluster: `cte-${process.pid}`, storage: 'memory' });
    await node.exec('create table cte_src (a int); create table cte_dst (a int); insert into cte_src values (1), (2), (3)');
    // the CTE is not read, and runs anyway; the main query sees the rows as they were before it
    const r = await node.query<{ n: unknown }>('with d as (delete from cte_src where a < 3) select count(*) as n from cte_src');
    expect(Number(r.rows[0]!.n)).toBe(3);
    expect(Number((await node.query<{ n: unknown }>('select count(*) as n from cte_src')).rows[0]!.n)).toBe(1);
    await node.query('with m as (delete from cte_src returning a) insert into cte_dst select m.a * 10 from m, m as again where m.a = again.a');
    expect((await node.query('select a from cte_dst')).rows).toEqual([{ a: 30 }]);
    expect((await node.query('select a from cte_src')).rows).toEqual([]);
    await node.close();
  });

  it('is refused below the top level and changes nothing', async () => {
    const node = await openNode({ cluster: `cte-nested-${process.pid}`, storage: 'memory' });
    await node.query('create table cte_untouched (a int)');
    await expect(node.query('select * from (with t as (insert into cte_untouched values (1) returning a) select * from t) s')).rejects.toMatchObject({ code: '0A000' });
    expect(Number((await node.query<{ n: unknown }>('select count(*) as n from cte_untouched')).rows[0]!.n)).toBe(0);
    await node.close();
  });
});
