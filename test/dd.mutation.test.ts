import { describe, expect, test } from 'vitest';
import { scenarios } from './mutants/dd.scenarios.ts';

/**
 * Each mutant wraps qemu-img and injects one realistic dd bug. The dd
 * property must catch it AND shrink to the minimal case the bug allows;
 * "minimal" is spelled out per mutant in test/mutants/dd.scenarios.ts
 * (shared with the benchmark, which times the same hunts).
 */
describe('dd property against bug-injecting candidates', () => {
  for (const scenario of scenarios) {
    test(scenario.title, async () => {
      const { minimal } = await scenario.hunt({ seed: scenario.seed, numRuns: scenario.numRuns });
      for (const expectation of minimal) expect(expectation.allowed, expectation.what).toContainEqual(expectation.actual);
    });
  }
});
