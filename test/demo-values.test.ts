/** The demo's cell text for exact values: a bigint renders as its digits (JSON.stringify would throw), numeric text as is. */
import { describe, expect, it } from 'vitest';
import { cell } from '../apps/demo/src/lib/sql-text.ts';

describe('demo cells', () => {
  it('render int8 past 2^53 and numeric text exactly', () => {
    expect(cell(9007199254740993n)).toBe('9007199254740993');
    expect(cell(42)).toBe('42');
    expect(cell('2.50')).toBe('2.50');
    expect(cell({ n: 1.5 })).toBe('{"n":1.5}');
  });
});
