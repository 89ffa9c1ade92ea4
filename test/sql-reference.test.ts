/**
 * Differential test against PostgreSQL 15 for the SQL apps and ORMs write (issue 10): replays
 * test/reference/sql-corpus.ts, recorded into sql.json by `scripts/record-values.ts <url> sql`,
 * on a walrtc node. Every statement must give PostgreSQL's columns, rows, count or error.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';
import { mismatches, type Entry } from './reference/replay.ts';
import { SQL_CORPUS } from './reference/sql-corpus.ts';

/** Statements PostgreSQL runs that walrtc refuses with 0A000 (not supported yet, never a wrong answer). */
const REFUSED = new Set([
  'with t as (insert into cte_t values (1) returning a) values (1)',
  'with t as (insert into cte_t values (2) returning a) select * from t',
  'with t as (delete from cte_t returning a) insert into cte_t values (3)',
  'select (select max(agg_o.x)) from agg_o',
  'select (select count(agg_o.x) from ob limit 1) from agg_o',
  'create table d6 (a int) with (fillfactor = 70)',
  'select * from ob for update',
]);

const fixture = JSON.parse(readFileSync(new URL('./reference/sql.json', import.meta.url), 'utf8')) as { entries: Entry[] };

describe('application SQL against PostgreSQL 15 (recorded)', () => {
  let node: Node;
  beforeAll(async () => {
    node = await openNode({ cluster: `sql-reference-${process.pid}`, storage: 'memory' });
  });
  afterAll(async () => {
    await node.close();
  });

  it('the fixture was recorded from the current corpus', () => {
    expect(fixture.entries.map((e) => e.sql)).toEqual(SQL_CORPUS);
    for (const sql of REFUSED) expect(SQL_CORPUS).toContain(sql);
  });

  it('a refused data-modifying WITH changes nothing', async () => {
    await node.query('create table cte_untouched (a int)');
    await expect(node.query('with t as (insert into cte_untouched values (1) returning a) values (1)')).rejects.toMatchObject({ code: '0A000' });
    await expect(node.query('with t as (delete from cte_untouched) update cte_untouched set a = 2')).rejects.toMatchObject({ code: '0A000' });
    expect(Number((await node.query<{ n: unknown }>('select count(*) as n from cte_untouched')).rows[0]!.n)).toBe(0);
  });

  it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
    expect((await mismatches(node, fixture.entries, REFUSED)).join('\n')).toBe('');
  });
});
