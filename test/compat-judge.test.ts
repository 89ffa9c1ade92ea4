/**
 * The judge of sql:compat and sql:regress (test/compat/classify.ts): what it counts as matched
 * when only the order of ORDER BY peers differs, and what it must still call WRONG.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../packages/engine/src/sql/parse.ts';
import { verdict } from './compat/classify.ts';

beforeAll(async () => {
  await loadParser();
});

const int = 23, text = 25;
const result = (names: string[], rows: (string | null)[][]) => ({ fields: names.map((name, i) => ({ name, type: i === 0 ? text : int })), rows, rowCount: rows.length });
const judge = (sql: string, names: string[], want: (string | null)[][], got: (string | null)[][]) => verdict(sql, result(names, want), result(names, got));

describe('judging an ordered result', () => {
  const want = [['a', '1'], ['b', '1'], ['c', '2']];
  const swapped = [['b', '1'], ['a', '1'], ['c', '2']];

  it('matches peers (equal ORDER BY keys) in another order, by name, position or select-list expression', () => {
    expect(judge('SELECT n, k FROM t ORDER BY k', ['n', 'k'], want, swapped)).toBe('matched');
    expect(judge('SELECT n, k FROM t ORDER BY 2', ['n', 'k'], want, swapped)).toBe('matched');
    expect(judge('SELECT n, k AS key FROM t ORDER BY key DESC', ['n', 'key'], want, swapped)).toBe('matched');
    expect(judge('SELECT n, rank() OVER w FROM t WINDOW w AS (ORDER BY k) ORDER BY rank() OVER w', ['n', 'rank'], want, swapped)).toBe('matched');
  });

  it('calls a wrong order of distinct keys WRONG', () => {
    expect(judge('SELECT n, k FROM t ORDER BY k', ['n', 'k'], want, [['c', '2'], ['a', '1'], ['b', '1']])).toBe('WRONG');
    expect(judge('SELECT n, k FROM t ORDER BY n, k', ['n', 'k'], want, swapped)).toBe('WRONG');
  });

  it('calls ORDER BY x USING > sorted ascending WRONG', () => {
    const desc = [['c', '2'], ['a', '1'], ['b', '1']];
    expect(judge('SELECT n, k FROM t ORDER BY k USING >', ['n', 'k'], desc, want)).toBe('WRONG');
    expect(judge('SELECT n, k FROM t ORDER BY k USING >', ['n', 'k'], desc, [['c', '2'], ['b', '1'], ['a', '1']])).toBe('matched');
  });

  it('calls other rows within a run of peers WRONG', () => {
    expect(judge('SELECT n, k FROM t ORDER BY k', ['n', 'k'], want, [['a', '1'], ['a', '1'], ['c', '2']])).toBe('WRONG');
    expect(judge('SELECT n, k FROM t ORDER BY k', ['n', 'k'], want, [['a', '1'], ['b', '1']])).toBe('WRONG');
  });

  it('keeps the order strict when an ORDER BY item is not an output column', () => {
    expect(judge('SELECT n, k FROM t ORDER BY m', ['n', 'k'], want, swapped)).toBe('WRONG');
    expect(judge('SELECT n, k FROM t ORDER BY k + 0', ['n', 'k'], want, swapped)).toBe('WRONG');
    expect(judge('SELECT n, k, k FROM t ORDER BY k', ['n', 'k', 'k'], want.map((r) => [...r, r[1]!]), swapped.map((r) => [...r, r[1]!]))).toBe('WRONG');
  });

  it('calls other columns WRONG even when the rows agree', () => {
    expect(verdict('SELECT n, k FROM t ORDER BY k', result(['n', 'k'], want), result(['n', 'kk'], swapped))).toBe('WRONG');
  });
});
