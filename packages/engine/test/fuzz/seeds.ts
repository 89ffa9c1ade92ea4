/**
 * The fuzz tests' seeds and their PGlite: the fixed default seeds, or FUZZ_SEED and FUZZ_N to run
 * others by hand; one PGlite per test file, made before its cases and closed after them.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';

export function fuzzSeeds(defaults: number[]): number[] {
  const from = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
  return from === undefined ? defaults : Array.from({ length: Number(process.env.FUZZ_N ?? 1) }, (_, i) => from + i);
}

/** The file's PGlite, ready inside its tests. */
export function sharedPglite(): () => PGlite {
  let pg: PGlite | undefined;
  beforeAll(async () => { pg = await PGlite.create(); }, 60_000);
  afterAll(async () => { await pg?.close(); });
  return () => pg!;
}
