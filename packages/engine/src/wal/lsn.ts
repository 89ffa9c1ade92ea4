/**
 * Log sequence numbers: byte positions in the WAL stream, shown as PostgreSQL shows them
 * (`0/16B3748`: high and low 32 bits in hex). A JS number holds them exactly up to 2^53.
 */
export type Lsn = number;

/** Where a fresh cluster's WAL begins, as in PostgreSQL (the first segment's start after the header). */
export const FIRST_LSN: Lsn = 0x1000028;

const TWO_32 = 0x1_0000_0000;

export function formatLsn(lsn: Lsn): string {
  const hi = Math.floor(lsn / TWO_32);
  const lo = lsn % TWO_32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

export function parseLsn(text: string): Lsn | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) return undefined;
  return parseInt(m[1]!, 16) * TWO_32 + parseInt(m[2]!, 16);
}
