/**
 * A Map that a fork shares with its parent until either side writes: forking a DbState happens
 * once per transaction, and copying its maps there cost more than the statement. Once two CowMaps
 * share a backing Map, both treat it as frozen and copy it on their next write, so neither ever
 * sees the other's changes, exactly as with `new Map(parent)`.
 *
 * A write transaction replaces one entry of its state's `tables` (the table it copied): that one
 * entry is held beside the shared backing map (`over`) instead of copying the map, and a fork of
 * the state carries it on. The backing map then keeps the entry's older value alive, so after
 * MAX_CARRIED forks in a row the map is copied after all; any other write, and iteration, copy it
 * at once (with the entry applied).
 */
export class CowMap<K, V> implements Map<K, V> {
  private map: Map<K, V>;
  private shared: boolean;
  /** Whether `overKey` (a key of `map`) has the value `overValue` here instead of its value in the shared `map`. */
  private over = false;
  private overKey: K | undefined;
  private overValue: V | undefined;
  /** How many CowMaps in a chain of forks carried the entry over this backing map. */
  private carried = 0;

  /** Empty, or sharing `from` (a plain Map is copied: it has no way to learn it is shared). */
  constructor(from?: Map<K, V>) {
    if (from instanceof CowMap) {
      this.map = from.map;
      this.shared = true;
      from.shared = true;
      if (from.over) {
        this.over = true;
        this.overKey = from.overKey;
        this.overValue = from.overValue;
        this.carried = from.carried + 1;
      }
    } else {
      this.map = new Map(from);
      this.shared = false;
    }
  }

  private own(): Map<K, V> {
    if (this.shared) {
      // forEach, not new Map(map): the iterator made an entry array and a result object per entry
      const copy = new Map<K, V>();
      this.map.forEach(copyInto, copy);
      if (this.over) copy.set(this.overKey as K, this.overValue as V);
      this.map = copy;
      this.shared = false;
      this.over = false;
      this.overKey = this.overValue = undefined;
      this.carried = 0;
    }
    return this.map;
  }

  /** The entries as a Map: the backing map, or its copy with the carried entry applied. */
  private view(): Map<K, V> {
    return this.over ? this.own() : this.map;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.over && key === this.overKey ? this.overValue : this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    if (this.over && key === this.overKey && this.carried < MAX_CARRIED) this.overValue = value;
    else if (this.shared && !this.over && this.carried < MAX_CARRIED && this.map.has(key)) {
      this.over = true;
      this.overKey = key;
      this.overValue = value;
    } else this.own().set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.map.has(key) && this.own().delete(key);
  }

  clear(): void {
    this.map = new Map();
    this.shared = false;
    this.over = false;
    this.overKey = this.overValue = undefined;
  }

  forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.view().forEach((v, k) => fn.call(thisArg, v, k, this));
  }

  keys(): MapIterator<K> {
    return this.map.keys();
  }

  values(): MapIterator<V> {
    return this.view().values();
  }

  entries(): MapIterator<[K, V]> {
    return this.view().entries();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.view()[Symbol.iterator]();
  }

  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}

/** Past this many forks in a row the carried entry's older value in the backing map (a table's older trees) is let go by a copy. */
const MAX_CARRIED = 64;

function copyInto<K, V>(this: Map<K, V>, value: V, key: K): void {
  this.set(key, value);
}
