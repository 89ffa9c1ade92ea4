/**
 * sql:regress as a test: PostgreSQL 15's own regression files (provisioned by `npm test`'s
 * pretest, scripts/regress-provision.ts) replayed on walrtc against the outcomes recorded from
 * PostgreSQL (test/regress/fixtures/). It fails when the files are not the ones recorded (another
 * PostgreSQL source must not silently change the corpus) and on any statement that succeeds with
 * another result than PostgreSQL's, or where PostgreSQL fails — but the known ones listed here
 * with their reason. `npm run sql:regress` prints the per-area table.
 */
import { describe, expect, it } from 'vitest';
import { AREAS, readArea, statementHash } from './regress/corpus.ts';
import { judgeArea, readFixture, type RegressJudged } from './regress/replay.ts';

/**
 * Known WRONG statements, by area and statement hash (the text is PostgreSQL's, not kept here).
 * Each is a window function whose value depends on which of two peers (rows with equal ORDER BY
 * keys) comes first: SQL leaves that open, and PostgreSQL's comes from its unstable sort. For each,
 * walrtc's rows were checked by hand: the same multiset per peer group as PostgreSQL's, and every
 * frame computed correctly for walrtc's own peer order.
 */
const PEERS = 'which tied row comes first is unspecified; PostgreSQL\'s order comes from its unstable sort';
const KNOWN_WRONG: Record<string, string> = {
  // SELECT last_value(four) OVER (ORDER BY ten), ten, four FROM tenk1 WHERE unique2 < 10
  'window 2eb4b5ae6173a95e': `RANGE frame up to the last peer of ORDER BY ten, whose four differs among peers: ${PEERS}`,
  // first_value(unique1) over (ORDER BY four rows between current row and 2 following exclude current row)
  'window 00b2fddba09b675e': `ROWS frame over peers of ORDER BY four: ${PEERS}`,
  // first_value(unique1) over (ORDER BY four rows between current row and 2 following exclude group)
  'window 72310dbba40f0b45': `ROWS frame over peers of ORDER BY four, EXCLUDE GROUP: ${PEERS}`,
  // last_value(unique1) over (ORDER BY four rows between current row and 2 following exclude current row)
  'window 1af0c346e6e7f871': `ROWS frame over peers of ORDER BY four: ${PEERS}`,
  // last_value(unique1) over (ORDER BY four rows between current row and 2 following exclude group)
  'window 8c89d54d580f5ba9': `ROWS frame over peers of ORDER BY four, EXCLUDE GROUP: ${PEERS}`,
  // last_value(unique1) over (ORDER BY four rows between current row and 2 following exclude ties)
  'window c18f24bc322ad519': `ROWS frame over peers of ORDER BY four, EXCLUDE TIES: ${PEERS}`,
  // first_value, nth_value(…, 2), last_value over (order by four range between current row and unbounded following)
  'window 610a5d727041b98e': `RANGE frame starting at the first peer of ORDER BY four: first_value and nth_value pick among peers; ${PEERS}`,
};

describe('sql:regress: PostgreSQL 15 regression files (recorded in test/regress/fixtures)', () => {
  it('the provisioned files are the ones the fixtures were recorded from', () => {
    for (const area of AREAS) {
      const { statements, meta } = readArea(area);
      const fixture = readFixture(area);
      expect({ area, meta, hashes: statements.map((s) => statementHash(s.sql)) }).toEqual({ area, meta: fixture.meta, hashes: fixture.statements.map((s) => s.hash) });
    }
  });

  it('no statement gives another result than PostgreSQL, but the known ones', async () => {
    const judged: RegressJudged[] = [];
    for (const area of AREAS) judged.push(...(await judgeArea(area)));
    const wrong = judged.filter((j) => j.verdict === 'WRONG' && !(`${j.area} ${statementHash(j.sql)}` in KNOWN_WRONG));
    expect(wrong.map((j) => `[${j.area} #${j.index} ${statementHash(j.sql)}] ${j.sql}\n  postgres: ${JSON.stringify(j.postgres).slice(0, 400)}\n  walrtc:   ${JSON.stringify(j.walrtc).slice(0, 400)}`).join('\n')).toBe('');
    // the measurement itself, a floor so that a regression in the engine shows
    expect(judged.filter((j) => j.verdict === 'matched').length / judged.length).toBeGreaterThan(0.35);
  }, 300_000);
});
