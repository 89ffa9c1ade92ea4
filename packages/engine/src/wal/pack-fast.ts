/**
 * The WAL's msgpack writer for what row-change records hold — plain objects, arrays, strings,
 * numbers, booleans, null and undefined — writing byte for byte what msgpackr writes with
 * PACK_OPTIONS (map16 headers for objects, the smallest int format, float64 otherwise, msgpackr's
 * own UTF-8 rules), straight into the WAL's current slab (codec.ts). msgpackr allocates a result view and
 * walks its generic dispatch per record; a point commit paid more for that than for its CRC. Any
 * other value (bigint, Date, the extension classes of msgpack.ts, Maps, typed arrays) makes `pack`
 * give up, as does a float's negative zero, and the caller packs that record with msgpack.ts's
 * ValuePackr: the bytes never differ.
 */

const utf8 = new TextEncoder();

export class ScratchWriter {
  pos = 0;

  constructor(public buf: Uint8Array = new Uint8Array(4096), private view: DataView = new DataView(buf.buffer)) {}

  /** Write into `buf` from `pos` on (the WAL's current slab); `ensure` moves to a larger copy when it runs out. */
  target(buf: Uint8Array, view: DataView, pos: number): void {
    this.buf = buf;
    this.view = view;
    this.pos = pos;
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  write(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Append `value` as msgpackr would; false (with `pos` anywhere past where it began) when msgpackr must do it. */
  pack(value: unknown): boolean {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return true;
      case 'number':
        // msgpackr alone would write -0 as the integer 0: the ValuePackr path keeps it
        if (value === 0 && 1 / value < 0) return false;
        this.number(value);
        return true;
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = value ? 0xc3 : 0xc2;
        return true;
      case 'undefined':
        // msgpackr's undefined: fixext 1 of type 0
        this.ensure(3);
        this.buf[this.pos++] = 0xd4;
        this.buf[this.pos++] = 0;
        this.buf[this.pos++] = 0;
        return true;
      case 'object':
        if (value === null) {
          this.ensure(1);
          this.buf[this.pos++] = 0xc0;
          return true;
        }
        if (value.constructor === Array) return this.array(value as unknown[]);
        if (value.constructor === Object) return this.object(value as Record<string, unknown>);
        return false;
      default:
        return false;
    }
  }

  private array(a: unknown[]): boolean {
    const n = a.length;
    this.ensure(5);
    if (n < 0x10) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      this.buf[this.pos++] = 0xdc;
      this.buf[this.pos++] = n >> 8;
      this.buf[this.pos++] = n & 0xff;
    } else {
      this.buf[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    for (let i = 0; i < n; i++) if (!this.pack(a[i])) return false;
    return true;
  }

  private object(o: Record<string, unknown>): boolean {
    // msgpackr without records writes every plain object as a map16, its size patched in after
    this.ensure(3);
    this.buf[this.pos++] = 0xde;
    const at = this.pos;
    this.pos += 2;
    let size = 0;
    for (const key in o) {
      if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
      this.string(key);
      if (!this.pack(o[key])) return false;
      size++;
    }
    if (size > 0xffff) return false;
    this.buf[at] = size >> 8;
    this.buf[at + 1] = size & 0xff;
    return true;
  }

  private number(v: number): void {
    this.ensure(9);
    const b = this.buf;
    if (v >>> 0 === v) {
      if (v < 0x80) b[this.pos++] = v;
      else if (v < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = v;
      } else if (v < 0x10000) {
        b[this.pos++] = 0xcd;
        b[this.pos++] = v >> 8;
        b[this.pos++] = v & 0xff;
      } else {
        b[this.pos++] = 0xce;
        this.view.setUint32(this.pos, v);
        this.pos += 4;
      }
    } else if (v >> 0 === v) {
      if (v >= -0x20) b[this.pos++] = 0x100 + v;
      else if (v >= -0x80) {
        b[this.pos++] = 0xd0;
        b[this.pos++] = v + 0x100;
      } else if (v >= -0x8000) {
        b[this.pos++] = 0xd1;
        this.view.setInt16(this.pos, v);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xd2;
        this.view.setInt32(this.pos, v);
        this.pos += 4;
      }
    } else {
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
    }
  }

  private string(s: string): void {
    const chars = s.length;
    // msgpackr reserves the header its length estimate needs, then moves the bytes if it was short
    const header = chars < 0x20 ? 1 : chars < 0x100 ? 2 : chars < 0x10000 ? 3 : 5;
    this.ensure(5 + chars * 3);
    const b = this.buf;
    const start = this.pos + header;
    let length: number;
    if (chars < 0x40) {
      // msgpackr's own loop for short strings: a lone surrogate becomes its 3-byte form
      let p = start;
      for (let i = 0; i < chars; i++) {
        let c1 = s.charCodeAt(i);
        let c2: number;
        if (c1 < 0x80) b[p++] = c1;
        else if (c1 < 0x800) {
          b[p++] = (c1 >> 6) | 0xc0;
          b[p++] = (c1 & 0x3f) | 0x80;
        } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
          c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
          i++;
          b[p++] = (c1 >> 18) | 0xf0;
          b[p++] = ((c1 >> 12) & 0x3f) | 0x80;
          b[p++] = ((c1 >> 6) & 0x3f) | 0x80;
          b[p++] = (c1 & 0x3f) | 0x80;
        } else {
          b[p++] = (c1 >> 12) | 0xe0;
          b[p++] = ((c1 >> 6) & 0x3f) | 0x80;
          b[p++] = (c1 & 0x3f) | 0x80;
        }
      }
      length = p - start;
    } else {
      // longer ones through the platform's encoder, as msgpackr does (a lone surrogate becomes U+FFFD)
      length = utf8.encodeInto(s, b.subarray(start)).written;
    }
    const need = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    if (need !== header) b.copyWithin(this.pos + need, start, start + length);
    if (need === 1) b[this.pos] = 0xa0 | length;
    else if (need === 2) {
      b[this.pos] = 0xd9;
      b[this.pos + 1] = length;
    } else if (need === 3) {
      b[this.pos] = 0xda;
      b[this.pos + 1] = length >> 8;
      b[this.pos + 2] = length & 0xff;
    } else {
      b[this.pos] = 0xdb;
      this.view.setUint32(this.pos + 1, length);
    }
    this.pos += need + length;
  }
}
