/**
 * The sql:compat measurement as a test: the fixture is the current corpus (re-record with
 * scripts/record-compat.ts), and no statement of PostgreSQL's regression-suite areas gives a
 * result PostgreSQL does not — except the known ones listed here with their reason, so that a new
 * silent wrong answer fails the suite. `npm run sql:compat` prints the per-area table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPAT } from './compat/corpus.ts';
import { judgeAll } from './compat/classify.ts';
import type { Entry } from './reference/replay.ts';

// PostgreSQL's plan-time folding of `case when i > 100 then 1/0 …` is matched now (sql/fold/)
// a whole-row column is typed with its table's row type, compared by name (`returning foo`)
const KNOWN_WRONG: Record<string, string> = {};

const fixture = JSON.parse(readFileSync(new URL('./compat/compat.json', import.meta.url), 'utf8')) as { areas: Record<string, Entry[]> };

describe('sql:compat against PostgreSQL 15 (recorded in test/compat/compat.json)', () => {
  it('the fixture was recorded from the current corpus', () => {
    expect(Object.fromEntries(Object.entries(fixture.areas).map(([a, es]) => [a, es.map((e) => e.sql)]))).toEqual(COMPAT);
  });

  it('no statement gives another result than PostgreSQL, but the known ones', async () => {
    const judged = await judgeAll(fixture.areas);
    const wrong = judged.filter((j) => j.verdict === 'WRONG' && !(j.sql in KNOWN_WRONG));
    expect(wrong.map((j) => `[${j.area}] ${j.sql}\n  postgres: ${JSON.stringify(j.postgres)}\n  walrtc:   ${JSON.stringify(j.walrtc)}`).join('\n')).toBe('');
    // the measurement itself: most of the corpus matches
    expect(judged.filter((j) => j.verdict === 'matched').length / judged.length).toBeGreaterThan(0.8);
  }, 120_000);
});
