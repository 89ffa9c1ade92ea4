/**
 * Random differential testing of the SQL surface beyond the planner against PostgreSQL itself
 * (PGlite in process): expressions of every type with their errors, casts, aggregates, window
 * functions, set operations and subqueries (test/fuzz/surface.ts, exprs.ts). Values compare as
 * PostgreSQL's text output, errors by SQLSTATE; walrtc's 0A000 is a loud refusal, listed apart.
 *
 * More by hand: FUZZ_SEED=1000 FUZZ_N=50 FUZZ_QUERIES=400 npx vitest run packages/engine/test/surface-fuzz.test.ts
 */
import { describe, expect, it } from 'vitest';
import { fuzzSeeds, sharedPglite } from './fuzz/seeds.ts';
import { runDml } from './fuzz/run-dml.ts';
import { runSurface } from './fuzz/run-surface.ts';

const seeds = fuzzSeeds([1, 2, 3, 4, 5, 6, 7, 8]);
const PER_CASE = Number(process.env.FUZZ_QUERIES ?? 150);

const pglite = sharedPglite();

describe('random expressions, aggregates, windows and subqueries give PostgreSQL\'s answers', () => {
  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      const result = await runSurface(pglite(), seed, PER_CASE);
      if (process.env.FUZZ_VERBOSE) {
        console.log(`seed ${seed}: walrtc refused (0A000) ${result.refused.length} of ${result.queries}:\n${result.refused.join('\n')}`);
        console.log(`seed ${seed}: both failed, other SQLSTATEs, ${result.errorOrder.length}:\n${result.errorOrder.join('\n')}`);
      }
      if (result.mismatches.length) console.log(`seed ${seed}: setup:\n${result.setup.join(';\n')}\n${result.mismatches.join('\n')}`);
      expect(result.mismatches).toEqual([]);
    }, 120_000);
  }
});

describe('random writes give PostgreSQL\'s rows, and a hot standby reads what its primary reads', () => {
  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      const result = await runDml(pglite(), seed, Number(process.env.FUZZ_WRITES ?? 25), Math.ceil(PER_CASE / 3));
      if (process.env.FUZZ_VERBOSE) console.log(`seed ${seed}: walrtc refused (0A000):\n${result.refused.join('\n')}\nboth failed, other SQLSTATEs:\n${result.errorOrder.join('\n')}`);
      if (result.mismatches.length) console.log(`seed ${seed}: statements:\n${result.context.join(';\n')}\n${result.mismatches.join('\n')}`);
      expect(result.mismatches).toEqual([]);
    }, 120_000);
  }
});
