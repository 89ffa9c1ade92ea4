/**
 * The differential test of a set of corpora recorded from PostgreSQL 15 by
 * `scripts/record-values.ts <url> <name>`: each fixture (`test/reference/<name>.json`) was recorded
 * from the current corpus, and replayed on a fresh walrtc node every statement gives PostgreSQL's
 * columns, rows, count or error — but the ones listed as refused (0A000, not supported yet).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openNode } from '@walrtc/engine';
import { mismatches, type Entry } from './replay.ts';

export function replayCorpora(corpora: Readonly<Record<string, readonly string[]>>, refused?: ReadonlySet<string>): void {
  for (const [name, corpus] of Object.entries(corpora)) {
    const fixture = JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8')) as { entries: Entry[] };

    describe(`${name} against PostgreSQL 15 (recorded in ${name}.json)`, () => {
      it('the fixture was recorded from the current corpus', () => {
        expect(fixture.entries.map((e) => e.sql)).toEqual(corpus);
      });

      it('every statement gives PostgreSQL\'s columns, rows, count or error', async () => {
        const node = await openNode({ cluster: `${name}-reference-${process.pid}`, storage: 'memory' });
        try {
          expect((await mismatches(node, fixture.entries, refused)).join('\n')).toBe('');
        } finally {
          await node.close();
        }
      });
    });
  }
}
