import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CANDIDATE_TIME_POLICY } from '../drivers/candidate-time-limit.ts';
import { checkMeasureCase } from '../properties/measure.ts';
import { measureEnv } from '../properties/measure-env.ts';
import { skippedCount } from '../properties/check-summary.ts';
import { scenarios, selfCheckedArbitrary } from './mutants/measure.scenarios.ts';
import { testScenarios } from './support/scenario-tests.ts';
import { calibrationTools } from './support/tools.ts';

/**
 * Each mutant wraps qemu-img. The measure property must catch the bug AND
 * shrink to the minimal case the bug allows; "minimal" is spelled out per
 * mutant in test/mutants/measure.scenarios.ts (shared with the benchmark,
 * which times the same hunts).
 */
describe('measure property against bug-injecting candidates', () => {
  testScenarios(scenarios);

  test('calibration: qemu-img refuses vmdk, vpc and vhdx targets, so every such case is skipped with a counted reason', async () => {
    const env = measureEnv(await calibrationTools(), 30_000, DEFAULT_CANDIDATE_TIME_POLICY);
    try {
      const details = await fc.check(fc.asyncProperty(selfCheckedArbitrary, (c) => checkMeasureCase(env, c)), { seed: 2, numRuns: 15 });
      expect(details.failed).toBe(false);
      expect(env.stats.runs).toBe(15);
      expect(skippedCount(env.stats, 'candidate does not measure')).toBe(15);
    } finally {
      await env.dispose();
    }
  });
});
