/**
 * The planner's paths against PostgreSQL: statements and results recorded from a real server by
 * scripts/record-planner-fixture.mjs (index ranges, LIKE prefixes, composite prefixes, ordered walks
 * with NULLS placement, top-N, count/min/max, grouping, hash, index and left joins), run here on a
 * walrtc node; values are compared as PostgreSQL's text output.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../src/index.ts';
import { freshNode } from './sql-helpers.ts';

interface Fixture {
  null: string;
  setup: string[];
  queries: Array<{ sql: string; ordered: boolean; rows: string[][] }>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/planner-postgres.json', import.meta.url), 'utf8')) as Fixture;

/** A value as psql prints it (-A -t, NULL shown as the fixture's marker). */
function text(v: unknown): string {
  if (v === null || v === undefined) return fixture.null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

let node: Node;
beforeAll(async () => {
  node = await freshNode();
  for (const s of fixture.setup) await node.query(s);
});
afterAll(async () => { await node.close(); });

describe('planner results equal PostgreSQL', () => {
  for (const q of fixture.queries) {
    it(q.sql, async () => {
      const r = await node.query(q.sql);
      const lines = r.rows.map((row) => Object.values(row).map(text).join('\t'));
      const expected = q.rows.map((row) => row.join('\t'));
      if (q.ordered) expect(lines).toEqual(expected);
      else expect([...lines].sort()).toEqual([...expected].sort());
    });
  }
});
