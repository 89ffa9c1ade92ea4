/**
 * Random differential testing of the planner against PostgreSQL itself (PGlite in process): seeded
 * random schemas and queries (test/fuzz/) run on a walrtc node and on PGlite, as built, after a
 * checkpoint and crash reopen (indexes building in the background) and after random writes; rows
 * must be the same as PostgreSQL's text output, errors the same SQLSTATE. Both use C collation
 * (walrtc's documented order, PGlite's default), so text compares without COLLATE clauses.
 *
 * More by hand: FUZZ_SEED=1000 FUZZ_N=200 npx vitest run packages/engine/test/planner-fuzz.test.ts
 */
import { describe, expect, it } from 'vitest';
import { fuzzSeeds, sharedPglite } from './fuzz/seeds.ts';
import { runCase } from './fuzz/run.ts';

const seeds = fuzzSeeds([1, 2, 3, 4, 5, 6]);
const PER_PHASE = Number(process.env.FUZZ_QUERIES ?? 40);

const pglite = sharedPglite();

describe('random queries give PostgreSQL\'s answers', () => {
  it('PGlite collates text as walrtc documents (C: code point order)', async () => {
    const r = await pglite().query<{ datcollate: string }>('select datcollate from pg_database where datname = current_database()');
    expect(r.rows[0]!.datcollate).toBe('C');
  });

  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      const result = await runCase(pglite(), seed, PER_PHASE);
      if (result.refused.length) console.log(`seed ${seed}: walrtc refused (0A000) ${result.refused.length} of ${result.queries}:\n${result.refused.join('\n')}`);
      if (result.mismatches.length) console.log(`seed ${seed}: the statements before the queries:\n${result.context.join(';\n')}`);
      expect(result.mismatches).toEqual([]);
    }, 120_000);
  }
});
