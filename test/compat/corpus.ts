/**
 * The sql:compat corpus: statements per area of PostgreSQL's regression suite, in the suite's
 * order of areas. Parts: corpus-a.ts (scalar types, queries), corpus-b.ts (joins, writes,
 * transactions), corpus-c.ts (json, arrays, windows, WITH, constraints, DDL). Change them, then
 * re-record with `npx tsx scripts/record-compat.ts <postgres url>`.
 */
import { COMPAT_A } from './corpus-a.ts';
import { COMPAT_B } from './corpus-b.ts';
import { COMPAT_C } from './corpus-c.ts';

export const COMPAT: Record<string, readonly string[]> = { ...COMPAT_A, ...COMPAT_B, ...COMPAT_C };
