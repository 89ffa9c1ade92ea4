// Appending past a full rightmost leaf whose left sibling a snapshot shares starts a new leaf
// (state/btree-append.ts) instead of copying the sibling to shift an entry into it: the snapshot's
// leaves stay shared, the trees stay valid, and every snapshot keeps exactly its own entries.
import { describe, expect, it } from 'vitest';
import BTree, { NODE_SIZE, type BTreeType } from '../src/state/btree.ts';

interface Node { keys: number[]; children?: Node[] }
type Tree = BTreeType<number, number>;

const root = (t: Tree): Node => (t as unknown as { _root: Node })._root;
const leaves = (n: Node): Node[] => (n.children ? n.children.flatMap(leaves) : [n]);
const entries = (t: Tree): [number, number][] => t.toArray();

describe('appending to a shared tree', () => {
  it('never copies the leaf before the last, and fills every leaf between the first and the last', () => {
    let t: Tree = new BTree<number, number>(undefined, undefined, NODE_SIZE);
    for (let k = 1; k <= 20 * NODE_SIZE; k++) {
      // the committed state holds the tree; the next transaction writes a clone (an autocommit INSERT)
      const committed = t;
      t = committed.clone();
      t.set(k, k * 10);
      const [before, after] = [leaves(root(committed)), leaves(root(t))];
      if (before.length >= 2) expect(after[before.length - 2]).toBe(before[before.length - 2]);
    }
    t.checkValid();
    const ls = leaves(root(t));
    // the first leaf is half of the root leaf's split, before the tree had a second leaf
    expect(ls.slice(1, -1).every((l) => l.keys.length === NODE_SIZE)).toBe(true);
    expect(entries(t)).toEqual(Array.from({ length: 20 * NODE_SIZE }, (_, i) => [i + 1, (i + 1) * 10]));
  });

  it('keeps every snapshot as it was under appends, overwrites, deletes and inserts in between', () => {
    let seed = 5;
    const rnd = (n: number): number => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
    let t: Tree = new BTree<number, number>(undefined, undefined, NODE_SIZE);
    const model = new Map<number, number>();
    const kept: { tree: Tree; rows: [number, number][] }[] = [];
    let next = 1;
    for (let step = 0; step < 6000; step++) {
      if (step % 97 === 0) kept.push({ tree: t.clone(), rows: [...model].sort((a, b) => a[0] - b[0]) });
      // most steps are a transaction of their own (a clone), some continue the same one
      if (rnd(4) !== 0) t = t.clone();
      const op = rnd(10);
      if (op < 6) {
        t.set(next, step);
        model.set(next++, step);
      } else if (op < 7 && next > 1) {
        const k = 1 + rnd(next - 1);
        t.set(k, -step);
        model.set(k, -step);
      } else if (op < 9 && next > 1) {
        const k = 1 + rnd(next - 1);
        t.delete(k);
        model.delete(k);
      } else {
        const k = next + 0.5 - rnd(3);
        t.set(k, step);
        model.set(k, step);
      }
    }
    t.checkValid();
    expect(entries(t)).toEqual([...model].sort((a, b) => a[0] - b[0]));
    for (const s of kept) {
      s.tree.checkValid();
      expect(entries(s.tree)).toEqual(s.rows);
    }
  });

  it('appends inside one transaction fill leaves as the library does', () => {
    const t = new BTree<number, number>(undefined, undefined, NODE_SIZE);
    for (let k = 1; k <= 10 * NODE_SIZE; k++) t.set(k, k);
    t.checkValid();
    expect(leaves(root(t)).slice(0, -1).every((l) => l.keys.length === NODE_SIZE)).toBe(true);
    expect(t.size).toBe(10 * NODE_SIZE);
  });
});
