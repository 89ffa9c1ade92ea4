/**
 * A query's parameters must match the `$n` its statement reads, as PostgreSQL's bind checks them
 * (08P01), and a `$n` below the highest that nothing reads has no type (42P18). Before, extra
 * parameters were ignored and a missing one failed only where a row reached it. A function body's
 * `$n` are its own. Checked against
 * PGlite (real PostgreSQL) in the same process.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNode, type Node } from '@walrtc/engine';

const CASES: [string, unknown[]][] = [
  ['select 1 as x', [1]],
  ['select $1::int as x', []],
  ['select $1::int as x', [1, 2]],
  ['select $2::int as x', [1, 2]],
  ['select $1::int + $2::int as x', [1, 2]],
  ['select count(*)::int as x from t where false and id = $1', []],
  ['select count(*)::int as x from t', [7]],
  ['insert into t values ($1) returning id as x', [5]],
  ["create function plus_one(int) returns int language sql as 'select $1 + 1'", []],
  ['select plus_one($1) as x', [2]],
  ["select 'literal $1' as x", []],
];

type Outcome = { rows: unknown[] } | { code: string; message: string };

async function outcome(run: () => Promise<{ rows: unknown[] }>): Promise<Outcome> {
  try {
    return { rows: (await run()).rows };
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
}

describe('parameters are checked against the statement as PostgreSQL binds them', () => {
  let pg: PGlite;
  let node: Node;
  beforeAll(async () => {
    pg = new PGlite();
    node = await openNode({ cluster: `params-${process.pid}`, nodeId: 'a', storage: 'memory' });
    for (const db of [pg, node]) await db.exec('create table t (id int primary key)');
  });
  afterAll(async () => {
    await node.close();
    await pg.close();
  });

  for (const [sql, params] of CASES) {
    it(`${sql} with ${JSON.stringify(params)}`, async () => {
      const expected = await outcome(() => pg.query(sql, params));
      expect(await outcome(() => node.query(sql, params))).toEqual(expected);
    });
  }
});
