import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../drivers/candidate-time-limit.ts';
import { checkCheckCase } from '../properties/check.ts';
import { checkEnv } from '../properties/check-env.ts';
import { cleanVpcArbitrary, scenarios } from './mutants/check.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';
import { mutantPath, toolsWithCandidate } from './support/tools.ts';

/**
 * Each mutant wraps qemu-img. The check property must catch the bug AND
 * shrink to the minimal case the bug allows; "minimal" is spelled out per
 * mutant in test/mutants/check.scenarios.ts (shared with the benchmark,
 * which times the same hunts).
 */
describe('check property against bug-injecting candidates', () => {
  testScenarios(scenarios);

  test('a candidate that also checks vpc and finds clean images clean: every vpc case is accepted by the whitelist', async () => {
    const env = checkEnv(await toolsWithCandidate(mutantPath('check-vpc-checked.sh')), 30_000, DEFAULT_CANDIDATE_TIME_POLICY);
    try {
      const details = await fc.check(fc.asyncProperty(cleanVpcArbitrary, (c) => checkCheckCase(env, c)), { seed: 9, numRuns: 20 });
      expect(details.failed).toBe(false);
      expect(env.stats.eligibleCounts.get('check-vpc-unchecked-by-reference')).toBe(20);
      expect(env.stats.hitCounts.get('check-vpc-unchecked-by-reference')).toBe(20);
    } finally {
      await env.dispose();
    }
  });
});
