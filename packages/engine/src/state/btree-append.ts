/**
 * Appending to a copy-on-write tree without copying a sibling. sorted-btree, when a key goes past
 * the end of a full rightmost leaf, first shifts that leaf's first entry into its left sibling if
 * the sibling has room — and when an older snapshot shares the sibling (every autocommit INSERT
 * in key order: the committed state holds the tree), it copies the sibling to do so, a second
 * leaf copy per commit on top of the one the write itself needs. In that case this starts a new
 * rightmost leaf holding just the key instead: the full leaf stays full and untouched. Inside one
 * transaction (the sibling is its own) the library's shifting stays, which keeps bulk-loaded
 * leaves filled exactly as before. And a key appended to a shared rightmost leaf with room is
 * written into its copy as the copy is made, rather than copied at exact size and then grown. btree.ts applies it once to the library's internal node class.
 */
import type BTreeImport from 'sorted-btree';

interface Leaf {
  keys: unknown[];
  values: unknown[];
  isShared: boolean | undefined;
  readonly isLeaf: boolean;
  maxKey(): unknown;
  insertInLeaf(i: number, key: unknown, value: unknown, tree: unknown): boolean;
}

interface Internal {
  keys: unknown[];
  _size: number;
  children: Leaf[];
  maxKey(): unknown;
  insert(i: number, child: unknown): void;
  splitOffRightSide(): Internal;
  set(key: unknown, value: unknown, overwrite: boolean | undefined, tree: Tree): boolean | Internal;
}

interface Tree {
  _maxNodeSize: number;
  _compare(a: unknown, b: unknown): number;
}

export function appendWithoutSiblingCopy(BTree: typeof BTreeImport): void {
  // the node classes are not exported: a tree of two leaves has an internal node at its root
  const probe = new BTree<number, number>(undefined, undefined, 4);
  for (let i = 0; i < 5; i++) probe.set(i, i);
  const internal = Object.getPrototypeOf((probe as unknown as { _root: object })._root) as Internal;
  const librarySet = internal.set;

  internal.set = function (this: Internal, key, value, overwrite, tree) {
    const c = this.children;
    const i = c.length - 1;
    const child = c[i]!;
    if (!child.isLeaf || tree._compare(child.maxKey(), key) >= 0) return librarySet.call(this, key, value, overwrite, tree);
    if (child.keys.length < tree._maxNodeSize) {
      // the library copies a shared leaf at its exact size, then grows both arrays by half to insert:
      // copy it with the key appended instead, one exact-size array each
      if (!child.isShared || child.values.length !== child.keys.length) return librarySet.call(this, key, value, overwrite, tree);
      c[i] = new (child.constructor as new (keys: unknown[], values: unknown[]) => Leaf)(child.keys.concat([key]), child.values.concat([value]));
      this.keys[i] = key;
      this._size++;
      return true;
    }
    if (i === 0 || !c[i - 1]!.isShared) return librarySet.call(this, key, value, overwrite, tree);
    // the library's own ending for a child that split off `leaf` to its right
    const leaf = new (child.constructor as new () => Leaf)();
    leaf.insertInLeaf(0, key, value, tree);
    if (this.keys.length < tree._maxNodeSize) {
      this.insert(i + 1, leaf);
      return true;
    }
    const right = this.splitOffRightSide();
    right.insert(right.children.length, leaf);
    return right;
  };
}
