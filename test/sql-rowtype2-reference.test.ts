/**
 * Differential test against PostgreSQL 15 for table row types (issue 10): replays each corpus of
 * test/reference/rowtype2-corpora.ts, recorded by `scripts/record-values.ts <url> <name>`, on a
 * fresh walrtc node.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { mismatches, type Entry } from './reference/replay.ts';
import { ROWTYPE2_CORPORA } from './reference/rowtype2-corpora.ts';

for (const [name, corpus] of Object.entries(ROWTYPE2_CORPORA)) {
  const fixture = JSON.parse(readFileSync(new URL(`./reference/${name}.json`, import.meta.url), 'utf8')) as { entries: Entry[] };

  describe(`${name} against PostgreSQL 15 (recorded in ${name}.json)`, () => {
    it('the fixture was recorded from the current corpus', () => {
      expect(fixture.entries.map((e) => e.sql)).toEqual(corpus);
    });

    it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
      const node = await openNode({ cluster: `${name}-rowtype2-reference-${process.pid}`, storage: 'memory' });
      try {
        expect((await mismatches(node, fixture.entries)).join('\n')).toBe('');
      } finally {
        await node.close();
      }
    });
  });
}
