/**
 * A Map that a fork shares with its parent until either side writes: forking a DbState happens
 * once per transaction, and copying its six catalog maps there cost more than the statement.
 * Once two CowMaps share a backing Map, both treat it as frozen and copy it on their next write,
 * so neither ever sees the other's changes, exactly as with `new Map(parent)`.
 */
export class CowMap<K, V> implements Map<K, V> {
  private map: Map<K, V>;
  private shared: boolean;

  /** Empty, or sharing `from` (a plain Map is copied: it has no way to learn it is shared). */
  constructor(from?: Map<K, V>) {
    if (from instanceof CowMap) {
      this.map = from.map;
      this.shared = true;
      from.shared = true;
    } else {
      this.map = new Map(from);
      this.shared = false;
    }
  }

  private own(): Map<K, V> {
    if (this.shared) {
      // forEach, not new Map(map): the iterator made an entry array and a result object per entry, on every write transaction's first write
      const copy = new Map<K, V>();
      this.map.forEach(copyInto, copy);
      this.map = copy;
      this.shared = false;
    }
    return this.map;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    this.own().set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.map.has(key) && this.own().delete(key);
  }

  clear(): void {
    this.map = new Map();
    this.shared = false;
  }

  forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.map.forEach((v, k) => fn.call(thisArg, v, k, this));
  }

  keys(): MapIterator<K> {
    return this.map.keys();
  }

  values(): MapIterator<V> {
    return this.map.values();
  }

  entries(): MapIterator<[K, V]> {
    return this.map.entries();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.map[Symbol.iterator]();
  }

  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}

function copyInto<K, V>(this: Map<K, V>, value: V, key: K): void {
  this.set(key, value);
}
