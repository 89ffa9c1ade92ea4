import { describe, expect, it } from 'vitest';
import { CowMap } from '../src/state/cow-map.ts';
import { DbState } from '../src/state/state.ts';

describe('forked state shares catalog maps until a side writes', () => {
  it('a fork does not see its parent change after the fork, nor the parent the fork', () => {
    const parent = new DbState();
    parent.tableNames.set('a', 1);
    const child = parent.fork();
    const grandchild = child.fork();
    child.tableNames.set('b', 2);
    parent.tableNames.set('c', 3);
    parent.tableNames.delete('a');
    expect([...parent.tableNames.keys()].sort()).toEqual(['c']);
    expect([...child.tableNames.keys()].sort()).toEqual(['a', 'b']);
    expect([...grandchild.tableNames.keys()].sort()).toEqual(['a']);
    grandchild.sequenceNames.set('s', 9);
    expect(child.sequenceNames.has('s')).toBe(false);
    expect(parent.sequenceNames.has('s')).toBe(false);
  });

  it('behaves as a Map: iteration, size, forEach, clear, and deleting while iterating a shared map', () => {
    const base = new CowMap<string, number>(new Map([['x', 1], ['y', 2]]));
    const other = new CowMap(base);
    for (const k of other.keys()) other.delete(k);
    expect(other.size).toBe(0);
    expect([...base]).toEqual([['x', 1], ['y', 2]]);
    const seen: string[] = [];
    base.forEach((v, k, m) => seen.push(`${k}=${v}:${m === base}`));
    expect(seen).toEqual(['x=1:true', 'y=2:true']);
    expect(Object.prototype.toString.call(base)).toBe('[object Map]');
    const third = new CowMap(base);
    third.clear();
    expect(base.get('y')).toBe(2);
    expect(third.delete('nothing')).toBe(false);
  });
});
