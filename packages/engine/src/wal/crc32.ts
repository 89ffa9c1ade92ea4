/** CRC-32C (Castagnoli), the polynomial PostgreSQL uses for WAL records, table-driven. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** `prev`: the CRC of the bytes before these, to checksum a body produced in pieces. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, prev = 0): number {
  let crc = (prev ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
