/**
 * The statement caches (parsed statements, plans) keep recently used entries up to a count and an
 * estimated size in bytes, least recently used out first: a few hundred distinct multi-row literal
 * INSERTs must not pin hundreds of MiB (issue 11 measured 264 MiB for 400 of 500 rows each).
 */

/**
 * Retained bytes per character of SQL text: the parse tree and the compiled plan of a statement
 * are both about this many times its text (measured on multi-row literal INSERTs), plus overhead.
 */
export const BYTES_PER_SQL_CHAR = 24;
const ENTRY_OVERHEAD = 256;

export function estimateBytes(sql: string): number {
  return ENTRY_OVERHEAD + sql.length * BYTES_PER_SQL_CHAR;
}

export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  /** Estimated bytes held now. */
  bytes = 0;
  /** The most recently used key. */
  private last: string | undefined;

  constructor(readonly maxEntries: number, readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // most recently used last (a statement run in a loop is already there)
    if (key !== this.last) {
      this.entries.delete(key);
      this.entries.set(key, e);
      this.last = key;
    }
    return e.value;
  }

  /** Keep `value` unless it alone would take more than an eighth of the budget (a one-off bulk statement). */
  set(key: string, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes / 8) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    this.last = key;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }
}
