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

  it('forks that each replace one entry carry it beside the shared map: every kept map keeps its entries (random, against models)', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const kept: { map: CowMap<number, string>; model: Map<number, string> }[] = [];
    let map = new CowMap<number, string>(new Map([[1, 'a'], [2, 'b'], [3, 'c']]));
    let model = new Map(map);
    for (let step = 0; step < 3000; step++) {
      const op = rand(10);
      const key = 1 + rand(5);
      if (op < 5) {
        // the common case: fork, replace one existing entry (a write transaction's table)
        kept.push({ map, model });
        map = new CowMap(map);
        model = new Map(model);
        const k = [...model.keys()][rand(model.size)] ?? key;
        map.set(k, `v${step}`);
        model.set(k, `v${step}`);
      } else if (op === 5) {
        map.set(key, `n${step}`);
        model.set(key, `n${step}`);
      } else if (op === 6) {
        expect(map.delete(key)).toBe(model.delete(key));
      } else if (op === 7) {
        expect([...map]).toEqual([...model]);
      } else if (op === 8) {
        const other = kept[rand(kept.length)];
        if (other) expect([...other.map.entries()]).toEqual([...other.model.entries()]);
      } else {
        for (let k = 0; k <= 6; k++) expect([map.get(k), map.has(k)]).toEqual([model.get(k), model.has(k)]);
        expect(map.size).toBe(model.size);
      }
    }
    for (const { map: m, model: want } of kept) {
      expect([...m.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, v] of want) expect(m.get(k)).toBe(v);
      const seen: [number, string][] = [];
      m.forEach((v, k) => seen.push([k, v]));
      expect(new Map(seen)).toEqual(want);
    }
  });

  it('a chain of forks replacing the same entry copies the backing map after 64 of them, letting its older value go', () => {
    let map = new CowMap<number, object>(new Map([[1, { v: 0 }], [2, { v: 0 }]]));
    const first = map;
    const backing = (m: CowMap<number, object>): Map<number, object> => (m as unknown as { map: Map<number, object> }).map;
    for (let i = 1; i <= 200; i++) {
      map = new CowMap(map);
      map.set(1, { v: i });
      expect(map.get(1)).toEqual({ v: i });
      expect(map.get(2)).toBe(first.get(2));
    }
    // the backing map the first one started from holds the first value only while chains are short
    expect(backing(map)).not.toBe(backing(first));
    expect(backing(map).get(1)).not.toEqual({ v: 0 });
    expect(first.get(1)).toEqual({ v: 0 });
  });
});
