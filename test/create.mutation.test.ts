import { describe, expect, test } from 'vitest';
import { scenarios } from './mutants/create.scenarios.ts';

/**
 * Each mutant wraps qemu-img and injects one create bug. The create
 * property must catch it AND shrink to the minimal triple; "minimal" is
 * spelled out per mutant in test/mutants/create.scenarios.ts (shared with
 * the benchmark, which times the same hunts).
 */
describe('create property against bug-injecting candidates', () => {
  for (const scenario of scenarios) {
    test(scenario.title, async () => {
      const { found, minimal } = await scenario.hunt({ seed: scenario.seed, numRuns: scenario.numRuns });
      console.log(`${scenario.mutant}: ${JSON.stringify(found.value)} after ${found.numRuns} run(s), ${found.numShrinks} shrink(s)`);
      for (const expectation of minimal) expect(expectation.allowed, expectation.what).toContainEqual(expectation.actual);
    });
  }
});
