import { describe, expect, it } from 'vitest';
import { CowMap } from '../src/state/cow-map.ts';
import { DbState } from '../src/state/state.ts';

describe('forked state shares catalog maps until a side writes', () => {
  it('a fork does not see its parent change after the fork, nor the parent the fork', () => {
    const parent = new DbState();
    parent.ownCatalog().tableNames.set('a', 1);
    const child = parent.fork();
    const grandchild = child.fork();
    child.ownCatalog().tableNames.set('b', 2);
    parent.ownCatalog().tableNames.set('c', 3);
    parent.ownCatalog().tableNames.delete('a');
    expect([...parent.tableNames.keys()].sort()).toEqual(['c']);
    expect([...child.tableNames.keys()].sort()).toEqual(['a', 'b']);
    expect([...grandchild.tableNames.keys()].sort()).toEqual(['a']);
    grandchild.ownCatalog().sequenceNames.set('s', 9);
    expect(child.sequenceNames.has('s')).toBe(false);
    expect(parent.sequenceNames.has('s')).toBe(false);
  });

  it('a fork copies no catalog map until a catalog write (one per transaction would cost more than a point write)', () => {
    const parent = new DbState();
    parent.ownCatalog().typeNames.set('t', 7);
    const forks = [parent.fork(), parent.fork().fork()];
    for (const f of forks) {
      expect(f.tableNames).toBe(parent.tableNames);
      expect(f.typeNames).toBe(parent.typeNames);
    }
    forks[0]!.ownCatalog().indexNames.set('i', 1);
    expect(forks[0]!.typeNames).not.toBe(parent.typeNames);
    expect(forks[0]!.typeNames.get('t')).toBe(7);
    expect(forks[1]!.typeNames).toBe(parent.typeNames);
    expect(parent.indexNames.has('i')).toBe(false);
    expect(forks[1]!.indexNames.has('i')).toBe(false);
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
