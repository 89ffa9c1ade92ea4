/**
 * Differential test against PostgreSQL 15 for issue 10's functions: aggregates, math, SIMILAR TO,
 * string_to_table, json(b)_to_record(set) and jsonb subscripts. Replays each corpus of test/reference/funcs-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { mismatches, type Entry } from './reference/replay.ts';
import { FUNCS_CORPORA } from './reference/funcs-corpora.ts';

/**
 * Run by PostgreSQL, refused (0A000) here: float8's libm functions are not implemented, nor a
 * set-returning function inside a larger select-list expression.
 */
const REFUSED = new Set(['select exp(1)', "select string_to_table(NULL, '|') IS NULL"]);

for (const [name, corpus] of Object.entries(FUNCS_CORPORA)) {
  const fixture = JSON.parse(readFileSync(new URL(`./reference/${name}.json`, import.meta.url), 'utf8')) as { entries: Entry[] };

  describe(`${name} against PostgreSQL 15 (recorded in ${name}.json)`, () => {
    it('the fixture was recorded from the current corpus', () => {
      expect(fixture.entries.map((e) => e.sql)).toEqual(corpus);
    });

    it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
      const node = await openNode({ cluster: `${name}-funcs-reference-${process.pid}`, storage: 'memory' });
      try {
        expect((await mismatches(node, fixture.entries, REFUSED)).join('\n')).toBe('');
      } finally {
        await node.close();
      }
    });
  });
}
