/**
 * The parse and plan caches are bounded by estimated bytes as well as by count: many distinct
 * large literal statements (multi-row INSERTs) no longer pin memory in proportion to their number.
 */
import { describe, expect, it } from 'vitest';
import { BoundedCache, estimateBytes } from '../src/sql/cache.ts';
import { parseCache } from '../src/sql/parse.ts';
import { freshNode } from './sql-helpers.ts';

describe('BoundedCache', () => {
  it('drops the least recently used entries to stay within its byte budget', () => {
    const c = new BoundedCache<number>(100, 1000);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, i, 100);
    expect(c.bytes).toBe(1000);
    expect(c.get('k0')).toBe(0); // now the most recently used
    c.set('k10', 10, 100);
    expect(c.bytes).toBe(1000);
    expect(c.get('k1')).toBeUndefined();
    expect(c.get('k0')).toBe(0);
    expect(c.get('k10')).toBe(10);
  });

  it('stays within its count, replaces an entry in place and skips one larger than an eighth of the budget', () => {
    const c = new BoundedCache<string>(3, 1_000_000);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, k, 10);
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined();
    c.set('b', 'B', 20);
    expect([c.get('b'), c.bytes]).toEqual(['B', 40]);
    c.set('huge', 'x', 200_000);
    expect(c.get('huge')).toBeUndefined();
    expect(c.bytes).toBe(40);
  });
});

describe('statement caches in a node', () => {
  it('150 distinct 500-row literal INSERTs leave the parse cache within its byte budget', async () => {
    const node = await freshNode();
    try {
      await node.exec('create table t (id int primary key, s text, n int)');
      let id = 0, largest = 0;
      for (let q = 0; q < 150; q++) {
        const values = Array.from({ length: 500 }, () => { id++; return `(${id}, 'name-${id}-${'y'.repeat(20)}', ${id})`; });
        const sql = `insert into t values ${values.join(', ')}`;
        largest = Math.max(largest, estimateBytes(sql));
        await node.query(sql);
      }
      expect(Number((await node.query('select count(*) as c from t')).rows[0]!.c)).toBe(75_000);
      expect(parseCache.bytes).toBeLessThanOrEqual(parseCache.maxBytes);
      // every statement was kept before the byte bound: all 150 of ~0.6 MB estimated each
      expect(150 * largest).toBeGreaterThan(parseCache.maxBytes);
      expect(parseCache.size).toBeLessThan(150);
    } finally {
      await node.close();
    }
  });
});
