/**
 * Differential test against PostgreSQL 15 for HASH partition routing and `^`/power (issue 10): replays each
 * corpus of test/reference/hashpart-corpora.ts, recorded by
 * `scripts/record-values.ts <url> <name>`, on a fresh walrtc node — every row must land in the
 * partition PostgreSQL puts it in.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { mismatches, type Entry } from './reference/replay.ts';
import { HASHPART_CORPORA, HASHPART_REFUSED } from './reference/hashpart-corpora.ts';

for (const [name, corpus] of Object.entries(HASHPART_CORPORA)) {
  const fixture = JSON.parse(readFileSync(new URL(`./reference/${name}.json`, import.meta.url), 'utf8')) as { entries: Entry[] };

  describe(`${name} against PostgreSQL 15 (recorded in ${name}.json)`, () => {
    it('the fixture was recorded from the current corpus', () => {
      expect(fixture.entries.map((e) => e.sql)).toEqual(corpus);
    });

    it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
      const node = await openNode({ cluster: `${name}-hashpart-reference-${process.pid}`, storage: 'memory' });
      try {
        expect((await mismatches(node, fixture.entries, HASHPART_REFUSED)).join('\n')).toBe('');
      } finally {
        await node.close();
      }
    });
  });
}
